import { buildClients, type ClientSet, constructAll } from '../core/aws/client-set.ts';
import type { AwsClients } from '../core/aws/clients.ts';

/**
 * A deployed function's own clients: only the set it lists in its clients.ts, so its bundle holds
 * no other client, each constructed at once (the function's init phase; see runtime.ts). No client
 * reads its region or credentials when constructed, so this works without AWS_REGION set. Not
 * traced: see "Tracing" in docs/observability.md.
 */
export function deployedClients(set: ClientSet): AwsClients {
  return constructAll(buildClients(set), set);
}
