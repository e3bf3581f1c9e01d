/**
 * Errors that carry a documented exit code. Every layer throws these; only the CLI turns them into
 * a message and an exit code (src/cli/render.ts). A plain Error reaching the CLI is a bug and exits 1.
 *
 * Messages must say what is wrong AND how to fix it, and must never contain a secret. Every error
 * carries a registered code (src/messages.ts): an unregistered one does not compile.
 */
import type { MessageCode } from './messages.js';

export const ExitCode = {
  /** Every step done. */
  Ok: 0,
  /** A step failed; the state file records which and why, and the next run retries from there. */
  StepFailed: 1,
  /** Bad command line, bad input file, missing answer in non-interactive mode. */
  Usage: 2,
  /** Waiting for a console action that only a person can do (non-interactive run). */
  WaitingForConsole: 3,
  /** Authentication or permission failure (Okta 401/403, AWS credentials or AccessDenied). */
  Auth: 4,
  /** `access plan` only: the plan has changes (like `terraform plan -detailed-exitcode`'s 2, which is taken here by usage errors). */
  ChangesPending: 5,
  /** Interrupted (Ctrl-C); state saved. */
  Interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export class WizardError extends Error {
  readonly exitCode: ExitCode;
  /** The stable code for --json output, registered in src/messages.ts (docs/messages.md). */
  readonly code: MessageCode;
  /** What the user should do about it (printed under the message). */
  readonly hint: string | undefined;

  constructor(message: string, opts: { exitCode?: ExitCode; code?: MessageCode; hint?: string; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.exitCode = opts.exitCode ?? ExitCode.StepFailed;
    this.code = opts.code ?? 'STEP_FAILED';
    this.hint = opts.hint;
  }
}

/** Bad input: exit 2. */
export class UsageError extends WizardError {
  constructor(message: string, opts: { code?: MessageCode; hint?: string; cause?: unknown } = {}) {
    super(message, { ...opts, exitCode: ExitCode.Usage, code: opts.code ?? 'USAGE' });
  }
}

/** A non-interactive run needs an answer nobody gave: names the flag and the environment variable. */
export class MissingAnswerError extends UsageError {
  readonly key: string;
  constructor(key: string, message: string, hint: string) {
    super(message, { code: 'MISSING_ANSWER', hint });
    this.key = key;
  }
}

/** Credentials rejected or lacking permissions: exit 4. */
export class AuthError extends WizardError {
  constructor(message: string, opts: { code?: MessageCode; hint?: string; cause?: unknown } = {}) {
    super(message, { ...opts, exitCode: ExitCode.Auth, code: opts.code ?? 'AUTH' });
  }
}

/** A console action is owed by a person and the run cannot ask for it: exit 3. */
export class WaitingForConsoleError extends WizardError {
  readonly actionId: string;
  constructor(actionId: string, message: string, hint: string) {
    super(message, { exitCode: ExitCode.WaitingForConsole, code: 'WAITING_FOR_CONSOLE', hint });
    this.actionId = actionId;
  }
}

/** Ctrl-C or SIGTERM: exit 130. */
export class InterruptedError extends WizardError {
  constructor(message = 'Interrupted.', hint?: string) {
    super(message, { exitCode: ExitCode.Interrupted, code: 'INTERRUPTED', ...(hint !== undefined ? { hint } : {}) });
  }
}

/** A step whose real behaviour has not been built: never reports success. */
export class NotBuiltError extends WizardError {
  constructor(stepId: string) {
    super(`The step "${stepId}" is not built yet in this version of okta-aws-sso, so the run stops here.`, {
      code: 'NOT_BUILT',
      hint: 'Nothing was changed by this step. Upgrade okta-aws-sso, or complete this part in the consoles by hand.',
    });
  }
}

export function isWizardError(e: unknown): e is WizardError {
  return e instanceof WizardError;
}
