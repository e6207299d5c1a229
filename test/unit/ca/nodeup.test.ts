import { beforeAll, describe, expect, it } from 'vitest';
import { CaSourceError } from '../../../functions/core/ca/bundle.ts';
import {
  MAX_NODEUP_CONFIG_BYTES,
  nodeGroupConfigPrefix,
  nodeGroupOf,
  nodeupConfigKey,
  parseNodeupConfig,
} from '../../../functions/core/ca/nodeup.ts';
import { CaSourceSchema } from '../../../functions/core/config/schema.ts';
import { loadYaml, type Yaml } from '../../../functions/core/yaml.ts';
import { createCa, issueServerCert, nodeupConfigYaml, type TestCa } from '../../../sandbox/pki.ts';
import { errorOf } from './helpers.ts';

// readNodeGroupTrust loads the YAML parser and hands it to parseNodeupConfig (functions/core/yaml.ts)
let yaml: Yaml;
beforeAll(async () => {
  yaml = await loadYaml();
});

let current: TestCa;
let next: TestCa;
beforeAll(async () => {
  [current, next] = await Promise.all([createCa('kubernetes-ca'), createCa('kubernetes-ca-next')]);
});

describe('nodeup config keys', () => {
  it('is <prefix>/<cluster>/igconfig/node/<ig>/nodeupconfig.yaml, with or without a prefix', () => {
    expect(nodeGroupConfigPrefix('clusters', 'k8s.example.com')).toBe(
      'clusters/k8s.example.com/igconfig/node/',
    );
    expect(nodeGroupConfigPrefix('', 'k8s.example.com')).toBe('k8s.example.com/igconfig/node/');
    expect(nodeupConfigKey('a/b', 'k8s.example.com', 'nodes-eu-west-1a')).toBe(
      'a/b/k8s.example.com/igconfig/node/nodes-eu-west-1a/nodeupconfig.yaml',
    );
  });

  it('finds the node group of a listed key, and nothing for other objects', () => {
    const prefix = 'k8s.example.com/igconfig/node/';
    expect(nodeGroupOf(`${prefix}nodes-eu-west-1a/nodeupconfig.yaml`, prefix)).toBe('nodes-eu-west-1a');
    expect(nodeGroupOf(`${prefix}nodes/auxconfig.yaml`, prefix)).toBeUndefined();
    expect(nodeGroupOf(`${prefix}nodes/deeper/nodeupconfig.yaml`, prefix)).toBeUndefined();
    expect(nodeGroupOf(`${prefix}nodeupconfig.yaml`, prefix)).toBeUndefined();
    expect(
      nodeGroupOf('k8s.example.com/igconfig/control-plane/cp/nodeupconfig.yaml', prefix),
    ).toBeUndefined();
  });
});

describe('parseNodeupConfig', () => {
  it('takes every certificate of CAs.kubernetes-ca, tolerating any other field', () => {
    const bundle = parseNodeupConfig(
      nodeupConfigYaml({ cas: [current, next], extra: { SomeFutureField: { a: [1, 2] } } }),
      'cfg',
      yaml,
    );
    expect(bundle.fingerprints).toEqual([current.x509.fingerprint256, next.x509.fingerprint256]);
    expect(bundle.source).toBe('cfg');
  });

  it('refuses a config without the kops CA, naming the field and quoting nothing', () => {
    const secret = 'c2VjcmV0LWtleS1tYXRlcmlhbC1oZXJl';
    const cases: [string, RegExp][] = [
      [`- ${secret}\n`, /cfg: not a kops nodeup config \(the document is not a mapping\)/],
      [`KeypairIDs: {}\nX: ${secret}\n`, /cfg: no CAs mapping \(kops writes CAs\.kubernetes-ca\)/],
      [`CAs:\n  etcd-ca: ${secret}\n`, /cfg: CAs\.kubernetes-ca is missing/],
      [`CAs:\n  kubernetes-ca: [${secret}]\n`, /cfg: CAs\.kubernetes-ca is not a string of PEM certificates/],
      [`CAs:\n  kubernetes-ca: ${secret}\n`, /cfg: CAs\.kubernetes-ca holds no PEM certificate/],
      [
        `CAs: {kubernetes-ca: "${secret}\n`,
        /cfg: not a valid YAML document \([A-Z_]+ at line \d+, column \d+\)/,
      ],
    ];
    for (const [text, message] of cases) {
      const err = errorOf(() => parseNodeupConfig(text, 'cfg', yaml));
      expect(err).toBeInstanceOf(CaSourceError);
      expect(err.message).toMatch(message);
      expect(err.message).not.toContain(secret);
    }
  });

  it('refuses an oversized document and a serving certificate in place of the CA', async () => {
    const servingPem = (await issueServerCert(current, { dns: ['api.internal.k8s.example.com'] })).certPem;
    expect(() => parseNodeupConfig(' '.repeat(MAX_NODEUP_CONFIG_BYTES + 1), 'cfg', yaml)).toThrow(
      /too large/,
    );
    const leaf = { ...current, certPem: servingPem };
    expect(() => parseNodeupConfig(nodeupConfigYaml({ cas: [leaf] }), 'cfg', yaml)).toThrow(
      /cfg: PEM block 1 \(CN=kubernetes-master\) is not a CA certificate/,
    );
  });
});

describe('state-store CA config', () => {
  const parse = (ca: unknown) => CaSourceSchema.safeParse(ca);
  const key = 'arn:aws:kms:eu-west-1:111122223333:key/0123abcd-4567-89ab-cdef-0123456789ab';

  it('accepts a state store with an optional KMS key ARN', () => {
    expect(parse({ source: 'state-store', stateStore: 's3://kops-state/clusters' }).success).toBe(true);
    expect(parse({ source: 'state-store', stateStore: 's3://kops-state', kmsKeyArn: key }).success).toBe(
      true,
    );
  });

  it('rejects * and ? in every string that flows into an IAM ARN or condition', () => {
    for (const ca of [
      { source: 'state-store', stateStore: 's3://kops-state/*' },
      { source: 'state-store', stateStore: 's3://kops-state/clu?ters' },
      { source: 'state-store', stateStore: 's3://kops-state', kmsKeyArn: `${key.slice(0, -3)}*` },
      {
        source: 'state-store',
        stateStore: 's3://kops-state',
        kmsKeyArn: 'arn:aws:kms:eu-west-1:111122223333:key/?',
      },
      {
        source: 'state-store',
        stateStore: 's3://kops-state',
        kmsKeyArn: 'arn:aws:kms:eu-west-1:111122223333:alias/kops',
      },
      { source: 'ssm', parameterName: '/kops/*' },
      { source: 'ssm', parameterName: '/kops/ca?' },
    ]) {
      expect(parse(ca).success, JSON.stringify(ca)).toBe(false);
    }
  });
});
