/**
 * What the CLI offers, as data: each command's flags (type, default, description) and examples. Help,
 * argument parsing and "did you mean" suggestions are all made from it. No imports beyond node:util, so
 * `--help` and `--version` load nothing else.
 */
import { parseArgs } from 'node:util';

export interface FlagSpec {
  type: 'string' | 'boolean';
  /** The value placeholder shown in help (`<file>`). */
  value?: string;
  description: string;
  default?: string | boolean;
  multiple?: boolean;
  short?: string;
}

export interface CommandSpec {
  name: string;
  summary: string;
  usage: string;
  flags: Record<string, FlagSpec>;
  examples: string[];
  notes?: string[];
}

export const OUTPUTS = ['table', 'json', 'yaml'] as const;
export type Output = (typeof OUTPUTS)[number];

const config: FlagSpec = {
  type: 'string',
  value: '<file>',
  description: 'the sentinel configuration (YAML or JSON), the same file the app deploys',
};
const output: FlagSpec = {
  type: 'string',
  value: 'table|json|yaml',
  default: 'table',
  description: 'how stdout is written; json and yaml print the verdicts as one document',
};
const json: FlagSpec = { type: 'boolean', default: false, description: 'the same as --output json' };
const all: FlagSpec = {
  type: 'boolean',
  default: false,
  description: 'show passing checks too (the table folds them into a count)',
};
const concurrency: FlagSpec = {
  type: 'string',
  value: '<n>',
  default: '4',
  description: 'how many clusters are evaluated at once, over every account and region (1 to 16)',
};
function someCluster(description: string): FlagSpec {
  return { type: 'string', value: '<name>', default: 'every configured cluster', description };
}
const help: FlagSpec = { type: 'boolean', short: 'h', description: 'show this help' };

