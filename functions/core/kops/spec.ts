import { CLASSIC_ELB_NAME, TARGET_GROUP_ARN } from '../aws/names.ts';
import { rejectYamlErrors } from '../ca/yaml-errors.ts';
import type { LoadBalancerRef } from '../lb/port.ts';
import type { Yaml } from '../yaml.ts';

/**
 * The parts of kops' specs the sentinel reads, parsed as data from a hostile source: the cluster
 * spec's `spec.api.loadBalancer` (pkg/apis/kops/v1alpha2/cluster.go, LoadBalancerAccessSpec) and
 * each instance group's `spec.role` and `spec.externalLoadBalancers` (instancegroup.go,
 * LoadBalancerSpec). Every other field is ignored, so any kops version reads; what is read is
 * checked for type and length, and a bad value is a KopsSpecError naming the object key, never
 * quoting the object.
 */

/** A spec object is a few kilobytes; refuse a larger one before parsing it. */
export const MAX_SPEC_BYTES = 256 * 1024;
/** kops refuses more than 10 externalLoadBalancers per instance group. */
export const MAX_EXTERNAL_LOAD_BALANCERS = 10;
const MAX_FIELD = 2048;
const INSTANCE_GROUP_NAME = /^[A-Za-z0-9]([A-Za-z0-9.-]{0,252})$/;

/** An instance group's role, with `Master` (kops before 1.26) read as `ControlPlane`. */
export type KopsRole = 'ControlPlane' | 'APIServer' | 'Node' | 'Bastion' | 'other';

export interface InstanceGroupSpec {
  name: string;
  /** The object key it was read from. */
  key: string;
  role: KopsRole;
  externalLoadBalancers: LoadBalancerRef[];
  /**
   * Entries whose name or ARN is not a classic ELB name or a target group ARN (as the config's
   * patterns say): left out of externalLoadBalancers and reported by their path, never quoted.
   */
  invalidLoadBalancers: string[];
}

export interface ApiLoadBalancerSpec {
  class?: string;
  type?: string;
  sslCertificate?: string;
  useForInternalApi: boolean;
}

export interface ClusterSpec {
  key: string;
  /** `spec.api.loadBalancer`, when the cluster has one (a DNS-only or gossip cluster has none). */
  apiLoadBalancer?: ApiLoadBalancerSpec;
}

/** A spec object that could not be read or is not what kops writes; names the key. */
export class KopsSpecError extends Error {
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(message);
    this.name = 'KopsSpecError';
  }
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses one YAML document of `kind`, returning its plain `metadata` and `spec`. */
function parseObject(text: string, key: string, kind: string, yaml: Yaml): { metadata: Obj; spec: Obj } {
  if (text.length > MAX_SPEC_BYTES) {
    throw new KopsSpecError(key, `${key}: ${text.length} characters is too large for a kops ${kind}`);
  }
  const { isMap, parseDocument } = yaml;
  const doc = parseDocument(text, { uniqueKeys: false });
  try {
    rejectYamlErrors(doc, key);
  } catch (err) {
    throw new KopsSpecError(key, (err as Error).message);
  }
  if (!isMap(doc.contents)) throw new KopsSpecError(key, `${key}: not a kops ${kind} (not a mapping)`);
  let js: unknown;
  try {
    js = doc.toJS({ maxAliasCount: 50 });
  } catch {
    throw new KopsSpecError(key, `${key}: not a kops ${kind} (too many YAML aliases)`);
  }
  const o = js as Obj;
  if (o.kind !== undefined && o.kind !== kind) {
    throw new KopsSpecError(key, `${key}: kind is not ${kind}`);
  }
  const metadata = o.metadata ?? {};
  const spec = o.spec ?? {};
  if (!isObj(metadata)) throw new KopsSpecError(key, `${key}: metadata is not a mapping`);
  if (!isObj(spec)) throw new KopsSpecError(key, `${key}: spec is not a mapping`);
  return { metadata, spec };
}

/** An optional string field of at most `max` characters; throws naming `path`. */
function optString(o: Obj, field: string, key: string, path: string, max = MAX_FIELD): string | undefined {
  const v = o[field];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string' || v.length > max) {
    throw new KopsSpecError(key, `${key}: ${path}.${field} is not a string of at most ${max} characters`);
  }
  return v;
}

