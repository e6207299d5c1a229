import { motoAvailable } from '../../sandbox/moto.ts';
import { rehearse } from '../../sandbox/rehearsal/story.ts';
import { type Command, UsageError } from './common.ts';
import { EXIT } from './format.ts';

const MOTO_MISSING = `moto_server (the local AWS emulator) is not installed.
Install it with:  python3 -m pip install "moto[server]>=5.2,<5.3"
then run this again.`;

function slackLine(message: unknown): string {
  const m = message as { text?: string; blocks?: { type: string; text?: { text?: string } }[] };
  const header = m.blocks?.find((b) => b.type === 'header')?.text?.text;
  const body = m.blocks?.find((b) => b.type === 'section' && b.text?.text)?.text?.text;
  return `  ${header ?? m.text ?? JSON.stringify(m)}${body ? `\n      ${body}` : ''}`;
}

/** `rehearse`: the whole job against a local AWS (moto) and local TLS servers. */
export const rehearseCommand: Command = async (values, io) => {
  const groups = Number(values.groups);
  if (!Number.isInteger(groups) || groups < 1 || groups > 5) {
    throw new UsageError(
      `--groups: found "${String(values.groups).slice(0, 20)}"; expected a whole number from 1 to 5`,
      'rehearse',
    );
  }
  if (!motoAvailable()) {
    io.stderr.write(`${MOTO_MISSING}\n`);
    return EXIT.badInput;
  }
  const mode = values['report-only'] ? 'report-only' : 'repair';
  io.stderr.write(`rehearsing a kops upgrade in ${mode} mode with ${groups} control-plane group(s)...\n`);
  const result = await rehearse({ reportOnly: values['report-only'] === true, groups });
  if (values.json) {
    io.stdout.write(
      `${JSON.stringify({ ok: result.ok, timeline: result.timeline.rows, checks: result.timeline.checks, slack: result.slack }, null, 2)}\n`,
    );
  } else {
    io.stdout.write(
      `\n${result.timeline.render()}\n\nSlack messages received by the local stand-in (${result.slack.length}):\n`,
    );
    io.stdout.write(`${result.slack.map(slackLine).join('\n') || '  (none)'}\n`);
    io.stdout.write(`\n${result.ok ? 'REHEARSAL PASSED' : 'REHEARSAL FAILED'}\n`);
  }
  return result.ok ? EXIT.inSync : EXIT.drift;
};
