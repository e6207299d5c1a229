/** A planned config value with where it came from, and the small list helpers the planning shares. */

/** A value and where it came from (written as a comment above it). */
export interface Sourced<T> {
  value: T;
  from: string;
}

/** The items without repeats, in first-seen order. */
export function unique<T>(items: Iterable<T>): T[] {
  return [...new Set(items)];
}
