import { describe, expect, it } from 'vitest';
import { rehearse } from '../../sandbox/rehearsal/story.ts';

/** The whole story, end to end, through the real handlers, against moto and local TLS servers. */
describe('kops upgrade rehearsal', () => {
  it('repair mode: registers, verifies, repairs a detachment, catches the ACM listener, resolves', async () => {
    const result = await rehearse({ reportOnly: false, groups: 3 });
    expect(result.timeline.checks.filter((c) => !c.ok)).toEqual([]);
    expect(result.ok).toBe(true);
    const fired = result.alerts.filter((a) => a.kind === 'fire').map((a) => a.code);
    // the listener, and the handshake through the API name and both load balancers
    expect(fired.sort()).toEqual([
      'LISTENER_TERMINATES_TLS',
      'TLS_UNTRUSTED_ISSUER',
      'TLS_UNTRUSTED_ISSUER',
      'TLS_UNTRUSTED_ISSUER',
    ]);
    const headers = result.slack.map(
      (m) =>
        (m as { blocks: { type: string; text?: { text: string } }[] }).blocks.find((b) => b.type === 'header')
          ?.text?.text,
    );
    expect(headers).toContainEqual(expect.stringContaining('Firing: Certificate not signed by the kops CA'));
    expect(headers).toContainEqual(
      expect.stringContaining('Resolved: Certificate not signed by the kops CA'),
    );
  });

  it('report-only mode: the detachment is only reported, alerted, and resolved once an operator fixes it', async () => {
    const result = await rehearse({ reportOnly: true, groups: 2 });
    expect(result.timeline.checks.filter((c) => !c.ok)).toEqual([]);
    expect(result.alerts.filter((a) => a.kind === 'fire').map((a) => a.code)).toContain('LB_NOT_ATTACHED');
  });
});
