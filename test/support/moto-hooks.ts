import { afterAll, beforeAll, inject } from 'vitest';
import { type Moto, resetMoto, startMoto, useMoto } from '../../sandbox/moto.ts';
import { pooledMotoEndpoint } from './moto-pool.ts';

/**
 * A moto_server for the test file: this worker's server of the run's pool (emptied first, so the
 * file starts from a fresh one), or, outside a pool, one started for the file and stopped after.
 * `moto()` is the running one; the AWS SDK of the file points at it.
 */
export function withMoto(options: { region?: string } = {}): () => Moto {
  let moto: Moto | undefined;
  beforeAll(async () => {
    const endpoint = await pooledMotoEndpoint(inject('motoPool') ?? '', process.env.VITEST_POOL_ID);
    if (!endpoint) {
      moto = await startMoto(options);
      return;
    }
    await resetMoto(endpoint);
    useMoto(endpoint, options);
    // the pool owns the server: the file leaves it running for the next file of this worker
    moto = { endpoint, reset: () => resetMoto(endpoint), stop: async () => undefined };
  });
  afterAll(async () => {
    await moto?.stop();
  });
  return () => {
    if (!moto) throw new Error('moto_server is not running');
    return moto;
  };
}
