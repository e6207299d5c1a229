import { describe, expect, it } from 'vitest';
import { rootsOf } from '../../../functions/core/alerts/causes.ts';
import {
  DETAIL_TYPES,
  EVENT_SOURCE,
  type FindingsReportedDetail,
} from '../../../functions/core/alerts/events.ts';
import { planCluster } from '../../../functions/core/alerts/work.ts';
import { MalformedEventError } from '../../../functions/core/events/errors.ts';
import type { Finding } from '../../../functions/core/findings/finding.ts';
import { finding } from '../../../functions/core/findings/make.ts';
import {
  boundReport,
  findingsReports,
  REPORT_MAX_BYTES,
  REPORT_TEXT_MAX,
  reportBytes,
  reportVerdict,
} from '../../../functions/core/fleet/report.ts';
import { ForgedReportError, parseReportEvent } from '../../../functions/core/fleet/report-event.ts';

const CLUSTER = 'a.example.com';
const A = '111111111111';
const B = '222222222222';
const NOW = new Date('2026-12-01T00:00:00.000Z');
const places = new Map([
  [CLUSTER, { account: A, region: 'eu-west-1' }],
  ['b.example.com', { account: B, region: 'us-east-2' }],
]);
const placeOf = (c: string) => places.get(c);

const drift = (resource: string, extra: Partial<Finding> = {}): Finding => ({
  ...finding('LB_NOT_ATTACHED', {
    cluster: CLUSTER,
    resource,
    expected: 'attached',
    actual: 'detached',
    message: 'The control-plane group is not attached to its internal load balancer.',
  }),
  ...extra,
});
const ok = (resource: string, details?: Record<string, unknown>): Finding =>
  finding('TLS_OK', {
    cluster: CLUSTER,
    resource,
    expected: 'a trusted chain',
    actual: 'trusted',
    message: 'ok',
    ...(details ? { details } : {}),
  });

const envelope = (detail: unknown, account = A, region = 'eu-west-1') => ({
  version: '0',
  id: '7bf73129-1428-4cd3-a780-95db273d1602',
  'detail-type': DETAIL_TYPES.findingsReported,
  source: EVENT_SOURCE,
  account,
  region,
  time: NOW.toISOString(),
  resources: [],
  detail,
});

