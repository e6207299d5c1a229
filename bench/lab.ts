import { createAwsClients } from '../functions/core/aws/all-clients.ts';
import { type AwsClients, CallCounter } from '../functions/core/aws/clients.ts';
import { type Moto, motoAvailable, startMoto } from '../sandbox/moto.ts';

/** The local AWS the call-count rows run against. */
export interface Lab {
  moto: Moto;
  counter: CallCounter;
  /** Clients of the code under test: every call is counted. */
  clients: AwsClients;
  /** Clients that build and change the world: not counted. */
  setup: AwsClients;
}

const running = new Set<Moto>();

/** Starts moto, runs `fn`, and stops moto whatever happens. */
export async function withLab<T>(fn: (lab: Lab) => Promise<T>): Promise<T> {
  if (!motoAvailable()) throw new Error('moto_server not found: pip install "moto[server]"');
  const moto = await startMoto();
  running.add(moto);
  try {
    const counter = new CallCounter();
    // the counter sits before the SDK's retry step: a retried call still counts once
    const clients = createAwsClients({ counter, maxAttempts: 3 });
    const setup = createAwsClients({ maxAttempts: 3 });
    return await fn({ moto, counter, clients, setup });
  } finally {
    running.delete(moto);
    await moto.stop();
  }
}

/** Stops any moto still running (the watchdog and signal handlers of run.ts). */
export async function stopLabs(): Promise<void> {
  const all = [...running];
  running.clear();
  await Promise.all(all.map((m) => m.stop()));
}
