// SKELETON (fleet work in progress, replaced before issue 13 lands): the hub function's entry, so
// the hub stack can be built while the hub's core is written.
import { sentinelHandler } from '../shared/middy-stack.ts';

export const handler = sentinelHandler(async (_event: unknown): Promise<never> => {
  throw new Error('the hub function is not built yet');
});
