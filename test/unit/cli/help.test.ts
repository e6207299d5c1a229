import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS, closest, GROUPS, outputOf, parseCommand } from '../../../bin/cli/spec.ts';
import { main } from '../../../bin/cli.ts';
import { capture } from '../../support/cli-io.ts';

async function run(...argv: string[]) {
  const { out, io } = capture();
  const code = await main(argv, io);
  return { code, ...out };
}

describe('CLI help', () => {
  it.each(Object.keys(COMMANDS))(
    '%s has its own help with every flag, its default and an example',
    async (name) => {
      const spec = COMMANDS[name];
      if (!spec) throw new Error(name);
      for (const argv of [
        [...name.split(' '), '--help'],
        ['help', ...name.split(' ')],
      ]) {
        const res = await run(...argv);
        expect(res.code, argv.join(' ')).toBe(0);
        expect(res.stdout).toMatch(new RegExp(`^usage: kops-api-sentinel ${name}`));
        for (const [flag, f] of Object.entries(spec.flags)) {
          expect(res.stdout).toContain(`--${flag}`);
          if (f.default !== undefined && f.default !== false)
            expect(res.stdout).toContain(`(default: ${f.default})`);
        }
        expect(res.stdout).toMatch(/\nexamples:\n {2}kops-api-sentinel /);
      }
    },
  );

  it('groups have help too: `ca`, `ca --help`, `help ca`', async () => {
    for (const name of Object.keys(GROUPS)) {
      const help = await run(name, '--help');
      expect(help.code).toBe(0);
      expect(help.stdout).toContain('import');
      expect(help.stdout).toContain('examples:');
      expect((await run('help', name)).stdout).toBe(help.stdout);
      const bare = await run(name);
      expect(bare.code).toBe(2);
      expect(bare.stderr).toBe(help.stdout);
      const stray = await run(name, '--bogus');
      expect(stray.code).toBe(2);
      expect(stray.stderr).toContain(`kops-api-sentinel ${name} --help`);
    }
  });

  it('--version prints the package version; the global help lists every command', async () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    expect(await run('--version')).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
    expect((await run('-V')).stdout).toBe(`${pkg.version}\n`);
    const help = await run('--help');
    for (const name of Object.keys(COMMANDS)) expect(help.stdout).toContain(`  ${name} `);
    expect((await run()).code).toBe(2);
  });
});

describe('init help', () => {
  it('says what init reads, where it writes, and its own exit codes; -o is --out', async () => {
    const res = await run('init', '--help');
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(
      /^usage: kops-api-sentinel init --cluster <name> \[--state s3:\/\/bucket\[\/prefix\]\]/,
    );
    expect(res.stdout).toContain('-o, --out <file>');
    expect(res.stdout).toContain('--include-kops-api-lb');
    expect(res.stdout).toContain('--force');
    expect(res.stdout).toContain('Read-only: it changes nothing in AWS.');
    expect(res.stdout).toContain('1: written but incomplete');
    expect((await run('--help')).stdout).toMatch(/^ {2}init {2,}write a commented config for a cluster/m);
    const spec = COMMANDS.init;
    if (!spec) throw new Error('init');
    // no defaults that would read as values: without -o it writes to stdout, without --region the SDK's region
    expect(parseCommand(spec, ['-o', 'x.yaml', '--cluster', 'k8s.example.com'])).toMatchObject({
      out: 'x.yaml',
    });
    expect(parseCommand(spec, ['--cluster', 'k8s.example.com'])).not.toHaveProperty('out');
    expect(parseCommand(spec, ['--cluster', 'k8s.example.com'])).not.toHaveProperty('region');
    const missing = await run('init');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--cluster <name> is required');
  });
});

describe('CLI mistakes', () => {
  it('an unknown command suggests the closest one and points to help', async () => {
    const res = await run('verfy');
    expect(res.code).toBe(2);
    expect(res.stderr).toBe(
      'error: unknown command "verfy"; did you mean "verify"?\nhint: run `kops-api-sentinel --help` for the usage\n',
    );
    const sub = await run('ca', 'imprt');
    expect(sub.stderr).toContain('unknown command "ca imprt"; did you mean "ca import"?');
    expect(sub.stderr).toContain('kops-api-sentinel ca --help');
    expect((await run('--vresion')).stderr).toContain('did you mean --version?');
  });

  it('an unknown flag names the closest and the command help', async () => {
    const res = await run('verify', '--clustr', 'x');
    expect(res.code).toBe(2);
    expect(res.stderr).toBe(
      'error: unknown option "--clustr" for verify; did you mean --cluster?\nhint: run `kops-api-sentinel verify --help` for the usage\n',
    );
    const bogus = await run('verify', '--bogus');
    expect(bogus.stderr).toContain('unknown option "--bogus" for verify');
    expect(bogus.stderr).toContain('kops-api-sentinel verify --help');
    const missing = await run('reconcile');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--config <file> is required');
  });

  it('--output takes table, json or yaml; --json is --output json', () => {
    const spec = COMMANDS.verify;
    if (!spec) throw new Error('verify');
    expect(outputOf(parseCommand(spec, []), 'verify')).toBe('table');
    expect(outputOf(parseCommand(spec, ['--json']), 'verify')).toBe('json');
    expect(outputOf(parseCommand(spec, ['--output', 'yaml']), 'verify')).toBe('yaml');
    expect(() => outputOf(parseCommand(spec, ['--output', 'yml']), 'verify')).toThrow(/did you mean yaml/);
    expect(() => outputOf(parseCommand(spec, ['--output', 'yaml', '--json']), 'verify')).toThrow(
      /contradict/,
    );
    expect(closest('zzzzzz', ['verify', 'reconcile'])).toBeUndefined();
  });
});

describe('CLI start-up', () => {
  it('the compiled entry statically imports no package and no command: commands load when they run', () => {
    // dist/ is built by the global setup (test/support/build-cli.ts)
    const seen = new Set<string>();
    const imported: string[] = [];
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/^(?:import|export)\s[^;]*?from\s*"([^"]+)"|^import\s*"([^"]+)"/gms)) {
        const spec = m[1] ?? m[2] ?? '';
        if (spec.startsWith('.')) visit(join(dirname(file), spec));
        else imported.push(spec);
      }
    };
    visit('dist/cli.js');
    expect(imported.filter((s) => !s.startsWith('node:'))).toEqual([]);
    expect([...seen].map((f) => f.replace(/^dist\//, ''))).not.toContainEqual(
      expect.stringMatching(/verify|reconcile|rehearse|ca-import/),
    );
    expect(readFileSync('dist/cli.js', 'utf8')).toMatch(/import\("\.\/chunks\/verify-[^"]+\.js"\)/);
  });
});
