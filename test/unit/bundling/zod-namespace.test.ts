import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  POWERTOOLS_PARSER,
  zodNamespaceImport,
  zodNamespacePlugin,
} from '../../../lib/bundling/zod-namespace.ts';
import { bundleSnippet } from './snippet.ts';

const dir = mkdtempSync(join(tmpdir(), 'sentinel-zod-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('zodNamespaceImport', () => {
  it('writes the named import of z as a namespace import, either quote', () => {
    const source = 'import { z } from \'zod\';\nimport { z } from "zod";\nconst s = z.object({});';
    expect(zodNamespaceImport(source)).toEqual({
      code: 'import * as z from \'zod\';\nimport * as z from "zod";\nconst s = z.object({});',
      rewritten: 2,
    });
  });

  it('leaves other imports of zod as they are', () => {
    const source =
      "import { ZodError } from 'zod';\nimport { z, ZodType } from 'zod';\nimport { z } from 'zod/mini';";
    expect(zodNamespaceImport(source)).toEqual({ code: source, rewritten: 0 });
  });

  it('applies to Powertools Parser files only', () => {
    expect(
      POWERTOOLS_PARSER.test('/x/node_modules/@aws-lambda-powertools/parser/lib/esm/schemas/sqs.js'),
    ).toBe(true);
    expect(POWERTOOLS_PARSER.test('/x/node_modules/@aws-lambda-powertools/logger/lib/esm/Logger.js')).toBe(
      false,
    );
  });

  it('keeps zod’s locales out of a bundle using a Parser schema, which answers the same', async () => {
    const bundle = async (plugins: ReturnType<typeof zodNamespacePlugin>[]) => {
      const { text, kept: keptOf } = await bundleSnippet(
        "import { SqsSchema } from '@aws-lambda-powertools/parser/schemas/sqs';\nexport const issues = JSON.stringify(SqsSchema.safeParse({ Records: [{}] }).error?.issues);",
        plugins,
      );
      const kept = keptOf('zod/v4/locales/');
      const file = join(dir, `bundle-${plugins.length}.mjs`);
      writeFileSync(file, text);
      const { issues } = (await import(pathToFileURL(file).href)) as { issues: string };
      return { kept, issues };
    };
    const plain = await bundle([]);
    const rewritten = await bundle([zodNamespacePlugin()]);
    expect(plain.kept.length).toBeGreaterThan(30);
    expect(rewritten.kept.filter((p) => !p.endsWith('/en.js'))).toEqual([]);
    // the same answer, messages included (the default English locale stays)
    expect(plain.issues).toContain('expected string');
    expect(rewritten.issues).toBe(plain.issues);
  });
});
