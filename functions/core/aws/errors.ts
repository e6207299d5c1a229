/**
 * The one place AWS errors are classified. SDK v3 errors carry the service's error code as their
 * `name`, sometimes with an `Exception` suffix (the model's shape name) and sometimes without.
 */

/** The AWS error code of an SDK error without its `Exception` suffix, or ''. */
export function errorName(err: unknown): string {
  if (err && typeof err === 'object' && 'name' in err && typeof err.name === 'string') {
    return err.name.replace(/Exception$/, '');
  }
  return '';
}

/** Whether the error is one of the given AWS error codes (with or without the `Exception` suffix). */
export function isAwsError(err: unknown, ...codes: string[]): boolean {
  const name = errorName(err);
  return name !== '' && codes.some((c) => c.replace(/Exception$/, '') === name);
}

/** The HTTP status of an SDK error's response, when it has one. */
export function httpStatus(err: unknown): number | undefined {
  if (err && typeof err === 'object' && '$metadata' in err) {
    const meta = (err as { $metadata?: { httpStatusCode?: number } }).$metadata;
    return meta?.httpStatusCode;
  }
  return undefined;
}

/** Whether the error came from an AWS SDK call (it carries the response metadata or a fault kind). */
export function isSdkError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && ('$metadata' in err || '$fault' in err);
}

/** The raw name, message and HTTP status of an error, as the CA sources word their failures. */
export function errorParts(err: unknown): { name: string; message: string; status: number | undefined } {
  const e = (typeof err === 'object' && err !== null ? err : {}) as { name?: unknown; message?: unknown };
  return {
    name: typeof e.name === 'string' ? e.name : 'Error',
    message: typeof e.message === 'string' ? e.message : String(err),
    status: httpStatus(err),
  };
}

/** `Name: message` of an error, for findings and logs. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/** What kind of fault stopped an AWS call, as far as its description tells. */
export type AwsFaultKind = 'credentials' | 'permission' | 'network';

/** Error names (the SDK's, `Exception` suffix or not) and socket errors, by the kind of fault they mean. */
const FAULT_PATTERNS: readonly [AwsFaultKind, RegExp][] = [
  [
    'credentials',
    /^(CredentialsProviderError|ExpiredToken|ExpiredTokenException|InvalidClientTokenId|UnrecognizedClientException|InvalidAccessKeyId|SignatureDoesNotMatch|TokenRefreshRequired|InvalidSignatureException|AuthFailure)\b/,
  ],
  ['permission', /^(AccessDenied|AccessDeniedException|UnauthorizedOperation)\b/],
  [
    'network',
    /^(TimeoutError|RequestTimeout|ECONNREFUSED|ECONNRESET|ENOTFOUND|EHOSTUNREACH|Error: (connect|getaddrinfo|read|write) )/,
  ],
];

/**
 * The kind of fault a described error (`Name: message`, as errorMessage writes it) names: the
 * caller's credentials, a missing permission, or the network; undefined for anything else.
 */
export function awsFaultKindOf(described: string): AwsFaultKind | undefined {
  return FAULT_PATTERNS.find(([, pattern]) => pattern.test(described))?.[0];
}
