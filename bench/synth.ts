import { performance } from 'node:perf_hooks';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { parseConfig } from '../functions/core/config/load.ts';
import type { SentinelConfigInput } from '../functions/core/config/schema.ts';
import { SentinelFunction } from '../lib/constructs/sentinel-function.ts';
import { addFleet } from '../lib/fleet.ts';
import { FLEET_SLACK_SECRET, fleetCluster, HUB_ACCOUNT, HUB_REGION } from '../sandbox/fleet-config.ts';
import { median } from './stats.ts';
import { atMost, exactly, info, type Row } from './table.ts';

/**
 * `cdk synth` of a fleet, as bin/app.ts runs it (the stacks from lib/fleet.ts, cdk-nag's
 * AwsSolutions checks, the cloud assembly written) but without bundling the functions, which
 * takes the same time per function whatever the stacks: 1 cluster in one account against 20
 * clusters in 4 accounts × 2 regions with a hub. Times are info; the counts have targets.
 */
const AREA = 'synth';
const ACCOUNTS = ['111111111111', '222222222222', '333333333333', '444444444444'];
const REGIONS = ['eu-west-1', 'us-east-1'];
/** CloudFormation's limit of resources per stack. */
const STACK_RESOURCE_LIMIT = 500;

/** `clusters` clusters spread round-robin over `accounts` × `regions` (one VPC each), with or without a hub. */
function fleet(clusters: number, accounts: string[], regions: string[], hub: boolean): SentinelConfigInput {
  const places = accounts.flatMap((account) => regions.map((region) => ({ account, region })));
  return {
    clusters: Array.from({ length: clusters }, (_, i) => {
      const p = places[i % places.length] as { account: string; region: string };
      return fleetCluster(`c${i}.k8s.example.com`, p.account, p.region, (i % places.length) + 1);
    }),
    alerts: {
      slack: { kind: 'webhook', secretName: FLEET_SLACK_SECRET },
      email: ['oncall@example.com'],
      ...(hub ? { hub: { account: HUB_ACCOUNT, region: HUB_REGION } } : {}),
    },
  };
}

interface Synth {
  ms: number;
  /** Resources per stack, by construct id; the hub's id ends in `-Hub`. */
  resources: Map<string, number>;
  clustersPerMember: Map<string, number>;
  /** The functions esbuild would bundle for a deploy (left out of the timing). */
  bundles: number;
}

function synth(input: SentinelConfigInput): Synth {
  const started = performance.now();
  const config = parseConfig(input, 'bench config');
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stacks = addFleet(app, config);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const assembly = app.synth();
  const ms = performance.now() - started;
  const resources = new Map<string, number>();
  for (const stack of assembly.stacks) {
    resources.set(stack.id, Object.keys(stack.template.Resources ?? {}).length);
  }
  const clustersPerMember = new Map(
    stacks.members.map((m) => [
      m.node.id,
      config.clusters.filter((c) => c.account === m.account && c.region === m.region).length,
    ]),
  );
  const bundles = app.node.findAll().filter((c) => c instanceof SentinelFunction).length;
  return { ms, resources, clustersPerMember, bundles };
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
/** Alternating synths of each config; the median is reported. */
const RUNS = 3;

export function synthRows(): Row[] {
  const small = fleet(1, ACCOUNTS.slice(0, 1), REGIONS.slice(0, 1), false);
  const large = fleet(20, ACCOUNTS, REGIONS, true);
  synth(small); // load aws-cdk-lib's modules once
  // alternating runs, medians: a busy machine slows both alike
  const ones: Synth[] = [];
  const manys: Synth[] = [];
  for (let i = 0; i < RUNS; i++) {
    ones.push(synth(small));
    manys.push(synth(large));
  }
  const one = { ...(ones[0] as Synth), ms: median(ones.map((s) => s.ms)) };
  const many = { ...(manys[0] as Synth), ms: median(manys.map((s) => s.ms)) };
  const hubId = [...many.resources.keys()].find((id) => id.endsWith('-Hub')) ?? '';
  const members = [...many.resources].filter(([id]) => id !== hubId);
  const memberCounts = members.map(([, n]) => n);
  // a member's resources beyond its clusters' own (one VerifierStalled alarm each): the same in every member
  const fixed = members.map(([id, n]) => n - (many.clustersPerMember.get(id) ?? 0));
  const total = sum([...many.resources.values()]);
  const largest = Math.max(...many.resources.values());
  const oneTotal = sum([...one.resources.values()]);
  return [
    {
      ...info(
        AREA,
        'synth wall time, 1 cluster (1 stack) / 20 clusters (9 stacks), functions not bundled (median of 3)',
        `${Math.round(one.ms)} ms / ${Math.round(many.ms)} ms (a deploy would also bundle ${one.bundles} / ${many.bundles} functions)`,
        Math.round(many.ms),
      ),
      extra: { oneClusterBundles: one.bundles, fleetBundles: many.bundles },
    },
    info(
      AREA,
      'synth time ratio, 20 clusters ÷ 1 cluster',
      `${(many.ms / one.ms).toFixed(2)}×`,
      Math.round((many.ms / one.ms) * 100) / 100,
    ),
    exactly(AREA, 'stacks, 1 cluster in one account (no hub)', one.resources.size, 1),
    exactly(AREA, 'stacks, 20 clusters in 4 accounts × 2 regions with a hub', many.resources.size, 4 * 2 + 1),
    {
      ...info(
        AREA,
        'resources: 1 cluster; 20 clusters: hub / each member (min–max) / total',
        `${oneTotal}; ${many.resources.get(hubId)} / ${Math.min(...memberCounts)}–${Math.max(...memberCounts)} / ${total}`,
        total,
      ),
      extra: { oneCluster: oneTotal, hub: many.resources.get(hubId) ?? 0, total, members: members.length },
    },
    exactly(
      AREA,
      'member resources besides one alarm per cluster: distinct counts across members',
      new Set(fixed).size,
      1,
    ),
    atMost(AREA, 'largest stack, resources (CloudFormation allows 500)', largest, STACK_RESOURCE_LIMIT),
  ];
}
