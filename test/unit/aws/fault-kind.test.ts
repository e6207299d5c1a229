import { describe, expect, it } from 'vitest';
import { awsFaultKindOf, errorMessage } from '../../../functions/core/aws/errors.ts';

describe('awsFaultKindOf', () => {
  it.each([
    ['CredentialsProviderError: Could not load credentials from any providers', 'credentials'],
    ['ExpiredTokenException: The security token included in the request is expired', 'credentials'],
    ['InvalidClientTokenId: The security token included in the request is invalid', 'credentials'],
    ['AccessDenied: not authorized to perform elasticloadbalancing:RegisterTargets', 'permission'],
    ['AccessDeniedException: User is not authorized', 'permission'],
    ['UnauthorizedOperation: You are not authorized to perform this operation', 'permission'],
    ['TimeoutError: Connection timed out after 3000 ms', 'network'],
    ['Error: connect ECONNREFUSED 127.0.0.1:1', 'network'],
    ['Error: getaddrinfo ENOTFOUND ec2.example.invalid', 'network'],
    ['ThrottlingException: Rate exceeded', undefined],
    ['TargetGroupNotFound: One or more target groups not found', undefined],
    ['a message that merely mentions AccessDenied later', undefined],
  ])('%s → %s', (described, kind) => {
    expect(awsFaultKindOf(described)).toBe(kind);
  });

  it('reads what errorMessage writes', () => {
    const err = Object.assign(new Error('Rate exceeded for the account'), { name: 'AccessDeniedException' });
    expect(awsFaultKindOf(errorMessage(err))).toBe('permission');
  });
});
