import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  SCHEMA_MODULE,
  sdkSchemaKeysPlugin,
  staticSchemaKeys,
} from '../../../lib/bundling/sdk-schema-keys.ts';
import { bundleSnippet } from './snippet.ts';

const SAMPLE = [
  'const _xN = "xmlName";',
  'const _eQN = "ec2QueryName";',
  'const _M = "Min";',
  'export var Count$ = [3, n0, _C,',
  '    0,',
  '    [_M, _Ma],',
  '    [[1, { [_eQN]: `Min`,',
  '                [_xN]: _m }], [1, { [_other]: 1 }]]',
  '];',
].join('\n');

/** Evaluates a module body written as `const`/`var` statements and returns the named binding. */
function evaluate(code: string, name: string): unknown {
  const body = code.replace(/^export /gm, '');
  return new Function('n0', '_C', '_Ma', '_m', '_other', `${body}\nreturn ${name};`)(
    'ns',
    'Count',
    'Max',
    'min',
    'dyn',
  );
}

describe('staticSchemaKeys', () => {
  it('writes a computed key holding a module string constant as that string', () => {
    const { code, rewritten, kept } = staticSchemaKeys(SAMPLE);
    expect(code).toContain('{ "ec2QueryName": `Min`,');
    expect(code).toContain('"xmlName": _m }');
    expect(rewritten).toBe(2);
    expect(kept).toBe(1);
  });

  it('keeps a computed key whose identifier is not a string constant of the module', () => {
    expect(staticSchemaKeys(SAMPLE).code).toContain('{ [_other]: 1 }');
  });

  it('leaves arrays of constants and every other line as they were', () => {
    const { code } = staticSchemaKeys(SAMPLE);
    expect(code).toContain('[_M, _Ma],');
    const before = SAMPLE.split('\n');
    const after = code.split('\n');
    expect(after).toHaveLength(before.length);
    before.forEach((line, i) => {
      if (!/\[_(xN|eQN)\]/.test(line)) expect(after[i]).toBe(line);
    });
  });

  it('builds the same objects', () => {
    expect(evaluate(staticSchemaKeys(SAMPLE).code, 'Count$')).toEqual(evaluate(SAMPLE, 'Count$'));
  });

  it('does not trust a constant declared twice', () => {
    const twice = 'const _a = "one";\nconst _a = "two";\nvar x = { [_a]: 1 };';
    expect(staticSchemaKeys(twice)).toMatchObject({ rewritten: 0, kept: 1 });
  });

  it('reads escaped quotes inside a constant as part of the string', () => {
    const { code } = staticSchemaKeys('const _q = "a\\"b";\nvar x = { [_q]: 1 };');
    expect(code).toContain('{ "a\\"b": 1 }');
  });
});

const require = createRequire(import.meta.url);
const ec2Schemas = join(
  dirname(require.resolve('@aws-sdk/client-ec2/package.json')),
  'dist-es',
  'schemas',
  'schemas_0.js',
);

describe('on the SDK itself', () => {
  it('matches the schema modules of clients and nested clients, and nothing else of the SDK', () => {
    expect(SCHEMA_MODULE.test(ec2Schemas)).toBe(true);
    expect(
      SCHEMA_MODULE.test(
        '/x/node_modules/@aws-sdk/nested-clients/dist-es/submodules/sts/schemas/schemas_0.js',
      ),
    ).toBe(true);
    expect(
      SCHEMA_MODULE.test('/x/node_modules/@aws-sdk/client-ec2/dist-es/commands/DescribeInstancesCommand.js'),
    ).toBe(false);
    expect(SCHEMA_MODULE.test('/x/functions/core/schemas/schemas_0.js')).toBe(false);
  });

  it('rewrites every computed key of the EC2 model (none is left to pin the model)', () => {
    const { rewritten, kept } = staticSchemaKeys(readFileSync(ec2Schemas, 'utf8'));
    expect(rewritten).toBeGreaterThan(10_000);
    expect(kept).toBe(0);
  });

  it('lets esbuild drop the EC2 shapes a DescribeInstances caller never reaches', async () => {
    const size = async (plugins: ReturnType<typeof sdkSchemaKeysPlugin>[]) =>
      (
        await bundleSnippet(
          "import { EC2Client, DescribeInstancesCommand } from '@aws-sdk/client-ec2';\nexport const c = new EC2Client({}); export const d = DescribeInstancesCommand;",
          plugins,
        )
      ).bytesFrom('@aws-sdk/client-ec2/');
    const [plain, trimmed] = [await size([]), await size([sdkSchemaKeysPlugin()])];
    expect(plain).toBeGreaterThan(400 * 1024);
    expect(trimmed).toBeLessThan(64 * 1024);
  });
});
