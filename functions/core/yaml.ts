import type * as YamlModule from 'yaml';

/** What the state-store readers use of the `yaml` package. */
export type Yaml = Pick<typeof YamlModule, 'isMap' | 'parseDocument'>;

let yaml: Yaml | undefined;

/**
 * The YAML parser, loaded on first use. Only a verifier that reads the state store (a `state-store`
 * CA source, `kops.stateStore`) pays yaml's module init (about 10 ms of a cold start); the bundle
 * still holds it, behind the dynamic import. The readers load it and hand it to the synchronous
 * parse functions.
 */
export async function loadYaml(): Promise<Yaml> {
  yaml ??= await import('yaml');
  return yaml;
}
