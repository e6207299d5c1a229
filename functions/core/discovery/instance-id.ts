/** An EC2 instance id: `i-` and 8 or 17 hex digits (the one pattern the core judges ids by). */
export const INSTANCE_ID = /^i-[0-9a-f]{8,17}$/;

/** The instance id a finding's resource ends with (`i-…` alone or after a `:`), if any. */
export function instanceIdOf(resource: string): string | undefined {
  const id = resource.slice(resource.lastIndexOf(':') + 1);
  return INSTANCE_ID.test(id) ? id : undefined;
}
