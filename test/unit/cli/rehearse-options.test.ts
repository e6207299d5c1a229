import { describe, expect, it } from 'vitest';
import { main } from '../../../bin/cli.ts';
import { capture } from '../../support/cli-io.ts';

describe('rehearse --accounts', () => {
  it.each(['0', '4', '2.5', 'two'])('refuses --accounts %s before starting anything (exit 2)', async (n) => {
    const { out, io } = capture();
    const code = await main(['rehearse', '--accounts', n], io);
    expect(code).toBe(2);
    expect(out.stderr).toContain(`--accounts: found "${n}"; expected a whole number from 1 to 3`);
    expect(out.stdout).toBe('');
  });
});
