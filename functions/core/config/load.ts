import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { ConfigError, parseConfig } from './parse.ts';
import type { SentinelConfig } from './schema.ts';

export { ConfigError, defaultCaParameter, parseConfig } from './parse.ts';

/** Reads a YAML or JSON file and validates it. */
export function loadConfigFile(path: string): SentinelConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(path, [`cannot read the file: ${(err as Error).message}`]);
  }
  let doc: unknown;
  try {
    doc = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new ConfigError(path, [
      `not valid ${path.endsWith('.json') ? 'JSON' : 'YAML'}: ${(err as Error).message}`,
    ]);
  }
  return parseConfig(doc, path);
}
