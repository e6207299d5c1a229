import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../../bin/cli.ts';
import { capture } from '../../support/cli-io.ts';

describe('rehearse --accounts', () => {
  // the rehearse command turns the handlers' metrics off for its process (bin/cli.ts); the unit
  // tests share one process (vitest's shared project), so the metrics tests must not inherit that
  const metricsDisabled = process.env.POWERTOOLS_METRICS_DISABLED;
  afterEach(() => {
    if (metricsDisabled === undefined) delete process.env.POWERTOOLS_METRICS_DISABLED;
    else process.env.POWERTOOLS_METRICS_DISABLED = metricsDisabled;
  });

  it.each(['0', '4', '2.5', 'two'])('refuses --accounts %s before starting anything (exit 2)', async (n) => {
    const { out, io } = capture();
    const code = await main(['rehearse', '--accounts', n], io);
    expect(code).toBe(2);
    expect(out.stderr).toContain(`--accounts: found "${n}"; expected a whole number from 1 to 3`);
    expect(out.stdout).toBe('');
  });
});
