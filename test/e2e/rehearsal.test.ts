import { describe, expect, it } from 'vitest';
import { rehearse } from '../../sandbox/rehearsal/story.ts';
import { withMoto } from '../support/moto-hooks.ts';

const moto = withMoto();

/** The whole story, end to end, through the real handlers, against moto and local TLS servers. */
describe('kops upgrade rehearsal', () => {
  it('repair mode: registers, verifies, repairs a detachment, catches the ACM listener, resolves', async () => {
    const result = await rehearse({ reportOnly: false, groups: 3, moto: moto() });
    expect(result.timeline.checks.filter((c) => !c.ok)).toEqual([]);
    expect(result.ok).toBe(true);
    // one alert per cause: the listener, with the handshakes through the load balancer and the API
    // name listed under it; the only alert of the story in repair mode: one fire, one resolve
    expect(result.alerts.map((a) => `${a.kind} ${a.code}`)).toEqual([
      'fire LISTENER_TERMINATES_TLS',
      'resolve LISTENER_TERMINATES_TLS',
    ]);
    const consequences = (result.alerts[0]?.consequences ?? []).map((c) => c.code);
    expect(consequences.sort()).toEqual(['TLS_UNTRUSTED_ISSUER', 'TLS_UNTRUSTED_ISSUER']);
    const headers = result.slack.map(
      (m) =>
        (m as { blocks: { type: string; text?: { text: string } }[] }).blocks.find((b) => b.type === 'header')
          ?.text?.text,
    );
    expect(headers).toHaveLength(2);
    expect(headers[0]).toContain('Firing: Listener terminates TLS');
    expect(headers[1]).toContain('Resolved: Listener terminates TLS');
    expect(JSON.stringify(result.slack[0])).toContain('TLS_UNTRUSTED_ISSUER on dns/');
  });

  it('report-only mode: the detachment is only reported, alerted, and resolved once an operator fixes it', async () => {
    const result = await rehearse({ reportOnly: true, groups: 2, moto: moto() });
    expect(result.timeline.checks.filter((c) => !c.ok)).toEqual([]);
    const fired = result.alerts.filter((a) => a.kind === 'fire');
    // one alert per cause: the detachments (the registrations they imply listed under them) and the listener
    expect(fired.map((a) => a.code).sort()).toEqual([
      'LB_NOT_ATTACHED',
      'LB_NOT_ATTACHED',
      'LISTENER_TERMINATES_TLS',
    ]);
    expect(
      fired.flatMap((a) => (a.code === 'LB_NOT_ATTACHED' ? (a.consequences ?? []) : [])).map((c) => c.code),
    ).toContain('INSTANCE_NOT_REGISTERED');
  });
});
