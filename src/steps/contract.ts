/**
 * The step contract. Everything a step may touch is in StepContext; a step never prints, prompts,
 * reads process.env or writes files other than its own declared outputs (e.g. the IdP metadata file).
 *
 * Layering: cli -> engine -> steps -> clients (src/okta, src/aws, src/saml, src/scim).
 * This file is imported by the engine and the CLI; it imports nothing above it.
 */
import type { Io, SecretStore } from '../core/io.js';
import type { StepId, StepOutputs } from '../core/outputs.js';
import type { Change } from '../core/change.js';

export type * from '../core/change.js';

export type * from '../core/io.js';

// ------------------------------------------------------------------------------------------------
// Plans, drift and the step itself
// ------------------------------------------------------------------------------------------------

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

/** Per-step progress saved in the state file during long steps (e.g. per-account results). */
export interface StepProgressStore<T = unknown> {
  load(): T | undefined;
  /** Saves (coalesced: a later value may carry this one); `flush` writes without waiting out the gap between writes (a step's last save). */
  save(value: T, opts?: { flush?: boolean }): Promise<void>;
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
  /**
   * A repair found needed while applying (beyond the plan: no plan could foresee it), proposed before
   * its first write: the engine approves it under an approval given in this run for the same resource
   * and risk class, or asks; then records it in the attempt (src/engine/step-plan.ts, RunApprovals).
   * Throws DECLINED / APPROVAL_NEEDED when it is not approved, and outside apply (nothing may write).
   */
  repair(change: Change, reason: string): Promise<void>;
}

/**
 * The step contract (Terraform's plan/apply): a step reads the live state once, plans typed
 * changes from it without any I/O, and applies exactly the changes the engine approved.
 *
 *   answers(ctx)                     -> A   the step's questions (ctx.io; no API call)
 *   observe(ctx, answers, recorded)  -> O   live reads only (clients; no write, no prompt)
 *   choose(ctx, observed, answers)   -> A   optional: questions among what was observed (no API call)
 *   plan(observed, answers, recorded)-> Change[]   pure; `recorded` = outputs of an earlier run
 *   (engine: show, approve once per risk class, or stop with exit 2)
 *   apply(ctx, changes, observed, answers) -> outputs   sends exactly the planned writes
 *
 * Drift: a done step is planned again against the live state; any change that writes (or that
 * carries `drift`) is drift. A dry run plans every step; `outputsAfter()` tells later steps what
 * this step's outputs will be (values not known yet are KNOWN_AFTER_APPLY).
 */
export interface Step<K extends StepId = StepId, A = unknown, O = unknown> {
  id: K;
  title: string;
  /** `console`: the step centres on something only a person can do, then verifies it. */
  kind: 'api' | 'console';
  /** Earlier steps whose outputs this step reads. */
  needs: readonly StepId[];
  /** A reason to skip the step in this run, or undefined. */
  skip?(ctx: StepContext): Promise<string | undefined>;
  /** The step's answers, asked through ctx.io (default: none). */
  answers?(ctx: StepContext): Promise<A>;
  /**
   * Read the live state once: clients only, no mutating call. `recorded`: the step's outputs from
   * an earlier run (drift check), e.g. the app a step provisioned through or the token date Okta holds.
   */
  observe(ctx: StepContext, answers: A, recorded?: StepOutputs[K]): Promise<O>;
  /**
   * Optional: the questions whose choices come from the live state (several Identity Center
   * instances, several matching Okta apps), asked through ctx.io after observe and before plan;
   * returns the answers completed. No API call.
   */
  choose?(ctx: StepContext, observed: O, answers: A): Promise<A>;
  /** Pure: the changes that bring the live state to what the answers ask for. */
  plan(observed: O, answers: A, recorded?: StepOutputs[K]): Change[];
  /** Carries out exactly `changes` (already approved) and returns the typed outputs. */
  apply(ctx: StepContext, changes: readonly Change[], observed: O, answers: A): Promise<StepOutputs[K]>;
  /**
   * The outputs the step will have once `changes` are applied (dry run), so later steps can plan;
   * undefined when they cannot be foreseen. Values not known yet are KNOWN_AFTER_APPLY.
   */
  outputsAfter?(observed: O, answers: A, changes: readonly Change[]): StepOutputs[K] | undefined;
  /** Facts for a person that are not changes (skipped accounts, what a later step will wait for). */
  notes?(observed: O, answers: A): string[];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyStep = Step<StepId, any, any>;
