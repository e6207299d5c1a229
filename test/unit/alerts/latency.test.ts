import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { AlertsSchema, VerifierSchema } from '../../../functions/core/config/schema.ts';

/** The time-to-alert table of docs/design.md, derived from the defaults the code ships with. */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const design = readFileSync(join(ROOT, 'docs', 'design.md'), 'utf8');

const alerts = AlertsSchema.parse({});
const verifier = VerifierSchema.parse({});
const P = verifier.scheduleMinutes;
const F = alerts.fireAfterFailures;
const DEADLINE = verifier.newInstanceDeadlineMinutes;
const ROUND = verifier.followUpDelaySeconds / 60;

/** A drift the schedule finds: its first sighting on the next tick, the alert F ticks in. */
const scheduled = `${(F - 1) * P}–${F * P} min`;
/** A drift an event reports: the event's run is the first sighting, the next sweeps follow. */
const afterEvent = `${(F - 1) * P} min`;

function row(label: string): string {
  const line = design.split('\n').find((l) => l.startsWith(`| ${label} |`));
  if (!line) throw new Error(`docs/design.md has no time-to-alert row "${label}"`);
  return line;
}

describe('docs/design.md: time from drift to alert', () => {
  it('states the defaults it is derived from', () => {
    expect(design).toContain(
      `schedule every ${P} min for the sweep and the\nverification, \`fireAfterFailures\` ${F}, follow-ups every ${verifier.followUpDelaySeconds} s until a ${DEADLINE}-minute deadline`,
    );
  });

  it.each([
    [
      'Instance not registered after launch (report-only, or the repair failed)',
      [`within ${afterEvent} of the event`, `(${scheduled} if the event is lost)`],
    ],
    ['Detach by `kops update`, with CloudTrail', [`report-only: C + up to ${afterEvent}`]],
    ['Detach by `kops update`, without CloudTrail', [`report-only: ${scheduled}`]],
    [
      'Listener swapped (e.g. to SSL with an ACM certificate)',
      [`C + up to ${afterEvent} with CloudTrail; ${scheduled} without`],
    ],
    ['CA rotated, served chain no longer trusted', [scheduled]],
    ['Instance unhealthy', [scheduled]],
    ['New instance never verifies', [`${DEADLINE}–${DEADLINE + ROUND} min after launch, at once`]],
  ])('%s', (label, cells) => {
    for (const cell of cells) expect(row(label)).toContain(cell);
  });
});
