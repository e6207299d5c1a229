import { parse } from '@aws-lambda-powertools/parser';
import type * as z from 'zod/v4/core';
import { MalformedEventError } from './errors.ts';

type Path = readonly (PropertyKey | { key: PropertyKey })[];

/** A value parsed by Powertools Parser, or the first problem: its path and what is wrong. */
export function parseFirstIssue<S extends z.$ZodType>(
  schema: S,
  input: unknown,
): { ok: true; data: z.output<S> } | { ok: false; path: string[]; message: string } {
  const result = parse(input, undefined, schema, true);
  if (result.success) return { ok: true, data: result.data as z.output<S> };
  const issues = (result.error.cause ?? []) as readonly { message: string; path?: Path }[];
  const first = issues[0];
  const path = (first?.path ?? []).map((p) => String(typeof p === 'object' ? p.key : p));
  return { ok: false, path, message: first?.message ?? 'is malformed' };
}

/**
 * Parses a value with Powertools Parser against a schema; the first problem becomes a
 * MalformedEventError naming the field (`fieldOf` turns the schema's path into the field name the
 * error contract uses) and saying what is wrong with it.
 */
export function parseShape<S extends z.$ZodType>(
  schema: S,
  input: unknown,
  fieldOf: (path: string[]) => string,
): z.output<S> {
  const result = parseFirstIssue(schema, input);
  if (result.ok) return result.data;
  throw new MalformedEventError(fieldOf(result.path), result.message);
}

/** The value parsed by a schema when it has the schema's shape; undefined (no error) otherwise. */
export function shapeOf<S extends z.$ZodType>(schema: S, input: unknown): z.output<S> | undefined {
  const result = parse(input, undefined, schema, true);
  return result.success ? (result.data as z.output<S>) : undefined;
}

/** Field names of the error contract: `event` and `event.<key>` for an event's own fields. */
export const eventField = (path: string[]): string => (path.length ? `event.${path.join('.')}` : 'event');
/** `detail.<key>` for the fields of an event's detail. */
export const detailField = (path: string[]): string => `detail.${path.join('.')}`;
