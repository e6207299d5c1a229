import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DETAIL_TYPES, EVENT_SOURCE } from '../../../functions/core/alerts/events.ts';
import { SentinelConfigSchema } from '../../../functions/core/config/schema.ts';

/** The README documents every config field and every event the sentinel puts on the bus. */

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const reference = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** The parts of a zod schema's definition the walk reads. */
interface SchemaNode {
  _zod: {
    def: {
      type: string;
      shape?: Record<string, SchemaNode>;
      innerType?: SchemaNode;
      in?: SchemaNode;
      element?: SchemaNode;
      options?: SchemaNode[];
    };
  };
}

const WRAPPERS = new Set(['default', 'optional', 'nullable', 'prefault', 'readonly']);

/** Dotted paths of every field, `[]` marking list items: `clusters[].api.port`. */
function fieldPaths(node: SchemaNode, path = '', out = new Set<string>()): Set<string> {
  const def = node._zod.def;
  if (def.type === 'object' && def.shape) {
    for (const [key, child] of Object.entries(def.shape))
      fieldPaths(child, path ? `${path}.${key}` : key, out);
  } else if (WRAPPERS.has(def.type) && def.innerType) {
    fieldPaths(def.innerType, path, out);
  } else if (def.type === 'pipe' && def.in) {
    fieldPaths(def.in, path, out);
  } else if (def.type === 'array' && def.element) {
    const item = def.element._zod.def.type;
    if (item === 'object' || item === 'union' || WRAPPERS.has(item))
      fieldPaths(def.element, `${path}[]`, out);
    else out.add(path);
  } else if (def.type === 'union' && def.options) {
    out.add(path);
    for (const option of def.options) fieldPaths(option, path, out);
  } else {
    out.add(path);
  }
  return out;
}

describe('README.md', () => {
  it('documents every field of the config schema', () => {
    const paths = [...fieldPaths(SentinelConfigSchema as unknown as SchemaNode)];
    expect(paths.length).toBeGreaterThan(30);
    const missing = paths.filter((p) => !reference.includes(`\`${p}\``));
    expect(missing, `config fields not in the README: ${missing.join(', ')}`).toEqual([]);
  });

  it("documents the sentinel's own events", () => {
    expect(reference).toContain(`\`${EVENT_SOURCE}\``);
    const missing = Object.values(DETAIL_TYPES).filter((t) => !reference.includes(`\`${t}\``));
    expect(missing).toEqual([]);
  });

  it('gives the two commands of a fresh machine on its first screen, and both scripts exist', () => {
    const firstScreen = reference.split('\n').slice(0, 25).join('\n');
    expect(firstScreen).toContain('npm ci && npm run rehearse');
    expect(firstScreen).toContain('npm ci && npm test');
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(Object.keys(pkg.scripts)).toEqual(expect.arrayContaining(['rehearse', 'test', 'bench']));
  });
});
