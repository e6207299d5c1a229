import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../bin/cli.ts';
import { createAwsClients } from '../../functions/core/aws/clients.ts';
import { type Moto, startMoto } from '../../sandbox/moto.ts';
import { createCa, keysetYaml } from '../../sandbox/pki.ts';
import { buildWorld, CLUSTER } from '../../sandbox/world.ts';

let moto: Moto;
const dir = mkdtempSync(join(tmpdir(), 'sentinel-cli-'));

function capture() {
  const out = { stdout: '', stderr: '' };
  const io = {
    stdout: {
      write: (t: string) => {
        out.stdout += t;
      },
    },
    stderr: {
      write: (t: string) => {
        out.stderr += t;
      },
    },
  };
  return { out, io };
}

beforeAll(async () => {
  moto = await startMoto();
});
afterAll(async () => {
  await moto?.stop();
});

describe('the CLI', () => {
  it('ca import writes only the public, trusted part of a kops keyset to SSM', async () => {
    const clients = createAwsClients();
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
    const help = spawnSync('npx', ['kops-api-sentinel', '--help'], { encoding: 'utf8', timeout: 60_000 });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('reconcile --config <file>');
  });
});
