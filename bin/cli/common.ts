/** What every CLI command shares: its output streams, its options, and the bad-input error. */
export class UsageError extends Error {}

type Out = { write(text: string): void };

export interface CliIo {
  stdout: Out;
  stderr: Out;
}

export type Command = (args: string[], io: CliIo) => Promise<number>;

export const commonOptions = {
  config: { type: 'string' },
  cluster: { type: 'string' },
  json: { type: 'boolean', default: false },
  all: { type: 'boolean', default: false },
} as const;

export function requireOption(value: string | undefined, flag: string): string {
  if (!value) throw new UsageError(`${flag} is required`);
  return value;
}