describe('Findings Reported: encode', () => {
  it('is one report per cluster, with the verdict complete checks and findings as the run saw them', () => {
    const reports = findingsReports(
      'verifier',
      [
        { cluster: CLUSTER, inSync: false, findings: [drift('g1'), ok('api')], complete: ['tls'] },
        { cluster: 'b.example.com', inSync: true, findings: [] },
      ],
      { now: NOW, verification: true },
    );
    expect(reports).toHaveLength(2);
    expect(reports[0]).toEqual({
      version: '1',
      cluster: CLUSTER,
      source: 'verifier',
      time: NOW.toISOString(),
      verification: true,
      complete: ['tls'],
      truncated: false,
      findings: [drift('g1'), ok('api')],
    });
    expect(reports[1]).toMatchObject({ cluster: 'b.example.com', findings: [], truncated: false });
    // the hub reads back the verdict the member had
    expect(reportVerdict(reports[0] as FindingsReportedDetail)).toEqual({
      cluster: CLUSTER,
      inSync: false,
      findings: [drift('g1'), ok('api')],
      complete: ['tls'],
    });
  });

  it('cuts texts longer than the hub reads, and says so', () => {
    const [r] = findingsReports(
      'registrar',
      [{ cluster: CLUSTER, inSync: false, findings: [drift('g1', { message: 'x'.repeat(5000) })] }],
      { now: NOW },
    );
    expect(r?.truncated).toBe(true);
    expect(r?.findings[0]?.message.length).toBe(REPORT_TEXT_MAX);
  });

  const big = (n: number, size: number) => 'y'.repeat(size) + String(n);

  it('fits one event: details go first, then texts, then passing findings (and complete), then whole scopes', () => {
    const base: FindingsReportedDetail = {
      version: '1',
      cluster: CLUSTER,
      source: 'verifier',
      time: NOW.toISOString(),
      verification: true,
      complete: ['tls', 'listener'],
      truncated: false,
      findings: [drift('g1'), ok('api', { blob: big(0, 300_000) })],
    };
    const noDetails = boundReport(base);
    expect(reportBytes(noDetails)).toBeLessThanOrEqual(REPORT_MAX_BYTES);
    expect(noDetails).toMatchObject({ truncated: true, complete: ['tls', 'listener'] });
    expect(noDetails.findings.every((f) => f.details === undefined)).toBe(true);
    expect(noDetails.findings).toHaveLength(2);

    // texts: 200 findings of 1,900-character messages are about 400 KB; cut to 200 characters they fit
    const wordy = {
      ...base,
      findings: Array.from({ length: 200 }, (_, i) => drift(`g${i}`, { message: big(i, 1900) })),
    };
    const clipped = boundReport(wordy);
    expect(clipped.findings).toHaveLength(200);
    expect(Math.max(...clipped.findings.map((f) => f.message.length))).toBeLessThanOrEqual(200);

    // passing findings go before any drifting one, and with them the complete checks
    const many = {
      ...base,
      findings: [drift('g1'), ...Array.from({ length: 1200 }, (_, i) => ok(`instance-${big(i, 150)}`))],
    };
    const noOk = boundReport(many);
    expect(noOk).toMatchObject({ truncated: true, complete: [] });
    expect(noOk.findings).toEqual([drift('g1')]);

    // at last whole scopes, least severe first: a kept scope keeps all its drifting findings
    const scopes = boundReport(
      {
        ...base,
        findings: [
          drift('keep'),
          drift('keep', { code: 'INSTANCE_NOT_REGISTERED', severity: 'warning' }),
          drift('tail', { severity: 'warning' }),
        ],
      },
      { maxBytes: reportBytes({ ...base, findings: [drift('keep'), drift('keep')] }) + 80 },
    );
    expect(scopes.findings.map((f) => f.resource)).toEqual(['keep', 'keep']);
  });

  it('a cut report keeps the details alert grouping reads, and groups as the uncut one', () => {
    const ELB = 'elb/api-internal';
    const GROUP = 'control-plane-eu-west-1a.masters.a.example.com';
    const OTHER = 'control-plane-eu-west-1b.masters.a.example.com';
    const cert = (fp: string) => ({
      certificate: { issuer: 'CN=Amazon', fingerprint256: fp, pem: big(0, 2000) },
    });
    const make = (code: string, resource: string, details?: Record<string, unknown>): Finding =>
      finding(code as 'LISTENER_OK', {
        cluster: CLUSTER,
        resource,
        expected: 'e',
        actual: 'a',
        message: code,
        ...(details ? { details } : {}),
      });
    const findings = [
      make('LISTENER_TERMINATES_TLS', ELB),
      make('TLS_UNTRUSTED_ISSUER', ELB, cert('AA:BB')),
      make('TLS_UNTRUSTED_ISSUER', 'dns/api.internal.a.example.com', cert('AA:BB')),
      make('TLS_UNTRUSTED_ISSUER', 'dns/other.a.example.com', cert('CC:DD')),
      make('LB_NOT_ATTACHED', `${ELB}:${GROUP}`),
      make('LB_NOT_ATTACHED', `${ELB}:${OTHER}`),
      make('INSTANCE_NOT_REGISTERED', `${ELB}:i-0123456789abcdef0`, { group: GROUP, blob: big(1, 300_000) }),
    ];
    const detail: FindingsReportedDetail = {
      version: '1',
      cluster: CLUSTER,
      source: 'verifier',
      time: NOW.toISOString(),
      verification: true,
      complete: [],
      truncated: false,
      findings,
    };
    const cut = boundReport(detail);
    expect(cut.truncated).toBe(true);
    expect(cut.findings[1]?.details).toEqual({ certificate: { fingerprint256: 'AA:BB' } });
    expect(cut.findings[6]?.details).toEqual({ group: GROUP });
    const pairs = (list: readonly Finding[]) =>
      [...rootsOf(list)]
        .map(([f, root]) => `${f.code} ${f.resource} -> ${root.code} ${root.resource}`)
        .sort();
    expect(pairs(cut.findings)).toEqual(pairs(findings));
    expect(pairs(findings)).toHaveLength(3);
  });

  it('a cut report never resolves what was cut: a stored alert of a dropped scope is not evaluated', () => {
    const many = {
      version: '1' as const,
      cluster: CLUSTER,
      source: 'verifier' as const,
      time: NOW.toISOString(),
      verification: true,
      complete: ['tls' as const],
      truncated: false,
      findings: [drift('g1'), ...Array.from({ length: 1200 }, (_, i) => ok(`instance-${big(i, 150)}`))],
    };
    const cut = reportVerdict(boundReport(many));
    expect(cut.complete).toBeUndefined();
    const stored = [
      {
        pk: CLUSTER,
        sk: 'x',
        key: `${CLUSTER}|TLS_UNTRUSTED_ISSUER|instance-1`,
        cluster: CLUSTER,
        code: 'TLS_UNTRUSTED_ISSUER',
        check: 'tls' as const,
        resource: `instance-${big(1, 150)}`,
        severity: 'critical' as const,
        state: 'firing' as const,
        firstSeen: NOW.toISOString(),
        lastSeen: NOW.toISOString(),
        failures: 3,
        passes: 0,
        finding: drift('x'),
        version: 1,
      },
    ];
    // uncut, the passing TLS check on that instance would decide the alert; cut, nothing does
    const items = planCluster(cut.findings, stored as never, new Set(cut.complete ?? []));
    expect(items.some((i) => i.prev?.code === 'TLS_UNTRUSTED_ISSUER')).toBe(false);
  });
});

