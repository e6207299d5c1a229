/**
 * The AWS partition of a region, from its name alone: one table for the functions, the plan and
 * the CDK app, so an ARN is spelled the same everywhere. Every partition aws-cdk-lib's RegionInfo
 * knows is here (test/infra/partition.test.ts compares them region by region); a region no prefix
 * matches is commercial (`aws`).
 */
const PARTITIONS: readonly (readonly [prefix: string, partition: string])[] = [
  // longest prefixes first: us-isob- and us-isof- before us-iso-
  ['us-isob-', 'aws-iso-b'],
  ['us-isof-', 'aws-iso-f'],
  ['us-iso-', 'aws-iso'],
  ['eu-isoe-', 'aws-iso-e'],
  ['us-gov-', 'aws-us-gov'],
  ['eusc-', 'aws-eusc'],
  ['cn-', 'aws-cn'],
];

/** `aws`, `aws-cn`, `aws-us-gov`, `aws-iso`, `aws-iso-b`, `aws-iso-e`, `aws-iso-f` or `aws-eusc`. */
export function partitionOf(region: string): string {
  return PARTITIONS.find(([prefix]) => region.startsWith(prefix))?.[1] ?? 'aws';
}