function roleOf(value: string | undefined): KopsRole {
  switch (value) {
    case 'Master':
    case 'ControlPlane':
      return 'ControlPlane';
    case 'APIServer':
    case 'Node':
    case 'Bastion':
      return value;
    default:
      return 'other';
  }
}

function externalLoadBalancersOf(
  spec: Obj,
  key: string,
): Pick<InstanceGroupSpec, 'externalLoadBalancers' | 'invalidLoadBalancers'> {
  const out: Pick<InstanceGroupSpec, 'externalLoadBalancers' | 'invalidLoadBalancers'> = {
    externalLoadBalancers: [],
    invalidLoadBalancers: [],
  };
  const list = spec.externalLoadBalancers;
  if (list === undefined || list === null) return out;
  if (!Array.isArray(list)) throw new KopsSpecError(key, `${key}: spec.externalLoadBalancers is not a list`);
  if (list.length > MAX_EXTERNAL_LOAD_BALANCERS) {
    throw new KopsSpecError(
      key,
      `${key}: spec.externalLoadBalancers has ${list.length} entries (kops allows ${MAX_EXTERNAL_LOAD_BALANCERS})`,
    );
  }
  list.forEach((entry, i) => {
    const path = `spec.externalLoadBalancers[${i}]`;
    if (!isObj(entry)) throw new KopsSpecError(key, `${key}: ${path} is not a mapping`);
    const name = optString(entry, 'loadBalancerName', key, path, 32);
    const arn = optString(entry, 'targetGroupArn', key, path);
    if (name && !arn) {
      if (CLASSIC_ELB_NAME.test(name)) out.externalLoadBalancers.push({ kind: 'classic', name });
      else out.invalidLoadBalancers.push(`${path}.loadBalancerName is not a classic ELB name`);
      return;
    }
    if (arn && !name) {
      if (TARGET_GROUP_ARN.test(arn)) out.externalLoadBalancers.push({ kind: 'target-group', arn });
      else out.invalidLoadBalancers.push(`${path}.targetGroupArn is not a target group ARN`);
      return;
    }
    throw new KopsSpecError(key, `${key}: ${path} needs exactly one of loadBalancerName or targetGroupArn`);
  });
  return out;
}

/** Parses an instance group spec (`<cluster>/instancegroup/<ig>`), any kops version. */
export function parseInstanceGroup(text: string, key: string, yaml: Yaml): InstanceGroupSpec {
  const { metadata, spec } = parseObject(text, key, 'InstanceGroup', yaml);
  const name = optString(metadata, 'name', key, 'metadata', 253);
  if (!name || !INSTANCE_GROUP_NAME.test(name)) {
    throw new KopsSpecError(key, `${key}: metadata.name is not an instance group name`);
  }
  return {
    name,
    key,
    role: roleOf(optString(spec, 'role', key, 'spec', 32)),
    ...externalLoadBalancersOf(spec, key),
  };
}

/** Parses a cluster spec (`<cluster>/config` or `cluster-completed.spec`), any kops version. */
export function parseClusterSpec(text: string, key: string, yaml: Yaml): ClusterSpec {
  const { spec } = parseObject(text, key, 'Cluster', yaml);
  const api = spec.api;
  if (api === undefined || api === null) return { key };
  if (!isObj(api)) throw new KopsSpecError(key, `${key}: spec.api is not a mapping`);
  const lb = api.loadBalancer;
  if (lb === undefined || lb === null) return { key };
  if (!isObj(lb)) throw new KopsSpecError(key, `${key}: spec.api.loadBalancer is not a mapping`);
  const path = 'spec.api.loadBalancer';
  const internal = lb.useForInternalApi;
  if (internal !== undefined && internal !== null && typeof internal !== 'boolean') {
    throw new KopsSpecError(key, `${key}: ${path}.useForInternalApi is not true or false`);
  }
  const apiLoadBalancer: ApiLoadBalancerSpec = { useForInternalApi: internal === true };
  const cls = optString(lb, 'class', key, path, 32);
  const type = optString(lb, 'type', key, path, 32);
  const cert = optString(lb, 'sslCertificate', key, path);
  if (cls) apiLoadBalancer.class = cls;
  if (type) apiLoadBalancer.type = type;
  if (cert) apiLoadBalancer.sslCertificate = cert;
  return { key, apiLoadBalancer };
}
