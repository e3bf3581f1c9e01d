/**
 * The step contract. Everything a step may touch is in StepContext; a step never prints, prompts,
 * reads process.env or writes files other than its own declared outputs (e.g. the IdP metadata file).
 *
 * Layering: cli -> engine -> steps -> clients (src/okta, src/aws, src/saml, src/scim).
 * This file is imported by the engine and the CLI; it imports nothing above it.
 */
import type { AnswerKey, SecretKey } from './answers.js';
import type { StepId, StepOutputs } from './outputs.js';

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
  /** Return true, or the message naming what is wrong and how to fix it. */
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

export type ConsoleActionId =
  | 'download-sp-metadata'
  | 'upload-idp-metadata'
  | 'enable-automatic-provisioning'
  | 'configure-okta-provisioning'
  | 'push-groups-by-rule'
  | 'sign-in-check';

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

export interface Progress {
  /** "37/120 accounts" */
  update(text: string): void;
  succeed(text?: string): void;
  fail(text?: string): void;
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
  info(message: string): void;
  warn(message: string): void;
  /** Details shown with --verbose only. */
  debug(message: string): void;
  progress(text: string): Progress;
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

// ------------------------------------------------------------------------------------------------
// Plans, drift and the step itself
// ------------------------------------------------------------------------------------------------

export type PlanKind = 'create' | 'adopt' | 'update' | 'noop' | 'console' | 'check' | 'pending';

/**
 * What a step would do, computed from live reads only (no mutating call).
 * `pending`: cannot be known yet because an earlier step has not run (detail says which).
 */
export interface PlanAction {
  kind: PlanKind;
  /** "Okta app \"AWS IAM Identity Center\" (amazon_aws_sso)" */
  target: string;
  detail?: string;
}

export interface Drift {
  /** What no longer holds, e.g. "acsURL is https://a... but the state says https://b...". */
  message: string;
}

/** Credentials and clients, created lazily on first use (so --help never loads an SDK). */
export interface Services {
  okta(): Promise<import('../okta/client.js').OktaClient>;
  aws(): Promise<import('../aws/clients.js').AwsClients>;
  /** Present in --sandbox runs: the admin endpoint of the running sandbox. */
  readonly sandbox: { adminUrl: string } | undefined;
}

/** Secrets obtained during this run, kept in memory only (e.g. the SCIM token for okta-provisioning). */
export interface SecretStore {
  get(key: SecretKey): string | undefined;
  set(key: SecretKey, value: string): void;
}

/** Per-step progress saved in the state file during long steps (e.g. per-account results). */
export interface StepProgressStore<T = unknown> {
  load(): T | undefined;
  save(value: T): Promise<void>;
}

export interface StepContext {
  io: Io;
  services: Services;
  secrets: SecretStore;
  /** Outputs of steps already done in this or an earlier run. */
  outputs: Readonly<Partial<StepOutputs>>;
  /** The output of an earlier step this step declared in `needs`; throws a clear error if missing. */
  need<K extends StepId>(id: K): StepOutputs[K];
  progress: StepProgressStore;
  dryRun: boolean;
  signal: AbortSignal;
  /** Working directory for files the step writes (defaults to the state file's folder). */
  workDir: string;
  now(): Date;
}

export interface Step<K extends StepId = StepId> {
  id: K;
  title: string;
  /** `console`: the step centres on something only a person can do, then verifies it. */
  kind: 'api' | 'console';
  /** Earlier steps whose outputs this step reads. */
  needs: readonly StepId[];
  /**
   * Optional: true when apply() only reads (no mutating call, no file written), e.g. preflight.
   * A dry run then runs apply() to learn its outputs, so the steps after it can plan too.
   */
  readOnly?: boolean;
  /** A reason to skip the step in this run, or undefined. */
  skip?(ctx: StepContext): Promise<string | undefined>;
  /** What apply() would do, from live reads only. Must make no mutating call. */
  plan(ctx: StepContext): Promise<PlanAction[]>;
  /** Does it (idempotently: find and adopt before create) and returns the typed outputs. */
  apply(ctx: StepContext): Promise<StepOutputs[K]>;
  /** Are the outputs still true? Empty list = no drift. Called on resume for done steps. */
  check(ctx: StepContext, outputs: StepOutputs[K]): Promise<Drift[]>;
}
