import { RegionInfo } from 'aws-cdk-lib/region-info';
import { describe, expect, it } from 'vitest';
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

  it("the stacks' ARNs use the same table", () => {
    for (const r of RegionInfo.regions) expect(stackPartitionOf(r.name)).toBe(partitionOf(r.name));
  });
});
