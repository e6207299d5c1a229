import { ACCOUNT_ID, REGION } from '../aws/names.ts';
import { INSTANCE_ID } from '../discovery/instance-id.ts';
import { MalformedEventError } from './errors.ts';

/**
 * AWS's own limits and formats for what an event names, checked before any AWS call: a value AWS
 * would reject makes the event malformed (rejected, never retried), and a bad value is quoted by
 * a short prefix only, so a forged 100,000-character id never reaches a log line whole.
 */

/** How much of an offending value an error quotes. */
export const QUOTE_CHARS = 40;

/** A short, safe rendering of a value for an error message: at most QUOTE_CHARS characters of it. */
export function quote(v: unknown): string {
  if (typeof v !== 'string') {
    if (v === undefined) return 'nothing';
    if (v === null || typeof v === 'number' || typeof v === 'boolean') return String(v).slice(0, QUOTE_CHARS);
    return Array.isArray(v) ? 'an array' : 'an object';
  }
  const shown = JSON.stringify(v.slice(0, QUOTE_CHARS));
  return v.length <= QUOTE_CHARS ? shown : `${shown.slice(0, -1)}…" (${v.length} chars)`;
}

/** True when a string holds a C0 or C1 control character. */
function hasControl(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return true;
  }
  return false;
}

/** Auto Scaling group names: 1..255 characters, no control characters. */
const GROUP_NAME = { test: (s: string) => s.length >= 1 && s.length <= 255 && !hasControl(s) };
/** Lifecycle hook names. */
const HOOK_NAME = /^[A-Za-z0-9\-_/]{1,255}$/;
/** Lifecycle action tokens are UUIDs. */
const TOKEN = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
/** EventBridge event ids (UUIDs in practice; allow their character set, bounded). */
const EVENT_ID = /^[0-9A-Za-z-]{1,64}$/;
/** kops cluster names are DNS names. */
const CLUSTER_NAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;

const RULES = {
  group: { re: GROUP_NAME, what: 'an Auto Scaling group name (1-255 characters, no control characters)' },
  instanceId: { re: INSTANCE_ID, what: 'an EC2 instance id (i- and 8 or 17 hex digits)' },
  hookName: { re: HOOK_NAME, what: 'a lifecycle hook name (1-255 letters, digits, -, _ or /)' },
  token: { re: TOKEN, what: 'a lifecycle action token (a UUID)' },
  eventId: { re: EVENT_ID, what: 'an event id (a UUID)' },
  account: { re: ACCOUNT_ID, what: 'a 12-digit AWS account id' },
  region: { re: REGION, what: 'an AWS region such as eu-west-1' },
  cluster: { re: CLUSTER_NAME, what: 'a kops cluster name (a DNS name)' },
} as const;

export type LimitKind = keyof typeof RULES;

/** The value when it is a string within AWS's limits for its kind; throws MalformedEventError naming the field otherwise. */
export function checked(kind: LimitKind, v: unknown, field: string): string {
  const rule = RULES[kind];
  if (typeof v !== 'string') throw new MalformedEventError(field, `must be ${rule.what}, found ${quote(v)}`);
  if (!rule.re.test(v)) throw new MalformedEventError(field, `must be ${rule.what}, found ${quote(v)}`);
  return v;
}

/** A free-text field (a status message) cut to a length a log line and an alert can carry. */
export function clip(v: unknown, max = 300): string {
  if (typeof v !== 'string') return '';
  const flat = [...v.slice(0, max + 1)].map((ch) => (hasControl(ch) ? ' ' : ch)).join('');
  return v.length <= max ? flat : `${flat.slice(0, max)}… (${v.length} chars)`;
}

/** Where the stack runs: events from any other account or region are not believed. */
export interface StackOrigin {
  account: string;
  region: string;
}

/** The stack's account and region, from the config (every cluster of one deployment shares them). */
export function stackOrigin(config: {
  clusters: readonly { account: string; region: string }[];
}): StackOrigin {
  const first = config.clusters[0];
  if (!first) throw new Error('the config names no cluster');
  return { account: first.account, region: first.region };
}

/** Rejects an EventBridge event whose `account` or `region` is not the stack's. */
export function checkOrigin(input: Record<string, unknown>, origin: StackOrigin): void {
  const account = checked('account', input.account, 'event.account');
  const region = checked('region', input.region, 'event.region');
  if (account !== origin.account)
    throw new MalformedEventError('event.account', `must be this stack's account, found ${quote(account)}`);
  if (region !== origin.region)
    throw new MalformedEventError(
      'event.region',
      `must be this stack's region ${origin.region}, found ${quote(region)}`,
    );
}
