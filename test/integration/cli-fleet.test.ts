import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Verdict } from '../../functions/core/findings/finding.ts';
import { clientsIn, clusterIn, forgetNetworks, MOTO_ACCOUNT } from '../../sandbox/cli-fleet.ts';
import { createCa, keysetYaml } from '../../sandbox/pki.ts';
import { withMoto } from '../support/moto-hooks.ts';

/**
 * The built CLI over a fleet on moto, which keeps separate state per account when the caller
 * assumes a role there: clusters in two accounts reached through their cliRoleArn, two in moto's
 * own account (the default chain, and a profile of a shared config file), and three that must not
 * be evaluated as configured: one configured in account A whose resources exist only in B (and in
 * moto's own account), one whose profile does not exist, one whose profile is of another account.
 */
const moto = withMoto();
const dir = mkdtempSync(join(tmpdir(), 'sentinel-cli-fleet-'));
const A = '111111111111';
const B = '222222222222';
const role = (account: string) => `arn:aws:iam::${account}:role/kops-api-sentinel-cli`;

let file = '';
let env: NodeJS.ProcessEnv = {};

function cli(...args: string[]) {
  const res = spawnSync('node', ['bin/kops-api-sentinel.mjs', ...args, '--config', file], {
    encoding: 'utf8',
    env,
    timeout: 120_000,
  });
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
}

const codesOf = (v: Verdict | undefined) => (v?.findings ?? []).map((f) => f.code);

