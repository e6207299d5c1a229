import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/core/config/load.ts';
import { planFleet } from '../../functions/core/fleet/plan.ts';
import { HubStack } from '../../lib/hub-stack.ts';
import { SentinelStack } from '../../lib/sentinel-stack.ts';
import {
  HUB_ACCOUNT,
  HUB_REGION,
  MEMBER_ACCOUNTS,
  MEMBER_REGIONS,
  type SynthesizedFleet,
  sharedFleet,
  synthFleet,
} from './fleet-helpers.ts';
import { chatbotInput, SYNTH_TIMEOUT_MS, sharedSynth, twoClusterInput } from './helpers.ts';

/** Types of resources only a fleet with a hub has in a member or single stack. */
const CROSS_ACCOUNT_TYPES = ['AWS::Events::EventBus', 'AWS::Events::EventBusPolicy'];

let fleet: SynthesizedFleet;
let single: SynthesizedFleet;
beforeAll(() => {
  fleet = sharedFleet();
  single = synthFleet(twoClusterInput());
}, SYNTH_TIMEOUT_MS);

describe('a single-account config', () => {
  it('synthesizes one stack, no hub, no cross-account resources', () => {
    expect(single.fleet.hub).toBeUndefined();
    expect(single.fleet.members).toHaveLength(1);
    const [stack] = single.fleet.members;
    expect(stack?.node.id).toBe('KopsApiSentinel');
    expect(stack?.stackName).toBe('KopsApiSentinel');
    expect(stack?.dependencies).toEqual([]);
    const template = single.templates.get('KopsApiSentinel');
    const json = JSON.stringify(template?.toJSON());
    for (const type of CROSS_ACCOUNT_TYPES) expect(template?.findResources(type)).toEqual({});
    // no report bus, no forwarding role, no target or ARN in another account
    expect(json).not.toContain('reports');
    expect(json).not.toContain('to-hub');
    expect(json).not.toContain('kops-api-sentinel-hub');
    for (const r of Object.values(template?.findResources('AWS::Events::Rule') ?? {})) {
      for (const t of r.Properties.Targets as { RoleArn?: unknown }[]) expect(t.RoleArn).toBeUndefined();
    }
  });

  it('keeps the resources the single stack always had, by logical id and type', () => {
    const before = JSON.parse(
      readFileSync(new URL('./fixtures/single-stack-resources.json', import.meta.url), 'utf8'),
    ) as Record<string, Record<string, string>>;
    const resources = (kind: 'two-clusters' | 'chatbot') =>
      Object.fromEntries(
        Object.entries(sharedSynth(kind).template.toJSON().Resources as Record<string, { Type: string }>)
          .map(([id, r]) => [id, r.Type])
          .sort(([a], [b]) => String(a).localeCompare(String(b))),
      );
    expect(resources('two-clusters')).toEqual(before['two-clusters']);
    expect(resources('chatbot')).toEqual(before.chatbot);
    // and the app builds the same stack as the tests' synth()
    const fromApp = single.templates.get('KopsApiSentinel')?.toJSON().Resources as Record<string, unknown>;
    expect(Object.keys(fromApp).sort()).toEqual(Object.keys(before['two-clusters'] ?? {}).sort());
  });

  it('refuses a member stack with alerts.hub but no fleet plan (it would alert and report at once)', () => {
    const input = chatbotInput();
    const config = parseConfig(
      {
        ...input,
        alerts: {
          ...input.alerts,
          email: ['oncall@example.com'],
          hub: { account: HUB_ACCOUNT, region: HUB_REGION },
        },
      },
      'test config',
    );
    expect(() => new SentinelStack(single.app, 'Stray', { config })).toThrow(/alerts\.hub.*fleet/);
  });
});

describe('a fleet: 2 accounts × 2 regions and a hub', () => {
  it('synthesizes the hub and one member per account and region, with their envs and names', () => {
    const hub = fleet.fleet.hub as HubStack;
    expect(hub).toBeInstanceOf(HubStack);
    expect(hub.node.id).toBe('KopsApiSentinel-Hub');
    expect(hub.stackName).toBe('KopsApiSentinel-Hub');
    expect([hub.account, hub.region]).toEqual([HUB_ACCOUNT, HUB_REGION]);

    const expected = MEMBER_ACCOUNTS.flatMap((account) =>
      MEMBER_REGIONS.map((region) => ({ account, region })),
    );
    const members = fleet.fleet.members.map((s) => ({
      id: s.node.id,
      stackName: s.stackName,
      account: s.account,
      region: s.region,
    }));
    expect(members.map(({ account, region }) => ({ account, region }))).toEqual(expected);
    for (const m of members) {
      expect(m.id).toMatch(new RegExp(`^KopsApiSentinel-${m.account}-${m.region}-vpc-[0-9a-f]{17}$`));
      expect(m.stackName).toBe('KopsApiSentinel');
    }
    // exactly the ids and names planFleet gives
    const plan = planFleet(fleet.config);
    expect(members.map((m) => [m.id, m.stackName])).toEqual(plan.members.map((m) => [m.id, m.stackName]));
    expect(fleet.templates.size).toBe(5);
  });

  it('deploys the hub first: every member depends on it (cdk deploy --all)', () => {
    const hub = fleet.fleet.hub as HubStack;
    for (const member of fleet.fleet.members) expect(member.dependencies).toEqual([hub]);
    expect(hub.dependencies).toEqual([]);
    const manifest = fleet.app.synth().manifest.artifacts ?? {};
    for (const member of fleet.fleet.members) {
      expect(manifest[member.artifactId]?.dependencies).toContain(hub.artifactId);
      expect(manifest[member.artifactId]?.environment).toBe(`aws://${member.account}/${member.region}`);
    }
    expect(manifest[hub.artifactId]?.environment).toBe(`aws://${HUB_ACCOUNT}/${HUB_REGION}`);
  });
});
