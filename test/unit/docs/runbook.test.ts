import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runbookLink } from '../../../functions/core/alerts/fixes.ts';
import { CODES, type CodeInfo } from '../../../functions/core/findings/codes.ts';
import { anchorOf, headingsOf } from './markdown.ts';

/**
 * docs/runbook.md has one `## CODE` section per finding code, because alerts link to
 * `docs/runbook.md#<code lower-cased>`. That every code also has a one-line fix in FIXES is
 * checked in test/unit/alerts/messages.test.ts, not here.
 */

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const RUNBOOK_PATH = join(ROOT, 'docs', 'runbook.md');

/** A heading whose text is an upper-case identifier is a code heading (and must name a code). */
const CODE_HEADING = /^## ([A-Z][A-Z0-9_]*)\s*$/;
/** An index row: | [`CODE`](#code) | severity | check | title | */
const INDEX_ROW = /^\| \[`([A-Z][A-Z0-9_]*)`\]\(#([a-z0-9_]+)\) \| ([a-z]+) \| ([a-z-]+) \| (.+?) \|$/gm;
const SUMMARY_LINE = /^Severity: \*\*([a-z]+)\*\* · Check: \*\*([a-z-]+)\*\*/m;

interface Section {
  code: string;
  line: number;
  body: string;
}

/** The code sections, each with its text up to the next heading of level 1 or 2. */
function sectionsOf(markdown: string): Section[] {
  const lines = markdown.split('\n');
  const headings = headingsOf(markdown);
  const out: Section[] = [];
  headings.forEach((h, i) => {
    const m = CODE_HEADING.exec(`${'#'.repeat(h.level)} ${h.text}`);
    if (!m?.[1]) return;
    const next = headings.slice(i + 1).find((x) => x.level <= 2);
    const end = next ? next.line - 1 : lines.length;
    out.push({ code: m[1], line: h.line, body: lines.slice(h.line, end).join('\n') });
  });
  return out;
}

const runbook = readFileSync(RUNBOOK_PATH, 'utf8');
const sections = sectionsOf(runbook);
const catalogue = CODES as Record<string, CodeInfo>;
const codes = Object.keys(catalogue);

describe('docs/runbook.md', () => {
  it('has a `## CODE` section for every finding code', () => {
    const documented = new Set(sections.map((s) => s.code));
    const missing = codes.filter((c) => !documented.has(c));
    expect(missing, `codes without a "## CODE" heading in docs/runbook.md: ${missing.join(', ')}`).toEqual(
      [],
    );
  });

  it('has no section for a code that does not exist', () => {
    const unknown = sections.filter((s) => !(s.code in catalogue)).map((s) => `${s.code} (line ${s.line})`);
    expect(unknown, `runbook headings that are not finding codes: ${unknown.join(', ')}`).toEqual([]);
  });

  it('documents each code once', () => {
    const seen = new Map<string, number>();
    for (const s of sections) seen.set(s.code, (seen.get(s.code) ?? 0) + 1);
    const twice = [...seen].filter(([, n]) => n > 1).map(([c]) => c);
    expect(twice).toEqual([]);
  });

  it("states each code's severity and check as the catalogue has them", () => {
    const wrong: string[] = [];
    for (const s of sections) {
      const info = catalogue[s.code];
      if (!info) continue;
      const m = SUMMARY_LINE.exec(s.body);
      if (!m) {
        wrong.push(`${s.code}: no "Severity: **…** · Check: **…**" line`);
        continue;
      }
      if (m[1] !== info.severity) wrong.push(`${s.code}: severity ${m[1]}, catalogue says ${info.severity}`);
      if (m[2] !== info.check) wrong.push(`${s.code}: check ${m[2]}, catalogue says ${info.check}`);
    }
    expect(wrong).toEqual([]);
  });

  it('orders the sections by check, in the order the catalogue introduces the checks', () => {
    const checkOf = (code: string): string => catalogue[code]?.check ?? '';
    const checkOrder = [...new Set(codes.map(checkOf))];
    const seenChecks = sections.map((s) => checkOf(s.code)).filter((c) => c !== '');
    // Collapse runs of the same check: the result must be each check once, in catalogue order.
    const runs = seenChecks.filter((c, i) => i === 0 || seenChecks[i - 1] !== c);
    expect(runs).toEqual(checkOrder.filter((c) => seenChecks.includes(c)));
  });

  it("gives every section the anchor the alerts' runbook links point at", () => {
    const anchors = headingsOf(runbook).map((h) => anchorOf(h.text));
    for (const code of codes) {
      const fragment = runbookLink(code).split('#')[1];
      expect(anchors, `no heading with anchor #${fragment}`).toContain(fragment);
    }
    // A repeated anchor gets a `-1` suffix on GitHub, so the link would land on the first one.
    const duplicates = anchors.filter((a, i) => anchors.indexOf(a) !== i);
    expect(duplicates).toEqual([]);
  });

  it('opens with an index that lists exactly the catalogue, in the order of the entries', () => {
    const index = runbook.split('\n## Index of codes\n')[1]?.split('\n## ')[0];
    expect(index, 'no "## Index of codes" section').toBeDefined();
    const indexLine = runbook.split('\n').indexOf('## Index of codes') + 1;
    const firstEntry = sections[0]?.line ?? 0;
    expect(indexLine).toBeGreaterThan(0);
    expect(indexLine).toBeLessThan(firstEntry);
    const rows = [...(index ?? '').matchAll(INDEX_ROW)];
    const wrong: string[] = [];
    for (const [, code = '', anchor, severity, check, title] of rows) {
      const info = catalogue[code];
      if (!info) wrong.push(`${code}: not a finding code`);
      else if (severity !== info.severity || check !== info.check || title !== info.title)
        wrong.push(
          `${code}: "${severity} | ${check} | ${title}", catalogue says "${info.severity} | ${info.check} | ${info.title}"`,
        );
      if (anchor !== code.toLowerCase()) wrong.push(`${code}: links #${anchor}`);
    }
    expect(wrong).toEqual([]);
    const listed = rows.map((r) => r[1]);
    expect(listed, 'index rows, in the order of the `## CODE` entries').toEqual(sections.map((s) => s.code));
    expect([...listed].sort()).toEqual([...codes].sort());
  });
});
