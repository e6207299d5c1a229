import type { Log } from '../../functions/core/log.ts';

/** CLI logging goes to stderr, so stdout stays a clean table or JSON document. */
export function stderrLog(quiet: boolean): Log {
  const write = (level: string, message: string) => {
    if (!quiet || level !== 'info') process.stderr.write(`${level}: ${message}\n`);
  };
  return {
    debug: () => {},
    info: (m) => write('info', m),
    warn: (m) => write('warn', m),
    error: (m) => write('error', m),
  };
}
