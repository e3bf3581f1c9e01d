/**
 * Spawns the real CLI (node bin/okta-aws-sso.js, i.e. dist/ built by globalSetup) or the test-steps
 * entry (test/cli/fixtures/steps-cli.mjs: the same runCli with small test steps) and collects
 * stdout, stderr and the exit code.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = path.join(ROOT, 'bin/okta-aws-sso.js');
export const STEPS_CLI = path.join(ROOT, 'test/cli/fixtures/steps-cli.mjs');

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
