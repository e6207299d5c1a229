import { describe, expect, it } from 'vitest';
import { groupByCause } from '../../../functions/core/alerts/causes.ts';
import { FIXES, fixFor, runbookLink } from '../../../functions/core/alerts/fixes.ts';
import {
  ALERT_SCHEMA,
  asciiLine,
  buildAlert,
  certificateOf,
  type MachineAlert,
  messageAttributes,
  protocolBodies,
  renderChatbot,
  snsPublishInput,
  subjectOf,
} from '../../../functions/core/alerts/messages.ts';
import { type AlertRecord, confirmDelivery, decide } from '../../../functions/core/alerts/policy.ts';
import { CODES } from '../../../functions/core/findings/codes.ts';
import type { Finding } from '../../../functions/core/findings/finding.ts';
import { finding } from '../../../functions/core/findings/make.ts';
import { alertBlocks } from '../../../functions/core/slack/blocks.ts';

const CLUSTER = 'k8s.example.com';
const NOW = new Date('2026-11-02T10:00:00.000Z');
const config = { reminderHours: 6, resolveAfterPasses: 2, fireAfterFailures: 1 };

const tlsFinding: Finding = finding('TLS_UNTRUSTED_ISSUER', {
  cluster: CLUSTER,
  resource: 'api.internal.k8s.example.com:443',
  expected: 'a certificate chaining to the kops CA',
  actual: 'issued by Amazon RSA 2048 M02',
  message:
    'The node-facing endpoint presents a certificate the kops CA did not sign: nodes will fail with x509 errors.',
  action: 'none',
  details: {
    certificate: {
      issuer: 'C=US\nO=Amazon\nCN=Amazon RSA 2048 M02',
      subject: 'CN=api.k8s.example.com',
      fingerprint256:
        'AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89',
      validTo: 'Dec 31 23:59:59 2027 GMT',
    },
  },
});

function firingRecord(f: Finding): AlertRecord {
  const d = decide(undefined, { drifting: true, finding: f }, NOW, config, { claimId: 'c1' });
  return { ...(d.record as AlertRecord), version: 1 };
}

function fireAlert(f: Finding = tlsFinding): MachineAlert {
  return buildAlert(firingRecord(f), 'fire', { source: 'verifier', now: NOW });
}

