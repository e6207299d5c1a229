import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { anchorsOf, linksOf } from './markdown.ts';

/**
 * Every relative link in README.md and docs/*.md leads somewhere: the file exists and, when the
 * link names an anchor in a Markdown page, that page has a heading with GitHub's anchor for it.
 */

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const PAGES = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

const anchorCache = new Map<string, Set<string>>();
function anchorsIn(path: string): Set<string> {
  let anchors = anchorCache.get(path);
  if (!anchors) {
    anchors = anchorsOf(readFileSync(path, 'utf8'));
    anchorCache.set(path, anchors);
  }
  return anchors;
}

/** Why a link from `page` to `target` does not resolve, or undefined when it does. */
function brokenBecause(page: string, target: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return undefined; // https:, mailto: ...
  const [pathPart = '', fragment] = target.split('#', 2);
  const file = pathPart === '' ? join(ROOT, page) : resolve(dirname(join(ROOT, page)), decodeURI(pathPart));
  if (relative(ROOT, file).startsWith('..')) return 'leads outside the repository';
  if (!existsSync(file)) return 'no such file';
  if (fragment === undefined) return undefined;
  if (!file.endsWith('.md') || statSync(file).isDirectory())
    return 'an anchor in a page that is not Markdown';
  return anchorsIn(file).has(decodeURIComponent(fragment)) ? undefined : 'no heading with that anchor';
}

describe('links in README.md and docs/*.md', () => {
  it('finds the pages and their links', () => {
    expect(PAGES).toEqual(expect.arrayContaining(['README.md', 'docs/runbook.md', 'docs/config.md']));
    const count = PAGES.reduce((n, p) => n + linksOf(readFileSync(join(ROOT, p), 'utf8')).length, 0);
    expect(count).toBeGreaterThan(20);
  });

  it.each(PAGES)('%s: every relative link resolves, file and anchor', (page) => {
    const broken = linksOf(readFileSync(join(ROOT, page), 'utf8')).flatMap((l) => {
      const why = brokenBecause(page, l.target);
      return why ? [`${page}:${l.line} ${l.target}: ${why}`] : [];
    });
    expect(broken).toEqual([]);
  });

  it('catches a broken file, a broken anchor and an anchor on the wrong page', () => {
    expect(brokenBecause('README.md', 'docs/nowhere.md')).toBe('no such file');
    expect(brokenBecause('README.md', '#no-such-heading')).toBe('no heading with that anchor');
    expect(brokenBecause('docs/cli.md', '#setup')).toBe('no heading with that anchor');
    expect(brokenBecause('docs/cli.md', '../README.md#setup')).toBeUndefined();
    expect(brokenBecause('README.md', 'https://example.com/#x')).toBeUndefined();
  });
});

describe('GitHub anchors', () => {
  it('lower-cases, drops punctuation but - and _, turns spaces into -, numbers repeats', () => {
    const page =
      '# A `code`: (title)\n## A `code`: (title)\n```sh\n## not a heading\n```\n## LB_NOT_ATTACHED\n';
    expect([...anchorsOf(page)]).toEqual(['a-code-title', 'a-code-title-1', 'lb_not_attached']);
  });

  it('reads link targets outside code, keeping links whose text is code', () => {
    const page =
      'see [`X`](a.md#x) and `[no](b.md)`\n```\n[no](c.md)\n```\n<!-- [no](d.md) -->\n[yes](e.md "t")';
    expect(linksOf(page).map((l) => l.target)).toEqual(['a.md#x', 'e.md']);
  });
});
