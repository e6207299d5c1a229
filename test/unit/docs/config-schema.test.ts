import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../../functions/core/config/load.ts';
import {
  buildConfigSchema,
  meaningsOf,
  REFERENCE_PATH,
  ROOT,
  SCHEMA_PATH,
} from '../../../scripts/config-schema.ts';

/** config/schema.json is what scripts/config-schema.ts makes of the zod schema and docs/config.md today. */

const reference = readFileSync(REFERENCE_PATH, 'utf8');
const built = buildConfigSchema(reference);
const schema = JSON.parse(built.text) as {
  properties: Record<string, { items?: { properties: Record<string, Record<string, unknown>> } }>;
  additionalProperties?: boolean;
};

describe('config/schema.json', () => {
  it('is up to date with the zod schema and docs/config.md (else: npx tsx scripts/config-schema.ts)', () => {
    expect(readFileSync(SCHEMA_PATH, 'utf8')).toBe(built.text);
  });

  it('describes fields only the schema has', () => {
    expect(built.unmatched).toEqual([]);
    expect(meaningsOf(reference).size).toBeGreaterThan(30);
  });

  it("carries the zod schema's rules and the reference's meanings", () => {
    expect(schema.additionalProperties).toBe(false);
    const cluster = schema.properties.clusters?.items?.properties ?? {};
    expect(cluster.mode?.enum).toEqual(['repair', 'report-only']);
    expect(cluster.account?.pattern).toBe('^\\d{12}$');
    expect(cluster.vpcId?.description).toBe("The cluster's VPC; the verifier function is placed in it.");
  });

  it('is what the example config points editors at, and the example still loads', () => {
    const example = readFileSync(join(ROOT, 'config', 'example.yaml'), 'utf8');
    expect(example.split('\n')[0]).toBe('# yaml-language-server: $schema=./schema.json');
    expect(loadConfigFile(join(ROOT, 'config', 'example.yaml')).clusters[0]?.name).toBe('k8s.example.com');
  });
});
