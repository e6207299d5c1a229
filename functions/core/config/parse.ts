import type * as z from 'zod';
import { type ClusterConfig, type SentinelConfig, SentinelConfigSchema } from './schema.ts';

/*
 * The configuration's validation, and all a deployed function needs of it: the functions parse the
 * JSON compiled into their bundle, never a file, so no YAML parser ships with them. Reading files
 * (YAML or JSON) lives in load.ts, which only the CLI, the CDK app and the tests import.
 */

/** A configuration error: names the field, the value found and what was expected. */
export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`invalid configuration in ${source}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

function fieldPath(path: PropertyKey[]): string {
  return path.reduce<string>((acc, part) => {
    if (typeof part === 'number') return `${acc}[${part}]`;
    return acc ? `${acc}.${String(part)}` : String(part);
  }, '');
}

function valueAt(input: unknown, path: PropertyKey[]): unknown {
  let cur: unknown = input;
  for (const part of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[part];
  }
  return cur;
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing (missing)';
  // PEM material is never echoed: it may hold a key
  if (typeof value === 'string' && value.includes('-----BEGIN')) return 'a PEM text (not shown)';
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function describeIssue(input: unknown, issue: z.core.$ZodIssue): string {
  const field = fieldPath(issue.path) || '(top level)';
  if (issue.code === 'unrecognized_keys') {
    return `${field}: unknown field(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}; expected only the documented fields`;
  }
  const found = valueAt(input, issue.path);
  const expected = issue.message
    .replace(/^(Invalid (option|input|type)|Too (small|big)|Invalid string): expected /i, '')
    .replace(/, received \w+$/, '');
  return `${field}: found ${show(found)}; expected ${expected}${found === undefined ? ' (required)' : ''}`;
}

/** Where `ca import` writes, and the verifier reads, a cluster's CA bundle unless the config says otherwise. */
export function defaultCaParameter(cluster: string): string {
  return `/kops-api-sentinel/${cluster}/ca-bundle`;
}

/** Validates a parsed document and resolves defaults (the API hostname is api.internal.<cluster>,
 * the CA source the SSM parameter /kops-api-sentinel/<cluster>/ca-bundle). */
export function parseConfig(input: unknown, source = 'config'): SentinelConfig {
  const result = SentinelConfigSchema.safeParse(input);
  if (!result.success) {
    throw new ConfigError(
      source,
      result.error.issues.map((i) => describeIssue(input, i)),
    );
  }
  const cfg = result.data;
  const clusters: ClusterConfig[] = cfg.clusters.map((c) => ({
    ...c,
    api: {
      hostname: c.api.hostname ?? `api.internal.${c.name}`,
      port: c.api.port,
      hostnamePort: c.api.hostnamePort,
      instancePort: c.api.instancePort,
      // a gossip cluster's names (*.k8s.local) live in the nodes' /etc/hosts, not in any DNS
      probeHostname: c.api.probeHostname ?? !c.name.endsWith('.k8s.local'),
    },
    // the recommended source: a public bundle in SSM, written by `ca import`
    ca: c.ca ?? { source: 'ssm', parameterName: defaultCaParameter(c.name) },
  }));
  return { ...cfg, clusters };
}
