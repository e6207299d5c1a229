import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { ClientSet } from '../core/aws/client-set.ts';

/** The notifier calls one service: Secrets Manager, for the Slack webhook URL. */
export const NOTIFIER_CLIENTS: ClientSet = {
  owner: 'the notifier function',
  constructors: { secrets: SecretsManagerClient },
};