export const COMMANDS: Record<string, CommandSpec> = {
  reconcile: {
    name: 'reconcile',
    summary: 'attach and register every control-plane instance on the internal load balancers',
    usage:
      'kops-api-sentinel reconcile --config <file> [--cluster <name>] [--dry-run] [--concurrency <n>] [--output table|json|yaml]',
    flags: {
      config,
      cluster: someCluster(
        'only this cluster; without it every cluster in every account and region, then summarised',
      ),
      concurrency,
      'dry-run': {
        type: 'boolean',
        default: false,
        description: 'report what would be repaired and change nothing (report-only mode)',
      },
      output,
      json,
      all,
      help,
    },
    examples: [
      'kops-api-sentinel reconcile --config sentinel.yaml --dry-run',
      'kops-api-sentinel reconcile --config sentinel.yaml --cluster k8s.example.com --output json',
    ],
  },
  verify: {
    name: 'verify',
    summary: 'check listeners, health checks, instance health and TLS from where kubelet stands',
    usage:
      'kops-api-sentinel verify --config <file> [--cluster <name>] [--connect-to HOST:PORT:ADDR:PORT]... [--output table|json|yaml]',
    flags: {
      config,
      cluster: someCluster(
        'only this cluster; without it every cluster in every account and region, a few at a time, then summarised',
      ),
      concurrency,
      'connect-to': {
        type: 'string',
        value: 'HOST:PORT:ADDR:PORT',
        multiple: true,
        description: 'reach HOST:PORT at ADDR:PORT for the TLS checks, like curl --connect-to',
      },
      output,
      json,
      all,
      help,
    },
    examples: [
      'kops-api-sentinel verify --config sentinel.yaml',
      'kops-api-sentinel verify --config sentinel.yaml --cluster k8s.example.com --all',
      'kops-api-sentinel verify --config sentinel.yaml --connect-to api.internal.k8s.example.com:443:127.0.0.1:8443',
    ],
  },
  'ca import': {
    name: 'ca import',
    summary: "write the cluster CA's public bundle to the configured SSM parameter",
    usage:
      'kops-api-sentinel ca import --config <file> --cluster <name> (--keyset <file> | --state-store s3://bucket[/prefix])',
    flags: {
      config,
      cluster: {
        type: 'string',
        value: '<name>',
        description: 'the cluster whose CA is imported (required)',
      },
      keyset: {
        type: 'string',
        value: '<file>',
        description: 'a kops keyset file (kubernetes-ca); only its public, trusted certificates are taken',
      },
      'state-store': {
        type: 'string',
        value: 's3://bucket[/prefix]',
        description: 'read the keyset from the kops state store with your own AWS credentials',
      },
      output,
      json,
      help,
    },
    examples: [
      'kops-api-sentinel ca import --config sentinel.yaml --cluster k8s.example.com --keyset keyset.yaml',
      'kops-api-sentinel ca import --config sentinel.yaml --cluster k8s.example.com --state-store s3://kops-state',
    ],
    notes: ['Give exactly one of --keyset or --state-store.'],
  },
  init: {
    name: 'init',
    summary: 'write a commented config for a cluster from what its account (and state store) says',
    usage:
      'kops-api-sentinel init --cluster <name> [--state s3://bucket[/prefix]] [--region <region>] [-o <file> [--force]] [--include-kops-api-lb]',
    flags: {
      cluster: {
        type: 'string',
        value: '<name>',
        description: 'the kops cluster to write the config for (required)',
      },
      state: {
        type: 'string',
        value: 's3://bucket[/prefix]',
        description:
          "the cluster's kops state store: sets kops.stateStore and takes the CA from the nodes' nodeup configs (default: the SSM parameter `ca import` writes)",
      },
      region: {
        type: 'string',
        value: '<region>',
        description: "the cluster's region (without it: the SDK's, from AWS_REGION or the profile)",
      },
      out: {
        type: 'string',
        short: 'o',
        value: '<file>',
        description: 'write the config to this file (without it: to stdout)',
      },
      force: { type: 'boolean', default: false, description: 'overwrite the --out file when it exists' },
      'include-kops-api-lb': {
        type: 'boolean',
        default: false,
        description: "keep kops' own API load balancer among the configured ones (left out by default)",
      },
      help,
    },
    examples: [
      'kops-api-sentinel init --cluster k8s.example.com --state s3://kops-state -o sentinel.yaml',
      'kops-api-sentinel init --cluster k8s.example.com --region eu-west-1 > sentinel.yaml',
    ],
    notes: [
      'Read-only: it changes nothing in AWS. What it could not determine is left empty, marked FILL IN and listed on stderr.',
      'Exit 0: complete config written; 1: written but incomplete; 2: bad input, nothing written; 3: an AWS fault, nothing written.',
    ],
  },
  rehearse: {
    name: 'rehearse',
    summary:
      'play a kops upgrade against a local AWS (moto) and local TLS servers (needs a clone with dev dependencies)',
    usage: 'kops-api-sentinel rehearse [--report-only] [--groups <n>] [--accounts <n>] [--json]',
    flags: {
      'report-only': {
        type: 'boolean',
        default: false,
        description: 'play it with the sentinel in report-only mode',
      },
      groups: {
        type: 'string',
        value: '<n>',
        default: '3',
        description: 'control-plane groups in the story (1 to 5)',
      },
      accounts: {
        type: 'string',
        value: '<n>',
        default: '1',
        description:
          'member accounts (1 to 3); 2 or 3 play a fleet: a hub account and members in other regions, one cluster each',
      },
      json: {
        type: 'boolean',
        default: false,
        description: 'print the timeline, checks and Slack messages as JSON',
      },
      help,
    },
    examples: [
      'kops-api-sentinel rehearse',
      'kops-api-sentinel rehearse --report-only --groups 1',
      'kops-api-sentinel rehearse --accounts 2',
    ],
    notes: [
      'Needs moto_server and the dev dependencies (a clone after `npm ci`); not part of a production install.',
    ],
  },
};

/** Groups of commands (`ca import` is in the group `ca`). */
export const GROUPS: Record<string, { summary: string; commands: string[] }> = {
  ca: { summary: "the cluster CA's public bundle in SSM", commands: ['ca import'] },
};

const EXIT_CODES = `exit codes: 0 in sync, 1 drift remains, 2 bad input (usage, file not found, invalid config, unknown cluster),
  3 could not evaluate (no credentials, AWS unreachable, an AWS call failed, the cluster CA unavailable)`;

export function globalHelp(): string {
  const rows = Object.values(COMMANDS).map((c) => [c.name, c.summary]);
  const width = Math.max(...rows.map((r) => r[0]?.length ?? 0));
  return `usage: kops-api-sentinel <command> [options]

commands:
${rows.map(([n, s]) => `  ${(n ?? '').padEnd(width)}  ${s}`).join('\n')}
  ${'help'.padEnd(width)}  help for a command: kops-api-sentinel help verify (or verify --help)

options:
  -h, --help     show this help
  -V, --version  print the version

${EXIT_CODES}
AWS access: the standard credential chain; AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE> are honoured.
Run \`kops-api-sentinel <command> --help\` for a command's flags, defaults and examples.`;
}

function flagLine(name: string, f: FlagSpec): [string, string] {
  const left = `${f.short ? `-${f.short}, ` : '    '}--${name}${f.type === 'string' ? ` ${f.value ?? '<value>'}` : ''}`;
  const def = f.default !== undefined && f.default !== false ? ` (default: ${f.default})` : '';
  return [left, `${f.description}${def}${f.multiple ? ' [repeatable]' : ''}`];
}

