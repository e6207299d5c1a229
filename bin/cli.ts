import { readFileSync } from 'node:fs';
import { CliError, type CliIo, type Command, type ErrorKind } from './cli/common.ts';
import {
  COMMANDS,
  closest,
  commandHelp,
  GROUPS,
  globalHelp,
  groupHelp,
  parseCommand,
  UsageError,
  usageHint,
} from './cli/spec.ts';

/** Exit codes (the same as bin/cli/format.ts EXIT, repeated here so that `--help` loads nothing else). */
const BAD_INPUT = 2;
const COULD_NOT_EVALUATE = 3;

/** Each command's code, loaded only when it runs. */
const LOADERS: Record<string, () => Promise<Command>> = {
  reconcile: async () => (await import('./cli/reconcile.ts')).reconcileCommand,
  verify: async () => (await import('./cli/verify.ts')).verifyCommand,
  init: async () => (await import('./cli/init.ts')).initCommand,
  rehearse: async () => {
    // the handlers' CloudWatch metrics (EMF lines on stdout in Lambda) would bury the timeline; set
    // before the handlers load, as Powertools reads it when the metrics are constructed
    process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
    try {
      return (await import('./cli/rehearse.ts')).rehearseCommand;
    } catch (err) {
      if ((err as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') throw err;
      throw new CliError(
        'not available',
        `rehearse needs the development sandbox, which this install does not have (missing: ${/Cannot find (?:package|module) '([^']{1,80})/.exec((err as Error).message)?.[1] ?? 'a dev dependency'})`,
        'run it from a clone of the project after `npm ci`',
      );
    }
  },
  'ca import': async () => (await import('./cli/ca-import.ts')).caImportCommand,
};

const defaultIo: CliIo = {
  stdout: { write: (t) => process.stdout.write(t) },
  stderr: { write: (t) => process.stderr.write(t), isTTY: Boolean(process.stderr.isTTY) },
};

export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

function unknownCommand(word: string, io: CliIo, group?: string): number {
  const candidates = group
    ? (GROUPS[group]?.commands ?? []).map((c) => c.slice(group.length + 1))
    : [...Object.keys(COMMANDS).filter((c) => !c.includes(' ')), ...Object.keys(GROUPS), 'help'];
  const near = closest(word, candidates);
  const full = group ? `${group} ${word}` : word;
  io.stderr.write(
    `error: unknown command "${full.slice(0, 40)}"${near ? `; did you mean "${group ? `${group} ` : ''}${near}"?` : ''}\n` +
      `hint: ${usageHint(group)}\n`,
  );
  return BAD_INPUT;
}

/** Resolves `argv` to a command name (or a group) and its remaining arguments. */
function resolve(argv: string[]): { name?: string; group?: string; args: string[]; word?: string } {
  const [first, second] = argv;
  if (first && GROUPS[first]) {
    if (!second || second.startsWith('-')) return { group: first, args: argv.slice(1) };
    const name = `${first} ${second}`;
    return COMMANDS[name]
      ? { name, args: argv.slice(2) }
      : { group: first, word: second, args: argv.slice(2) };
  }
  if (first && COMMANDS[first]) return { name: first, args: argv.slice(1) };
  return { ...(first ? { word: first } : {}), args: argv.slice(1) };
}

function helpFor(words: string[], io: CliIo): number {
  const topic = words.join(' ');
  if (!topic) {
    io.stdout.write(`${globalHelp()}\n`);
    return 0;
  }
  const spec = COMMANDS[topic];
  if (spec) io.stdout.write(`${commandHelp(spec)}\n`);
  else if (GROUPS[topic]) io.stdout.write(`${groupHelp(topic)}\n`);
  else return unknownCommand(topic, io);
  return 0;
}

function exitOf(kind: ErrorKind): number {
  return kind.startsWith('AWS') ? COULD_NOT_EVALUATE : BAD_INPUT;
}

async function report(err: unknown, io: CliIo, command: string): Promise<number> {
  if (err instanceof UsageError) {
    io.stderr.write(`error: ${err.message}\nhint: ${usageHint(err.command ?? command)}\n`);
    return BAD_INPUT;
  }
  if (err instanceof CliError) {
    io.stderr.write(`error (${err.kind}): ${err.message}\n${err.hint ? `hint: ${err.hint}\n` : ''}`);
    return exitOf(err.kind);
  }
  const { awsFaultKind, isAwsFault, remedyForAwsError } = await import('./cli/format.ts');
  const { errorMessage } = await import('../functions/core/aws/errors.ts');
  if (isAwsFault(err)) {
    const described = errorMessage(err);
    io.stderr.write(
      `error (${awsFaultKind(described)}): ${described.split('\n')[0]?.slice(0, 300)}\nhint: ${remedyForAwsError(described)}\n`,
    );
    return COULD_NOT_EVALUATE;
  }
  throw err;
}

/**
 * Runs one CLI invocation and returns its exit code: bad input (usage, file not found, invalid config,
 * unknown cluster) is exit 2 with the kind of problem named, an AWS fault (credentials, permissions, the
 * network) exit 3 with a one-line hint, never a stack.
 */
export async function main(argv: string[], io: CliIo = defaultIo): Promise<number> {
  const [first] = argv;
  if (first === undefined) {
    io.stderr.write(`${globalHelp()}\n`);
    return BAD_INPUT;
  }
  if (first === '--help' || first === '-h') return helpFor([], io);
  if (first === 'help') return helpFor(argv.slice(1), io);
  if (first === '--version' || first === '-V') {
    io.stdout.write(`${version()}\n`);
    return 0;
  }
  const { name, group, word, args } = resolve(argv);
  if (!name) {
    if (group && word === undefined) {
      const wantsHelp = args.includes('--help') || args.includes('-h');
      const stray = args.find((a) => a !== '--help' && a !== '-h');
      if (stray && !wantsHelp) {
        io.stderr.write(
          `error: unknown option "${stray.slice(0, 40)}" for ${group}\nhint: ${usageHint(group)}\n`,
        );
        return BAD_INPUT;
      }
      io[wantsHelp ? 'stdout' : 'stderr'].write(`${groupHelp(group)}\n`);
      return wantsHelp ? 0 : BAD_INPUT;
    }
    if (word?.startsWith('-')) {
      const near = closest(word.replace(/^-+/, ''), ['help', 'version']);
      io.stderr.write(
        `error: unknown option "${word.slice(0, 40)}"${near ? `; did you mean --${near}?` : ''}\nhint: ${usageHint()}\n`,
      );
      return BAD_INPUT;
    }
    return unknownCommand(word ?? '', io, group);
  }
  const spec = COMMANDS[name];
  const load = LOADERS[name];
  if (!spec || !load) return unknownCommand(name, io);
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout.write(`${commandHelp(spec)}\n`);
    return 0;
  }
  try {
    const values = parseCommand(spec, args);
    const command = await load();
    return await command(values, io);
  } catch (err) {
    return report(err, io, name);
  }
}
