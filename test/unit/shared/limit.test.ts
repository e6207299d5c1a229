import { describe, expect, it } from 'vitest';
import { limiter } from '../../../functions/core/limit.ts';

describe('a limit on tasks at once', () => {
  it('never runs more than its width, starts tasks in order, and runs them all', async () => {
    for (const width of [1, 2, 4]) {
      const limit = limiter(width);
      let active = 0;
      let most = 0;
      const started: number[] = [];
      const results = await Promise.all(
        Array.from({ length: 9 }, (_, i) =>
          limit(async () => {
            started.push(i);
            active += 1;
            most = Math.max(most, active);
            // yield a few turns so the others get to ask
            for (let t = 0; t < 3; t++) await Promise.resolve();
            active -= 1;
            return i * 2;
          }),
        ),
      );
      expect(most).toBe(width);
      expect(started).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
      expect(results).toEqual([0, 2, 4, 6, 8, 10, 12, 14, 16]);
    }
  });

  it('frees the slot of a task that fails, and is shared by several runs', async () => {
    const limit = limiter(1);
    await expect(limit(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    let active = 0;
    let most = 0;
    const task = async () => {
      active += 1;
      most = Math.max(most, active);
      await new Promise((r) => setImmediate(r));
      active -= 1;
    };
    await Promise.all([Promise.all([limit(task), limit(task)]), Promise.all([limit(task), limit(task)])]);
    expect(most).toBe(1);
  });
});
