import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import type { Context, SNSEvent } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildAlert, protocolBodies } from '../../functions/core/alerts/messages.ts';
import { type AlertRecord, decide } from '../../functions/core/alerts/policy.ts';
import { createAwsClients } from '../../functions/core/aws/all-clients.ts';
import { CallCounter } from '../../functions/core/aws/clients.ts';
import { finding } from '../../functions/core/findings/make.ts';
import type { Log } from '../../functions/core/log.ts';
import type { SlackMessage } from '../../functions/core/slack/blocks.ts';
import {
  notifySlack,
  parseWebhookSecret,
  secretsManagerWebhookUrl,
  type WebhookUrlSource,
} from '../../functions/core/slack/notify.ts';
import { postToWebhook, WebhookError, WebhookUrlError } from '../../functions/core/slack/webhook.ts';
import { createHandler } from '../../functions/notifier/handler.ts';
import { snsRecords } from '../../functions/notifier/sns-records.ts';
import { withMoto } from '../support/moto-hooks.ts';

// ---------------------------------------------------------------------------------------------
// A real HTTP server on 127.0.0.1 standing in for Slack's incoming webhook.
// ---------------------------------------------------------------------------------------------
type Reply = { status: number; body?: string; headers?: Record<string, string> } | 'hang';

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

class FakeSlack {
  readonly received: Received[] = [];
  private script: Reply[] = [];
  private fallback: Reply = { status: 200, body: 'ok' };
  private server: Server | undefined;
  port = 0;

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.received.push({
          path: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        });
        const reply = this.script.shift() ?? this.fallback;
        if (reply === 'hang') return; // never answer; the client times out and drops the socket
        const body = (reply.body ?? '').replace('{path}', req.url ?? '');
        res.writeHead(reply.status, { 'content-type': 'text/plain', ...reply.headers });
        res.end(body);
      });
    });
    const server = this.server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
  }

  /** The secret webhook URL; its path is what must never leak. */
  get url(): string {
    return `http://127.0.0.1:${this.port}/services/T0SECRET/B0SECRET/xoxSECRETtoken1234567890`;
  }

  reply(...replies: Reply[]): void {
    this.script = replies;
  }

  always(reply: Reply): void {
    this.fallback = reply;
  }

  reset(): void {
    this.received.length = 0;
    this.script = [];
    this.fallback = { status: 200, body: 'ok' };
    // Connections stay open: the client keeps them alive, and a hung request is dropped by the
    // client when it times out.
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

// ---------------------------------------------------------------------------------------------

const CLUSTER = 'k8s.example.com';
const NOW = new Date('2026-11-02T10:00:00.000Z');

function alertMessage(): { lambda: string; alertKey: string } {
  const f = finding('TLS_UNTRUSTED_ISSUER', {
    cluster: CLUSTER,
    resource: 'api.internal.k8s.example.com:443',
    expected: 'signed by the kops CA',
    actual: 'issued by Amazon RSA 2048 M02',
    message: 'The node-facing endpoint presents a certificate the kops CA did not sign.',
    details: {
      certificate: { issuer: 'CN=Amazon RSA 2048 M02,O=Amazon,C=US', fingerprint256: '12:34:56:78:9A' },
    },
  });
  const d = decide(undefined, { drifting: true, finding: f }, NOW, {
    reminderHours: 6,
    resolveAfterPasses: 2,
    fireAfterFailures: 1,
  });
  const alert = buildAlert({ ...(d.record as AlertRecord), version: 1 }, 'fire', {
    source: 'verifier',
    now: NOW,
  });
  return { lambda: protocolBodies(alert).lambda, alertKey: alert.alertKey };
}

function snsEvent(message: string, subject: string | null = 'subject'): SNSEvent {
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: 'arn:aws:sns:eu-west-1:123456789012:alerts:sub',
        Sns: {
          Type: 'Notification',
          MessageId: '6f1d2c3b-0000-4000-8000-000000000001',
          TopicArn: 'arn:aws:sns:eu-west-1:123456789012:alerts',
          Subject: subject as string,
          Message: message,
          Timestamp: NOW.toISOString(),
          SignatureVersion: '1',
          Signature: 'x',
          SigningCertUrl: 'https://sns.example/cert.pem',
          UnsubscribeUrl: 'https://sns.example/unsub',
          MessageAttributes: {},
        },
      },
    ],
  };
}

