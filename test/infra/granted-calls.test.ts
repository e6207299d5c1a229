import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bundleFunction } from './bundle.ts';
import { functionStatements, SYNTH_TIMEOUT_MS, sharedSynth } from './helpers.ts';

/**
 * Every AWS call a function's bundle can make is granted to that function's role. moto enforces
 * no IAM, so a call the code makes but the stack does not grant (a DeleteItem beside a grant of
 * Get/Put/Update/Query) passes every other test and fails only in AWS. The calls are read from the
 * project files esbuild puts in each bundle: every `new XCommand(` and the SDK client it comes from.
 */
const IAM_PREFIX: Record<string, string> = {
  'client-auto-scaling': 'autoscaling',
  'client-dynamodb': 'dynamodb',
  'client-ec2': 'ec2',
  'client-elastic-load-balancing': 'elasticloadbalancing',
  'client-elastic-load-balancing-v2': 'elasticloadbalancing',
  'client-eventbridge': 'events',
  'client-s3': 's3',
  'client-secrets-manager': 'secretsmanager',
  'client-sns': 'sns',
  'client-sqs': 'sqs',
  'client-ssm': 'ssm',
  // the DynamoDB document client: its commands wrap the client's, under shorter names (below)
  'lib-dynamodb': 'dynamodb',
};
/** Operations whose IAM action has another name. */
const ACTION_OF: Record<string, string> = {
  's3:ListObjectsV2': 's3:ListBucket',
  'sqs:SendMessageBatch': 'sqs:SendMessage',
  'sqs:DeleteMessageBatch': 'sqs:DeleteMessage',
  'dynamodb:Get': 'dynamodb:GetItem',
  'dynamodb:Put': 'dynamodb:PutItem',
  'dynamodb:Update': 'dynamodb:UpdateItem',
  'dynamodb:Delete': 'dynamodb:DeleteItem',
  'dynamodb:BatchGet': 'dynamodb:BatchGetItem',
  'dynamodb:BatchWrite': 'dynamodb:BatchWriteItem',
  'dynamodb:TransactGet': 'dynamodb:TransactGetItems',
  'dynamodb:TransactWrite': 'dynamodb:TransactWriteItems',
};

/** The IAM actions of the SDK commands constructed in one source file. */
function callsIn(source: string): string[] {
  const packageOf = new Map<string, string>();
  for (const m of source.matchAll(
    /import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*'@aws-sdk\/(client-[a-z0-9-]+|lib-dynamodb)'/g,
  )) {
    for (const name of (m[1] ?? '').split(',')) {
      const id =
        name
          .replace(/\btype\b/, '')
          .trim()
          .split(/\s+as\s+/)[0] ?? '';
      if (id.endsWith('Command')) packageOf.set(id, m[2] ?? '');
    }
  }
  const out: string[] = [];
  for (const m of source.matchAll(/new\s+([A-Z][A-Za-z0-9]*Command)\s*\(/g)) {
    const command = m[1] ?? '';
    const pkg = packageOf.get(command);
    if (!pkg) continue; // not an SDK command (none such today)
    const prefix = IAM_PREFIX[pkg];
    if (!prefix) throw new Error(`no IAM prefix known for @aws-sdk/${pkg}`);
    const action = `${prefix}:${command.replace(/Command$/, '')}`;
    out.push(ACTION_OF[action] ?? action);
  }
  return out;
}

async function bundledCalls(name: string): Promise<string[]> {
  const { sources } = await bundleFunction(name);
  return [...new Set(sources.flatMap((f) => callsIn(readFileSync(f, 'utf8'))))].sort();
}

/**
 * Calls a bundle holds but never makes: the verifier plans and never applies (the registrar does),
 * so the load-balancer adapters' mutations ride along in its bundle unused. Not
 * granting them is the point (the verifier cannot change registrations); the test also checks that
 * they stay ungranted.
 */
const NEVER_CALLED: Record<string, string[]> = {
  verifier: [
    'autoscaling:AttachLoadBalancerTargetGroups',
    'autoscaling:AttachLoadBalancers',
    'elasticloadbalancing:DeregisterInstancesFromLoadBalancer',
    'elasticloadbalancing:DeregisterTargets',
    'elasticloadbalancing:RegisterInstancesWithLoadBalancer',
    'elasticloadbalancing:RegisterTargets',
  ],
};

const granted = (actions: string[], action: string): boolean =>
  actions.some((a) => a === action || (a.endsWith('*') && action.startsWith(a.slice(0, -1))));

describe('every AWS call a function can make is granted to it', () => {
  it('reads the calls from source (the check can fail)', () => {
    expect(
      callsIn(
        "import { DeleteItemCommand, type GetItemCommand } from '@aws-sdk/client-dynamodb';\nawait c.send(new DeleteItemCommand({}));",
      ),
    ).toEqual(['dynamodb:DeleteItem']);
    expect(
      callsIn(
        "import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';\nawait d.send(new DeleteCommand({}));",
      ),
    ).toEqual(['dynamodb:DeleteItem']);
    expect(granted(['dynamodb:GetItem', 'ssm:GetParameter*'], 'dynamodb:DeleteItem')).toBe(false);
    expect(granted(['ssm:GetParameter*'], 'ssm:GetParameters')).toBe(true);
  });

  it(
    'registrar, verifier and notifier',
    async () => {
      const { template } = sharedSynth('two-clusters');
      for (const [name, prefix] of [
        ['registrar', 'RegistrarFunction'],
        ['verifier', 'VerifierFunction'],
        ['notifier', 'AlertingNotifierFunction'],
      ] as const) {
        const calls = await bundledCalls(name);
        expect(calls.length, name).toBeGreaterThan(0);
        const actions = functionStatements(template, prefix)
          .filter((s) => s.Effect === 'Allow')
          .flatMap((s) => s.actions);
        const unused = NEVER_CALLED[name] ?? [];
        expect(
          calls.filter((c) => !granted(actions, c) && !unused.includes(c)),
          `${name} calls these without a grant`,
        ).toEqual([]);
        expect(
          unused.filter((c) => granted(actions, c)),
          `${name} is granted calls it never makes`,
        ).toEqual([]);
      }
    },
    SYNTH_TIMEOUT_MS,
  );
});
