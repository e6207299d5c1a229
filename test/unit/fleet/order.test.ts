import { describe, expect, it } from 'vitest';
import {
  type OrderDecision,
  orderOf,
  type ReportMark,
  reportTime,
} from '../../../functions/core/fleet/order.ts';

const T = Date.parse('2026-12-01T00:05:00.000Z');
const A = '11111111-0000-0000-0000-000000000000';
const B = '22222222-0000-0000-0000-000000000000';

describe('the order the hub applies reports in', () => {
  const cases: [string, ReportMark | undefined, ReportMark, OrderDecision][] = [
    ['the first report of a cluster and source', undefined, { at: T, id: A }, 'apply'],
    ['a newer report', { at: T, id: A }, { at: T + 1, id: B }, 'apply'],
    ['the same event again (EventBridge, Lambda retry)', { at: T, id: A }, { at: T, id: A }, 'duplicate'],
    [
      'the same event again, its time clamped later',
      { at: T, id: A },
      { at: T + 60_000, id: A },
      'duplicate',
    ],
    ['an older report arriving late', { at: T, id: B }, { at: T - 1, id: A }, 'stale'],
    ['an older report with a greater id', { at: T, id: A }, { at: T - 1, id: B }, 'stale'],
    ['the same time, a greater id', { at: T, id: A }, { at: T, id: B }, 'apply'],
    ['the same time, a smaller id', { at: T, id: B }, { at: T, id: A }, 'stale'],
    ['the same time, both without an id', { at: T, id: '' }, { at: T, id: '' }, 'duplicate'],
  ];
  it.each(cases)('%s', (_name, applied, report, expected) => {
    expect(orderOf(applied, report)).toBe(expected);
  });
});

describe("a report's time", () => {
  const hubNow = new Date(T);
  it.each([
    ['an earlier report keeps its own time', '2026-12-01T00:01:00.000Z', '2026-12-01T00:01:00.000Z'],
    [
      'a report from a clock ahead is clamped to the hub clock',
      '2026-12-01T00:09:00.000Z',
      '2026-12-01T00:05:00.000Z',
    ],
    ['the same instant', '2026-12-01T00:05:00.000Z', '2026-12-01T00:05:00.000Z'],
    [
      'an offset is read as the instant it names',
      '2026-12-01T01:00:00.000+01:00',
      '2026-12-01T00:00:00.000Z',
    ],
  ])('%s', (_name, time, expected) => {
    expect(reportTime(time, hubNow).toISOString()).toBe(expected);
  });
});
