import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DETAIL_TYPES, EVENT_SOURCE } from '../../../functions/core/alerts/events.ts';
import { SentinelConfigSchema } from '../../../functions/core/config/schema.ts';

/**
 * The README is the first screen and a table of contents; docs/config.md documents every config
 * field and docs/events.md every event the sentinel puts on the bus.
 */

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const configReference = readFileSync(join(ROOT, 'docs', 'config.md'), 'utf8');
const eventsReference = readFileSync(join(ROOT, 'docs', 'events.md'), 'utf8');

/** The pages the README's contents must lead to. */
const DOC_PAGES = [
  'deploy.md',
  'config.md',
  'cli.md',
  'slack.md',
  'events.md',
  'design.md',
  'benchmarks.md',
  'runbook.md',
];

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

describe('docs/config.md', () => {
  it('documents every field of the config schema', () => {
    const paths = [...fieldPaths(SentinelConfigSchema as unknown as SchemaNode)];
    expect(paths.length).toBeGreaterThan(30);
    const missing = paths.filter((p) => !configReference.includes(`\`${p}\``));
    expect(missing, `config fields not in docs/config.md: ${missing.join(', ')}`).toEqual([]);
  });
});

describe('docs/events.md', () => {
  it("documents the sentinel's own events", () => {
    expect(eventsReference).toContain(`\`${EVENT_SOURCE}\``);
    const missing = Object.values(DETAIL_TYPES).filter((t) => !eventsReference.includes(`\`${t}\``));
    expect(missing).toEqual([]);
  });
});

describe('README.md', () => {
  it('fits: at most 250 lines', () => {
    expect(readme.split('\n').length).toBeLessThanOrEqual(250);
  });

  it('leads to every page of docs/ from its contents', () => {
    const contents = readme.split('\n## Contents')[1]?.split('\n## ')[0] ?? '';
    const missing = DOC_PAGES.filter((page) => !contents.includes(`](docs/${page})`));
    expect(missing, `docs pages missing from the README's contents: ${missing.join(', ')}`).toEqual([]);
  });

  it('gives the deploy commands once', () => {
    for (const command of ['npx cdk deploy -c sentinel:config=', 'cp config/example.yaml']) {
      const everywhere = ['README.md', ...DOC_PAGES.map((p) => `docs/${p}`)].map(
        (p) => readFileSync(join(ROOT, p), 'utf8').split(command).length - 1,
      );
      expect(
        everywhere.reduce((a, b) => a + b, 0),
        command,
      ).toBe(1);
    }
  });

  it('gives the two commands of a fresh machine on its first screen, and both scripts exist', () => {
    const firstScreen = readme.split('\n').slice(0, 25).join('\n');
    expect(firstScreen).toContain('npm ci && npm run rehearse');
    expect(firstScreen).toContain('npm ci && npm test');
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(Object.keys(pkg.scripts)).toEqual(expect.arrayContaining(['rehearse', 'test', 'bench']));
  });
});
