import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import middy from '@middy/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushMetrics } from '../../../functions/shared/middy-stack.ts';

const context = { awsRequestId: 'r', functionName: 'f', getRemainingTimeInMillis: () => 1000 };

/** A Metrics instance whose EMF lines and warnings are captured instead of printed. */
function captured() {
  const lines: string[] = [];
  const warnings: string[] = [];
  const target = new Metrics({
    namespace: 'Test',
    serviceName: 'svc',
    logger: { warn: (m: string) => warnings.push(m), debug() {}, info() {}, error() {} } as never,
  });
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    for (const line of String(chunk).split('\n')) if (line.includes('"_aws"')) lines.push(line);
    return true;
  });
  return { target, lines, warnings };
}

afterEach(() => vi.restoreAllMocks());

describe('flushMetrics', () => {
  it('publishes what the invocation recorded, once', async () => {
    const { target, lines } = captured();
    const handler = middy(async () => {
      target.addMetric('Posted', MetricUnit.Count, 2);
      return 'ok';
    }).use(flushMetrics(target));
    expect(await handler({}, context as never)).toBe('ok');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ Posted: 2, service: 'svc' });
    expect(target.hasStoredMetrics()).toBe(false);
  });

  it('publishes them when the handler fails too', async () => {
    const { target, lines } = captured();
    const handler = middy(async () => {
      target.addMetric('Failed', MetricUnit.Count, 1);
      throw new Error('boom');
    }).use(flushMetrics(target));
    await expect(handler({}, context as never)).rejects.toThrow('boom');
    expect(lines.map((l) => JSON.parse(l).Failed)).toEqual([1]);
  });

  it('writes nothing, and warns of nothing, when nothing is left to publish', async () => {
    const { target, lines, warnings } = captured();
    const handler = middy(async () => 'ok').use(flushMetrics(target));
    await handler({}, context as never);
    expect(lines).toEqual([]);
    expect(warnings).toEqual([]);
  });
});
