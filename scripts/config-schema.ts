/**
 * Writes config/schema.json, the config's JSON Schema for editors, from the zod schema
 * (functions/core/config/schema.ts) with each field's meaning taken from docs/config.md.
 *
 *   npx tsx scripts/config-schema.ts          # write it
 *   npx tsx scripts/config-schema.ts --check  # exit 1 when the committed file is stale
 *
 * `npm test` fails when the file is stale (test/unit/docs/config-schema.test.ts).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as z from 'zod';
import { SentinelConfigSchema } from '../functions/core/config/schema.ts';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const SCHEMA_PATH = join(ROOT, 'config', 'schema.json');
export const REFERENCE_PATH = join(ROOT, 'docs', 'config.md');

type JsonSchema = { [key: string]: unknown };

/** Formats zod emits that are not JSON Schema's (editors would flag or ignore them). */
const NON_STANDARD_FORMATS = new Set(['includes', 'starts_with', 'ends_with', 'regex']);

/** Markdown of a table cell as plain text: code marks, emphasis and link targets dropped. */
function plain(cell: string): string {
  return cell
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\*\*([^*]*)\*\*/g, '$1')
    .replace(/`([^`]*)`/g, '$1')
    .trim();
}

/** `field path → meaning` from the reference's tables (`| \`path\` | type | default | allowed | meaning |`). */
export function meaningsOf(reference: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of reference.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    // ['', '`path`', type, default, allowed, meaning, '']
    const m = /^`([A-Za-z][\w.[\]]*)`$/.exec(cells[1] ?? '');
    if (!m?.[1] || cells.length !== 7) continue;
    const meaning = plain(cells[5] ?? '');
    if (meaning) out.set(m[1], meaning);
  }
  return out;
}

/** The schema nodes a dotted path (`clusters[].ca.pem`) names, through unions (`oneOf`, `anyOf`). */
function nodesAt(root: JsonSchema, path: string): JsonSchema[] {
  let nodes = [root];
  for (const segment of path.split('.')) {
    const list = segment.endsWith('[]');
    const key = list ? segment.slice(0, -2) : segment;
    nodes = nodes.flatMap(branches).flatMap((n) => {
      const child = (n.properties as Record<string, JsonSchema> | undefined)?.[key];
      if (!child) return [];
      return list ? branches(child).flatMap((c) => (c.items ? [c.items as JsonSchema] : [])) : [child];
    });
  }
  return nodes;
}

function branches(node: JsonSchema): JsonSchema[] {
  const alternatives = [node.oneOf, node.anyOf].find(Array.isArray) as JsonSchema[] | undefined;
  return alternatives ? [node, ...alternatives] : [node];
}

function dropNonStandardFormats(node: unknown): void {
  if (Array.isArray(node)) {
    for (const n of node) dropNonStandardFormats(n);
  } else if (node && typeof node === 'object') {
    const obj = node as JsonSchema;
    if (typeof obj.format === 'string' && NON_STANDARD_FORMATS.has(obj.format)) delete obj.format;
    for (const v of Object.values(obj)) dropNonStandardFormats(v);
  }
}

/** The schema as it must be committed; `unmatched` lists documented paths the schema has no node for. */
export function buildConfigSchema(reference: string): { text: string; unmatched: string[] } {
  const schema = z.toJSONSchema(SentinelConfigSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  dropNonStandardFormats(schema);
  const unmatched: string[] = [];
  for (const [path, meaning] of meaningsOf(reference)) {
    const nodes = nodesAt(schema, path);
    if (nodes.length === 0) unmatched.push(path);
    for (const node of nodes) node.description = meaning;
  }
  const { $schema, ...rest } = schema;
  const out = {
    $schema,
    title: 'kops-api-sentinel config',
    description:
      'The clusters one kops-api-sentinel stack looks after. Generated from functions/core/config/schema.ts by scripts/config-schema.ts; every field is explained in docs/config.md.',
    ...rest,
  };
  return { text: `${JSON.stringify(out, null, 2)}\n`, unmatched };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { text, unmatched } = buildConfigSchema(readFileSync(REFERENCE_PATH, 'utf8'));
  if (unmatched.length > 0) {
    console.error(`docs/config.md documents fields the schema does not have: ${unmatched.join(', ')}`);
    process.exit(1);
  }
  if (process.argv.includes('--check')) {
    const stale = readFileSync(SCHEMA_PATH, 'utf8') !== text;
    console.log(stale ? 'config/schema.json is stale: run npx tsx scripts/config-schema.ts' : 'up to date');
    process.exit(stale ? 1 : 0);
  }
  writeFileSync(SCHEMA_PATH, text);
  console.log(`wrote ${SCHEMA_PATH}`);
}
