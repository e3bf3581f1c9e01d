/**
 * The sandbox as a separate, detached process (what `okta-aws-sso sandbox start|stop|status|reset`
 * and `init --sandbox` use). The process is src/sandbox/main.ts; this module starts it, finds it
 * through <dir>/sandbox.json and talks to its admin endpoint.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError, WizardError } from '../errors.js';
import { SandboxInputError } from './faults.js';
import { INFO_FILE, isPidAlive, readInfoFile, removeInfoFile } from './info-file.js';
import { parseSandboxOptions } from './options.js';
import { deleteState } from './persistence.js';
import { REQUEST_LOG_FILE } from './request-log.js';
import type { ConsoleActionResult, SandboxInfo, SandboxOptions } from './types.js';

export const DEFAULT_SANDBOX_DIR = '.okta-aws-sso/sandbox';
/** The sandbox process's stdout/stderr. */
export const PROCESS_LOG_FILE = 'sandbox.log';
const LOCK_FILE = 'start.lock';
const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 10_000;

export interface StartOptions {
  dir: string;
  port?: number;
  options?: SandboxOptions;
}

function mainScript(): string {
  const here = fileURLToPath(new URL('./main.js', import.meta.url));
  if (fs.existsSync(here)) return here;
  // Running from the TypeScript sources (tests): use the build (vitest's globalSetup makes it).
  const built = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/sandbox/main.js');
  if (fs.existsSync(built)) return built;
  throw new WizardError('The sandbox program (dist/sandbox/main.js) is missing.', { code: 'SANDBOX_NOT_BUILT', hint: 'Build the project first: npm run build.' });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Does the admin endpoint in `info` answer as that very sandbox (same pid)? */
async function answers(info: SandboxInfo, timeoutMs = 2000): Promise<boolean> {
  try {
    const res = await fetch(`${info.adminUrl}/status`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) return false;
    const body = (await res.json()) as { info?: { pid?: number } };
    return body.info?.pid === info.pid;
  } catch {
    return false;
  }
}

export async function sandboxStatus(dir: string): Promise<{ running: boolean; info?: SandboxInfo }> {
  const info = await readInfoFile(path.resolve(dir));
  if (!info || !isPidAlive(info.pid)) return { running: false };
  if (!(await answers(info))) return { running: false };
  return { running: true, info };
}

async function takeLock(dir: string): Promise<() => Promise<void>> {
  const lock = path.join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fh = await fsp.open(lock, 'wx', 0o600);
      await fh.writeFile(String(process.pid));
      await fh.close();
      return () => fsp.rm(lock, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holder = Number(await fsp.readFile(lock, 'utf8').catch(() => ''));
      const age = Date.now() - (await fsp.stat(lock).catch(() => ({ mtimeMs: 0 }))).mtimeMs;
      if (attempt === 0 && (!isPidAlive(holder) || age > START_TIMEOUT_MS * 2)) {
        await fsp.rm(lock, { force: true });
        continue;
      }
      break;
    }
  }
  throw new UsageError(`Another sandbox is being started in ${dir} right now.`, {
    code: 'SANDBOX_STARTING',
    hint: 'Wait a few seconds and run `okta-aws-sso sandbox status`.',
  });
}

/** What main.ts said before it exited (its "sandbox: error:" and "sandbox: hint:" lines). */
async function startFailure(logFile: string, from: number, exit: string): Promise<WizardError> {
  const text = await fsp.readFile(logFile, 'utf8').catch(() => '');
  const lines = text.slice(from).split('\n');
  const error = lines.filter((l) => l.startsWith('sandbox: error: ')).map((l) => l.slice('sandbox: error: '.length))[0];
  const hint = lines.filter((l) => l.startsWith('sandbox: hint: ')).map((l) => l.slice('sandbox: hint: '.length))[0];
  return new WizardError(`The sandbox did not start (${exit})${error ? `: ${error}` : '.'}`, {
    code: 'SANDBOX_START_FAILED',
    hint: hint ?? `See ${logFile} for details.`,
  });
}

