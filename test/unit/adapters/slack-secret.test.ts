import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { errorName } from '../../../functions/core/aws/errors.ts';
import { secretsManagerWebhookUrl } from '../../../functions/core/slack/notify.ts';
import { accessDenied, settle, throttled } from './aws-errors.ts';

/** The notifier's webhook URL source: the Secrets Manager answers it meets. */
const SECRET = 'kops-api-sentinel/slack-webhook';
const URL_1 = 'https://hooks.slack.com/services/T0001/B0001/aaaaaaaaaaaaaaaaaaaaaaaa';
const URL_2 = 'https://hooks.slack.com/services/T0001/B0001/bbbbbbbbbbbbbbbbbbbbbbbb';
const notFound = () =>
  new ResourceNotFoundException({
    message: "Secrets Manager can't find the specified secret.",
    $metadata: {},
  });

const mockOf = (client: SecretsManagerClient) => mockClient(client);
let mock: ReturnType<typeof mockOf>;
let source: ReturnType<typeof secretsManagerWebhookUrl>;

beforeEach(() => {
  const secrets = new SecretsManagerClient({ region: 'eu-west-1' });
  mock = mockOf(secrets);
  mock.onAnyCommand().rejects(new Error('unexpected Secrets Manager call'));
  source = secretsManagerWebhookUrl(secrets, SECRET);
});

describe('Slack webhook URL from Secrets Manager', () => {
  it('reads the secret once and keeps the URL; after invalidate it reads the rotated one', async () => {
    mock
      .on(GetSecretValueCommand, { SecretId: SECRET })
      .resolvesOnce({ SecretString: URL_1 })
      .resolvesOnce({ SecretString: JSON.stringify({ url: URL_2 }) });
    expect(await source.get()).toBe(URL_1);
    expect(await source.get()).toBe(URL_1);
    source.invalidate();
    expect(await source.get()).toBe(URL_2);
    expect(mock.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('a missing secret, access denied and throttling are thrown, and a failed read is not kept', async () => {
    mock
      .on(GetSecretValueCommand)
      .rejectsOnce(notFound())
      .rejectsOnce(accessDenied('secretsmanager:GetSecretValue'))
      .rejectsOnce(throttled('ThrottlingException'))
      .resolvesOnce({ SecretString: URL_1 });
    expect(errorName((await settle(source.get())).error)).toBe('ResourceNotFound');
    const denied = (await settle(source.get())).error;
    expect(errorName(denied)).toBe('AccessDenied');
    expect(denied?.message).toContain('secretsmanager:GetSecretValue');
    expect(errorName((await settle(source.get())).error)).toBe('Throttling');
    expect(await source.get()).toBe(URL_1);
  });

  it('a malformed secret is refused with what is wrong, never its content', async () => {
    const leaky = 'https://evil.example.com/collect?token=s3cr3t-webhook-token';
    mock
      .on(GetSecretValueCommand)
      .resolvesOnce({ SecretBinary: new Uint8Array([1, 2, 3]) })
      .resolvesOnce({ SecretString: '{"url": ' })
      .resolvesOnce({ SecretString: JSON.stringify({ webhook: URL_1 }) })
      .resolvesOnce({ SecretString: leaky });
    expect((await settle(source.get())).error?.message).toBe('The Slack webhook secret is empty');
    expect((await settle(source.get())).error?.message).toBe(
      'The Slack webhook secret looks like JSON but does not parse',
    );
    expect((await settle(source.get())).error?.message).toBe(
      'The Slack webhook secret is JSON without a "url" string',
    );
    const refused = (await settle(source.get())).error;
    expect(refused?.message).toMatch(/host "evil\.example\.com" is not one of/);
    expect(refused?.message).not.toContain('s3cr3t');
  });
});
