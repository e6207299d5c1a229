import type { Plugin } from 'esbuild';
import { sourceTransformPlugin } from './source-transform.ts';

/**
 * Works around aws/aws-sdk-js-v3#7607 (fix proposed in smithy-lang/smithy-typescript#1889): since
 * 3.930 the generated schema modules of every client write trait objects with computed keys,
 * `{ [_xN]: _m }`, where `_xN` is a module constant holding "xmlName". esbuild cannot prove a
 * computed key free of side effects (it could call a getter or toString), so it keeps every shape
 * of the service, used or not: the EC2 client's whole API model (~550 KiB minified) in a function
 * that calls DescribeInstances. The transform writes each such key as the string the constant
 * holds, `{ "xmlName": _m }`: the same object, so the same behaviour, and esbuild's own tree
 * shaking then drops the shapes no bundled command reaches. Nothing else in the file changes.
 */

/** The SDK's generated schema modules (clients and the nested clients of credential providers). */
export const SCHEMA_MODULE =
  /[\\/]@aws-sdk[\\/][^\\/]+[\\/]dist-es[\\/](?:submodules[\\/][^\\/]+[\\/])?schemas[\\/]schemas_\d+\.js$/;

/** `const _xN = "xmlName";` at the start of a line: the module's string constants. */
const STRING_CONSTANT = /^const (_[A-Za-z0-9_$]+) = ("(?:[^"\\\n]|\\.)*");$/gm;

/** A computed key that is one identifier, right after `{` or `,` (the only places a key can be). */
const COMPUTED_KEY = /([{,]\s*)\[(_[A-Za-z0-9_$]+)\]:/g;

export interface KeyRewrite {
  code: string;
  /** How many computed keys were written as string keys. */
  rewritten: number;
  /** Computed keys left as they were: their identifier is not a string constant of the module. */
  kept: number;
}

/** Rewrites the computed keys whose identifier is a string constant of the module; keeps the rest. */
export function staticSchemaKeys(source: string): KeyRewrite {
  const constants = new Map<string, string>();
  for (const m of source.matchAll(STRING_CONSTANT)) {
    const [, name, literal] = m;
    if (name && literal && !constants.has(name)) constants.set(name, literal);
    else if (name) constants.delete(name);
  }
  let rewritten = 0;
  let kept = 0;
  const code = source.replace(COMPUTED_KEY, (whole, before: string, name: string) => {
    const literal = constants.get(name);
    if (literal === undefined) {
      kept++;
      return whole;
    }
    rewritten++;
    return `${before}${literal}:`;
  });
  return { code, rewritten, kept };
}

/** The esbuild plugin: loads the SDK's schema modules through staticSchemaKeys. */
export function sdkSchemaKeysPlugin(): Plugin {
  return sourceTransformPlugin('sdk-schema-static-keys', SCHEMA_MODULE, (s) => staticSchemaKeys(s).code);
}