describe('alert messages', () => {
  it('builds a machine-readable alert with the certificate and runbook', () => {
    const alert = fireAlert();
    expect(alert).toMatchObject({
      schema: ALERT_SCHEMA,
      kind: 'fire',
      alertKey: `${CLUSTER}|TLS_UNTRUSTED_ISSUER|api.internal.k8s.example.com:443`,
      cluster: CLUSTER,
      code: 'TLS_UNTRUSTED_ISSUER',
      check: 'tls',
      severity: 'critical',
      title: CODES.TLS_UNTRUSTED_ISSUER.title,
      state: 'firing',
      source: 'verifier',
      runbook: 'docs/runbook.md#tls_untrusted_issuer',
      notifiedAt: NOW.toISOString(),
    });
    expect(alert.certificate?.fingerprint256).toMatch(/^AB:CD/);
    expect(alert.finding).toEqual(tlsFinding);
  });

  it("names the cluster's account and region in every rendering, when the config gives them", () => {
    const place = { account: '111111111111', region: 'eu-central-1' };
    const alert = buildAlert(firingRecord(tlsFinding), 'fire', { source: 'verifier', now: NOW, place });
    expect(alert).toMatchObject(place);
    const bodies = protocolBodies(alert);
    for (const text of [bodies.default, bodies.email])
      expect(text).toContain('Where:        account 111111111111, region eu-central-1');
    expect(JSON.parse(bodies.sqs)).toMatchObject(place);
    expect(JSON.parse(bodies.https).content.description).toContain(
      '*Where:* account 111111111111, region eu-central-1',
    );
    const slack = alertBlocks(alert);
    expect(slack.text).toContain('in account 111111111111, region eu-central-1');
    expect(JSON.stringify(slack.blocks)).toContain('account 111111111111, region eu-central-1');
    expect(messageAttributes(alert)).toMatchObject({ account: { StringValue: '111111111111' } });
    // without the place (a bare call), no "Where" line at all
    expect(protocolBodies(fireAlert()).default).not.toContain('Where:');
  });

  it('renders all protocol bodies', () => {
    const alert = fireAlert();
    const bodies = protocolBodies(alert);
    expect(Object.keys(bodies).sort()).toEqual(['default', 'email', 'https', 'lambda', 'sqs']);
    // readable text: cluster, what, expected vs actual, action, certificate, fix, runbook
    for (const text of [bodies.default, bodies.email]) {
      expect(text).toContain(`Cluster:      ${CLUSTER}`);
      expect(text).toContain('Resource:     api.internal.k8s.example.com:443');
      expect(text).toContain(tlsFinding.message);
      expect(text).toContain('Expected:     a certificate chaining to the kops CA');
      expect(text).toContain('Actual:       issued by Amazon RSA 2048 M02');
      expect(text).toContain('Action taken: none');
      // Node's X509Certificate puts one DN attribute per line; the alert keeps it on one line
      expect(text).toContain('Certificate issuer:  C=US, O=Amazon, CN=Amazon RSA 2048 M02');
      expect(text).toContain(`Certificate SHA-256: ${alert.certificate?.fingerprint256}`);
      expect(text).toContain('Runbook: docs/runbook.md#tls_untrusted_issuer');
      expect(text).toContain(`Fix:     ${fixFor('TLS_UNTRUSTED_ISSUER')}`);
    }
    // machine-readable: the full alert
    expect(JSON.parse(bodies.lambda)).toEqual(alert);
    expect(JSON.parse(bodies.sqs)).toEqual(alert);
  });

  it('renders the AWS Chatbot custom notification schema', () => {
    const alert = fireAlert();
    const chat = JSON.parse(protocolBodies(alert).https);
    expect(chat.version).toBe('1.0');
    expect(chat.source).toBe('custom');
    expect(chat.content.textType).toBe('client-markdown');
    expect(chat.content.title).toContain(CODES.TLS_UNTRUSTED_ISSUER.title);
    expect(chat.content.description).toContain('*Cluster:* `k8s.example.com`');
    expect(chat.content.description).toContain('*Expected:* a certificate chaining to the kops CA');
    expect(chat.content.description).toContain('*Actual:* issued by Amazon RSA 2048 M02');
    expect(chat.content.description).toContain('*Certificate SHA-256:*');
    expect(chat.content.nextSteps).toEqual([
      fixFor('TLS_UNTRUSTED_ISSUER'),
      'Runbook: docs/runbook.md#tls_untrusted_issuer',
    ]);
    expect(chat.content.keywords).toEqual(
      expect.arrayContaining([CLUSTER, 'TLS_UNTRUSTED_ISSUER', 'critical']),
    );
    expect(chat.metadata.threadId).toBe(alert.alertKey);
    expect(chat.metadata.eventType).toBe('DriftDetected');
    expect(chat.metadata.relatedResources).toContain('api.internal.k8s.example.com:443');
    expect(typeof chat.metadata.summary).toBe('string');
    for (const s of chat.content.nextSteps) expect(typeof s).toBe('string');
    for (const v of Object.values(chat.metadata.additionalContext)) expect(typeof v).toBe('string');
  });

  it('threads the resolve with the fire (same threadId) and says what it is now', () => {
    const fired = confirmDelivery(firingRecord(tlsFinding), 'c1');
    let rec: AlertRecord = fired;
    for (const minutes of [5, 10]) {
      const d = decide(rec, { drifting: false }, new Date(NOW.getTime() + minutes * 60_000), config, {
        claimId: `p${minutes}`,
      });
      rec = { ...(d.record as AlertRecord), version: rec.version + 1 };
    }
    expect(rec.state).toBe('resolved');
    const ok = finding('TLS_OK', {
      cluster: CLUSTER,
      resource: 'api.internal.k8s.example.com:443',
      expected: 'a certificate chaining to the kops CA',
      actual: 'signed by the kops CA (kubernetes-ca)',
      message: 'TLS is fine.',
    });
    const resolved = buildAlert(rec, 'resolve', {
      source: 'verifier',
      now: new Date(NOW.getTime() + 600_000),
      resolution: ok,
    });
    const fire = fireAlert();
    const chatFire = renderChatbot(fire);
    const chatResolve = renderChatbot(resolved);
    expect(chatResolve.metadata.threadId).toBe(chatFire.metadata.threadId);
    expect(chatResolve.metadata.eventType).toBe('DriftResolved');
    expect(chatResolve.content.title).toMatch(/RESOLVED/);
    const text = protocolBodies(resolved).default;
    expect(text).toMatch(/^RESOLVED \(critical\)/);
    expect(text).toContain('signed by the kops CA (kubernetes-ca) (TLS_OK)');
    expect(text).toContain('(10 min)');
    expect(subjectOf(resolved)).toMatch(/^\[RESOLVED\] TLS_UNTRUSTED_ISSUER on k8s\.example\.com/);
  });

  it('sets message attributes for filter policies', () => {
    const attrs = messageAttributes(fireAlert());
    expect(attrs).toEqual({
      cluster: { DataType: 'String', StringValue: CLUSTER },
      severity: { DataType: 'String', StringValue: 'critical' },
      code: { DataType: 'String', StringValue: 'TLS_UNTRUSTED_ISSUER' },
      kind: { DataType: 'String', StringValue: 'fire' },
    });
  });

  it('builds the SNS Publish input with MessageStructure json and an ASCII subject of at most 100 characters', () => {
    const long = finding('LB_NOT_ATTACHED', {
      cluster: 'a-very-long-cluster-name-for-testing-the-subject-limit.eu-west-1.k8s.example.com',
      resource: 'control-plane-eu-west-1a.masters.example',
      expected: 'attached',
      actual: 'détaché — not attached',
      message: 'Détaché.',
    });
    const input = snsPublishInput(fireAlert(long), 'arn:aws:sns:eu-west-1:123456789012:alerts');
    expect(input.MessageStructure).toBe('json');
    expect(input.TopicArn).toBe('arn:aws:sns:eu-west-1:123456789012:alerts');
    const subject = input.Subject as string;
    expect(subject.length).toBeLessThanOrEqual(100);
    expect(subject).toMatch(/^[\x20-\x7e]+$/);
    expect(subject.startsWith('[FIRING] LB_NOT_ATTACHED on ')).toBe(true);
    const message = JSON.parse(input.Message as string);
    expect(Object.keys(message).sort()).toEqual(['default', 'email', 'https', 'lambda', 'sqs']);
    for (const v of Object.values(message)) expect(typeof v).toBe('string');
    expect(Buffer.byteLength(input.Message as string)).toBeLessThan(256 * 1024);
  });

  it('leaves very large finding details out so the SNS message fits', () => {
    const huge = { ...tlsFinding, details: { ...tlsFinding.details, chain: 'A'.repeat(200_000) } };
    const input = snsPublishInput(fireAlert(huge), 'arn:aws:sns:eu-west-1:123456789012:alerts');
    expect(Buffer.byteLength(input.Message as string)).toBeLessThan(256 * 1024);
    const lambda = JSON.parse(JSON.parse(input.Message as string).lambda) as MachineAlert;
    expect(lambda.finding.details).toEqual({ detailsOmitted: true });
    // the certificate summary was taken before and stays
    expect(lambda.certificate?.fingerprint256).toMatch(/^AB:CD/);
  });

  it('asciiLine strips accents, control characters and non-ASCII', () => {
    expect(asciiLine('Détaché\n— ok ✓', 100)).toBe('Detache ? ok ?');
    expect(asciiLine('x'.repeat(120), 100)).toHaveLength(100);
  });

  it('reads the presented certificate from several detail shapes', () => {
    const base = { ...tlsFinding };
    expect(certificateOf({ ...base, details: { issuer: 'CN=x', fingerprint256: 'AA' } })).toEqual({
      issuer: 'CN=x',
      fingerprint256: 'AA',
    });
    expect(
      certificateOf({ ...base, details: { presented: { issuer: 'CN=y', sha256Fingerprint: 'BB' } } }),
    ).toEqual({
      issuer: 'CN=y',
      fingerprint256: 'BB',
    });
    expect(certificateOf({ ...base, details: { port: 443 } })).toBeUndefined();
    const noDetails: Finding = { ...base };
    delete noDetails.details;
    expect(certificateOf(noDetails)).toBeUndefined();
    // a non-TLS alert shows no certificate lines
    const plain = fireAlert(
      finding('INSTANCE_NOT_REGISTERED', {
        cluster: CLUSTER,
        resource: 'i-0123456789abcdef0',
        expected: 'registered',
        actual: 'not registered',
        message: 'Not registered.',
        action: 'repair-failed',
      }),
    );
    expect(protocolBodies(plain).default).not.toContain('Certificate');
  });

  it('has a one-line fix for every finding code, and runbook anchors are the lowercased code', () => {
    const missing = Object.keys(CODES).filter((c) => !(c in FIXES));
    expect(missing).toEqual([]);
    for (const fix of Object.values(FIXES)) expect(fix).not.toContain('\n');
    expect(runbookLink('LB_NOT_ATTACHED')).toBe('docs/runbook.md#lb_not_attached');
    expect(runbookLink('LB_NOT_ATTACHED', 'https://github.com/o/r/blob/main/')).toBe(
      'https://github.com/o/r/blob/main/docs/runbook.md#lb_not_attached',
    );
  });

  it('renders Slack blocks from the machine-readable alert, escaping finding text', () => {
    const evil = finding('INSTANCE_NOT_REGISTERED', {
      cluster: CLUSTER,
      resource: 'i-0123456789abcdef0',
      expected: 'registered',
      actual: '<!channel> & <https://evil.example|click>',
      message: 'Not registered.',
      action: 'repair-failed',
    });
    const msg = alertBlocks(JSON.parse(JSON.stringify(fireAlert(evil))));
    const json = JSON.stringify(msg);
    expect(json).not.toContain('<!channel>');
    expect(json).toContain('&lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;');
    expect(msg.blocks[0]).toMatchObject({ type: 'header', text: { type: 'plain_text' } });
    const tls = alertBlocks(fireAlert());
    expect(JSON.stringify(tls)).toContain('Certificate SHA-256');
    expect(JSON.stringify(tls)).toContain('Amazon RSA 2048 M02');
  });

  it('escapes text from AWS in every Slack and Chatbot field, fallback text included', () => {
    const evil = finding('TLS_UNTRUSTED_ISSUER', {
      cluster: CLUSTER,
      resource: 'control-plane<!here>.masters.k8s.example.com',
      expected: 'signed by the kops CA',
      actual: 'issued by @channel [click](https://evil.example) <@U0123ABCD>',
      message: 'Presented <https://evil.example|a certificate> & @everyone',
      details: {
        certificate: { issuer: 'CN=<!channel>,O=@here [x](https://evil.example)', fingerprint256: 'AB' },
      },
    });
    const alert: MachineAlert = JSON.parse(JSON.stringify(fireAlert(evil)));
    const strings = (v: unknown, skip: string[] = []): string[] =>
      typeof v === 'string'
        ? [v]
        : Array.isArray(v)
          ? v.flatMap((x) => strings(x, skip))
          : v && typeof v === 'object'
            ? Object.entries(v).flatMap(([k, x]) => (skip.includes(k) ? [] : strings(x, skip)))
            : [];
    const slack = alertBlocks(alert);
    const chatbot = renderChatbot(alert);
    // threadId and id are identifiers Chatbot does not render
    for (const text of [...strings(slack), ...strings(chatbot, ['id', 'threadId'])]) {
      expect(text).not.toMatch(/[<>]/);
      expect(text).not.toMatch(/@(channel|here|everyone)/);
      expect(text).not.toContain('](');
    }
    expect(slack.text).toContain('&lt;!here&gt;');
    expect(chatbot.content.description).toContain('CN=&lt;!channel&gt;');
    expect(chatbot.metadata.summary).toContain('&lt;!here&gt;');
  });
});

