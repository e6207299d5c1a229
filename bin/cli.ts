import { ConfigError } from '../functions/core/config/load.ts';
import { errorMessage } from '../functions/core/lb/errors.ts';
import { caImportCommand } from './cli/ca-import.ts';
import { type CliIo, type Command, UsageError } from './cli/common.ts';
import { EXIT, isAwsFault, remedyForAwsError } from './cli/format.ts';
import { reconcileCommand } from './cli/reconcile.ts';
import { rehearseCommand } from './cli/rehearse.ts';
import { verifyCommand } from './cli/verify.ts';

const USAGE = `usage: kops-api-sentinel <command> [options]

commands:
  reconcile --config <file> [--cluster <name>] [--dry-run] [--json] [--all]
      make every control-plane instance attached and registered on the internal load balancers
  verify --config <file> [--cluster <name>] [--json] [--all] [--connect-to HOST:PORT:ADDR:PORT]...
      check listeners, health checks, instance health and TLS from where kubelet stands
  ca import --config <file> --cluster <name> (--keyset <file> | --state-store s3://bucket[/prefix])
      write the cluster CA's public bundle to the configured SSM parameter
  rehearse [--report-only] [--groups <n>]
      play a kops upgrade against a local AWS (moto) and local TLS servers

exit codes: 0 in sync, 1 drift remains, 2 bad input,
  3 could not evaluate (no credentials, an AWS call failed, the cluster CA unavailable; a hint on stderr)
AWS access: the standard credential chain; AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE> are honoured.`;

const COMMANDS: Record<string, Command> = {
  reconcile: reconcileCommand,
  verify: verifyCommand,
  rehearse: rehearseCommand,
  'ca import': caImportCommand,
};

const defaultIo: CliIo = {
  stdout: { write: (t) => process.stdout.write(t) },
  stderr: { write: (t) => process.stderr.write(t) },
};

function isParseArgsError(err: unknown): err is Error {
  return err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS');
}

/**
 * Runs one CLI invocation and returns its exit code; bad input is exit 2 with a message, an AWS
 * fault (credentials, permissions, network) exit 3 with a one-line hint, never a stack.
 */
export async function main(argv: string[], io: CliIo = defaultIo): Promise<number> {
  const [first, second] = argv;
  const name = first === 'ca' && second ? `ca ${second}` : first;
  const args = argv.slice(first === 'ca' ? 2 : 1);
  if (!name || ['--help', '-h', 'help'].includes(name)) {
    (name ? io.stdout : io.stderr).write(`${USAGE}\n`);
    return name ? EXIT.inSync : EXIT.badInput;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.stderr.write(`error: unknown command "${name}"\n\n${USAGE}\n`);
    return EXIT.badInput;
  }
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout.write(`${USAGE}\n`);
    return EXIT.inSync;
  }
  try {
    return await command(args, io);
  } catch (err) {
    if (err instanceof ConfigError || err instanceof UsageError || isParseArgsError(err)) {
      io.stderr.write(`error: ${err.message}\n`);
      return EXIT.badInput;
    }
    if (isAwsFault(err)) {
      const described = errorMessage(err);
      io.stderr.write(
        `error: ${described.split('\n')[0]?.slice(0, 300)}\nhint: ${remedyForAwsError(described)}\n`,
      );
      return EXIT.couldNotEvaluate;
    }
    throw err;
  }
}
