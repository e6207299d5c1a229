/**
 * The STS session name of a CLI run: `kops-api-sentinel-<user>`, so CloudTrail in the cluster's
 * account says who ran it. IAM allows 2-64 characters of [\w+=,.@-]; anything else in the user
 * name becomes `-`, and a long name is cut so the whole fits in 64.
 */
export const SESSION_NAME_PREFIX = 'kops-api-sentinel-';
export const SESSION_NAME_MAX = 64;

export function sessionNameFor(user: string | undefined): string {
  const clean = (user ?? '')
    .replace(/[^\w+=,.@-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, SESSION_NAME_MAX - SESSION_NAME_PREFIX.length)
    .replace(/-+$/, '');
  return `${SESSION_NAME_PREFIX}${clean || 'unknown'}`;
}
