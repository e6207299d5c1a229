import * as z from 'zod/mini';
import { INSTANCE_ID } from '../discovery/instance-id.ts';
import { quoteShort } from '../text.ts';

/** At most a short prefix of a value that failed validation, for errors and logs. */
export function quotePrefix(value: unknown, max = 24): string {
  return quoteShort(typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value)), max);
}

const nonEmpty = (field: string) => {
  const error = `${field} must be a non-empty string`;
  return z.string({ error }).check(z.minLength(1, { error }));
};

/**
 * The follow-up message the sentinel writes: exactly four fields, parsed with Powertools Parser
 * (follow-up.ts). Each problem says which field and quotes a short prefix of the value.
 */
export function followUpSchema(maxAttempts: number) {
  return z.strictObject(
    {
      cluster: nonEmpty('cluster'),
      instanceId: nonEmpty('instanceId').check(
        z.regex(INSTANCE_ID, {
          error: (iss) => `instanceId ${quotePrefix(iss.input)} is not an EC2 instance id`,
        }),
      ),
      deadline: nonEmpty('deadline').check(
        z.refine((d) => !Number.isNaN(Date.parse(d)), {
          error: (iss) => `deadline ${quotePrefix(iss.input)} is not an ISO time`,
        }),
      ),
      attempt: z.pipe(
        z.optional(z.unknown()).check(
          z.refine((a) => typeof a === 'number' && Number.isInteger(a) && a >= 1 && a <= maxAttempts, {
            error: (iss) =>
              `attempt ${quotePrefix(iss.input)} is not a whole number from 1 to ${maxAttempts}`,
          }),
        ),
        z.transform((a) => a as number),
      ),
    },
    {
      error: (iss) =>
        iss.code === 'unrecognized_keys'
          ? `unknown field ${quotePrefix(iss.keys[0])}`
          : 'body is not a JSON object',
    },
  );
}
