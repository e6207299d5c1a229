import { RegionInfo } from 'aws-cdk-lib/region-info';
import { describe, expect, it } from 'vitest';
import { REGION } from '../../functions/core/aws/names.ts';
import { partitionOf } from '../../functions/core/aws/partition.ts';
import { partitionOf as stackPartitionOf } from '../../lib/constructs/permissions.ts';

describe('partitions', () => {
  it("the core's table agrees with aws-cdk-lib's RegionInfo for every region it lists", () => {
    const regions = RegionInfo.regions;
    expect(regions.length).toBeGreaterThan(30);
    const disagree = regions
      .filter((r) => partitionOf(r.name) !== r.partition)
      .map((r) => `${r.name}: core ${partitionOf(r.name)}, RegionInfo ${r.partition}`);
    expect(disagree).toEqual([]);
    // aws, aws-cn, aws-us-gov, aws-iso, aws-iso-b, aws-iso-e, aws-iso-f, aws-eusc at least
    const partitions = new Set(regions.map((r) => r.partition));
    expect(partitions.size).toBeGreaterThanOrEqual(8);
  });

  it('a config can name every region RegionInfo lists, and nothing shaped otherwise', () => {
    expect(RegionInfo.regions.map((r) => r.name).filter((name) => !REGION.test(name))).toEqual([]);
    for (const bad of ['eu-west', 'EU-west-1', 'eu-west-1-', 'a-b-1', 'eu-west-north-south-1', 'eu-west-12x'])
      expect(REGION.test(bad), bad).toBe(false);
  });

  it("the stacks' ARNs use the same table", () => {
    for (const r of RegionInfo.regions) expect(stackPartitionOf(r.name)).toBe(partitionOf(r.name));
  });
});
