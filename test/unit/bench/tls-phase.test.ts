import { connect } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { startPhaseClock } from '../../../bench/phase-clock.ts';
import { type PhaseRuns, type PhaseSample, phaseRow } from '../../../bench/tls-phase.ts';
import type { ProbeResult } from '../../../functions/core/tls/probe.ts';
import { Endpoints, startTcpServer } from '../../../sandbox/tls-servers.ts';

const probe = (durationMs: number, code: ProbeResult['code'] = 'TLS_OK'): ProbeResult => ({
  resource: 'r',
  host: 'h',
  port: 443,
  servername: 'h',
  code,
  reason: code,
  durationMs,
});
const sample = (ms: number, n: number, durationMs = 50): PhaseSample => ({
  ms,
  connections: n,
  probes: Array.from({ length: n }, () => probe(durationMs)),
});
const runs = (one: number[], phase: number[], n = 4): PhaseRuns => ({
  one: one.map((ms) => sample(ms, 1)),
  phase: phase.map((ms) => sample(ms, n)),
});

describe('phaseRow', () => {
  it('passes a phase about as long as one probe', () => {
    const row = phaseRow('phase / one', runs([50, 52, 51], [60, 58, 61]), 4, 50);
    expect([row.figure, row.verdict]).toEqual([1.18, 'pass']);
  });

  it('fails a phase as long as its probes one after another, even when each probe alone was quick', () => {
    // the slowest probe's own duration (50 ms) would have passed: the phase's wall clock does not
    const row = phaseRow('phase / one', runs([50, 52, 51], [204, 199, 210]), 4, 50);
    expect([row.figure, row.verdict]).toEqual([4, 'FAIL']);
  });

  it('fails when the probe count is not the expected one, or a probe did not pass the clock', () => {
    expect(phaseRow('p', runs([50], [55], 3), 4, 50).verdict).toBe('FAIL');
    const unclocked: PhaseRuns = { one: [sample(50, 1)], phase: [{ ...sample(55, 4), connections: 3 }] };
    expect(phaseRow('p', unclocked, 4, 50).note).toContain('not every probe passed the clock');
  });

  it('fails when a probe was not TLS_OK', () => {
    const bad: PhaseRuns = {
      one: [sample(50, 1)],
      phase: [{ ms: 55, connections: 2, probes: [probe(50), probe(50, 'TLS_HANDSHAKE_FAILED')] }],
    };
    expect(phaseRow('p', bad, 2, 50).note).toContain('1 probes not TLS_OK');
  });
});

describe('the phase clock', () => {
  const endpoints = new Endpoints();
  afterAll(() => endpoints.closeAll());

  /** Connects, and resolves once the upstream server's greeting came back through the clock. */
  const greeted = (port: number) =>
    new Promise<string>((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port });
      s.once('data', (d) => {
        s.destroy();
        resolve(d.toString());
      });
      s.once('error', reject);
    });

  it('counts the connections of a timed run and forwards them', async () => {
    let upstream = 0;
    const target = endpoints.add(
      await startTcpServer((s) => {
        upstream++;
        s.end('hello');
      }),
    );
    const clock = endpoints.add(await startPhaseClock(target));
    const timed = await clock.time(async () => [await greeted(clock.port), await greeted(clock.port)]);
    expect(timed.connections).toBe(2);
    expect(timed.result).toEqual(['hello', 'hello']);
    expect(upstream).toBe(2);
    expect(timed.ms).toBeGreaterThanOrEqual(0);
    await expect(clock.time(async () => 'nothing')).rejects.toThrow('no connection reached the phase clock');
  });
});
