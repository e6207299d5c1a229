/**
 * An error as the AWS SDK throws a service's refusal: the error code as `name` (the SDK's
 * exception classes add `Exception` to some), the HTTP status in `$metadata`.
 */
export function serviceError(name: string, message: string, httpStatusCode: number): Error {
  return Object.assign(new Error(message), {
    name,
    $fault: httpStatusCode >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode },
  });
}

export const throttled = (name = 'Throttling'): Error => serviceError(name, 'Rate exceeded', 400);

export const accessDenied = (action: string): Error =>
  serviceError(
    'AccessDenied',
    `User: arn:aws:sts::123456789012:assumed-role/sentinel/fn is not authorized to perform: ${action}`,
    403,
  );

/** What a promise settled with: its value, or the error it was rejected with. */
export async function settle<T>(p: Promise<T>): Promise<{ value?: T; error?: Error }> {
  try {
    return { value: await p };
  } catch (error) {
    return { error: error as Error };
  }
}
