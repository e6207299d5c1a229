import { buildClients, type ClientSet } from '../core/aws/client-set.ts';
import type { AwsClients } from '../core/aws/clients.ts';

/**
 * A deployed function's own clients: only the set it lists in its clients.ts, so its bundle holds
 * no other client. Not traced: see "Tracing" in docs/observability.md.
 */
export function deployedClients(set: ClientSet): AwsClients {
  return buildClients(set);
}
