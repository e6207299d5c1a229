/** What every CLI command shares: its output streams, its parsed options, and the kinds of error it reports. */
import { UsageError } from './spec.ts';

export { UsageError };

type Out = { write(text: string): void };

export interface CliIo {
  stdout: Out;
  /** `isTTY`: progress lines are written only to a terminal. */
  stderr: Out & { isTTY?: boolean };
}

export type Values = Record<string, string | boolean | string[] | undefined>;

export type Command = (values: Values, io: CliIo) => Promise<number>;

/** What kind of problem stopped a command; each kind has its exit code (2 bad input, 3 could not evaluate). */
export type ErrorKind =
  | 'file not found'
  | 'invalid config'
  | 'unknown cluster'
  | 'AWS unreachable'
  | 'AWS credentials'
  | 'AWS permission'
  | 'AWS call failed'
  | 'not available';

export class CliError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export function requireOption(value: unknown, flag: string, command: string): string {
  if (typeof value !== 'string' || !value) throw new UsageError(`${flag} is required`, command);
  return value;
}

/** `--concurrency`: how many clusters a run evaluates at once, 1 to 16. */
export function concurrencyOf(value: unknown, command: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 16)
    throw new UsageError(
      `--concurrency: found "${String(value).slice(0, 20)}"; expected a whole number from 1 to 16`,
      command,
    );
  return n;
}
