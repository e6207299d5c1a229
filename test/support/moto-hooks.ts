import { afterAll, beforeAll } from 'vitest';
import { type Moto, startMoto } from '../../sandbox/moto.ts';

/** Starts one moto_server for the test file and stops it after; `moto()` is the running one. */
export function withMoto(): () => Moto {
  let moto: Moto | undefined;
  beforeAll(async () => {
    moto = await startMoto();
  });
  afterAll(async () => {
    await moto?.stop();
  });
  return () => {
    if (!moto) throw new Error('moto_server is not running');
    return moto;
  };
}
