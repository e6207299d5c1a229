import { Logger } from '@aws-lambda-powertools/logger';
import type { Log } from '../core/log.ts';

/** One Logger for every function; service name and level come from POWERTOOLS_* settings. */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'kops-api-sentinel' });

/** The core's logging port, written through the Powertools Logger. */
export const log: Log = {
  info: (message, extra) =>
    extra ? logger.info(message, extra as Record<string, never>) : logger.info(message),
  warn: (message, extra) =>
    extra ? logger.warn(message, extra as Record<string, never>) : logger.warn(message),
  error: (message, extra) =>
    extra ? logger.error(message, extra as Record<string, never>) : logger.error(message),
};
