/** An event that can never be handled: rejected with a message naming the field, and never retried. */
export class MalformedEventError extends Error {
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(`malformed event: ${field} ${problem}`);
    this.name = 'MalformedEventError';
  }
}
