/** Text helpers for findings, errors and messages: one place for cutting, quoting and listing. */

/** The text, cut to at most `max` characters with an ellipsis as the last one. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** The first `max` characters of the text (an ellipsis after them when cut), as a JSON string. */
export function quoteShort(text: string, max: number): string {
  return JSON.stringify(text.length <= max ? text : `${text.slice(0, max)}…`);
}

/** The first `max` items, comma-separated, with `, …` when there are more. */
export function listSome(items: readonly string[], max: number): string {
  return `${items.slice(0, max).join(', ')}${items.length > max ? ', …' : ''}`;
}