const lambdaContext = {
  callbackWaitsForEmptyEventLoop: true,
  functionName: 'notifier',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:notifier',
  memoryLimitInMB: '256',
  awsRequestId: 'req-1',
  logGroupName: '/aws/lambda/notifier',
  logStreamName: 'stream',
  getRemainingTimeInMillis: () => 30_000,
  done: () => {},
  fail: () => {},
  succeed: () => {},
} as Context;

/** The local Slack is plain http on 127.0.0.1: only this test-only option lets the notifier post there. */
const LOCAL = { allowInsecureLocalSlack: true } as const;

const fixedUrl = (url: string): WebhookUrlSource => ({ get: async () => url, invalidate() {} });

/** Records sleeps without waiting, so retry timing is asserted rather than waited for. */
function recordingSleep(): { sleeps: number[]; sleep: (ms: number) => Promise<void> } {
  const sleeps: number[] = [];
  return { sleeps, sleep: async (ms: number) => void sleeps.push(ms) };
}

function expectNoSecret(err: unknown, url: string): void {
  const path = new URL(url).pathname;
  const e = err as Error & { cause?: unknown };
  const texts = [String(e), e.message, e.stack ?? '', JSON.stringify(e), JSON.stringify(e.cause ?? null)];
  if (e instanceof AggregateError)
    for (const inner of e.errors) texts.push(String(inner), (inner as Error).stack ?? '');
  for (const t of texts) {
    expect(t).not.toContain(url);
    expect(t).not.toContain(path);
    expect(t).not.toContain('xoxSECRETtoken');
  }
}

