/**
 * The CLI side of the local sandbox: `okta-aws-sso sandbox ...` commands and the --sandbox wiring of
 * init/resume/verify. src/sandbox/* is imported lazily so that --help stays light.
 */
import path from 'node:path';
import type { SandboxInfo } from '../sandbox/types.js';
import type { AnswerSource } from './io/answer-source.js';
import type { ConsolePerformer } from './io/base-io.js';

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
  performer: ConsolePerformer;
}

/**
 * --sandbox: make sure a sandbox runs, point the SDKs at it (process.env), answer the Okta org URL and
 * API token from it, and let it perform console actions the way a person would.
 */
export async function bindSandbox(opts: { dir: string; answers: AnswerSource; env: NodeJS.ProcessEnv; workDir: string }): Promise<SandboxBinding> {
  const api = await loadSandboxApi();
  const { info, started } = await api.ensureSandbox({ dir: opts.dir });
  for (const [k, v] of Object.entries(api.sandboxEnv(info))) opts.env[k] = v;
  opts.answers.inject('okta-org-url', info.oktaUrl);
  opts.answers.injectSecret('okta-api-token', info.oktaApiToken);
  const client = await import('../sandbox/console-client.js');
  const performer = client.createSandboxConsolePerformer(info, opts.workDir);
  return { info, started, performer };
}
