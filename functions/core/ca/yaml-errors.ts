import type { YAMLError } from 'yaml';
import { CaSourceError } from './bundle.ts';

/**
 * Throws a CaSourceError for a YAML document with errors. The parser's own message quotes the
 * offending line, which may be key material: give the position only.
 */
export function rejectYamlErrors(doc: { errors: readonly YAMLError[] }, source: string): void {
  const [first] = doc.errors;
  if (!first) return;
  const pos = first.linePos?.[0];
  const at = pos ? ` at line ${pos.line}, column ${pos.col}` : '';
  throw new CaSourceError(source, `${source}: not a valid YAML document (${first.code}${at})`);
}