describe('Slack webhook against a real local HTTP server', () => {
  const slack = new FakeSlack();

  beforeAll(async () => {
    await slack.start();
  });
  afterEach(() => {
    slack.reset();
  });
  afterAll(async () => {
    await slack.stop();
  });

  it('fails the invocation on a malformed SNS record, naming its field, and posts nothing', async () => {
    const handler = createHandler({ ...LOCAL, webhookUrl: fixedUrl(slack.url) });
    const event = snsEvent('hello');
    const record = event.Records[0] as unknown as { Sns: Record<string, unknown> };
    delete record.Sns.Message;
    const err = await Promise.resolve(handler(event, lambdaContext)).catch((e: unknown) => e);
    expect((err as Error).message).toContain('Records[0].Sns.Message');
    const noSns = await Promise.resolve(handler({ Records: [{}] }, lambdaContext)).catch((e: unknown) => e);
    expect((noSns as Error).message).toContain('Records[0].Sns');
    expect(slack.received).toEqual([]);
  });

  it('posts a Block Kit payload built from the lambda-protocol alert', async () => {
    const { lambda, alertKey } = alertMessage();
    const handler = createHandler({ ...LOCAL, webhookUrl: fixedUrl(slack.url) });
    const res = await handler(snsEvent(lambda), lambdaContext);
    expect(res).toEqual({ posted: 1 });
    expect(slack.received).toHaveLength(1);
    const req = slack.received[0];
    expect(req?.path).toBe(new URL(slack.url).pathname);
    expect(req?.headers['content-type']).toMatch(/^application\/json/);
    const payload = JSON.parse(req?.body ?? '{}') as SlackMessage;
    expect(payload.text).toContain('Firing');
    expect(payload.blocks[0]).toMatchObject({ type: 'header', text: { type: 'plain_text' } });
    const header = payload.blocks[0] as { text: { text: string } };
    expect(header.text.text).toContain('Certificate not signed by the kops CA');
    const fields = payload.blocks.flatMap((b) =>
      'fields' in b && b.fields ? b.fields.map((f) => f.text) : [],
    );
    expect(fields).toEqual(
      expect.arrayContaining([
        `*Cluster*\n${CLUSTER}`,
        '*Code*\nTLS_UNTRUSTED_ISSUER (critical)',
        '*Resource*\napi.internal.k8s.example.com:443',
        '*Expected*\nsigned by the kops CA',
        '*Actual*\nissued by Amazon RSA 2048 M02',
        '*Certificate issuer*\nCN=Amazon RSA 2048 M02,O=Amazon,C=US',
        '*Certificate SHA-256*\n12:34:56:78:9A',
      ]),
    );
    expect(req?.body).toContain(alertKey);
    expect(req?.body).toContain('docs/runbook.md#tls_untrusted_issuer');
  });

  it('renders a CloudWatch alarm that reaches the same topic', async () => {
    const alarm = JSON.stringify({
      AlarmName: 'kops-api-sentinel-verifier-errors',
      AlarmDescription: 'The verifier function failed',
      NewStateValue: 'ALARM',
      OldStateValue: 'OK',
      NewStateReason: 'Threshold Crossed: 1 datapoint [1.0] was >= 1.0',
      StateChangeTime: NOW.toISOString(),
      Region: 'EU (Ireland)',
      AWSAccountId: '123456789012',
    });
    await notifySlack(snsRecords(snsEvent(alarm, 'ALARM: "kops-api-sentinel-verifier-errors"')), {
      ...LOCAL,
      webhookUrl: fixedUrl(slack.url),
    });
    const payload = JSON.parse(slack.received[0]?.body ?? '{}') as SlackMessage;
    expect(JSON.stringify(payload.blocks[0])).toContain('Alarm ALARM: kops-api-sentinel-verifier-errors');
  });

  it('honours 429 Retry-After, then succeeds', async () => {
    slack.reply(
      { status: 429, body: 'rate_limited', headers: { 'retry-after': '2' } },
      { status: 200, body: 'ok' },
    );
    const { sleeps, sleep } = recordingSleep();
    const res = await postToWebhook(slack.url, { text: 'hi' }, { sleep, ...LOCAL });
    expect(res).toEqual({ status: 200, attempts: 2 });
    expect(sleeps).toEqual([2000]);
    expect(slack.received).toHaveLength(2);
  });

  it('waits for real when Retry-After says so (1 s)', async () => {
    slack.reply({ status: 429, body: 'rate_limited', headers: { 'retry-after': '1' } });
    const started = Date.now();
    const res = await postToWebhook(slack.url, { text: 'hi' }, LOCAL);
    expect(res.attempts).toBe(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('gives up at once when Retry-After exceeds the retry budget', async () => {
    slack.always({ status: 429, body: 'rate_limited', headers: { 'retry-after': '120' } });
    const { sleeps, sleep } = recordingSleep();
    const err = await postToWebhook(slack.url, { text: 'hi' }, { sleep, ...LOCAL }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WebhookError);
    expect((err as WebhookError).message).toMatch(/HTTP 429.*retry budget/);
    expect(sleeps).toEqual([]);
    expect(slack.received).toHaveLength(1);
    expectNoSecret(err, slack.url);
  });

  it('retries 500 with bounded backoff; when retries run out the notifier throws', async () => {
    slack.always({ status: 500, body: 'internal error at {path}' });
    const { sleeps, sleep } = recordingSleep();
    const handler = createHandler({ ...LOCAL, webhookUrl: fixedUrl(slack.url), webhook: { sleep } });
    const err = await Promise.resolve(handler(snsEvent(alertMessage().lambda), lambdaContext)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(WebhookError);
    expect((err as WebhookError).status).toBe(500);
    expect((err as WebhookError).retryable).toBe(true);
    expect((err as Error).message).toMatch(/HTTP 500.*gave up after 3 attempt/);
    expect(slack.received).toHaveLength(3);
    expect(sleeps).toEqual([500, 1000]);
    // the server echoed the secret path in its body: it is redacted
    expect((err as Error).message).toContain('[webhook-path]');
    expectNoSecret(err, slack.url);
  });

  it('recovers when a 5xx is followed by success', async () => {
    slack.reply({ status: 503, body: 'unavailable' }, { status: 200, body: 'ok' });
    const { sleep } = recordingSleep();
    expect(await postToWebhook(slack.url, { text: 'x' }, { sleep, ...LOCAL })).toEqual({
      status: 200,
      attempts: 2,
    });
  });

  it('fails at once on a 4xx other than 429, with the status and without the URL', async () => {
    slack.always({ status: 404, body: 'no_service' });
    const { sleeps, sleep } = recordingSleep();
    let invalidated = 0;
    const source: WebhookUrlSource = { get: async () => slack.url, invalidate: () => void invalidated++ };
    const err = await notifySlack(snsRecords(snsEvent(alertMessage().lambda)), {
      ...LOCAL,
      webhookUrl: source,
      webhook: { sleep },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WebhookError);
    expect((err as WebhookError).status).toBe(404);
    expect((err as WebhookError).retryable).toBe(false);
    expect((err as Error).message).toContain('HTTP 404 no_service');
    expect(slack.received).toHaveLength(1);
    expect(sleeps).toEqual([]);
    expect(invalidated).toBe(1); // the next invocation reads the (maybe rotated) secret again
    expectNoSecret(err, slack.url);
  });

  it('times out a hanging Slack and retries; a hang every time fails the invocation', async () => {
    slack.reply('hang', { status: 200, body: 'ok' });
    const { sleep } = recordingSleep();
    const started = Date.now();
    const ok = await postToWebhook(slack.url, { text: 'x' }, { timeoutMs: 200, sleep, ...LOCAL });
    expect(ok.attempts).toBe(2);
    expect(Date.now() - started).toBeLessThan(5000);

    slack.reset();
    slack.always('hang');
    const t1 = Date.now();
    const handler = createHandler({
      ...LOCAL,
      webhookUrl: fixedUrl(slack.url),
      webhook: { timeoutMs: 200, maxAttempts: 2, sleep },
    });
    const err = await Promise.resolve(handler(snsEvent(alertMessage().lambda), lambdaContext)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(WebhookError);
    expect((err as Error).message).toMatch(/timed out; gave up after 2 attempt/);
    expect(Date.now() - t1).toBeLessThan(5000);
    expect(slack.received).toHaveLength(2);
    expectNoSecret(err, slack.url);
  });

  it('retries a refused connection and never names the URL', async () => {
    const closed = new FakeSlack();
    await closed.start();
    const url = closed.url;
    await closed.stop();
    const { sleeps, sleep } = recordingSleep();
    const err = await postToWebhook(url, { text: 'x' }, { sleep, ...LOCAL }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WebhookError);
    expect((err as Error).message).toMatch(/network error \(ECONNREFUSED\); gave up after 3/);
    expect(sleeps).toHaveLength(2);
    expectNoSecret(err, url);
  });

  it('does not log the URL', async () => {
    slack.reply({ status: 500, body: 'boom {path}' }, { status: 200, body: 'ok' });
    const lines: string[] = [];
    const logger: Log = {
      debug: (m, ...x) => void lines.push(m + JSON.stringify(x)),
      info: (m, ...x) => void lines.push(m + JSON.stringify(x)),
      warn: (m, ...x) => void lines.push(m + JSON.stringify(x)),
      error: (m, ...x) => void lines.push(m + JSON.stringify(x)),
    };
    const { sleep } = recordingSleep();
    await notifySlack(snsRecords(snsEvent(alertMessage().lambda)), {
      ...LOCAL,
      webhookUrl: fixedUrl(slack.url),
      webhook: { sleep },
      logger,
    });
    expect(lines.some((l) => l.includes('Slack webhook retry'))).toBe(true);
    for (const l of lines) {
      expect(l).not.toContain(new URL(slack.url).pathname);
      expect(l).not.toContain('xoxSECRETtoken');
    }
  });

  it('refuses a redirect and never follows it', async () => {
    const target = new FakeSlack();
    await target.start();
    try {
      slack.always({ status: 302, body: '', headers: { location: target.url } });
      const { sleeps, sleep } = recordingSleep();
      const err = await postToWebhook(slack.url, { text: 'x' }, { sleep, ...LOCAL }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WebhookError);
      expect((err as WebhookError).status).toBe(302);
      expect((err as WebhookError).retryable).toBe(false);
      expect((err as Error).message).toMatch(/redirect \(HTTP 302\); redirects are refused/);
      expect(slack.received).toHaveLength(1);
      expect(sleeps).toEqual([]);
      expect(target.received).toHaveLength(0);
      expectNoSecret(err, slack.url);
    } finally {
      await target.stop();
    }
  });

  it('posts nothing to a local server unless the test-only option is given', async () => {
    const err = await postToWebhook(slack.url, { text: 'x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WebhookUrlError);
    expect(String(err)).toContain('scheme "http:" is not https:');
    expect(slack.received).toHaveLength(0);
    expectNoSecret(err, slack.url);
  });

  it('accepts only https webhook URLs of Slack, naming the problem and never the path', () => {
    expect(parseWebhookSecret('https://hooks.slack-gov.com/services/T/B/X')).toBe(
      'https://hooks.slack-gov.com/services/T/B/X',
    );
    const refused: [string, RegExp][] = [
      ['http://hooks.slack.com/services/T/B/xoxSECRET', /scheme "http:" is not https:/],
      [
        'https://hooks.slack.com.evil.example/services/T/B/xoxSECRET',
        /host "hooks.slack.com.evil.example" is not one of/,
      ],
      ['https://evil.example/services/T/B/xoxSECRET', /host "evil.example"/],
      ['http://127.0.0.1:9001/2018-06-01/runtime/invocation/xoxSECRET', /scheme "http:"/],
      ['https://127.0.0.1:9001/xoxSECRET', /port/],
      ['https://hooks.slack.com:8443/services/T/B/xoxSECRET', /port \("8443"\)/],
      ['https://user:xoxSECRET@hooks.slack.com/services/T/B/X', /user info/],
      ['https://hooks.slack.com@evil.example/services/xoxSECRET', /user info/],
      ['{"url":"https://hooks.slack.com.evil.example/xoxSECRET"}', /host/],
    ];
    for (const [bad, problem] of refused) {
      let err: unknown;
      try {
        parseWebhookSecret(bad);
      } catch (e) {
        err = e;
      }
      expect(err, bad).toBeInstanceOf(WebhookUrlError);
      expect(String(err)).toMatch(problem);
      expect(String(err)).not.toContain('xoxSECRET');
      expect(String(err)).not.toContain('/services/');
    }
    // the test-only option admits plain http to loopback, and nothing else
    expect(parseWebhookSecret(slack.url, LOCAL)).toBe(slack.url);
    expect(() => parseWebhookSecret('http://10.0.0.1/services/T/B/X', LOCAL)).toThrow(WebhookUrlError);
    expect(() => parseWebhookSecret('http://hooks.slack.com/services/T/B/X', LOCAL)).toThrow(WebhookUrlError);
  });

  it('parses the secret as a URL or JSON {"url"} and never echoes it in errors', () => {
    expect(parseWebhookSecret(' https://hooks.slack.com/services/T/B/X \n')).toBe(
      'https://hooks.slack.com/services/T/B/X',
    );
    expect(parseWebhookSecret('{"url":"https://hooks.slack.com/services/T/B/X"}')).toBe(
      'https://hooks.slack.com/services/T/B/X',
    );
    for (const bad of ['', 'not a url xoxSECRET', '{"uri":"xoxSECRET"}', '{xoxSECRET', 'ftp://xoxSECRET/']) {
      let err: unknown;
      try {
        parseWebhookSecret(bad);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(Error);
      expect(String(err)).not.toContain('xoxSECRET');
    }
  });
});

describe('notifier with the secret in (moto) Secrets Manager', () => {
  const slack = new FakeSlack();
  withMoto();
  beforeAll(async () => {
    await slack.start();
  });
  afterEach(() => {
    slack.reset();
  });
  afterAll(async () => {
    await slack.stop();
  });

  it('reads the webhook URL once (lazily) and caches it for the container', async () => {
    const counter = new CallCounter();
    const clients = createAwsClients({ region: 'eu-west-1', counter, maxAttempts: 1 });
    await clients.secrets.send(
      new CreateSecretCommand({
        Name: 'sentinel/slack-webhook',
        SecretString: JSON.stringify({ url: slack.url }),
      }),
    );
    await clients.secrets.send(
      new CreateSecretCommand({ Name: 'sentinel/slack-webhook-plain', SecretString: slack.url }),
    );
    counter.reset();

    const previous = process.env.SLACK_SECRET_NAME;
    process.env.SLACK_SECRET_NAME = 'sentinel/slack-webhook';
    try {
      const handler = createHandler({ ...LOCAL, secrets: clients.secrets });
      expect(counter.total).toBe(0); // no I/O before the first invocation
      await handler(snsEvent(alertMessage().lambda), lambdaContext);
      await handler(snsEvent(alertMessage().lambda), lambdaContext);
      expect(counter.calls.get('SecretsManager.GetSecretValue')).toBe(1);
      expect(slack.received).toHaveLength(2);
    } finally {
      if (previous === undefined) delete process.env.SLACK_SECRET_NAME;
      else process.env.SLACK_SECRET_NAME = previous;
    }

    const plain = secretsManagerWebhookUrl(clients.secrets, 'sentinel/slack-webhook-plain', LOCAL);
    expect(await plain.get()).toBe(slack.url);
  });

  it('as deployed (no test-only option), refuses a secret that is not a Slack URL and posts nothing', async () => {
    const clients = createAwsClients({ region: 'eu-west-1', maxAttempts: 1 });
    await clients.secrets.send(
      new CreateSecretCommand({
        Name: 'sentinel/not-slack',
        SecretString: JSON.stringify({ url: slack.url }),
      }),
    );
    const handler = createHandler({ secrets: clients.secrets, secretName: 'sentinel/not-slack' });
    const err = await Promise.resolve(handler(snsEvent(alertMessage().lambda), lambdaContext)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(WebhookUrlError);
    expectNoSecret(err, slack.url);
    expect(slack.received).toHaveLength(0);
  });

  it('fails the invocation with a clear error when the secret is missing or the env var is unset', async () => {
    const clients = createAwsClients({ region: 'eu-west-1', maxAttempts: 1 });
    const missing = createHandler({ ...LOCAL, secrets: clients.secrets, secretName: 'does-not-exist' });
    await expect(missing(snsEvent(alertMessage().lambda), lambdaContext)).rejects.toThrow(
      /Secrets Manager can't find|not find|ResourceNotFound/i,
    );
    const previous = process.env.SLACK_SECRET_NAME;
    delete process.env.SLACK_SECRET_NAME;
    try {
      const unset = createHandler({ ...LOCAL, secrets: clients.secrets });
      await expect(unset(snsEvent(alertMessage().lambda), lambdaContext)).rejects.toThrow(
        /SLACK_SECRET_NAME/,
      );
    } finally {
      if (previous !== undefined) process.env.SLACK_SECRET_NAME = previous;
    }
    expect(slack.received).toHaveLength(0);
  });
});
