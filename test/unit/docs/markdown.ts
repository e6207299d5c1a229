/**
 * The little Markdown the doc tests need: headings and links outside fenced code blocks, and
 * the anchors GitHub gives headings.
 */

export interface Heading {
  level: number;
  text: string;
  line: number;
}

export interface Link {
  target: string;
  line: number;
}

/** The lines outside fenced code blocks and HTML comments, with their 1-based numbers. */
function prose(markdown: string): Array<{ text: string; line: number }> {
  const uncommented = markdown.replace(/<!--[\s\S]*?-->/g, (c) => c.replace(/[^\n]/g, ''));
  const out: Array<{ text: string; line: number }> = [];
  let fenced = false;
  uncommented.split('\n').forEach((raw, i) => {
    const line = raw.trimEnd();
    if (/^\s*(```|~~~)/.test(line)) {
      fenced = !fenced;
      return;
    }
    if (!fenced) out.push({ text: line, line: i + 1 });
  });
  return out;
}

/** ATX headings outside fenced code blocks and HTML comments (a `## ` in a shell example is not one). */
export function headingsOf(markdown: string): Heading[] {
  const out: Heading[] = [];
  for (const { text, line } of prose(markdown)) {
    const m = /^(#{1,6}) (.+)$/.exec(text);
    if (m?.[1] && m[2]) out.push({ level: m[1].length, text: m[2].trim(), line });
  }
  return out;
}

/** GitHub's heading anchor: lower case, punctuation other than `-` and `_` dropped, spaces to `-`. */
export function anchorOf(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** Every anchor of a page as GitHub makes them: a repeated one gets `-1`, `-2`, ... */
export function anchorsOf(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const h of headingsOf(markdown)) {
    const base = anchorOf(h.text);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

/** Inline link targets `[text](target)` in prose, code spans left out. */
export function linksOf(markdown: string): Link[] {
  const out: Link[] = [];
  for (const { text, line } of prose(markdown)) {
    // Empty every code span, left to right: `[`x`](y)` keeps its link, `` `[x](y)` `` has none.
    const bare = text.replace(/`[^`]*`/g, '``');
    for (const m of bare.matchAll(/\]\(([^()\s]+)(?:\s+"[^"]*")?\)/g)) {
      if (m[1]) out.push({ target: m[1], line });
    }
  }
  return out;
}