describe('Findings Reported: what the hub believes', () => {
  const [report] = findingsReports(
    'verifier',
    [{ cluster: CLUSTER, inSync: false, findings: [drift('g1')] }],
    {
      now: NOW,
      verification: true,
    },
  );

  it('accepts a report sent from the account and region the config gives its cluster', () => {
    const accepted = parseReportEvent(JSON.parse(JSON.stringify(envelope(report))), placeOf);
    expect(accepted).toEqual({
      detail: report,
      account: A,
      region: 'eu-west-1',
      id: '7bf73129-1428-4cd3-a780-95db273d1602',
    });
  });

  it('reads an action it does not know (a newer member), and refuses anything but a short word', () => {
    const newer = { ...report, findings: [drift('g1', { action: 'deferred' as Finding['action'] })] };
    expect(parseReportEvent(envelope(newer), placeOf).detail.findings[0]?.action).toBe('deferred');
    const bad = { ...report, findings: [drift('g1', { action: 'x'.repeat(40) as Finding['action'] })] };
    expect(() => parseReportEvent(envelope(bad), placeOf)).toThrow(/detail\.findings\.0\.action/);
  });

  it.each([
    ['another account', B, 'eu-west-1'],
    ['another region', A, 'us-east-2'],
    ["the other cluster's own account and region", B, 'us-east-2'],
  ])('drops a report about the cluster sent from %s as forged', (_what, account, region) => {
    expect(() => parseReportEvent(envelope(report, account, region), placeOf)).toThrow(ForgedReportError);
  });

  it('drops a report about a cluster the config does not hold as forged', () => {
    expect(() =>
      parseReportEvent(envelope({ ...report, cluster: 'x.example.com', findings: [] }), placeOf),
    ).toThrow(/detail.cluster is not a configured cluster/);
  });

  it.each<[string, unknown, RegExp]>([
    ['no account', { ...envelope(report), account: undefined }, /event.account/],
    ['another source', { ...envelope(report), source: 'aws.events' }, /event.source/],
    ['another detail type', { ...envelope(report), 'detail-type': 'Drift Detected' }, /event.detail-type/],
    [
      'a finding of another cluster',
      envelope({ ...report, findings: [{ ...drift('g'), cluster: 'b.example.com' }] }),
      /detail.findings.0.cluster/,
    ],
    [
      'an overlong message',
      envelope({ ...report, findings: [{ ...drift('g'), message: 'z'.repeat(REPORT_TEXT_MAX + 1) }] }),
      /detail.findings.0.message/,
    ],
    ['an unknown check', envelope({ ...report, complete: ['everything'] }), /detail.complete/],
    ['a bad time', envelope({ ...report, time: 'yesterday' }), /detail.time/],
    ['a detail of another version', envelope({ ...report, version: '2' }), /detail.version/],
    ['a malformed cluster name', envelope({ ...report, cluster: 'A B' }), /detail.cluster/],
  ])('rejects an event with %s, naming the field', (_what, event, field) => {
    let err: unknown;
    try {
      parseReportEvent(event, placeOf);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MalformedEventError);
    expect(err).not.toBeInstanceOf(ForgedReportError);
    expect((err as Error).message).toMatch(field);
  });
});