describe('the CLI over clusters in several accounts and regions', () => {
  beforeAll(async () => {
    await moto().reset();
    forgetNetworks();
    const a = await clusterIn(A, 'eu-west-1', 'a.example.com');
    const b = await clusterIn(B, 'us-east-1', 'b.example.com');
    // built in B and in moto's own account, configured in A: missing, not found (no call
    // went to B, nor to the default credentials' account)
    const ghost = await clusterIn(B, 'eu-west-1', 'ghost.example.com');
    await clusterIn(MOTO_ACCOUNT, 'eu-west-1', 'ghost.example.com');
    const home = await clusterIn(MOTO_ACCOUNT, 'eu-west-1', 'k8s.example.com');
    const viaProfile = await clusterIn(MOTO_ACCOUNT, 'eu-west-1', 'profile.example.com');
    // built in moto's own account, configured in another one and reached with a profile of moto's
    // account: the account check stops it before discovery would find it
    const wrong = await clusterIn(MOTO_ACCOUNT, 'eu-west-1', 'wrong.example.com');
    const clusters = [
      { ...a, cliRoleArn: role(A) },
      { ...b, cliRoleArn: role(B) },
      { ...ghost, account: A, cliRoleArn: role(A) },
      home,
      { ...viaProfile, profile: 'moto-home' },
      // no such profile: no credentials at all
      { ...home, name: 'lost.example.com', account: '333333333333', profile: 'nowhere' },
      // a profile of moto's own account, configured for another account
      { ...wrong, account: '444444444444', profile: 'moto-home' },
    ];
    file = join(dir, 'fleet.json');
    writeFileSync(file, JSON.stringify({ clusters }));
    const config = join(dir, 'aws-config');
    writeFileSync(config, '[profile moto-home]\nregion = eu-west-1\n');
    const credentials = join(dir, 'aws-credentials');
    writeFileSync(credentials, '[moto-home]\naws_access_key_id = AKIAPROFILE\naws_secret_access_key = x\n');
    env = {
      ...process.env,
      AWS_CONFIG_FILE: config,
      AWS_SHARED_CREDENTIALS_FILE: credentials,
      AWS_EC2_METADATA_DISABLED: 'true',
    };
  });

  it('reconcile --dry-run: every cluster against its own account; a credentials problem is that cluster finding', () => {
    const run = cli('reconcile', '--dry-run', '--output', 'json', '--concurrency', '3');
    // a cluster that could not be evaluated wins over the rest (exit 3)
    expect(run.code, run.stderr).toBe(3);
    const verdicts = new Map(
      (JSON.parse(run.stdout).verdicts as Verdict[]).map((v) => [v.cluster, v] as const),
    );
    expect([...verdicts.keys()]).toEqual([
      'a.example.com',
      'b.example.com',
      'ghost.example.com',
      'k8s.example.com',
      'profile.example.com',
      'lost.example.com',
      'wrong.example.com',
    ]);
    // the role in A, the role in B (another region), the default chain and the profile: in sync
    for (const name of ['a.example.com', 'b.example.com', 'k8s.example.com', 'profile.example.com']) {
      const v = verdicts.get(name);
      expect(v?.inSync, `${name}: ${codesOf(v).join(', ')}`).toBe(true);
      expect(codesOf(v)).toContain('CONTROL_PLANE_GROUPS_FOUND');
      expect(codesOf(v)).toContain('LB_ATTACHED');
    }
    // configured in A, built in B: A has no such groups (no call went to B)
    expect(codesOf(verdicts.get('ghost.example.com'))).toEqual(['NO_CONTROL_PLANE_GROUPS']);
    expect(verdicts.get('b.example.com')).toMatchObject({ account: B, region: 'us-east-1' });
    const lost = verdicts.get('lost.example.com')?.findings ?? [];
    expect(lost.map((f) => [f.code, f.resource])).toEqual([
      ['CLI_CREDENTIALS_UNAVAILABLE', 'profile nowhere'],
    ]);
    expect(lost[0]?.actual).toMatch(/nowhere/);
    const wrong = verdicts.get('wrong.example.com')?.findings ?? [];
    expect(wrong.map((f) => [f.code, f.expected, f.actual])).toEqual([
      ['CLI_ACCOUNT_MISMATCH', 'account 444444444444', `account ${MOTO_ACCOUNT}`],
    ]);
    expect(run.stderr).toMatch(
      /^hint: could not evaluate lost\.example\.com \(CLI_CREDENTIALS_UNAVAILABLE\)/m,
    );
  });

  it('verify: one table with every cluster, its account and region; progress on a terminal only', () => {
    const run = cli('verify', '--concurrency', '2');
    expect(run.code, run.stderr).toBe(3);
    const summary = run.stdout.slice(run.stdout.indexOf('summary:'));
    expect(summary).toMatch(/^summary: 7 cluster\(s\): 0 in sync, 0 drift, 7 not evaluated$/m);
    expect(summary).toMatch(/^ {2}cluster\s+account\s+region\s+verdict\s+drift\s+passing\s+first problem$/m);
    const row = (name: string, account: string, region: string, first: string) =>
      new RegExp(
        `^ {2}${name.replace(/\./g, '\\.')}\\s+${account}\\s+${region}\\s+NOT EVALUATED\\s+\\d+\\s+\\d+\\s+${first}$`,
        'm',
      );
    // without an imported CA bundle TLS is not judged (CA_UNAVAILABLE): each cluster's own
    // account holds its groups and load balancers, so the rest of its picture passed
    expect(summary).toMatch(row('a.example.com', A, 'eu-west-1', 'CA_UNAVAILABLE'));
    expect(summary).toMatch(row('b.example.com', B, 'us-east-1', 'CA_UNAVAILABLE'));
    expect(summary).toMatch(row('ghost.example.com', A, 'eu-west-1', 'NO_CONTROL_PLANE_GROUPS'));
    expect(summary).toMatch(row('k8s.example.com', MOTO_ACCOUNT, 'eu-west-1', 'CA_UNAVAILABLE'));
    expect(summary).toMatch(row('profile.example.com', MOTO_ACCOUNT, 'eu-west-1', 'CA_UNAVAILABLE'));
    expect(summary).toMatch(
      row('lost.example.com', '333333333333', 'eu-west-1', 'CLI_CREDENTIALS_UNAVAILABLE'),
    );
    expect(summary).toMatch(row('wrong.example.com', '444444444444', 'eu-west-1', 'CLI_ACCOUNT_MISMATCH'));
    // the per-cluster table: the groups of b.example.com were found in B, us-east-1
    expect(run.stdout).toMatch(/^cluster b\.example\.com: DRIFT$/m);
    // not a terminal: no progress lines
    expect(run.stderr).not.toMatch(/^\[\d\/7\]/m);
    const json = cli('verify', '--json', '--cluster', 'b.example.com');
    expect(json.code).toBe(3);
    const [b] = JSON.parse(json.stdout).verdicts as Verdict[];
    expect(codesOf(b)).toEqual(
      expect.arrayContaining(['CONTROL_PLANE_GROUPS_FOUND', 'LB_ATTACHED', 'LISTENER_OK', 'CA_UNAVAILABLE']),
    );
  });

  it("ca import writes into the cluster's own account, and refuses credentials of another", async () => {
    const keyset = join(dir, 'keyset.yaml');
    writeFileSync(keyset, keysetYaml({ keys: [{ id: '1', ca: await createCa('kubernetes-ca') }] }));
    const parameter = '/kops-api-sentinel/b.example.com/ca-bundle';
    const written = cli('ca', 'import', '--cluster', 'b.example.com', '--keyset', keyset);
    expect(written.code, written.stderr).toBe(0);
    const inB = await clientsIn(B, 'us-east-1').ssm.send(new GetParameterCommand({ Name: parameter }));
    expect(inB.Parameter?.Value).toContain('BEGIN CERTIFICATE');
    // not in the shell's own account
    await expect(
      clientsIn(MOTO_ACCOUNT, 'us-east-1').ssm.send(new GetParameterCommand({ Name: parameter })),
    ).rejects.toThrow(/ParameterNotFound|not found/i);
    const refused = cli('ca', 'import', '--cluster', 'wrong.example.com', '--keyset', keyset);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(
      /^error \(AWS credentials\): not evaluated: profile moto-home acts as account 123456789012/m,
    );
    expect(refused.stderr).toMatch(
      /^hint: profile moto-home acts as account 123456789012, not account 444444444444/m,
    );
    await expect(
      clientsIn(MOTO_ACCOUNT, 'eu-west-1').ssm.send(
        new GetParameterCommand({ Name: '/kops-api-sentinel/wrong.example.com/ca-bundle' }),
      ),
    ).rejects.toThrow(/ParameterNotFound|not found/i);
  });
});
