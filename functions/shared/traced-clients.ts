import { buildClients, type ClientSet } from '../core/aws/client-set.ts';
import type { AwsClients } from '../core/aws/clients.ts';
import { tracer } from './powertools.ts';

/** A function's own clients, each captured by the Tracer (which does nothing outside Lambda). */
export function deployedClients(set: ClientSet): AwsClients {
  return buildClients(set, { capture: (client) => tracer.captureAWSv3Client(client) });
}
