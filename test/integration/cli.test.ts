import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeregisterTargetsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../bin/cli.ts';
import { createAwsClients } from '../../functions/core/aws/all-clients.ts';
import { freePort } from '../../sandbox/moto.ts';
import { createCa, keysetYaml } from '../../sandbox/pki.ts';
import { buildWorld, CLUSTER } from '../../sandbox/world.ts';
import { targets } from '../support/aws-state.ts';
import { capture } from '../support/cli-io.ts';
import { withMoto } from '../support/moto-hooks.ts';
import { envWithoutCredentials } from '../support/no-credentials.ts';

const moto = withMoto();
const dir = mkdtempSync(join(tmpdir(), 'sentinel-cli-'));

describe('the CLI', () => {
  it('names the kind of problem: file not found, unknown cluster (exit 2)', async () => {
    const missing = capture();
    expect(await main(['verify', '--config', join(dir, 'no-such.yaml')], missing.io)).toBe(2);
    expect(missing.out.stderr).toMatch(/^error \(file not found\): --config: no file at/);
    const clients = createAwsClients();
    await moto().reset();
    const world = await buildWorld(clients, { controlPlaneGroups: 1 });
    const file = join(dir, 'kinds.json');
    writeFileSync(file, JSON.stringify({ clusters: world.config.clusters }));
    const unknown = capture();
    expect(await main(['verify', '--config', file, '--cluster', 'k8s.exampel.com'], unknown.io)).toBe(2);
    expect(unknown.out.stderr).toMatch(/^error \(unknown cluster\): --cluster: found "k8s.exampel.com"/);
    expect(unknown.out.stderr).not.toContain('invalid config');
  });

  it('verify over every cluster: progress lines on a terminal, then a summary table; yaml output', async () => {
    const clients = createAwsClients();
    await moto().reset();
    const world = await buildWorld(clients, {
      controlPlaneGroups: 1,
      clusterConfig: { tls: { timeoutSeconds: 0.5 }, api: { probeHostname: false } },
    });
    const [base] = world.config.clusters;
    if (base?.name !== CLUSTER) throw new Error('the world has no cluster');
    // a second configured cluster that has no control plane in this account
    const other = { ...base, name: 'other.example.com', api: { ...base.api, hostname: undefined } };
    const file = join(dir, 'two.json');
    writeFileSync(file, JSON.stringify({ clusters: [base, other] }));
    const tty = capture({ tty: true });
    const ttyIo = tty.io;
    const code = await main(['verify', '--config', file, '--concurrency', '1'], ttyIo);
    expect(code).toBeGreaterThan(0);
    expect(tty.out.stderr).toMatch(/^verify: 2 cluster\(s\), 1 at a time/m);
    expect(tty.out.stderr).toMatch(/^\[1\/2\] /m);
    expect(tty.out.stderr).toMatch(/^\[2\/2\] /m);
    // one line per cluster and check it ran
    expect(tty.out.stderr).toMatch(/^ {6}discovery: (ok \(\d+\)|DRIFT \d+ of \d+)$/m);
    expect(tty.out.stderr).toMatch(/^ {6}ca: DRIFT 1 of 1$/m);
    expect(tty.out.stdout).toMatch(/^summary: 2 cluster\(s\)/m);
    // the world's CA bundle was never imported: a hole in the picture, not a verdict
    expect(tty.out.stdout).toMatch(
      /^ {2}k8s\.example\.com\s+123456789012\s+eu-west-1\s+NOT EVALUATED\s+1\s+\d+\s+CA_UNAVAILABLE$/m,
    );
    expect(tty.out.stdout).toMatch(
      /^ {2}other\.example\.com\s+123456789012\s+eu-west-1\s+NOT EVALUATED\s+2\s+\d+\s+NO_CONTROL_PLANE_GROUPS$/m,
    );
    // not a terminal, or a document on stdout: nothing extra on stderr
    const plain = capture();
    expect(await main(['verify', '--config', file, '--output', 'yaml'], plain.io)).toBe(code);
    expect(plain.out.stdout).toMatch(/^verdicts:\n {2}- cluster: /);
    expect(plain.out.stderr).not.toMatch(/^\[\d\/2\]/m);
    const json = capture({ tty: true });
    const jsonIo = json.io;
    expect(await main(['verify', '--config', file, '--json', '--cluster', base.name], jsonIo)).toBe(
      await main(['verify', '--config', file, '--cluster', base.name], capture().io),
    );
    expect(JSON.parse(json.out.stdout).verdicts).toHaveLength(1);
    expect(json.out.stderr).not.toMatch(/^\[|^verify:/m);
  });

  it('ca import writes only the public, trusted part of a kops keyset to SSM', async () => {
    const clients = createAwsClients();
    await moto().reset();
    const parameterName = `/kops-api-sentinel/${CLUSTER}/ca-bundle`;
    const world = await buildWorld(clients, { clusterConfig: { ca: { source: 'ssm', parameterName } } });
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ clusters: world.config.clusters }));
    const [oldCa, newCa] = [await createCa('kubernetes-ca-old'), await createCa('kubernetes-ca')];
    const keyset = join(dir, 'keyset.yaml');
    writeFileSync(
      keyset,
      keysetYaml({
        keys: [
          { id: '1', ca: oldCa, distrustTimestamp: '2026-11-01T00:00:00Z' },
          { id: '2', ca: newCa },
        ],
      }),
    );
    const { out, io } = capture();
    expect(await main(['ca', 'import', '--config', file, '--cluster', CLUSTER, '--keyset', keyset], io)).toBe(
      0,
    );
    expect(out.stdout).toMatch(/^wrote .*ca-bundle: 1 trusted CA certificate/);
    expect(out.stdout).toContain('left out (distrusted): 1');
    expect(out.stdout).toContain('public certificates only');
    const stored = await clients.ssm.send(new GetParameterCommand({ Name: parameterName }));
    expect(stored.Parameter?.Value).toContain(newCa.certPem.trim().split('\n')[1]);
    expect(stored.Parameter?.Value).not.toContain('PRIVATE KEY');
    expect(stored.Parameter?.Value).not.toContain(oldCa.certPem.trim().split('\n')[1]);
    // bad input: exit 2 with the problem named
    const bad = capture();
    expect(await main(['ca', 'import', '--config', file, '--cluster', CLUSTER], bad.io)).toBe(2);
    expect(bad.out.stderr).toContain('exactly one of --keyset');
    expect(
      await main(['ca', 'import', '--config', file, '--cluster', 'nope', '--keyset', keyset], bad.io),
    ).toBe(2);
    expect(bad.out.stderr).toContain('expected one of "k8s.example.com"');
  });

  it('runs as `npx kops-api-sentinel` from the project, with exit code 2 and a named field on a bad config', () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'clusters:\n  - name: k8s.example.com\n    account: "12"\n');
    const res = spawnSync('npx', ['kops-api-sentinel', 'reconcile', '--config', file], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(res.status).toBe(2);
    expect(res.stderr).toContain('clusters[0].account: found "12"; expected a 12-digit AWS account id');
    expect(res.stderr).toMatch(/^error \(invalid config\): /);
    const help = spawnSync('npx', ['kops-api-sentinel', 'reconcile', '--help'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('--dry-run');
    expect(help.stdout).toContain('(default: table)');
  });

  describe('exit codes tell faults from drift', () => {
    let file: string;
    let ca: Awaited<ReturnType<typeof createCa>>;
    const clients = createAwsClients();
    beforeAll(async () => {
      ca = await createCa('kubernetes-ca');
      await moto().reset();
      const world = await buildWorld(clients, {
        controlPlaneGroups: 1,
        clusterConfig: {
          ca: { source: 'ssm', parameterName: `/kops-api-sentinel/${CLUSTER}/missing-ca` },
          tls: { timeoutSeconds: 0.5 },
          api: { probeHostname: false },
        },
      });
      file = join(dir, 'exit-codes.json');
      writeFileSync(file, JSON.stringify({ clusters: world.config.clusters }));
      const [instance] = await targets(clients, world.lbs.targetGroupArn);
      await clients.elbv2.send(
        new DeregisterTargetsCommand({
          TargetGroupArn: world.lbs.targetGroupArn,
          Targets: [{ Id: instance }],
        }),
      );
    });

    it('1 for drift, 0 once repaired', async () => {
      const dry = capture({ tty: true });
      expect(await main(['reconcile', '--config', file, '--dry-run'], dry.io)).toBe(1);
      expect(dry.out.stdout).toContain('INSTANCE_NOT_REGISTERED');
      // on a terminal: a start line and one line per cluster, on stderr only
      expect(dry.out.stderr).toMatch(
        /^reconcile \(dry run\): 1 cluster\(s\), 1 at a time, 1 account\(s\), 1 region\(s\)\.\.\.\n\[1\/1\] k8s\.example\.com \(123456789012 eu-west-1\): DRIFT/,
      );
      expect(dry.out.stdout).not.toContain('[1/1]');
      expect(dry.out.stderr).not.toContain('hint:');
      const fix = capture();
      expect(await main(['reconcile', '--config', file], fix.io)).toBe(0);
      expect(fix.out.stderr).not.toContain('hint:');
    });

    it('3 with a one-line hint when the cluster CA is unavailable', async () => {
      const run = capture();
      expect(await main(['verify', '--config', file], run.io)).toBe(3);
      expect(run.out.stdout).toContain('CA_UNAVAILABLE');
      const hints = run.out.stderr.split('\n').filter((l) => l.startsWith('hint:'));
      expect(hints).toEqual([expect.stringMatching(/CA_UNAVAILABLE.*ca import/)]);
    });

    it('3 when the AWS endpoint refuses connections (AWS_CALL_FAILED), not drift', async () => {
      const saved = process.env.AWS_ENDPOINT_URL;
      process.env.AWS_ENDPOINT_URL = `http://127.0.0.1:${await freePort()}`;
      try {
        const run = capture();
        expect(await main(['reconcile', '--config', file, '--dry-run'], run.io)).toBe(3);
        expect(run.out.stdout).toContain('AWS_CALL_FAILED');
        expect(run.out.stderr).toMatch(/^hint: could not evaluate .*AWS_CALL_FAILED/m);
      } finally {
        process.env.AWS_ENDPOINT_URL = saved;
      }
    });

    it('3 with a credentials hint, through the real binary, when there are no AWS credentials', () => {
      const env = envWithoutCredentials(dir);
      for (const command of ['reconcile', 'verify']) {
        const res = spawnSync('node', ['bin/kops-api-sentinel.mjs', command, '--config', file], {
          encoding: 'utf8',
          env,
          timeout: 60_000,
        });
        expect(res.status, `${command}: ${res.stderr}`).toBe(3);
        const hints = res.stderr.split('\n').filter((l) => l.startsWith('hint:'));
        expect(hints).toEqual([expect.stringContaining('no usable AWS credentials')]);
      }
      const keyset = join(dir, 'exit-codes-keyset.yaml');
      writeFileSync(keyset, keysetYaml({ keys: [{ id: '1', ca: ca }] }));
      const res = spawnSync(
        'node',
        [
          'bin/kops-api-sentinel.mjs',
          'ca',
          'import',
          '--config',
          file,
          '--cluster',
          CLUSTER,
          '--keyset',
          keyset,
        ],
        { encoding: 'utf8', env, timeout: 60_000 },
      );
      expect(res.status, `ca import: ${res.stderr}`).toBe(3);
      expect(res.stderr).toMatch(/^hint: no usable AWS credentials/m);
      expect(res.stderr).toMatch(/^error \(AWS credentials\): /);
    });
  });
});
