/**
 * The I/O and secret interfaces: the lowest layer, shared by the CLI (which binds them), the
 * engine and the steps. Clients (src/okta, src/aws, ...) never prompt; they may import types from
 * here but take their inputs as parameters.
 */
import type { AnswerKey, SecretKey } from './answers.js';
import type { CodeAt, DataArgs, IoMessage } from '../messages.js';

// ------------------------------------------------------------------------------------------------
// I/O: the one interface steps talk to the user through.
// Bound by the CLI to @inquirer/prompts + ora + chalk (terminal), to flags/env/--config answers
// (non-interactive), or to a scripted double (tests).
// ------------------------------------------------------------------------------------------------

export interface AskOptions {
  key: AnswerKey;
  message: string;
  /** Used when nobody answers: proposed in a prompt, taken (and said) in non-interactive mode. */
  default?: string;
  /**
   * A check that depends on this run (e.g. the ACS URL must name the instance's region): return true,
   * or the message naming what is wrong and how to fix it. The answer catalog's own `check`
   * (src/core/answers.ts) always runs too, on prompts and on every given value: do not pass it again.
   */
  validate?: (value: string) => true | string;
}

export interface Choice<T extends string> {
  value: T;
  name: string;
  description?: string;
}

export interface SelectOptions<T extends string> {
  /** The answer key that can pre-answer the choice (its value must be one of the choices). */
  key: AnswerKey;
  message: string;
  choices: readonly Choice<T>[];
  default?: T;
}

export interface ConfirmOptions {
  /**
   * Omitted: an approval ("Create the app?"): `--yes` approves; a non-interactive run without
   * `--yes` fails naming `--yes`.
   * Given: a boolean setting answered by its flag; non-interactive without the flag takes `default`.
   */
  key?: AnswerKey;
  message: string;
  default: boolean;
}

export interface SecretOptions {
  key: SecretKey;
  message: string;
  validate?: (value: string) => true | string;
  /** When true, a missing secret returns undefined instead of prompting/failing (caller generates one). */
  optional?: boolean;
}

/** One line of copyable value in a console action. */
export interface ConsoleValue {
  label: string;
  value: string;
}

/** The console actions, by id (the values of --console-done; the sandbox performs the same ones). */
export const CONSOLE_ACTION_IDS = [
  'download-sp-metadata',
  'upload-idp-metadata',
  'enable-automatic-provisioning',
  'configure-okta-provisioning',
  'push-groups-by-rule',
  'sign-in-check',
  'delete-scim-tokens',
  'revert-identity-source',
  'app-sign-on-rule',
  'create-scim-token',
  'delete-scim-token',
] as const;

export type ConsoleActionId = (typeof CONSOLE_ACTION_IDS)[number];

/** Something only a person can do in a console. Steps describe it; the I/O layer shows it and waits. */
export interface ConsoleAction {
  id: ConsoleActionId;
  title: string;
  /** Where: "AWS console > IAM Identity Center > Settings > Identity source". */
  where: string;
  /** Numbered instructions, exact labels of buttons and fields. */
  instructions: readonly string[];
  /** Values the person copies into the console. Never a secret (say "the token you pasted earlier"). */
  values?: readonly ConsoleValue[];
  /**
   * Answers that prove the action was done: when every one is already answered, the action is
   * treated as done without asking (e.g. --scim-endpoint and SCIM_TOKEN for enable-automatic-provisioning).
   */
  evidence?: readonly AnswerKey[];
  /**
   * Data the sandbox needs to perform the action itself (--sandbox only); may hold a secret, is sent
   * only to the local sandbox and is never printed, logged or saved.
   */
  sandboxPayload?: Record<string, unknown>;
  /** Optional: may the person decline (e.g. push-groups-by-rule)? Default false. */
  optional?: boolean;
}

/**
 * A spinner while something runs. Its texts are coded like every message (level `progress`): the
 * start and the outcome are records (--json keeps them), the updates are redrawn in place only.
 */
export interface Progress {
  /** e.g. PROGRESS_ACCOUNTS "37/120 accounts" */
  update<C extends CodeAt<'progress'>>(code: C, ...data: DataArgs<C>): void;
  succeed<C extends CodeAt<'progress'>>(code: C, ...data: DataArgs<C>): void;
  /** Without a code: the last text marked failed (the error that follows says why). */
  fail(): void;
  fail<C extends CodeAt<'progress'>>(code: C, ...data: DataArgs<C>): void;
  /** Stop drawing without a verdict (e.g. before a prompt). */
  stop(): void;
}

export interface Io {
  ask(opts: AskOptions): Promise<string>;
  select<T extends string>(opts: SelectOptions<T>): Promise<T>;
  confirm(opts: ConfirmOptions): Promise<boolean>;
  /** A secret from its env var, its file flag, or a hidden prompt. Registered for redaction. */
  secret(opts: SecretOptions): Promise<string | undefined>;
  /** True when the key has an answer from a flag, env, --config or the state file (no prompt). */
  hasAnswer(key: AnswerKey): boolean;
  /**
   * Where the answer for `key` comes from, for messages ("OKTA_API_TOKEN", "--okta-token-file",
   * "config file", ...), or undefined when nobody gave one. Never the value itself.
   */
  answerSource(key: AnswerKey): string | undefined;
  /** Show a console action and wait until the person says it is done (see ConsoleAction). */
  consoleAction(action: ConsoleAction): Promise<void>;
  /**
   * A message, as data: a registered code (src/messages.ts) of the method's level and the data its
   * template needs. There is no free-text form: the terminal prints the filled template, --json
   * carries the record (code, level, text, data).
   */
  info<C extends CodeAt<'info' | 'result'>>(code: C, ...data: DataArgs<C>): void;
  warn<C extends CodeAt<'warn'>>(code: C, ...data: DataArgs<C>): void;
  /** Details shown with --verbose only (and in --json with --verbose). */
  debug<C extends CodeAt<'debug'>>(code: C, ...data: DataArgs<C>): void;
  /** A message record built elsewhere with ioMessage() (e.g. a pure check's warning), at its code's level. */
  notify(message: IoMessage): void;
  /** A spinner (see Progress), started with a registered code of level `progress`. */
  progress<C extends CodeAt<'progress'>>(code: C, ...data: DataArgs<C>): Progress;
  /**
   * A value meant for the person once (a generated password): shown in the terminal and never
   * written to logs, --json output or the state file.
   */
  showSecretOnce(label: string, value: string): void;
  /** Remember a secret obtained elsewhere so every output masks it. */
  registerSecret(value: string): void;
  /** Mode flags the step may adapt to (a step never decides prompting itself). */
  readonly interactive: boolean;
}

/** Secrets obtained during this run, kept in memory only (e.g. the SCIM token for okta-provisioning). */
export interface SecretStore {
  get(key: SecretKey): string | undefined;
  set(key: SecretKey, value: string): void;
}

