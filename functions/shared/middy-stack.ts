import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { logger, metrics } from './powertools.ts';

/**
 * Every handler's middleware, in one order: the Lambda context on each log line (per-invocation
 * keys cleared), metrics flushed as EMF at the end of each invocation (an invocation that recorded
 * none is fine). No tracer: see "Tracing" in docs/observability.md.
 */
export function sentinelHandler<TEvent, TResult>(run: (event: TEvent, context: Context) => Promise<TResult>) {
  return middy<TEvent, TResult, Error, Context>()
    .use(injectLambdaContext(logger, { clearState: true }))
    .use(logMetrics(metrics, { throwOnEmptyMetrics: false }))
    .handler(run);
}
