/**
 * The shared finished run: one `okta-aws-sso init --sandbox --yes` to a verified end, made once per
 * `vitest run` (test/global-setup.ts starts it in the background), that tests which need a finished
 * setup start from, instead of each running the whole wizard again (~20 s of a CLI plus a sandbox
 * process each). See docs/testing.md.
 *
 *   let run: FinishedRun;
 *   beforeAll(async () => { run = await copyFinishedRun('oas-my-test-'); }, 180_000);
 *   afterAll(async () => { await run.dispose(); });
 *   // run.dir: a private working folder holding the state file, idp-saml.xml, sp-metadata.xml and the
 *   // sandbox (run.sbDir = run.dir/.okta-aws-sso/sandbox, with its state and request log), running
 *   // again as the init run left it (`copyFinishedRun(prefix, { startSandbox: false })`: stopped, and
 *   // the next `--sandbox` command there restarts it where the run left it).
 *   // run.stdout / run.stderr / run.code / run.startedAt: the init run's own output, to assert on.
 *
 * Each copy is private (mutate it freely): the run's folder and its sandbox's ports are rewritten in
 * every file of the copy (state file, sandbox state, request log), so copies run side by side in
 * parallel test files. Tests that must exercise the whole init path themselves (the README
 * rehearsal, the package, the pseudo-terminal) do not use it.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { BIN, cleanEnv, runCli, runCliInProcess } from './cli.js';

/** The run's test user (its password comes from OKTA_AWS_SSO_TEST_USER_PASSWORD, never printed). */
export const FINISHED_RUN_USER = { firstName: 'Katherine', lastName: 'Johnson', email: 'katherine.johnson@example.com' };
export const FINISHED_RUN_USER_FLAGS = [
  '--test-user-first-name', FINISHED_RUN_USER.firstName,
  '--test-user-last-name', FINISHED_RUN_USER.lastName,
  '--test-user-email', FINISHED_RUN_USER.email,
];
export const FINISHED_RUN_PASSWORD = 'Verify-Sign-In-2026!';
/** The exact command line (after the binary) of the shared run (it also writes its access file, for test/e2e/access). */
export const FINISHED_RUN_ARGS = ['init', '--sandbox', '--yes', ...FINISHED_RUN_USER_FLAGS, '--write-access-file', 'init-access.yaml'];

/** Environment variable through which the global setup tells the test files where the run is. */
export const FINISHED_RUN_ENV = 'OKTA_AWS_SSO_TEST_FINISHED_RUN';
const SANDBOX_SUBDIR = path.join('.okta-aws-sso', 'sandbox');
const RESULT_FILE = 'result.json';
const RUN_SUBDIR = 'run';
const WORKER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'finished-run-worker.mjs');

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** ISO time just before the init run started (a cursor into the request log). */
  startedAt: string;
  /** The folder the run ran in (rewritten to the copy's folder). */
  dir: string;
  ports: { okta: number; aws: number } | null;
}

export interface FinishedRun {
  dir: string;
  sbDir: string;
  code: number | null;
  stdout: string;
  stderr: string;
  startedAt: string;
  /** Stops the copy's sandbox (if a test started it) and removes the copy. */
  dispose(): Promise<void>;
}

/**
 * Starts the shared run in `base` unless it is started already (the first caller wins: an atomic
 * mkdir), detached, so that it outlives the test file that asked for it. Returns at once.
 */
export function ensureFinishedRunStarted(base: string): void {
  try {
    fs.mkdirSync(path.join(base, RUN_SUBDIR));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return;
    throw e;
  }
  const env = cleanEnv({ CI: 'true', OKTA_AWS_SSO_TEST_USER_PASSWORD: FINISHED_RUN_PASSWORD });
  const child = spawn(process.execPath, [WORKER, base, JSON.stringify({ bin: BIN, args: FINISHED_RUN_ARGS, env })], { cwd: base, detached: true, stdio: 'ignore' });
  fs.writeFileSync(path.join(base, 'worker.pid'), String(child.pid));
  child.unref();
}

/**
 * Global teardown side: ends an unfinished run (its process group and sandbox) and removes `base`.
 */