/** Starts the sandbox process in `dir`; refuses when one is already running there. */
export async function startSandbox(opts: StartOptions): Promise<SandboxInfo> {
  const dir = path.resolve(opts.dir);
  let options: SandboxOptions | undefined;
  try {
    options = opts.options === undefined ? undefined : parseSandboxOptions(opts.options);
  } catch (e) {
    if (e instanceof SandboxInputError) throw new UsageError(`Bad sandbox options: ${e.message}`, { code: 'SANDBOX_OPTIONS', hint: 'Fix the sandbox options and start it again.' });
    throw e;
  }
  if (opts.port !== undefined && (!Number.isInteger(opts.port) || opts.port < 1 || opts.port > 65534)) {
    throw new UsageError(`The sandbox port must be a number from 1 to 65534, not ${opts.port}.`, { code: 'SANDBOX_PORT', hint: 'Leave the port out to use free ports.' });
  }
  try {
    await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
    await fsp.access(dir, fs.constants.W_OK);
  } catch (e) {
    throw new UsageError(`Cannot use ${dir} as the sandbox folder (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`, {
      code: 'SANDBOX_DIR',
      hint: 'Choose a writable folder with --sandbox-dir (or --dir for the sandbox commands), or run from a folder you can write to.',
    });
  }
  const release = await takeLock(dir);
  try {
    const status = await sandboxStatus(dir);
    if (status.running && status.info) {
      throw new UsageError(`A sandbox is already running in ${dir} (pid ${status.info.pid}, Okta at ${status.info.oktaUrl}).`, {
        code: 'SANDBOX_RUNNING',
        hint: 'Use it as it is, or stop it first with `okta-aws-sso sandbox stop`.',
      });
    }
    await removeInfoFile(dir); // stale
    const logFile = path.join(dir, PROCESS_LOG_FILE);
    const from = (await fsp.stat(logFile).catch(() => ({ size: 0 }))).size;
    const fd = fs.openSync(logFile, 'a', 0o600);
    const args = [mainScript(), '--dir', dir];
    if (opts.port !== undefined) args.push('--port', String(opts.port));
    if (options !== undefined) args.push('--options', JSON.stringify(options));
    const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', fd, fd], cwd: dir, env: childEnv(process.env) });
    fs.closeSync(fd);
    let exited: string | undefined;
    child.once('exit', (code, signal) => {
      exited = signal ? `killed by ${signal}` : `exit code ${code}`;
    });
    child.once('error', (e) => {
      exited = e.message;
    });
    child.unref();
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (exited) throw await startFailure(logFile, from, exited);
      const info = await readInfoFile(dir);
      if (info && info.pid === child.pid) return info;
      await sleep(25);
    }
    if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
    throw new WizardError(`The sandbox did not get ready within ${START_TIMEOUT_MS / 1000} seconds.`, { code: 'SANDBOX_START_FAILED', hint: `See ${logFile} for details.` });
  } finally {
    await release();
  }
}

/**
 * The sandbox process's environment: the caller's, without anything that could be a real credential
 * (the sandbox needs none, and a long-lived detached process should not hold them).
 */
export function childEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(env)) {
    if (/^(AWS_|OKTA_|SCIM_)/i.test(k) || /TOKEN|SECRET|PASSWORD|PRIVATE|CREDENTIAL/i.test(k)) continue;
    out[k] = v;
  }
  return out;
}

/** The running sandbox in `dir`, started when there is none. */
export async function ensureSandbox(opts: StartOptions): Promise<{ info: SandboxInfo; started: boolean }> {
  const status = await sandboxStatus(opts.dir);
  if (status.running && status.info) return { info: status.info, started: false };
  try {
    return { info: await startSandbox(opts), started: true };
  } catch (e) {
    // Another wizard started it at the same moment: wait for that one and use it.
    if (!(e instanceof UsageError) || (e.code !== 'SANDBOX_STARTING' && e.code !== 'SANDBOX_RUNNING')) throw e;
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (Date.now() < deadline) {
      const s = await sandboxStatus(opts.dir);
      if (s.running && s.info) return { info: s.info, started: false };
      await sleep(50);
    }
    throw e;
  }
}

