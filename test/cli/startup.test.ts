/**
 * The binary's start-up paths (bin/okta-aws-sso.js, scripts/bundle-cli.mjs) answer exactly as the full,
 * unbundled CLI does (runCli from dist/cli/run.js, the function dist/cli/main.js runs; in this process,
 * to spare a spawn per case), so that they cannot drift from it:
 * - a lone --version/-V/--help/-h is answered from package.json and dist/cli/help.json without loading the CLI;
 * - everything else runs dist/cli/main.bundle.js (the start-up modules in one file).
 */
import { stripVTControlCharacters } from 'node:util';
import { Writable } from 'node:stream';
import fs from 'node:fs';
import path from 'node:path';
import pty from '@lydell/node-pty';
import type { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT, cleanEnv, runCli, tmpWorkDir, type CliResult } from '../helpers/cli.js';

const FULL = path.join(ROOT, 'dist/cli/main.js');
const BUNDLE = path.join(ROOT, 'dist/cli/main.bundle.js');

/** The full, unbundled CLI in this process (stdout and stderr are not terminals, as for the spawned binary). */
async function fullCli(args: string[], cwd: string): Promise<CliResult> {
  const { runCli: run } = (await import(path.join(ROOT, 'dist/cli/run.js'))) as typeof import('../../src/cli/run.js');
  let stdout = '';
  let stderr = '';
  const sink = (add: (s: string) => void): Writable => new Writable({ write: (c: Buffer, _e, cb) => (add(c.toString()), cb()) });
  const code = await run(args, { cwd, env: cleanEnv(), stdout: sink((s) => (stdout += s)), stderr: sink((s) => (stderr += s)) });
  return { code, signal: null, stdout, stderr };
}

