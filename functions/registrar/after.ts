import type { AwsClients } from '../core/aws/clients.ts';
import type { SentinelConfig } from '../core/config/schema.ts';
import type { Log } from '../core/log.ts';
import type { RegistrarOutcome } from '../core/registrar/registrar.ts';

/** What happens after a registrar run: alerts for drift, follow-up verification of new instances. */
export async function afterRegistrar(
  _outcome: RegistrarOutcome,
  _deps: { config: SentinelConfig; clients: AwsClients; log: Log },
): Promise<void> {}
