import { SecretsManagerClient, type SecretsManagerClientConfig } from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import { ALL_CLIENTS, createAwsClients } from '../../../functions/core/aws/all-clients.ts';
import {
  buildClients,
  type ClientSet,
  constructAll,
  restrictClients,
} from '../../../functions/core/aws/client-set.ts';
import { NOTIFIER_CLIENTS } from '../../../functions/notifier/clients.ts';
import { REGISTRAR_CLIENTS } from '../../../functions/registrar/clients.ts';
import { deployedClients } from '../../../functions/shared/deployed-clients.ts';
import { VERIFIER_CLIENTS } from '../../../functions/verifier/clients.ts';

const ONLY_SECRETS: ClientSet = {
  owner: 'the test function',
  constructors: { secrets: SecretsManagerClient },
};

describe('client sets', () => {
  it('builds a client of the set once, on first use', () => {
    const clients = buildClients(ONLY_SECRETS, { region: 'eu-west-1' });
    expect(clients.secrets).toBeInstanceOf(SecretsManagerClient);
    expect(clients.secrets).toBe(clients.secrets);
  });

  it('a deployed function constructs every client of its set at once (init phase), with no region set', () => {
    const built: string[] = [];
    const counting = (name: string) =>
      class extends SecretsManagerClient {
        constructor(config: SecretsManagerClientConfig) {
          super(config);
          built.push(name);
        }
      };
    const set: ClientSet = {
      owner: 'the test function',
      constructors: { secrets: counting('secrets') } as ClientSet['constructors'],
    };
    const region = process.env.AWS_REGION;
    delete process.env.AWS_REGION;
    try {
      const clients = constructAll(buildClients(set), set);
      expect(built).toEqual(['secrets']);
      expect(clients.secrets).toBe(clients.secrets);
      expect(built).toEqual(['secrets']);
      // the verifier's real clients (its set is the largest) construct without a region too
      expect(() => deployedClients(VERIFIER_CLIENTS)).not.toThrow();
    } finally {
      if (region !== undefined) process.env.AWS_REGION = region;
    }
  });

  it('throws, naming the client and the function, for a client the set does not hold', () => {
    const clients = buildClients(ONLY_SECRETS, { region: 'eu-west-1' });
    expect(() => clients.ec2).toThrow('the test function does not bundle the EC2 client (clients.ec2)');
  });

  it('narrows a full set to a function’s own clients', () => {
    const full = createAwsClients({ region: 'eu-west-1' });
    const own = restrictClients(full, NOTIFIER_CLIENTS);
    expect(own.secrets).toBe(full.secrets);
    expect(() => own.dynamodb).toThrow('the notifier function does not bundle the DynamoDB client');
  });

  it('each function lists only clients of the full set, under the same names', () => {
    for (const set of [REGISTRAR_CLIENTS, VERIFIER_CLIENTS, NOTIFIER_CLIENTS]) {
      for (const [name, ctor] of Object.entries(set.constructors)) {
        expect(ALL_CLIENTS.constructors[name as keyof typeof ALL_CLIENTS.constructors]).toBe(ctor);
      }
    }
    expect(Object.keys(NOTIFIER_CLIENTS.constructors)).toEqual(['secrets']);
    expect(Object.keys(REGISTRAR_CLIENTS.constructors)).not.toContain('s3');
    expect(Object.keys(REGISTRAR_CLIENTS.constructors)).not.toContain('ssm');
  });
});
