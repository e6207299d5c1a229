/**
 * The logging the core needs, the one logger interface: Powertools' Logger (through
 * functions/shared/powertools.ts), the CLI's stderr logger and the tests' silent one satisfy it.
 */
export interface Log {
  debug(message: string, extra?: Record<string, unknown>): void;
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

/** Says nothing: for tests, benches and callers that have no logger. */
export const silentLog: Log = { debug() {}, info() {}, warn() {}, error() {} };
