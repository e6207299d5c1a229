import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The planner is pure: no module it reaches at run time imports an AWS client or opens a socket.
 * Type-only imports are erased by the compiler and are not followed.
 */
const ROOT = resolve(import.meta.dirname, '../../..');
const FORBIDDEN = [/^@aws-sdk\//, /^(node:)?(net|tls|dns)$/];
const MAX_MODULES = 500;

/** Specifiers a module imports or re-exports at run time (static and dynamic). */
function runtimeSpecifiers(source: string): string[] {
  const out: string[] = [];
  const statement = /(?:^|\n)\s*(import|export)\s+([^'";]*?)\s*from\s*['"]([^'"]+)['"]/g;
  for (const m of source.matchAll(statement)) {
    const clause = (m[2] ?? '').trim();
    if (clause.startsWith('type ')) continue;
    const named = /^\{([^}]*)\}$/.exec(clause);
    if (named) {
      const names = (named[1] ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      if (names.length > 0 && names.every((n) => n.startsWith('type '))) continue;
    }
    out.push(m[3] ?? '');
  }
  for (const m of source.matchAll(/(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g)) out.push(m[1] ?? '');
  for (const m of source.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) out.push(m[1] ?? '');
  return out;
}

/** Every forbidden import reachable from the entry files, as `module -> specifier`. */
function impurities(entries: readonly string[]): string[] {
  const seen = new Set<string>();
  const queue = [...entries];
  const found: string[] = [];
  while (queue.length > 0) {
    const file = queue.shift() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    if (seen.size > MAX_MODULES)
      throw new Error(`more than ${MAX_MODULES} modules reached from ${entries[0]}`);
    for (const spec of runtimeSpecifiers(readFileSync(file, 'utf8'))) {
      if (spec.startsWith('.')) queue.push(resolve(dirname(file), spec));
      else if (FORBIDDEN.some((re) => re.test(spec))) found.push(`${file.slice(ROOT.length + 1)} -> ${spec}`);
    }
  }
  return found;
}

const planDir = join(ROOT, 'functions/core/plan');
const planFiles = readdirSync(planDir, { recursive: true })
  .map(String)
  .filter((f) => f.endsWith('.ts'))
  .map((f) => join(planDir, f));

describe('the planner is pure', () => {
  it('finds the plan modules', () => {
    expect(planFiles.map((f) => f.slice(planDir.length + 1))).toContain('plan.ts');
  });

  it('reaches no AWS client and no socket from functions/core/plan/**', () => {
    expect(impurities(planFiles)).toEqual([]);
  });

  it('reaches no AWS client and no socket from the kops foresight (functions/core/kops/foresight.ts)', () => {
    expect(impurities([join(ROOT, 'functions/core/kops/foresight.ts')])).toEqual([]);
  });

  it('the walk does see an AWS client where one is imported (the test can fail)', () => {
    const found = impurities([join(ROOT, 'functions/core/observe/picture.ts')]);
    expect(found).toContain('functions/core/observe/instances.ts -> @aws-sdk/client-ec2');
  });

  it('ignores type-only imports and follows mixed ones', () => {
    const src = [
      "import type { A } from './a.ts';",
      "import { type B, type C } from './b.ts';",
      "import { type D, e } from './d.ts';",
      "export { f } from './f.ts';",
      "export type { G } from './g.ts';",
      "import * as net from 'node:net';",
    ].join('\n');
    expect(runtimeSpecifiers(src)).toEqual(['./d.ts', './f.ts', 'node:net']);
  });
});