/** Each case through the binary (spawned, four at a time) and through the full CLI. */
async function compare(cases: string[][], cwd: string): Promise<void> {
  for (let i = 0; i < cases.length; i += 4) {
    const batch = cases.slice(i, i + 4);
    const quick = await Promise.all(batch.map((args) => runCli(args, { cwd, env: {} })));
    // A message record's time is when it was said: the one field two runs cannot share.
    const timeless = (r: CliResult): CliResult => ({ ...r, stdout: r.stdout.replace(/"time": "[^"]+"/g, '"time": "…"') });
    for (const [j, args] of batch.entries()) expect(timeless(quick[j]!), args.join(' ')).toEqual(timeless(await fullCli(args, cwd)));
  }
}

/** Every command path of the real program (`init`, `sandbox start`, ...), read from commander. */
async function commandPaths(): Promise<string[][]> {
  const { buildProgram } = (await import(path.join(ROOT, 'dist/cli/program.js'))) as typeof import('../../src/cli/program.js');
  const { CliContext } = (await import(path.join(ROOT, 'dist/cli/context.js'))) as typeof import('../../src/cli/context.js');
  const program = buildProgram(new CliContext({}), {});
  const out: string[][] = [];
  const walk = (c: Command, prefix: string[]): void => {
    for (const sub of c.commands) {
      out.push([...prefix, sub.name()]);
      walk(sub, [...prefix, sub.name()]);
    }
  };
  walk(program, []);
  return out;
}

/** The files of the project that a run of the binary loads (an ESM load hook records them). */
async function loadedFiles(args: string[], cwd: string): Promise<string[]> {
  const dir = tmpWorkDir('oas-startup-hook-');
  fs.writeFileSync(path.join(dir, 'hooks.mjs'), "export async function load(url, ctx, next) { if (url.startsWith('file:')) process.stderr.write(`LOADED ${url}\\n`); return next(url, ctx); }\n");
  fs.writeFileSync(path.join(dir, 'register.mjs'), "import { register } from 'node:module';\nregister('./hooks.mjs', import.meta.url);\n");
  const r = await runCli(args, { cwd, env: {}, nodeArgs: ['--import', path.join(dir, 'register.mjs')] });
  fs.rmSync(dir, { recursive: true, force: true });
  expect(r.code).toBe(0);
  return [...r.stderr.matchAll(/^LOADED file:\/\/(.*)$/gm)].map((m) => path.relative(ROOT, decodeURIComponent(m[1]!)));
}

/** A run of `entry` in a pseudo-terminal `cols` wide: what it drew, and its exit code. */
function inTerminal(entry: string, args: string[], cols: number, cwd: string): Promise<{ screen: string; code: number }> {
  const p = pty.spawn(process.execPath, [entry, ...args], { cols, rows: 60, cwd, env: cleanEnv({ TERM: 'xterm-256color' }) });
  let raw = '';
  p.onData((d) => (raw += d));
  return new Promise((resolve) => p.onExit((e) => resolve({ screen: stripVTControlCharacters(raw).replace(/\r/g, ''), code: e.exitCode })));
}

it("the answer options' attribute names are commander's (src/cli/options.ts computes them without loading commander)", async () => {
  const { Option } = await import('commander');
  const { answerOptions } = (await import(path.join(ROOT, 'dist/cli/options.js'))) as typeof import('../../src/cli/options.js');
  const options = answerOptions();
  expect(options.length).toBeGreaterThan(20);
  for (const a of options) expect(a.attr, a.flags).toBe(new Option(a.flags, a.description).attributeName());
  expect(options.find((a) => a.key === 'okta-org-url')?.attr).toBe('oktaOrgUrl');
});

describe('start-up paths give the full CLI answer', () => {
  let cwd: string;
  beforeAll(() => {
    cwd = tmpWorkDir('oas-startup-');
  });
  afterAll(() => fs.rmSync(cwd, { recursive: true, force: true }));

  it('a lone --version, -V, --help or -h: same output and exit code as the full CLI, without loading it', async () => {
    await compare([['--version'], ['-V'], ['--help'], ['-h']], cwd);
    expect((await fullCli(['--version'], cwd)).stdout).toBe(`${(JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version}\n`);
    expect((await fullCli(['--help'], cwd)).stdout).toMatch(/^Usage: okta-aws-sso \[options\] \[command\]\n[^]*Exit codes:/);
    const files = await loadedFiles(['--help'], cwd);
    expect(files).toContain('bin/okta-aws-sso.js');
    expect(files.filter((f) => f.startsWith('dist/') || f.startsWith('node_modules/'))).toEqual([]);
  }, 120_000);

  it('the saved help is commander help: a terminal 80 columns wide gets it, another width gets the full CLI at that width', async () => {
    const saved = (JSON.parse(fs.readFileSync(path.join(ROOT, 'dist/cli/help.json'), 'utf8')) as { help: string }).help;
    for (const cols of [80, 120]) {
      const [quick, full] = await Promise.all([inTerminal(BIN, ['--help'], cols, cwd), inTerminal(FULL, ['--help'], cols, cwd)]);
      expect(full.code).toBe(0);
      expect(quick, `${cols} columns`).toEqual(full);
      // the width matters (so the binary must check it): 120 columns wrap differently
      expect(full.screen === saved, `${cols} columns`).toBe(cols === 80);
    }
  }, 120_000);

  it('everything else runs through the bundle: --help of the commands, status, usage errors and no command are the full CLI answers', async () => {
    const paths = await commandPaths();
    expect(paths.map((p) => p.join(' '))).toEqual(expect.arrayContaining(['init', 'status', 'sandbox start', 'access plan', 'rotate scim-token']));
    const stateDir = path.join(cwd, 'with-state');
    fs.mkdirSync(stateDir);
    const { StateStore, newState } = (await import(path.join(ROOT, 'dist/engine/state.js'))) as typeof import('../../src/engine/state.js');
    await new StateStore(path.join(stateDir, 'okta-aws-sso.state.json'), newState('startup-test')).save();
    // a state file the wizard did not write: the lazily loaded zod schema refuses it with a UsageError,
    // which the bundled error handling must recognise (one errors.js in the process): exit 2, not 1
    const bad = path.join(cwd, 'bad.state.json');
    fs.writeFileSync(bad, '{"schemaVersion": 99}\n');
    const cases: string[][] = [
      // every top-level command and group, and the first command of each group
      ...paths.filter((p, i) => p.length === 1 || paths[i - 1]!.length === 1).map((p) => [...p, '--help']),
      ['help', 'init'],
      ['status'],
      ['status', '--json'],
      ['--state', path.join(stateDir, 'okta-aws-sso.state.json'), 'status'],
      ['status', '--json', '--state', path.join(stateDir, 'okta-aws-sso.state.json')],
      ['status', '--state', bad],
      ['--version', '--json'],
      ['--bogus'],
      ['statu'],
      ['--json'],
      [],
    ];
    await compare(cases, cwd);
    expect((await fullCli(['status', '--state', bad], cwd)).code).toBe(2);
    const files = await loadedFiles(['status'], cwd);
    expect(files).toContain('dist/cli/main.bundle.js');
    expect(files).not.toContain('dist/cli/main.js');
    expect(files).not.toContain('dist/cli/program.js');
    expect(files.filter((f) => f.startsWith('node_modules/commander/'))).toEqual([]); // bundled
    expect(fs.existsSync(BUNDLE)).toBe(true);
  }, 180_000);
});
