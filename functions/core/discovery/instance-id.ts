/**
 * How the core recognises an instance id in AWS answers and finding resources: `i-` and 8 to 17 hex
 * digits. Input from events and messages is held to EC2's exact forms (8 or 17) in events/limits.ts.
 */
export const INSTANCE_ID = /^i-[0-9a-f]{8,17}$/;

/** The instance id a finding's resource ends with (`i-…` alone or after a `:`), if any. */
export function instanceIdOf(resource: string): string | undefined {
  const id = resource.slice(resource.lastIndexOf(':') + 1);
  return INSTANCE_ID.test(id) ? id : undefined;
}
