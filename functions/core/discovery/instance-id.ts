/**
 * An EC2 instance id in EC2's two exact forms: `i-` and 8 (before 2016) or 17 hex digits. The one
 * pattern for AWS answers, finding resources, events and follow-up messages.
 */
export const INSTANCE_ID = /^i-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;

/** The instance id a finding's resource ends with (`i-…` alone or after a `:`), if any. */
export function instanceIdOf(resource: string): string | undefined {
  const id = resource.slice(resource.lastIndexOf(':') + 1);
  return INSTANCE_ID.test(id) ? id : undefined;
}
