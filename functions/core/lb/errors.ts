/** The AWS error code of an SDK error without its `Exception` suffix (SDK names vary), or ''. */
export function errorName(err: unknown): string {
  if (err && typeof err === 'object' && 'name' in err && typeof err.name === 'string') {
    return err.name.replace(/Exception$/, '');
  }
  return '';
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
