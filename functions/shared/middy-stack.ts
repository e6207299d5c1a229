import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import middy, { type MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import { logger, metrics } from './powertools.ts';

/**
 * Flushes the metrics an invocation recorded and left unpublished, after it ends or fails. Unlike
 * Powertools' `logMetrics`, an invocation with nothing left to publish (the notifier; a run whose
 * per-cluster lines run-metrics.ts already wrote) writes nothing, instead of a warning per
 * invocation.
 */
export function flushMetrics(target: Metrics = metrics): MiddlewareObj<unknown, unknown, Error, Context> {
  const flush = async () => {
    if (target.hasStoredMetrics()) target.publishStoredMetrics();
  };
  return { after: flush, onError: flush };
}

/**
 * Every handler's middleware, in one order: the Lambda context on each log line (per-invocation
 * keys cleared), then whatever metrics the invocation left unpublished flushed as EMF. No tracer:
 * see "Tracing" in docs/observability.md.
 */
export function sentinelHandler<TEvent, TResult>(run: (event: TEvent, context: Context) => Promise<TResult>) {
  return middy<TEvent, TResult, Error, Context>()
    .use(injectLambdaContext(logger, { clearState: true }))
    .use(flushMetrics() as MiddlewareObj<TEvent, TResult, Error, Context>)
    .handler(run);
}
