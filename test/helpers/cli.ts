/**
 * Spawns the real CLI (node bin/okta-aws-sso.js, i.e. dist/ built by globalSetup) or the test-steps
 * entry (test/cli/fixtures/steps-cli.mjs: the same runCli with the small test steps of
 * test/cli/fixtures/steps.mjs) and collects stdout, stderr and the exit code; or runs either in the
 * test's own process (runCliInProcess, with `steps: await fixtureSteps()` for the test steps).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = path.join(ROOT, 'bin/okta-aws-sso.js');
export const STEPS_CLI = path.join(ROOT, 'test/cli/fixtures/steps-cli.mjs');
/** The test steps themselves (what STEPS_CLI runs), for runCliInProcess. */
export const FIXTURE_STEPS = path.join(ROOT, 'test/cli/fixtures/steps.mjs');

/** The small test steps of STEPS_CLI, loaded into this process (`runCliInProcess(args, { steps })`). */
export async function fixtureSteps(): Promise<readonly unknown[]> {
  return ((await import(/* @vite-ignore */ pathToFileURL(FIXTURE_STEPS).href)) as { steps: readonly unknown[] }).steps;
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** Entry script (default: the real binary). */
  entry?: string;
  /** Extra node arguments (e.g. --import). */
  nodeArgs?: string[];
  input?: string;
}

/** A clean environment: no CI, no color settings, no AWS/Okta credentials from the developer's shell. */
export function cleanEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined) continue;
    if (/^(AWS_|OKTA_|SCIM_|CI$|NO_COLOR$|FORCE_COLOR$|GITHUB_)/.test(k)) continue;
    env[k] = v;
  }
  env['HOME'] = fs.mkdtempSync(path.join(os.tmpdir(), 'oas-home-'));
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

export function spawnCli(args: string[], opts: CliOptions = {}): { child: ChildProcess; done: Promise<CliResult>; stdout: () => string; stderr: () => string } {
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), opts.entry ?? BIN, ...args], {
    cwd: opts.cwd ?? ROOT,
    env: opts.env ? (cleanEnv(opts.env) as NodeJS.ProcessEnv) : (cleanEnv() as NodeJS.ProcessEnv),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  if (opts.input !== undefined) child.stdin!.end(opts.input);
  else child.stdin!.end();
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout: out, stderr: err }));
  });
  return { child, done, stdout: () => out, stderr: () => err };
}

export function runCli(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  return spawnCli(args, opts).done;
}

type InProcessRunCli = (argv: readonly string[], deps: Record<string, unknown>) => Promise<number>;
let inProcess: Promise<InProcessRunCli> | undefined;
let inProcessQueue: Promise<unknown> = Promise.resolve();

/**
 * The same CLI as `runCli` (dist/cli/run.js: parse, run the command, render, the exit code), run in
 * this test file's process instead of a new node process: each spawn of the CLI costs ~1-2 s of CPU
 * to load and warm up the SDKs, an in-process run after the first costs tens of milliseconds
 * (docs/testing.md). For tests that are not about the process boundary: the binary's own wrapper
 * (src/cli/main.ts: the SDK warning filter, EPIPE, the uncaught-error net, signals) is not in the
 * path, so those stay with `runCli`/`spawnCli`.
 *
 * Each run gets what a new process would: its own environment (cleanEnv, set on process.env itself,
 * which the AWS SDK and the sandbox it starts read), its working folder (process.chdir), fresh
 * streams (not a terminal) and a clean per-run memory (src/verify/run-memory.ts, reset by runCli at
 * the start of every run). Runs in one file are queued one after another, never concurrent: a test
 * that needs two CLIs at once uses spawnCli.
 */
export interface InProcessOptions extends Omit<CliOptions, 'entry' | 'nodeArgs'> {
  /** Steps instead of the real ones (as STEPS_CLI runs them: `await fixtureSteps()`). */
  steps?: readonly unknown[];
}

export function runCliInProcess(args: string[], opts: InProcessOptions = {}): Promise<CliResult> {
  const run = inProcessQueue.then(() => runInProcessNow(args, opts));
  inProcessQueue = run.catch(() => undefined);
  return run;
}

async function runInProcessNow(args: string[], opts: InProcessOptions): Promise<CliResult> {
  // The compiled CLI (dist/, what the binary runs), loaded by Node itself as the binary loads it, once
  // per test file (vitest.config.ts externalizes dist/: vitest does not transform it again).
  inProcess ??= import(/* @vite-ignore */ pathToFileURL(path.join(ROOT, 'dist/cli/run.js')).href).then((m) => (m as { runCli: InProcessRunCli }).runCli);
  const runCliNow = await inProcess;
  const env = cleanEnv(opts.env ?? {});
  // The binary drops this notice itself (src/cli/main.ts, tested in test/cli/cli.test.ts): keep it out
  // of the test output here. No run's behaviour depends on it.
  env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] = 'true';
  const cwd = opts.cwd ?? ROOT;
  let out = '';
  let err = '';
  const sink = (add: (s: string) => void): Writable =>
    new Writable({
      write(chunk: Buffer | string, _enc, cb) {
        add(chunk.toString());
        cb();
      },
    });
  const stdin = Readable.from(opts.input !== undefined ? [opts.input] : []);
  const savedEnv = { ...process.env };
  const savedCwd = process.cwd();
  setProcessEnv(env);
  process.chdir(cwd);
  try {
    const code = await runCliNow(args, { env: process.env, cwd, stdin, stdout: sink((s) => (out += s)), stderr: sink((s) => (err += s)), ...(opts.steps ? { steps: opts.steps } : {}) });
    return { code, signal: null, stdout: out, stderr: err };
  } finally {
    setProcessEnv(savedEnv);
    process.chdir(savedCwd);
  }
}

/** Replaces process.env's content in place (so the process's real environment changes too). */
function setProcessEnv(next: Record<string, string | undefined>): void {
  for (const k of Object.keys(process.env)) if (!(k in next)) delete process.env[k];
  for (const [k, v] of Object.entries(next)) if (v !== undefined) process.env[k] = v;
}

/** Resolves when `pick()` contains `text` (polls the collected output; fails after timeoutMs). */
export async function waitForOutput(pick: () => string, text: string, timeoutMs = 20_000): Promise<void> {
  const start = Date.now();
  while (!pick().includes(text)) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for "${text}" in:\n${pick()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export function tmpWorkDir(prefix = 'oas-cli-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}
