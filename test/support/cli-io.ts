import type { CliIo } from '../../bin/cli/common.ts';

/** A CLI io that keeps what was written; `tty` makes stderr look like a terminal (progress lines). */
export function capture(opts: { tty?: boolean } = {}) {
  const out = { stdout: '', stderr: '' };
  const io: CliIo = {
    stdout: {
      write: (t: string) => {
        out.stdout += t;
      },
    },
    stderr: {
      write: (t: string) => {
        out.stderr += t;
      },
      isTTY: opts.tty ?? false,
    },
  };
  return { out, io };
}