describe('grouped consequences in the messages', () => {
  const listener = finding('LISTENER_TERMINATES_TLS', {
    cluster: CLUSTER,
    resource: 'elb/api-internal',
    expected: 'TCP passed through',
    actual: 'SSL:443 with arn:aws:acm:eu-west-1:123456789012:certificate/abc',
    message: 'api-internal terminates TLS',
  });
  const handshake = (resource: string): Finding => ({ ...tlsFinding, resource });
  const root = (consequences: Finding[]): Finding =>
    groupByCause([listener, ...consequences]).findings[0] as Finding;

  it('every rendering lists the consequences, in the fire and in the resolve', () => {
    const rootFinding = root([handshake('elb/api-internal'), handshake('dns/api.internal.k8s.example.com')]);
    const record = firingRecord(rootFinding);
    for (const kind of ['fire', 'resolve'] as const) {
      const alert = buildAlert(record, kind, { source: 'verifier', now: NOW });
      expect(alert.consequences?.map((c) => c.resource)).toEqual([
        'elb/api-internal',
        'dns/api.internal.k8s.example.com',
      ]);
      const slack = JSON.stringify(alertBlocks(alert));
      const chatbot = renderChatbot(alert).content.description;
      const text = protocolBodies(alert).default;
      for (const out of [slack, chatbot, text]) {
        expect(out).toContain('TLS_UNTRUSTED_ISSUER on elb/api-internal');
        expect(out).toContain('TLS_UNTRUSTED_ISSUER on dns/api.internal.k8s.example.com');
      }
    }
  });

  it('shows the first ten and "and N more", and keeps them when large details are left out', () => {
    // fourteen handshakes through the same load balancer (one per probe)
    const many = Array.from({ length: 14 }, () => handshake('elb/api-internal'));
    const alert = buildAlert(firingRecord(root(many)), 'fire', { source: 'verifier', now: NOW });
    expect(alert.consequenceCount).toBe(14);
    const blocks = alertBlocks(alert);
    const section = JSON.stringify(blocks);
    expect(section.match(/TLS_UNTRUSTED_ISSUER on elb\/api-internal/g)).toHaveLength(10);
    expect(section).toContain('and 4 more');
    expect(renderChatbot(alert).content.description).toContain('and 4 more');
    const huge: MachineAlert = {
      ...alert,
      finding: { ...alert.finding, details: { ...alert.finding.details, blob: 'x'.repeat(300_000) } },
    };
    const input = snsPublishInput(huge, 'arn:aws:sns:eu-west-1:123456789012:t');
    const machine = JSON.parse(JSON.parse(input.Message as string).lambda) as MachineAlert;
    expect(machine.finding.details).toEqual({ detailsOmitted: true });
    expect(machine.consequences).toHaveLength(14);
  });

  it('escapes what a consequence says', () => {
    const evil = { ...handshake('elb/api-internal'), code: 'TLS_UNTRUSTED_ISSUER' };
    const alert = buildAlert(firingRecord(root([evil])), 'fire', { source: 'verifier', now: NOW });
    const tampered: MachineAlert = {
      ...alert,
      consequences: [
        {
          code: 'TLS_UNTRUSTED_ISSUER',
          resource: 'elb/<!channel> @here [x](https://e.example)',
          message: '',
        },
      ],
    };
    for (const out of [JSON.stringify(alertBlocks(tampered)), renderChatbot(tampered).content.description]) {
      expect(out).not.toContain('<!channel>');
      expect(out).toContain('&lt;!channel&gt;');
      expect(out).not.toMatch(/@here/);
      expect(out).not.toContain('](');
    }
  });
});
