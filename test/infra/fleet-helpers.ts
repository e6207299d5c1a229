import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { parseConfig } from '../../functions/core/config/load.ts';
import type { SentinelConfig, SentinelConfigInput } from '../../functions/core/config/schema.ts';
import { type FleetPlan, planFleet } from '../../functions/core/fleet/plan.ts';
import { addFleet, type Fleet } from '../../lib/fleet.ts';
import { fleetInput, ORG_ID } from '../../sandbox/fleet-config.ts';

// the fleet configs live in sandbox/ (bench/synth.ts builds them too)
export {
  fleetCluster,
  fleetInput,
  HUB_ACCOUNT,
  HUB_REGION,
  MEMBER_ACCOUNTS,
  MEMBER_REGIONS,
  ORG_ID,
} from '../../sandbox/fleet-config.ts';

export interface SynthesizedFleet {
  config: SentinelConfig;
  plan: FleetPlan;
  fleet: Fleet;
  app: App;
  /** Templates by construct id (members and hub). */
  templates: Map<string, Template>;
}

/** The app's stacks for a config, without bundling (as bin/app.ts builds them). */
export function synthFleet(input: SentinelConfigInput): SynthesizedFleet {
  const config = parseConfig(input, 'test config');
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const fleet = addFleet(app, config);
  const templates = new Map<string, Template>();
  for (const stack of [...(fleet.hub ? [fleet.hub] : []), ...fleet.members]) {
    templates.set(stack.node.id, Template.fromStack(stack));
  }
  return { config, plan: planFleet(config), fleet, app, templates };
}

const shared = new Map<string, SynthesizedFleet>();

/** The 2 accounts × 2 regions fleet with a hub (or its organization variant), once per test worker. Read only. */
export function sharedFleet(kind: 'accounts' | 'organization' = 'accounts'): SynthesizedFleet {
  let s = shared.get(kind);
  if (!s) {
    s = synthFleet(fleetInput(kind === 'organization' ? { organizationId: ORG_ID } : {}));
    shared.set(kind, s);
  }
  return s;
}

/** The one template of a fleet whose construct id matches. */
export function templateOf(s: SynthesizedFleet, id: string): Template {
  const t = s.templates.get(id);
  if (!t) throw new Error(`no stack ${id}; stacks: ${[...s.templates.keys()].join(', ')}`);
  return t;
}
