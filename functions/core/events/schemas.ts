import * as z from 'zod/mini';
import { quote } from './limits.ts';

/**
 * The shapes of the events the functions accept, as zod schemas parsed with Powertools Parser
 * (`zod/mini`: the tree-shakable API, a quarter of the classic one's code and init time)
 * (parse-event.ts). A shape says which fields must be there and of which type; what a value
 * must be (AWS's limits, the stack's own account and region) is checked after it, in limits.ts.
 * Every message quotes a bad value by a short prefix only.
 *
 * Each schema is built on its first use and kept (`once`), not when the module loads: a cold start
 * builds none, and a function builds only the schemas it parses with (the registrar's are dropped
 * from the verifier's bundle, and the other way round).
 */
function once<T>(build: () => T): () => T {
  let built: T | undefined;
  return () => {
    built ??= build();
    return built;
  };
}

const aString = /* @__PURE__ */ once(() =>
  z
    .string({ error: (iss) => `must be a string, found ${quote(iss.input)}` })
    .check(z.minLength(1, { error: 'must not be empty' })),
);
const anObject = /* @__PURE__ */ once(() =>
  z.record(z.string(), z.unknown(), { error: 'must be an object' }),
);

/** Any JSON object (an event must at least be one). */
export const JsonObjectSchema = /* @__PURE__ */ once(() => z.object({}, { error: 'must be a JSON object' }));

/** `{"action":"reconcile"}` (the schedule or an operator), optionally naming one cluster. */
export const ReconcileRequestSchema = /* @__PURE__ */ once(() =>
  z.object({ action: z.literal('reconcile'), cluster: z.optional(z.unknown()) }),
);

/** `{"action":"verify"}` (the schedule or an operator), optionally naming one cluster. */
export const VerifyRequestSchema = /* @__PURE__ */ once(() =>
  z.object({ action: z.literal('verify'), cluster: z.optional(z.unknown()) }),
);

/** An EventBridge event as the functions read it: the envelope fields they use, in the order they are checked. */
export const EventEnvelopeSchema = /* @__PURE__ */ once(() =>
  z.object(
    {
      'detail-type': aString(),
      source: aString(),
      account: z.optional(z.unknown()),
      region: z.optional(z.unknown()),
      id: z.optional(z.unknown()),
      detail: anObject(),
    },
    { error: 'must be a JSON object' },
  ),
);

/** The detail of a CloudTrail record of an Auto Scaling call (`AWS API Call via CloudTrail`). */
export const CloudTrailDetailSchema = /* @__PURE__ */ once(() =>
  z.object({ eventName: aString(), requestParameters: anObject() }),
);

const NOT_SQS = { error: 'must be an SQS record with messageId and body' };

/** One SQS record of a follow-up batch, as far as the verifier reads it. */
const SqsRecordSchema = /* @__PURE__ */ once(() =>
  z.object(
    { eventSource: z.literal('aws:sqs', NOT_SQS), messageId: z.string(NOT_SQS), body: z.string(NOT_SQS) },
    NOT_SQS,
  ),
);

/** An SQS batch (follow-up messages): any event with a `Records` array is read as one. */
export const SqsBatchSchema = /* @__PURE__ */ once(() => z.object({ Records: z.array(SqsRecordSchema()) }));
export const RecordsSchema = /* @__PURE__ */ once(() => z.object({ Records: z.array(z.unknown()) }));

/** An EventBridge event carrying a CloudTrail record (the verifier's trigger on load-balancer changes). */
export const CloudTrailEventSchema = /* @__PURE__ */ once(() =>
  z.object({ 'detail-type': z.literal('AWS API Call via CloudTrail'), detail: anObject() }),
);