/** SIGTERM the sandbox in `dir` and wait for it to save and exit. False when none was running. */
export async function stopSandbox(dir: string): Promise<boolean> {
  const abs = path.resolve(dir);
  const info = await readInfoFile(abs);
  if (!info) return false;
  // Never signal a pid that is not (or no longer) this sandbox.
  if (!isPidAlive(info.pid) || !(await answers(info))) {
    await removeInfoFile(abs, info.pid);
    return false;
  }
  process.kill(info.pid, 'SIGTERM');
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (isPidAlive(info.pid) && Date.now() < deadline) await sleep(25);
  if (isPidAlive(info.pid)) {
    process.kill(info.pid, 'SIGKILL');
    const hard = Date.now() + 2000;
    while (isPidAlive(info.pid) && Date.now() < hard) await sleep(25);
  }
  await removeInfoFile(abs, info.pid);
  return true;
}

/** Back to a fresh sandbox with the same credentials: running -> admin reset; stopped -> persisted state deleted. */
export async function resetSandbox(dir: string): Promise<void> {
  const abs = path.resolve(dir);
  const status = await sandboxStatus(abs);
  if (status.running && status.info) {
    await sandboxAdmin(status.info, 'POST', 'reset');
    return;
  }
  await deleteState(abs);
  await fsp.rm(path.join(abs, REQUEST_LOG_FILE), { force: true });
}

/**
 * Environment for a --sandbox run: SDKs and the wizard point at the sandbox. (A per-service
 * AWS_ENDPOINT_URL_<SERVICE> left in the environment would still win over AWS_ENDPOINT_URL.)
 */
export function sandboxEnv(info: SandboxInfo): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: info.awsUrl,
    AWS_ACCESS_KEY_ID: info.aws.accessKeyId,
    AWS_SECRET_ACCESS_KEY: info.aws.secretAccessKey,
    AWS_REGION: info.region,
    OKTA_ORG_URL: info.oktaUrl,
    OKTA_API_TOKEN: info.oktaApiToken,
  };
}

/** The sandbox answered an admin call with an error (`detail` is its own message). */
export class SandboxAdminError extends WizardError {
  constructor(
    message: string,
    readonly detail: string,
    readonly status: number,
    hint: string,
  ) {
    super(message, { code: 'SANDBOX_ADMIN', hint });
  }
}

/**
 * One admin call (`route` is relative to /__sandbox, e.g. "status", "faults", "console/sign-in-check").
 * Throws a WizardError with the sandbox's own message when it refuses.
 */
export async function sandboxAdmin<T = unknown>(info: Pick<SandboxInfo, 'adminUrl'>, method: 'GET' | 'POST', route: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`${info.adminUrl}/${route.replace(/^\/+/, '')}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    throw new WizardError(`The sandbox at ${info.adminUrl} does not answer (${((e as Error).cause as Error | undefined)?.message ?? (e as Error).message}).`, {
      code: 'SANDBOX_UNREACHABLE',
      hint: 'Start it with `okta-aws-sso sandbox start` (or check it with `okta-aws-sso sandbox status`).',
    });
  }
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text === '' ? {} : JSON.parse(text);
  } catch {
    parsed = { error: text.slice(0, 200) };
  }
  if (!res.ok) {
    const { error, hint } = parsed as { error?: string; hint?: string };
    throw new SandboxAdminError(`The sandbox refused ${method} ${route}: ${error ?? `HTTP ${res.status}`}`, error ?? `HTTP ${res.status}`, res.status, hint ?? 'See docs/sandbox.md for the admin endpoint.');
  }
  return parsed as T;
}

/** Has the sandbox perform a console action (see src/sandbox/admin.ts). The payload may hold a secret: it is sent only to the sandbox. */
export async function performConsoleAction(info: SandboxInfo, actionId: string, payload?: Record<string, unknown>): Promise<ConsoleActionResult> {
  try {
    return await sandboxAdmin<ConsoleActionResult>(info, 'POST', `console/${encodeURIComponent(actionId)}`, payload ?? {});
  } catch (e) {
    if (!(e instanceof SandboxAdminError)) throw e;
    throw new WizardError(`The sandbox could not perform the console action "${actionId}": ${e.detail}`, {
      code: 'SANDBOX_CONSOLE_ACTION',
      // The emulator's own hint when it gave one (e.g. how to get valid IdP metadata).
      hint: e.hint ?? 'docs/sandbox.md lists the console actions and their payloads.',
    });
  }
}

export { INFO_FILE };

/** Checks a caller policy for `sandbox start --aws-policy` (the IAM policy simulator's own validation). */
export { policyProblems } from './aws/iam.js';
