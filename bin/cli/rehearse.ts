import { motoAvailable } from '../../sandbox/moto.ts';
import { rehearseFleet } from '../../sandbox/rehearsal/fleet-story.ts';
import { rehearse } from '../../sandbox/rehearsal/story.ts';
import { type Command, UsageError, type Values } from './common.ts';
import { EXIT } from './format.ts';

const MOTO_MISSING = `moto_server (the local AWS emulator) is not installed.
Install it with:  python3 -m pip install "moto[server]==5.2.1"
then run this again.`;

/** A Slack message's header (or, for a fleet, its text, which names the cluster's account and region) and body. */
function slackLine(message: unknown, fleet: boolean): string {
  const m = message as { text?: string; blocks?: { type: string; text?: { text?: string } }[] };
  const header = fleet ? m.text : m.blocks?.find((b) => b.type === 'header')?.text?.text;
  const body = m.blocks?.find((b) => b.type === 'section' && b.text?.text)?.text?.text;
  return `  ${header ?? m.text ?? JSON.stringify(m)}${body ? `\n      ${body}` : ''}`;
}

/** A whole number option of the rehearsal, within its bounds. */
function count(values: Values, flag: string, max: number): number {
  const n = Number(values[flag]);
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw new UsageError(
      `--${flag}: found "${String(values[flag]).slice(0, 20)}"; expected a whole number from 1 to ${max}`,
      'rehearse',
    );
  }
  return n;
}

/** `rehearse`: the whole job against a local AWS (moto) and local TLS servers. */
export const rehearseCommand: Command = async (values, io) => {
  const groups = count(values, 'groups', 5);
  const accounts = count(values, 'accounts', 3);
  if (!motoAvailable()) {
    io.stderr.write(`${MOTO_MISSING}\n`);
    return EXIT.badInput;
  }
  const mode = values['report-only'] ? 'report-only' : 'repair';
  io.stderr.write(
    accounts > 1
      ? `rehearsing a fleet: a hub account and ${accounts} member accounts in report-only mode...\n`
      : `rehearsing a kops upgrade in ${mode} mode with ${groups} control-plane group(s)...\n`,
  );
  const result =
    accounts > 1
      ? await rehearseFleet({ accounts })
      : await rehearse({ reportOnly: values['report-only'] === true, groups });
  if (values.json) {
    io.stdout.write(
      `${JSON.stringify({ ok: result.ok, timeline: result.timeline.rows, checks: result.timeline.checks, slack: result.slack }, null, 2)}\n`,
    );
  } else {
    io.stdout.write(
      `\n${result.timeline.render()}\n\nSlack messages received by the local stand-in (${result.slack.length}):\n`,
    );
    io.stdout.write(`${result.slack.map((m) => slackLine(m, accounts > 1)).join('\n') || '  (none)'}\n`);
    io.stdout.write(`\n${result.ok ? 'REHEARSAL PASSED' : 'REHEARSAL FAILED'}\n`);
  }
  return result.ok ? EXIT.inSync : EXIT.drift;
};
