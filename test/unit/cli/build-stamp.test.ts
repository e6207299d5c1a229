import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliBuildIsCurrent } from '../../support/build-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'cli-stamp-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const source = join(dir, 'cli.ts');
const output = join(dir, 'cli.js');
writeFileSync(output, '// built');
let stamps = 0;

/** A stamp as bin/build/cli.mjs writes it: each input's sha256, and the outputs. */
function stamp(inputs: string[], outputs: string[] = [output]): string {
  const hashes = inputs.map((f) => [f, createHash('sha256').update(readFileSync(f)).digest('hex')]);
  const file = join(dir, `stamp-${++stamps}.json`);
  writeFileSync(file, JSON.stringify({ inputs: Object.fromEntries(hashes), outputs }));
  return file;
}

describe('the CLI build stamp (test/support/build-cli.ts skips a build of unchanged sources)', () => {
  it('is current when every input has its hash and every output is there', () => {
    writeFileSync(source, 'export const a = 1;\n');
    expect(cliBuildIsCurrent(stamp([source]))).toBe(true);
  });

  it('is stale when a source changed or is gone, an output is missing, or there is no stamp', () => {
    writeFileSync(source, 'export const a = 1;\n');
    const before = stamp([source]);
    writeFileSync(source, 'export const a = 2;\n');
    expect(cliBuildIsCurrent(before)).toBe(false);

    const gone = join(dir, 'gone.ts');
    writeFileSync(gone, 'export {};\n');
    const withGone = stamp([source, gone]);
    rmSync(gone);
    expect(cliBuildIsCurrent(withGone)).toBe(false);

    expect(cliBuildIsCurrent(stamp([source], [join(dir, 'missing.js')]))).toBe(false);
    expect(cliBuildIsCurrent(stamp([]))).toBe(false);
    expect(cliBuildIsCurrent(join(dir, 'no-stamp.json'))).toBe(false);
  });
});