export function commandHelp(spec: CommandSpec): string {
  const lines = Object.entries(spec.flags).map(([n, f]) => flagLine(n, f));
  const width = Math.max(...lines.map((l) => l[0].length));
  return `usage: ${spec.usage}

${spec.summary}

options:
${lines.map(([l, r]) => `  ${l.padEnd(width)}  ${r}`).join('\n')}
${spec.notes?.length ? `\n${spec.notes.join('\n')}\n` : ''}
examples:
${spec.examples.map((e) => `  ${e}`).join('\n')}

${EXIT_CODES}`;
}

export function groupHelp(name: string): string {
  const group = GROUPS[name];
  if (!group) return globalHelp();
  return `usage: kops-api-sentinel ${name} <command> [options]

${group.summary}

commands:
${group.commands.map((c) => `  ${c.slice(name.length + 1)}  ${COMMANDS[c]?.summary ?? ''}`).join('\n')}

examples:
${group.commands
  .flatMap((c) => COMMANDS[c]?.examples.slice(0, 1) ?? [])
  .map((e) => `  ${e}`)
  .join('\n')}

Run \`kops-api-sentinel ${group.commands[0]} --help\` for its flags and defaults.`;
}

/** Edit distance, for "did you mean". */
export function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(
        (prev[j] ?? 0) + 1,
        (cur[j - 1] ?? 0) + 1,
        (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}

/** The closest candidate, when it is close enough to be a likely typo (or a prefix of it). */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: { c: string; d: number } | undefined;
  for (const c of candidates) {
    const d = c.startsWith(word) && word.length >= 2 ? 1 : distance(word, c);
    if (!best || d < best.d) best = { c, d };
  }
  return best && best.d <= Math.max(2, Math.floor(best.c.length / 3)) ? best.c : undefined;
}

/** A usage problem: exit 2, with a pointer to the command's help. */
export class UsageError extends Error {
  readonly kind = 'usage';
  constructor(
    message: string,
    readonly command?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

function helpPointer(command?: string): string {
  return command ? `kops-api-sentinel ${command} --help` : 'kops-api-sentinel --help';
}

export function usageHint(command?: string): string {
  return `run \`${helpPointer(command)}\` for the usage`;
}

type ParsedValues = Record<string, string | boolean | string[] | undefined>;

/** Parses a command's arguments against its spec; an unknown flag names the closest one. */
export function parseCommand(spec: CommandSpec, args: string[]): ParsedValues {
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }> = {};
  for (const [name, f] of Object.entries(spec.flags)) {
    options[name] = {
      type: f.type,
      ...(f.multiple ? { multiple: true } : {}),
      ...(f.short ? { short: f.short } : {}),
    };
  }
  let values: ParsedValues;
  try {
    values = parseArgs({ args, options, strict: true, allowPositionals: false }).values as ParsedValues;
  } catch (err) {
    const message = (err as Error).message;
    const unknown = /Unknown option '(-{1,2}[^']+)'/.exec(message)?.[1];
    if (unknown) {
      const bare = unknown.replace(/^-+/, '').split('=')[0] ?? '';
      const near = closest(bare, Object.keys(spec.flags));
      throw new UsageError(
        `unknown option "${unknown.slice(0, 40)}" for ${spec.name}${near ? `; did you mean --${near}?` : ''}`,
        spec.name,
      );
    }
    const positional = /Unexpected argument '([^']*)'/.exec(message)?.[1];
    if (positional !== undefined) {
      throw new UsageError(`${spec.name} takes no arguments; found "${positional.slice(0, 40)}"`, spec.name);
    }
    throw new UsageError(message.split('\n')[0] ?? message, spec.name);
  }
  for (const [name, f] of Object.entries(spec.flags)) {
    if (values[name] === undefined && f.default !== undefined && name !== 'cluster' && name !== 'help')
      values[name] = f.default;
  }
  return values;
}

/** The output format from --output and --json (--json is --output json). */
export function outputOf(values: ParsedValues, command: string): Output {
  const out = String(values.output ?? 'table');
  if (!(OUTPUTS as readonly string[]).includes(out)) {
    const near = closest(out, OUTPUTS);
    throw new UsageError(
      `--output: found "${out.slice(0, 20)}"; expected one of table, json, yaml${near ? ` (did you mean ${near}?)` : ''}`,
      command,
    );
  }
  if (values.json === true) {
    if (values.output !== undefined && values.output !== 'table' && values.output !== 'json')
      throw new UsageError('--json and --output yaml contradict each other; give one', command);
    return 'json';
  }
  return out as Output;
}
