import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleOf } from '../../functions/core/ca/bundle.ts';
import { CURRENT_GO_MINOR } from '../../functions/core/tls/go-rules.ts';
import { type ProbeResult, probeTls } from '../../functions/core/tls/probe.ts';
import {
  buildKubeletJudge,
  findGo,
  type GoToolchain,
  type GoVerdict,
  judgeWithGo,
} from '../support/go-kubelet.ts';
import { API, buildMatrix, type MatrixCase } from '../support/tls-matrix.ts';

/**
 * The sentinel's verdicts against Go's own crypto/tls client doing kubelet's handshake (RootCAs =
 * the bundle, ServerName = api.internal.<cluster>), on generated chains served by real TLS servers
 * on loopback. Go comes from the machine (Debian's golang-go; .ci/run installs it): in CI a missing
 * Go fails the test; locally the test is skipped with a message.
 *
 * Two comparisons: under the installed Go's own rules (tls.goVersionRules = its release) the
 * verdicts must agree on every chain; under current rules they must agree except on the chains
 * whose deciding rule a later Go release introduced, where the difference is expected and listed.
 */

const GREEN = new Set(['TLS_OK', 'TLS_CERT_EXPIRING']);
const go: GoToolchain | undefined = findGo();
const inCi = process.env.CI === 'true';
if (!go && !inCi) {
  console.warn(
    'tls-go-differential: no Go toolchain (apt-get install golang-go); skipped locally, fails in CI',
  );
}

describe('Go toolchain for the differential test', () => {
  it.runIf(inCi)('is installed in CI', () => {
    expect(go, 'go not found: .ci/run installs golang-go').toBeDefined();
  });
});

describe.runIf(go)('TLS verdicts agree with Go crypto/tls (kubelet)', () => {
  const cases: MatrixCase[] = buildMatrix();
  const servers: Server[] = [];
  const ports = new Map<string, number>();
  const goVerdicts = new Map<string, GoVerdict>();
  const current = new Map<string, ProbeResult>();
  const installed = new Map<string, ProbeResult>();
  const toolchain = go as GoToolchain;
  const installedRules = `1.${toolchain?.minor}`;

  beforeAll(async () => {
    const binary = buildKubeletJudge(toolchain);
    for (const c of cases) {
      const server = createServer({
        key: c.sent[0]?.keyPem,
        cert: c.sent.map((s) => s.certPem.trim()).join('\n'),
        ciphers: 'DEFAULT:@SECLEVEL=0',
        ...(c.tls?.maxVersion ? { maxVersion: c.tls.maxVersion } : {}),
        ...(c.tls?.ciphersuites ? { ciphersuites: c.tls.ciphersuites } : {}),
      });
      server.on('tlsClientError', () => undefined);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      servers.push(server);
      ports.set(c.id, (server.address() as AddressInfo).port);
    }
    const jobs = cases.map((c) => ({
      id: c.id,
      addr: `127.0.0.1:${ports.get(c.id)}`,
      rootsPem: c.trust.map((t) => t.certPem.trim()).join('\n'),
      serverName: API,
    }));
    for (const v of await judgeWithGo(binary, jobs)) goVerdicts.set(v.id, v);
    await Promise.all(
      cases.map(async (c) => {
        const target = { resource: c.id, host: '127.0.0.1', port: ports.get(c.id) ?? 0, servername: API };
        const trust = bundleOf(
          `matrix:${c.id}`,
          c.trust.map((t) => t.x509),
        );
        const opts = { timeoutMs: 5000, expiryWarningDays: 0 };
        current.set(c.id, await probeTls(target, trust, opts));
        installed.set(c.id, await probeTls(target, trust, { ...opts, goVersionRules: installedRules }));
      }),
    );
  });

  afterAll(async () => {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  });

  it('covers at least 40 chains', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
  });

  for (const c of buildMatrix().map((m) => m.id)) {
    it(`${c}: same verdict as Go, and the finding names the rule`, () => {
      const spec = cases.find((m) => m.id === c) as MatrixCase;
      const goVerdict = goVerdicts.get(c);
      const now = current.get(c);
      const asInstalled = installed.get(c);
      expect(goVerdict, 'Go judged the case').toBeDefined();
      const context = `${spec.rule}; Go: ${goVerdict?.ok ? 'ok' : goVerdict?.error}; sentinel: ${now?.code} ${now?.reason}`;
      expect(now?.code, context).toBe(spec.code);
      expect(GREEN.has(asInstalled?.code ?? ''), `${context} (rules of Go 1.${toolchain.minor})`).toBe(
        goVerdict?.ok,
      );
      const differs = spec.goSince !== undefined && toolchain.minor < spec.goSince.minor;
      // An expected difference: the installed Go predates the rule (spec.goSince.why); current kubelet refuses.
      expect(GREEN.has(now?.code ?? ''), context).toBe(differs ? !goVerdict?.ok : goVerdict?.ok);
    });
  }

  it('lists the expected differences between the installed Go and current kubelet', () => {
    const differences = cases
      .filter((c) => c.goSince && toolchain.minor < c.goSince.minor)
      .map((c) => `${c.id}: ${c.goSince?.why}`);
    if (toolchain.minor >= CURRENT_GO_MINOR) expect(differences).toEqual([]);
    else console.info(`Go ${toolchain.version} differs from current kubelet on:\n${differences.join('\n')}`);
    for (const c of cases.filter((m) => m.goSince && toolchain.minor < m.goSince.minor)) {
      // the installed Go judges these the other way from current kubelet
      expect(goVerdicts.get(c.id)?.ok, c.id).toBe(!GREEN.has(current.get(c.id)?.code ?? ''));
    }
  });
});
