import { describe, expect, it } from 'vitest';
import {
  FOLLOW_UP_MAX_BYTES,
  MalformedFollowUpError,
  maxFollowUpAttempts,
  parseFollowUp,
} from '../../../functions/core/verify/follow-up.ts';

const limits = { maxAttempts: 17 };
const ok = {
  cluster: 'k8s.example.com',
  instanceId: 'i-0b5e3f9c2d7a41e88',
  deadline: '2026-11-30T10:15:00.000Z',
  attempt: 3,
};
const body = (o: Record<string, unknown>) => JSON.stringify({ ...ok, ...o });

function problem(text: string): string {
  try {
    parseFollowUp(text, limits);
  } catch (err) {
    expect(err).toBeInstanceOf(MalformedFollowUpError);
    return (err as Error).message;
  }
  throw new Error('accepted');
}

describe('follow-up messages', () => {
  it('accepts the four fields the sentinel writes', () => {
    expect(parseFollowUp(JSON.stringify(ok), limits)).toEqual(ok);
  });

  it('bounds attempts: one per delay until the deadline, plus two', () => {
    expect(maxFollowUpAttempts({ newInstanceDeadlineMinutes: 15, followUpDelaySeconds: 60 })).toBe(17);
    expect(maxFollowUpAttempts({ newInstanceDeadlineMinutes: 120, followUpDelaySeconds: 900 })).toBe(10);
    expect(maxFollowUpAttempts({ newInstanceDeadlineMinutes: 1, followUpDelaySeconds: 0 })).toBe(62);
  });

  it('refuses attempts outside 1..max, and non-integers', () => {
    for (const attempt of [0, -1, 18, 1.5, '2', null, 1e308]) {
      expect(problem(body({ attempt }))).toMatch(/attempt .* is not a whole number from 1 to 17/);
    }
    expect(problem(JSON.stringify({ ...ok, attempt: undefined }))).toMatch(/attempt/);
  });

  it('refuses an instance id that is not one, quoting only a short prefix', () => {
    const long = `i-${'a'.repeat(500)}`;
    const msg = problem(body({ instanceId: long }));
    expect(msg).toMatch(/instanceId "i-a+…" is not an EC2 instance id/);
    expect(msg.length).toBeLessThan(120);
    expect(problem(body({ instanceId: 'i-0B5E3F9C' }))).toMatch(/instanceId/);
    expect(problem(body({ instanceId: '../i-0b5e3f9c2d7a41e88' }))).toMatch(/instanceId/);
  });

  it('refuses unknown fields, non-objects, bad deadlines and oversized bodies', () => {
    expect(problem(body({ queueUrl: 'https://sqs.example/evil' }))).toMatch(/unknown field "queueUrl"/);
    expect(problem('[]')).toMatch(/not a JSON object/);
    expect(problem('"x"')).toMatch(/not a JSON object/);
    expect(problem(body({ deadline: 'soon' }))).toMatch(/deadline "soon" is not an ISO time/);
    expect(problem(body({ cluster: '' }))).toMatch(/cluster must be a non-empty string/);
    const big = body({ cluster: 'x'.repeat(FOLLOW_UP_MAX_BYTES) });
    expect(problem(big)).toMatch(/at most 1024 are accepted/);
  });
});
