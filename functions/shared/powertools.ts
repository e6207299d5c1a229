import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Log } from '../core/log.ts';
import { METRICS_NAMESPACE, SERVICE_NAME } from './metric-names.ts';

/** The service name every function reports under (logs and metrics). */
export const SERVICE = process.env.POWERTOOLS_SERVICE_NAME ?? SERVICE_NAME;

/** The CloudWatch namespace of every metric the sentinel emits (EMF, through the function's logs). */
export { METRICS_NAMESPACE };

/** One Logger for every function; service name and level come from POWERTOOLS_* settings. */
export const logger = new Logger({ serviceName: SERVICE });

/** One Metrics instance for every function: one namespace, the cluster as the dimension of per-cluster metrics. */
export const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE });

/** The core's logging port, written through the Powertools Logger. */
export const log: Log = {
  debug: (message, extra) =>
    extra ? logger.debug(message, extra as Record<string, never>) : logger.debug(message),
  info: (message, extra) =>
    extra ? logger.info(message, extra as Record<string, never>) : logger.info(message),
  warn: (message, extra) =>
    extra ? logger.warn(message, extra as Record<string, never>) : logger.warn(message),
  error: (message, extra) =>
    extra ? logger.error(message, extra as Record<string, never>) : logger.error(message),
};
