/**
 * `npm run bench`: one table of counts and ratios that hold on a small, noisy machine — bundle
 * sizes, cold start against a baseline, AWS API calls (registrar per event, the CLI's sweeps, the
 * verifier per cluster), the TLS parallelism ratios, alert deduplication and the event path from a
 * launch to its alert — also written to bench/latest.json for the README.
 * Exits 1 when a target is missed or a section fails (the table is printed either way).
 *
 * `npm run bench -- --only cold-start,verify-phase` runs the named sections only (and leaves
 * bench/latest.json alone); `npm run bench -- --self-test` runs the TLS phase row's self-test only.
 */
import type { Row } from './table.ts';

// Set before the handlers (and their Powertools Logger) are loaded: the modules below are imported dynamically.
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const { parseArgs } = await import('node:util');

/** The sections in table order; `lab` ones need moto. */
const SECTIONS = [
  'bundle',
  'cold-start',
  'instructions',
  'cli',
  'registrar',
  'event-path',
  'scaling',
  'handshake',
  'verify-phase',
  'alerts',
  'faults',
  'synth',
  'fleet-cli',
] as const;
const LAB_SECTIONS = ['registrar', 'event-path', 'scaling', 'verify-phase', 'alerts', 'faults', 'fleet-cli'];

const { values: args } = parseArgs({
  options: { only: { type: 'string' }, 'self-test': { type: 'boolean', default: false } },
});
const only = args.only?.split(',').map((s) => s.trim()) ?? [...SECTIONS];
const unknown = only.filter((s) => !(SECTIONS as readonly string[]).includes(s));
if (unknown.length) {
  console.error(`unknown section(s) ${unknown.join(', ')}; sections: ${SECTIONS.join(', ')}`);
  process.exit(2);
}
/** Only a full run is written to bench/latest.json. */
const full = args.only === undefined;

if (args['self-test']) {
  const { renderTable } = await import('./table.ts');
  const { tlsPhaseSelfTest } = await import('./tls-self-test.ts');
  const { startVerifyPhase } = await import('./verify-phase.ts');
  const { withLab } = await import('./lab.ts');
  // the real verify-phase measurement, on moto
  const r = await withLab(async (lab) => {
    const phase = await startVerifyPhase(lab);
    try {
      return await tlsPhaseSelfTest(phase);
    } finally {
      await phase.close();
    }
  });
  console.log(renderTable([r.parallel, r.sequential]));
  console.log(
    r.ok
      ? 'self-test passed: the TLS phase row passes parallel probes and fails sequential ones'
      : 'self-test FAILED: the TLS phase row must pass parallel probes and fail sequential ones',
  );
  process.exit(r.ok ? 0 : 1);
}

const { writeFileSync } = await import('node:fs');
const { performance } = await import('node:perf_hooks');
const { fileURLToPath } = await import('node:url');
const { alertRows } = await import('./alerts.ts');
const { bundleRows } = await import('./bundles.ts');
const { explainCallChanges } = await import('./call-changes.ts');
const { cliStartupRows } = await import('./cli-startup.ts');
const { coldStartRows } = await import('./cold-start.ts');
const { eventPathRows } = await import('./event-path.ts');
const { faultRows } = await import('./faults.ts');
const { instructionRows } = await import('./instructions.ts');
const { fleetCliRows } = await import('./fleet-cli.ts');
const { stopLabs, withLab } = await import('./lab.ts');
const { machine, machineLine } = await import('./machine.ts');
const { registrarRows } = await import('./registrar.ts');
const { scalingRows } = await import('./scaling.ts');
const { synthRows } = await import('./synth.ts');
const { allMet, errorRow, renderTable, summary } = await import('./table.ts');
const { handshakeRows, verifyPhaseRows } = await import('./tls.ts');

/** Far above a normal run (two minutes idle, five on a busy shared machine): past it, stop moto and fail rather than hang. */
const WATCHDOG_MS = 10 * 60_000;
const OUT = fileURLToPath(new URL('latest.json', import.meta.url));

const started = performance.now();
const host = machine();
const sections = new Map<string, Row[]>();

async function section(area: string, run: () => Promise<Row[]>): Promise<void> {
  if (!only.includes(area)) return;
  try {
    sections.set(area, await run());
  } catch (err) {
    sections.set(area, [errorRow(area, err)]);
  }
}

/** Prints the table and writes the JSON; returns the exit code. */
function report(extra: Row[] = []): number {
  const rows = explainCallChanges([...SECTIONS.flatMap((k) => sections.get(k) ?? []), ...extra]);
  const ok = allMet(rows);
  const seconds = Math.round((performance.now() - started) / 100) / 10;
  console.log(machineLine(host));
  console.log(renderTable(rows));
  console.log(`${summary(rows)}; ${seconds} s`);
  if (full)
    writeFileSync(
      OUT,
      `${JSON.stringify({ machine: host, command: 'npm run bench', ok, seconds, rows }, null, 2)}\n`,
    );
  return ok ? 0 : 1;
}

async function abort(reason: string, code: number): Promise<never> {
  await stopLabs().catch(() => undefined);
  report([errorRow('bench', new Error(reason))]);
  process.exit(code);
}

const watchdog = setTimeout(() => void abort(`still running after ${WATCHDOG_MS / 1000} s`, 2), WATCHDOG_MS);
watchdog.unref();
process.once('SIGINT', () => void abort('interrupted', 130));
process.once('SIGTERM', () => void abort('terminated', 143));

// the timing section first, while nothing else runs
await section('handshake', handshakeRows);
await section('bundle', bundleRows);
await section('cold-start', () => coldStartRows());
await section('instructions', () => instructionRows());
await section('cli', async () => cliStartupRows());
await section('synth', async () => synthRows());
try {
  if (LAB_SECTIONS.some((s) => only.includes(s)))
    await withLab(async (lab) => {
      await section('registrar', () => registrarRows(lab));
      await section('event-path', () => eventPathRows(lab));
      await section('scaling', () => scalingRows(lab));
      await section('verify-phase', () => verifyPhaseRows(lab));
      await section('alerts', () => alertRows(lab));
      await section('faults', () => faultRows(lab));
      await section('fleet-cli', () => fleetCliRows(lab));
    });
} catch (err) {
  sections.set('registrar', [errorRow('local AWS (moto)', err)]);
}
clearTimeout(watchdog);
process.exitCode = report();
