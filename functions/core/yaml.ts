import type * as YamlModule from 'yaml';

/** What the state-store readers use of the `yaml` package. */
export type Yaml = Pick<typeof YamlModule, 'isMap' | 'parseDocument'>;

let yaml: Yaml | undefined;

/**
 * The YAML parser, loaded on first use. Only a verifier that reads the state store (a `state-store`
 * CA source, `kops.stateStore`) pays yaml's module init (about 10 ms of a cold start); the bundle
 * is code-split (lib/bundling/options.ts), so yaml's code sits in a chunk of its own that no cold
 * start compiles. The readers load it and hand it to the synchronous parse functions.
 */
export async function loadYaml(): Promise<Yaml> {
  yaml ??= await import('yaml');
  return yaml;
}
