import { describe, expect, it } from 'vitest';
import { SESSION_NAME_MAX, sessionNameFor } from '../../../functions/core/aws/session-name.ts';

/** IAM's RoleSessionName: 2 to 64 characters of [\w+=,.@-]. */
const IAM_SESSION_NAME = /^[\w+=,.@-]{2,64}$/;

describe('the STS session name of a CLI run', () => {
  it('is kops-api-sentinel-<user> for a plain user name', () => {
    expect(sessionNameFor('alice')).toBe('kops-api-sentinel-alice');
    expect(sessionNameFor('ops.bot+ci=1,a@b_c-d')).toBe('kops-api-sentinel-ops.bot+ci=1,a@b_c-d');
  });

  it("turns every run of characters IAM refuses into one '-', and trims it from the ends", () => {
    expect(sessionNameFor('CORP\\John Smith')).toBe('kops-api-sentinel-CORP-John-Smith');
    expect(sessionNameFor('José Ñúñez')).toBe('kops-api-sentinel-Jos-ez');
    expect(sessionNameFor(' (admin) ')).toBe('kops-api-sentinel-admin');
  });

  it('names an unknown user when nothing usable is left', () => {
    expect(sessionNameFor(undefined)).toBe('kops-api-sentinel-unknown');
    expect(sessionNameFor('')).toBe('kops-api-sentinel-unknown');
    expect(sessionNameFor('日本語')).toBe('kops-api-sentinel-unknown');
  });

  it('fits IAM: at most 64 characters of its alphabet, whatever the user name', () => {
    const long = sessionNameFor('a'.repeat(200));
    expect(long).toHaveLength(SESSION_NAME_MAX);
    expect(long.startsWith('kops-api-sentinel-aaaa')).toBe(true);
    // a cut that would end in '-' drops it
    expect(sessionNameFor(`${'b'.repeat(45)} c`)).toBe(`kops-api-sentinel-${'b'.repeat(45)}`);
    for (const user of ['x', 'a b/c:d', '\u0000\u00ff', 'ü'.repeat(70), `${'-'.repeat(80)}z`])
      expect(sessionNameFor(user)).toMatch(IAM_SESSION_NAME);
  });
});