export async function disposeFinishedRun(base: string): Promise<void> {
  if (!fs.existsSync(path.join(base, RESULT_FILE))) {
    const pid = Number(fs.existsSync(path.join(base, 'worker.pid')) ? fs.readFileSync(path.join(base, 'worker.pid'), 'utf8') : NaN);
    if (Number.isInteger(pid) && pid > 0) {
      try {
        process.kill(-pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
  }
  const sbDir = path.join(base, RUN_SUBDIR, SANDBOX_SUBDIR);
  if (fs.existsSync(path.join(sbDir, 'sandbox.json'))) await runCli(['sandbox', 'stop', '--dir', sbDir], { cwd: base, env: {} }).catch(() => undefined);
  fs.rmSync(base, { recursive: true, force: true });
}

/** Two free loopback ports (the sandbox's Okta and AWS listeners of a copy). */
async function freePorts(): Promise<{ okta: number; aws: number }> {
  const servers = [net.createServer(), net.createServer()];
  const ports = await Promise.all(servers.map((s) => new Promise<number>((resolve, reject) => {
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => resolve((s.address() as net.AddressInfo).port));
  })));
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return { okta: ports[0]!, aws: ports[1]! };
}

async function waitForResult(base: string, timeoutMs: number): Promise<RunResult> {
  const file = path.join(base, RESULT_FILE);
  const start = Date.now();
  while (!fs.existsSync(file)) {
    if (Date.now() - start > timeoutMs) throw new Error(`the shared init run (${base}) did not finish within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return JSON.parse(fs.readFileSync(file, 'utf8')) as RunResult;
}

function rewriteTree(dir: string, replace: (text: string) => string): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) rewriteTree(p, replace);
    else if (entry.isFile() && !entry.name.endsWith('.pem')) {
      const text = fs.readFileSync(p, 'utf8');
      const next = replace(text);
      if (next !== text) fs.writeFileSync(p, next);
    }
  }
}

/**
 * A private copy of the shared finished run (waits for it when it is still running). The run's
 * outcome is the caller's to assert (`expect(run.code, run.stdout + run.stderr).toBe(0)`).
 */
export async function copyFinishedRun(prefix = 'oas-finished-', opts: { startSandbox?: boolean } = {}): Promise<FinishedRun> {
  const base = process.env[FINISHED_RUN_ENV];
  if (!base) throw new Error(`${FINISHED_RUN_ENV} is not set: test/global-setup.ts makes the folder of the shared run (run the tests with vitest)`);
  ensureFinishedRunStarted(base);
  const result = await waitForResult(base, 240_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.cpSync(path.join(base, RUN_SUBDIR), dir, { recursive: true });
  const ports = result.ports ? await freePorts() : null;
  const swap = (text: string): string => {
    let out = text.split(result.dir).join(dir);
    if (result.ports && ports) {
      out = out.replace(/(127\.0\.0\.1|localhost):(\d+)/g, (m, host: string, port: string) =>
        Number(port) === result.ports!.okta ? `${host}:${ports.okta}` : Number(port) === result.ports!.aws ? `${host}:${ports.aws}` : m,
      );
    }
    return out;
  };
  rewriteTree(dir, swap);
  const sbDir = path.join(dir, SANDBOX_SUBDIR);
  if (ports) fs.writeFileSync(path.join(sbDir, 'ports.json'), `${JSON.stringify(ports)}\n`, { mode: 0o600 });
  // As a finished init leaves it: its sandbox running (restored from its state, on the copy's ports).
  if (result.code === 0 && opts.startSandbox !== false) {
    const start = await runCliInProcess(['sandbox', 'start', '--dir', sbDir], { cwd: dir, env: {} });
    if (start.code !== 0) throw new Error(`sandbox start in the copy of the shared run failed:\n${start.stdout}${start.stderr}`);
  }
  return {
    dir,
    sbDir,
    code: result.code,
    stdout: swap(result.stdout),
    stderr: swap(result.stderr),
    startedAt: result.startedAt,
    async dispose() {
      if (fs.existsSync(path.join(sbDir, 'sandbox.json'))) await runCliInProcess(['sandbox', 'stop', '--dir', sbDir], { cwd: dir, env: {} });
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
