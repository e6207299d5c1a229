import { existsSync, writeFileSync } from 'node:fs';
import { STSClient } from '@aws-sdk/client-sts';
import { parse as parseYaml } from 'yaml';
import { createAwsClients } from '../../functions/core/aws/all-clients.ts';
import { clientConfig } from '../../functions/core/aws/client-config.ts';
import { REGION } from '../../functions/core/aws/names.ts';
import { ConfigError, parseConfig } from '../../functions/core/config/parse.ts';
import { ClusterSchema } from '../../functions/core/config/schema.ts';
import { discoverForInit, NoClusterError } from '../../functions/core/init/discover.ts';
import { planInit } from '../../functions/core/init/plan.ts';
import { renderInitConfig } from '../../functions/core/init/render.ts';
import { CliError, type CliIo, type Command, requireOption, UsageError } from './common.ts';
import { EXIT } from './format.ts';

/**
 * `init`: writes a commented config for one cluster from what its account (and, with --state, its
 * state store) says, with read-only calls. An incomplete config is still written, its gaps marked
 * FILL IN and listed on stderr, with exit 1; nothing is written on bad input (2) or an AWS fault (3).
 */

const COMMAND = 'init';

/** The flag's value when `valid` accepts it; otherwise a usage error naming the flag and what it takes. */
function checked(value: string, flag: string, valid: (v: string) => boolean, expected: string): string {
  if (!valid(value))
    throw new UsageError(`${flag}: found "${value.slice(0, 80)}"; expected ${expected}`, COMMAND);
  return value;
}

/** The region from --region, else the SDK's default (AWS_REGION, the profile). */
async function regionOf(flag: string | undefined): Promise<{ region: string; from: 'flag' | 'sdk' }> {
  if (flag) {
    const region = checked(flag, '--region', (v) => REGION.test(v), 'an AWS region such as eu-west-1');
    return { region, from: 'flag' };
  }
  // the SDK resolves it from the environment and the profile; it rejects when it finds none
  const region = await createAwsClients()
    .autoscaling.config.region()
    .catch(() => undefined);
  if (!region)
    throw new UsageError(
      'no AWS region: give --region <region> or set AWS_REGION (or a region in your AWS profile)',
      COMMAND,
    );
  return { region, from: 'sdk' };
}

/** Why the written document does not validate yet, one line per field (none when it does). */
function validationProblems(text: string): string[] {
  try {
    parseConfig(parseYaml(text), 'the written config');
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
}

function report(io: CliIo, lines: { prefix: string; items: readonly string[] }[]): void {
  for (const { prefix, items } of lines) for (const item of items) io.stderr.write(`${prefix}${item}\n`);
}

export const initCommand: Command = async (values, io) => {
  const cluster = checked(
    requireOption(values.cluster, '--cluster <name>', COMMAND),
    '--cluster',
    (v) => ClusterSchema.shape.name.safeParse(v).success,
    'a kops cluster name (a DNS name such as k8s.example.com)',
  );
  const state =
    typeof values.state === 'string'
      ? checked(
          values.state,
          '--state',
          (v) => ClusterSchema.shape.kops.unwrap().shape.stateStore.safeParse(v).success,
          'an s3://bucket[/prefix] URL (the kops state store, no * or ?)',
        )
      : undefined;
  const out = typeof values.out === 'string' ? values.out : undefined;
  const force = values.force === true;
  if (out && existsSync(out) && !force)
    throw new UsageError(`--out: "${out.slice(0, 200)}" exists; give --force to overwrite it`, COMMAND);
  const { region, from } = await regionOf(typeof values.region === 'string' ? values.region : undefined);
  // only the clients init reads with (spreading the set would construct all eleven of its getters)
  const { autoscaling, ec2, elb, elbv2, s3 } = createAwsClients({ region });
  const clients = { autoscaling, ec2, elb, elbv2, s3, sts: new STSClient(clientConfig({ region })) };
  let facts: Awaited<ReturnType<typeof discoverForInit>>;
  try {
    facts = await discoverForInit(clients, {
      cluster,
      region,
      regionFrom: from,
      ...(state ? { stateStore: state } : {}),
    });
  } catch (err) {
    if (err instanceof NoClusterError)
      throw new CliError(
        'unknown cluster',
        err.message,
        "check --cluster and --region, and that your credentials are for the cluster's account",
      );
    throw err;
  }
  const plan = planInit(facts, { includeKopsApiLb: values['include-kops-api-lb'] === true });
  const text = renderInitConfig(plan, { writtenAt: new Date().toISOString() });
  // a complete plan must validate; if it does not, the schema's words say what to fill in
  const gaps = plan.gaps.length ? plan.gaps : validationProblems(text);
  if (out) {
    try {
      writeFileSync(out, text, { flag: force ? 'w' : 'wx' });
    } catch (err) {
      throw new CliError(
        'file not found',
        `--out: cannot write "${out.slice(0, 200)}": ${(err as Error).message}`,
      );
    }
  } else {
    io.stdout.write(text);
  }
  report(io, [
    { prefix: 'left out: ', items: plan.leftOut },
    { prefix: 'warning: ', items: plan.warnings },
    { prefix: 'could not determine: ', items: gaps },
  ]);
  const where = out ? `wrote ${out}` : 'config written to stdout';
  io.stderr.write(
    gaps.length
      ? `${where}, INCOMPLETE: fill in the ${gaps.length} field(s) above (marked FILL IN), then check it with \`kops-api-sentinel reconcile --config <file> --dry-run\`\n`
      : `${where}: ${cluster} in account ${facts.account}, ${region}; check it with \`kops-api-sentinel reconcile --config ${out ?? '<file>'} --dry-run\`\n`,
  );
  report(io, [{ prefix: 'next: ', items: plan.next }]);
  return gaps.length ? EXIT.drift : EXIT.inSync;
};
