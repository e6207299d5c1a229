import { MalformedEventError } from '../core/events/errors.ts';
import { logger } from './powertools.ts';

export interface Rejected {
  status: 'rejected';
  reason: string;
}

/**
 * Parses a handler's input. A malformed event is logged and answered, not thrown: a throw would
 * make Lambda retry something that can never succeed. Any other error propagates.
 */
export function parseOrReject<T>(
  parse: (input: unknown) => T,
  event: unknown,
): { event: T } | { rejected: Rejected } {
  try {
    return { event: parse(event) };
  } catch (err) {
    if (!(err instanceof MalformedEventError)) throw err;
    logger.error('rejected malformed event; it will not be retried', {
      field: err.field,
      problem: err.problem,
    });
    return { rejected: { status: 'rejected', reason: err.message } };
  }
}
