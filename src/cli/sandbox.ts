/**
 * The CLI side of the local sandbox: `okta-aws-sso sandbox ...` commands and the --sandbox wiring of
 * init/resume/verify. src/sandbox/* is imported lazily so that --help stays light.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { SandboxInfo } from '../sandbox/types.js';
import type { WizardState } from '../engine/state.js';
import type { AnswerSource } from './io/answer-source.js';
import type { ConsolePerformer } from './io/base-io.js';
import type { ConsoleAction } from '../core/io.js';
import { UsageError } from '../errors.js';

/** Same value as DEFAULT_SANDBOX_DIR in src/sandbox/process.ts (not imported: that module loads lazily). */
export const DEFAULT_SANDBOX_DIR_FALLBACK = '.okta-aws-sso/sandbox';

export type SandboxProcessApi = typeof import('../sandbox/process.js');

/** Loaded only when a sandbox command or --sandbox runs (keeps --help light). */
export function loadSandboxApi(): Promise<SandboxProcessApi> {
  return import('../sandbox/process.js');
}

export async function sandboxDir(given: string | undefined, cwd: string): Promise<string> {
  if (given) return path.resolve(cwd, given);
  return path.resolve(cwd, DEFAULT_SANDBOX_DIR_FALLBACK);
}

export interface SandboxBinding {
  info: SandboxInfo;
  started: boolean;
  /** Absent when the sandbox was started with --manual-console. */
  performer?: ConsolePerformer;
  /** --manual-console: the `sandbox console` command that performs an action, for the waiting hint. */
  consoleHint?: (action: ConsoleAction) => string | undefined;
}

/** Rehearsal answers a sandbox run uses when nobody gave one (weaker than the state file). */
export const SANDBOX_SUGGESTIONS = {
  'test-user-first-name': 'Ada',
  'test-user-last-name': 'Lovelace',
  'test-user-email': 'ada.lovelace@example.com',
} as const;

/**
 * Variables that would send a --sandbox run's requests, or its credentials, somewhere other than the
 * local sandbox: per-service endpoint overrides win over AWS_ENDPOINT_URL in the SDK, a profile makes
 * the SDK skip the sandbox's static keys (and may refresh an SSO session over the network), and the
 * Okta SDK's own variables could name a real org.
 */
const REAL_ACCOUNT_ENV = /^(AWS_ENDPOINT_URL_.+|AWS_PROFILE|AWS_DEFAULT_PROFILE|AWS_SESSION_TOKEN|AWS_DEFAULT_REGION|OKTA_CLIENT_ORGURL|OKTA_CLIENT_TOKEN|OKTA_CLIENT_AUTHORIZATIONMODE|OKTA_CLIENT_CLIENTID|OKTA_CLIENT_PRIVATEKEY|OKTA_CLIENT_KEYID|OKTA_CLIENT_SCOPES|OKTA_AUTH_MODE|OKTA_AWS_SSO_OKTA_YAML)$/;

/**
 * --sandbox: make sure a sandbox runs, point the SDKs at it (process.env), answer the Okta org URL and
 * API token from it, and let it perform console actions the way a person would. Anything that would
 * point the run at a real Okta org or AWS account is refused or removed first.
 */
/**
 * `sandbox start --manual-console` leaves this marker in the sandbox folder: runs against that sandbox
 * then stop at each console action as they would against real consoles (a person, or a script with
 * `sandbox console <id>` and `resume --console-done <id>`, does them).
 */
export const MANUAL_CONSOLE_MARKER = 'manual-console';

export function manualConsole(dir: string): boolean {
  return existsSync(path.join(dir, MANUAL_CONSOLE_MARKER));
}

/**
 * Is this state file from another sandbox? Made in another folder, or its Okta app no longer exists
 * (the sandbox was reset since). Returns what differs, or undefined.
 */
export async function sandboxMismatch(state: WizardState, dir: string, info: SandboxInfo): Promise<string | undefined> {
  const was = state.run?.sandbox?.dir;
  if (was && path.resolve(was) !== path.resolve(dir)) return `it used the sandbox in ${was}, this run uses ${dir}`;
  const appId = (state.steps['okta-app']?.outputs as { appId?: string } | undefined)?.appId;
  if (state.steps['okta-app']?.status === 'done' && appId) {
    try {
      const res = await fetch(`${info.oktaUrl}/api/v1/apps/${encodeURIComponent(appId)}`, { headers: { Authorization: `SSWS ${info.oktaApiToken}`, Accept: 'application/json' } });
      if (res.status === 404) return `its Okta app ${appId} does not exist in this sandbox (reset since?)`;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/**
 * `sandbox console <id>` as a script types it: the action's payload (what a person would see in the
 * browser: the metadata to upload, the app, the base URL) goes to a JSON file in the sandbox folder.
 * A secret is never written: without "token" the sandbox hands the last SCIM token it issued.
 */
export function manualConsoleHint(action: ConsoleAction, dir: string, cwd: string): string {
  const dirArg = path.resolve(dir) === path.resolve(cwd, DEFAULT_SANDBOX_DIR_FALLBACK) ? '' : ` --dir ${shellArg(relativeOrAbsolute(dir, cwd))}`;
  const payload = Object.fromEntries(Object.entries(action.sandboxPayload ?? {}).filter(([k]) => !/token|secret|password/i.test(k)));
  let payloadArg = '';
  if (Object.keys(payload).length > 0) {
    const file = path.join(dir, 'console', `${action.id}.json`);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify(payload, null, 2)}\n`);
    payloadArg = ` --payload-file ${shellArg(relativeOrAbsolute(file, cwd))}`;
  }
  return `In this sandbox (started with --manual-console) do it with \`okta-aws-sso sandbox console ${action.id}${payloadArg}${dirArg}\``;
}

function relativeOrAbsolute(p: string, cwd: string): string {
  const rel = path.relative(cwd, p);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : path.resolve(p);
}

function shellArg(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

export async function bindSandbox(opts: { dir: string; answers: AnswerSource; env: NodeJS.ProcessEnv; workDir: string; cwd?: string }): Promise<SandboxBinding> {
  for (const key of ['okta-org-url', 'aws-profile'] as const) {
    const given = opts.answers.get(key);
    if (given && (given.origin === 'flag' || given.origin === 'config')) {
      throw new UsageError(`--sandbox runs against the local sandbox, but ${given.source} points at "${given.value}".`, {
        code: 'SANDBOX_CONFLICT',
        hint: `Drop ${given.source} for a sandbox run, or drop --sandbox to run against your real ${key === 'aws-profile' ? 'AWS account' : 'Okta org'}.`,
      });
    }
  }
  const api = await loadSandboxApi();
  const { info, started } = await api.ensureSandbox({ dir: opts.dir });
  for (const k of Object.keys(opts.env)) if (REAL_ACCOUNT_ENV.test(k)) delete opts.env[k];
  for (const [k, v] of Object.entries(api.sandboxEnv(info))) opts.env[k] = v;
  opts.answers.inject('okta-org-url', info.oktaUrl);
  opts.answers.injectSecret('okta-api-token', info.oktaApiToken);
  for (const [k, v] of Object.entries(SANDBOX_SUGGESTIONS)) opts.answers.suggest(k as keyof typeof SANDBOX_SUGGESTIONS, v);
  if (manualConsole(opts.dir)) return { info, started, consoleHint: (action) => manualConsoleHint(action, opts.dir, opts.cwd ?? opts.workDir) };
  const client = await import('../sandbox/console-client.js');
  const performer = client.createSandboxConsolePerformer(info, opts.workDir);
  return { info, started, performer };
}
