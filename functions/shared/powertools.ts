import { Logger } from '@aws-lambda-powertools/logger';

/** One Logger for every function; service name and level come from POWERTOOLS_* settings. */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'kops-api-sentinel' });
