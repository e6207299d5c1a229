import { describe, expect, it } from 'vitest';
import type { MachineAlert } from '../../functions/core/alerts/messages.ts';
import { FLEET_HUB, FLEET_MEMBERS, rehearseFleet } from '../../sandbox/rehearsal/fleet-story.ts';
import { withMoto } from '../support/moto-hooks.ts';

const moto = withMoto();
const [A, B] = FLEET_MEMBERS;
const TIMEOUT_MS = 150_000;

/** A Slack message's fallback text: its title, cluster, account, region and resource. */
const textOf = (message: unknown): string => (message as { text?: string }).text ?? '';
const where = (a: MachineAlert) => `${a.kind} ${a.code} ${a.cluster} ${a.account} ${a.region}`;

/** The fleet story end to end: a hub account and two member accounts in other regions, through the real handlers. */
describe('fleet rehearsal (rehearse --accounts 2)', () => {
  it(
    'one alert per cause reaches the one Slack naming its account and region, deduplicated, resolved once; nothing else crosses accounts',
    async () => {
      const result = await rehearseFleet({ accounts: 2, moto: moto() });
      expect(result.timeline.checks.filter((c) => !c.ok)).toEqual([]);
      expect(result.ok).toBe(true);
      expect(result.alerts.map(where)).toEqual([
        `fire LISTENER_TERMINATES_TLS ${A.cluster} ${A.account} ${A.region}`,
        `fire LB_NOT_ATTACHED ${B.cluster} ${B.account} ${B.region}`,
        `resolve LISTENER_TERMINATES_TLS ${A.cluster} ${A.account} ${A.region}`,
        `resolve LB_NOT_ATTACHED ${B.cluster} ${B.account} ${B.region}`,
      ]);
      const texts = result.slack.map(textOf);
      expect(texts).toHaveLength(4);
      expect(texts[0]).toMatch(/^:red_circle: Firing: Listener terminates TLS/);
      expect(texts[1]).toMatch(/^:red_circle: Firing: Load balancer not attached/);
      expect(texts[2]).toMatch(/^:large_green_circle: Resolved: Listener terminates TLS/);
      expect(texts[3]).toMatch(/^:large_green_circle: Resolved: Load balancer not attached/);
      for (const i of [0, 2]) {
        expect(texts[i]).toContain(`${A.cluster} in account ${A.account}, region ${A.region}`);
        expect(JSON.stringify(result.slack[i])).not.toContain(B.account);
      }
      for (const i of [1, 3]) {
        expect(texts[i]).toContain(`${B.cluster} in account ${B.account}, region ${B.region}`);
        expect(JSON.stringify(result.slack[i])).not.toContain(A.account);
      }
      // the hub's own account is never named as a cluster's
      expect(JSON.stringify(result.slack)).not.toContain(FLEET_HUB.account);
    },
    TIMEOUT_MS,
  );

  it(
    "its checks fail when the hub never hears from a member: that member's alerts are missing, the other's still arrive",
    async () => {
      const result = await rehearseFleet({ accounts: 2, moto: moto(), hubIgnores: B.account });
      expect(result.ok).toBe(false);
      const failed = result.timeline.checks.filter((c) => !c.ok).map((c) => c.what);
      expect(failed).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^every member's report reaches the hub/),
          expect.stringMatching(new RegExp(`^${B.cluster} .*: one alert fires, for LB_NOT_ATTACHED`)),
          expect.stringMatching(new RegExp(`^${B.cluster} .*: one Slack message, naming LB_NOT_ATTACHED`)),
          expect.stringMatching(/^the hub's account .* holds no cluster resources/),
        ]),
      );
      expect(failed.filter((w) => w.startsWith(A.cluster))).toEqual([]);
      expect(
        result.slack.map(textOf).every((t) => t.includes(`account ${A.account}, region ${A.region}`)),
      ).toBe(true);
      expect(result.slack).toHaveLength(2);
    },
    TIMEOUT_MS,
  );
});
