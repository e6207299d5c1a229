import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Metafile } from 'esbuild';

/**
 * The baseline a function's cold start is judged against: a bundle that only imports and
 * constructs the AWS SDK clients, Powertools utilities and middy packages the function's own
 * bundle holds. Which ones is read from the function bundle's esbuild metafile, so the baseline
 * follows whatever clients a function bundles.
 */

/** Packages the baseline reproduces; everything else in the bundle is the function's own cost. */
const RUNTIME_PACKAGE =
  /^(@aws-sdk\/client-[a-z0-9-]+|@aws-sdk\/lib-dynamodb|@aws-lambda-powertools\/[a-z-]+|@middy\/[a-z-]+)$/;

/** Pulled in by the other Powertools packages; nothing of its own to construct. */
const TRANSITIVE = new Set(['@aws-lambda-powertools/commons']);

/** The package a bundled file belongs to (the innermost `node_modules/<pkg>/`), if any. */
export function packageOf(input: string): string | undefined {
  const at = input.lastIndexOf('node_modules/');
  if (at < 0) return undefined;
  const parts = input.slice(at + 'node_modules/'.length).split('/');
  const [first, second] = parts;
  if (!first) return undefined;
  return first.startsWith('@') ? (second ? `${first}/${second}` : undefined) : first;
}

/** The SDK clients, Powertools and middy packages among a bundle's inputs, sorted. */
export function runtimePackages(meta: Pick<Metafile, 'inputs'>): string[] {
  const found = new Set<string>();
  for (const input of Object.keys(meta.inputs)) {
    const pkg = packageOf(input);
    if (pkg && RUNTIME_PACKAGE.test(pkg) && !TRANSITIVE.has(pkg)) found.add(pkg);
  }
  return [...found].sort();
}

/** The client class of an SDK client package: its one `dist-es/<Name>Client.js`. */
export function clientClassOf(pkg: string, root: string): string {
  const files = readdirSync(join(root, 'node_modules', pkg, 'dist-es')).filter((f) =>
    /^[A-Z][A-Za-z0-9]*Client\.js$/.test(f),
  );
  const [file] = files;
  if (files.length !== 1 || !file) throw new Error(`${pkg}: expected one dist-es/*Client.js, found ${files}`);
  return file.replace(/\.js$/, '');
}

/** How the baseline imports and constructs one package: import lines and one expression. */
interface Recipe {
  imports: string[];
  value: string;
}

function recipe(pkg: string, i: number, clientClass: (pkg: string) => string): Recipe {
  const id = `p${i}`;
  if (pkg.startsWith('@aws-sdk/client-')) {
    return { imports: [`import { ${clientClass(pkg)} as ${id} } from '${pkg}';`], value: `new ${id}({})` };
  }
  switch (pkg) {
    case '@aws-sdk/lib-dynamodb':
      return {
        imports: [
          `import { DynamoDBDocumentClient as ${id} } from '${pkg}';`,
          `import { DynamoDBClient as ${id}c } from '@aws-sdk/client-dynamodb';`,
        ],
        value: `${id}.from(new ${id}c({}))`,
      };
    case '@aws-lambda-powertools/logger':
      return { imports: [`import { Logger as ${id} } from '${pkg}';`], value: `new ${id}()` };
    case '@aws-lambda-powertools/metrics':
      return {
        imports: [`import { Metrics as ${id} } from '${pkg}';`],
        value: `new ${id}({ namespace: 'Baseline' })`,
      };
    case '@aws-lambda-powertools/tracer':
      return { imports: [`import { Tracer as ${id} } from '${pkg}';`], value: `new ${id}()` };
    case '@aws-lambda-powertools/batch':
      return {
        imports: [`import { BatchProcessor as ${id}, EventType as ${id}t } from '${pkg}';`],
        value: `new ${id}(${id}t.SQS)`,
      };
    case '@aws-lambda-powertools/parser':
      return { imports: [`import { parse as ${id} } from '${pkg}';`], value: id };
    case '@middy/core':
      return { imports: [`import ${id} from '${pkg}';`], value: `${id}(async () => undefined)` };
    default:
      // a package without a recipe: keep all of it (the baseline errs on the large side)
      return { imports: [`import * as ${id} from '${pkg}';`], value: id };
  }
}

/** The baseline's source: each package imported and constructed, the results exported so nothing is dropped. */
export function baselineSource(packages: readonly string[], clientClass: (pkg: string) => string): string {
  const recipes = packages.map((p, i) => recipe(p, i, clientClass));
  return [
    ...recipes.flatMap((r) => r.imports),
    `export const baseline = [${recipes.map((r) => r.value).join(', ')}];`,
    '',
  ].join('\n');
}
