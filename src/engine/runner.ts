/**
 * The step runner: runs the steps in order, saves the state after each step (and whenever a step
 * calls ctx.progress.save()), re-checks completed steps on resume (drift -> re-apply, apply is
 * idempotent), records a failure and stops, and turns an abort signal (Ctrl-C) into a saved state
 * and an InterruptedError (exit 130).
 *
 * The step list is a parameter: the CLI passes STEPS, tests pass their own steps.
 */
import { ExitCode, InterruptedError, WaitingForConsoleError, WizardError, isWizardError } from '../errors.js';
import { coalescedProgress } from './progress.js';
import type { AnyStep, ConsoleAction, Io, Progress, SecretStore, Services, StepContext, StepProgressStore } from '../steps/contract.js';
import type { StepId, StepOutputs } from '../core/outputs.js';
import type { CodeAt, MessageData } from '../messages.js';
import { createStepContext, repairOutsideApply } from './context.js';
import { MAX_ATTEMPTS, toPendingAction, type AttemptRecord, type StateStore, type StepErrorRecord, type StepRecord } from './state.js';
import { approve, changeLine, driftOf, planStep, recordChanges, repairApproval, RunApprovals, type StepPlan } from './step-plan.js';

/** The Io the engine needs: the step interface plus redaction (BaseIo provides both). */
export interface EngineIo extends Io {
  redact(text: string): string;
}

export interface RunOptions {
  steps: readonly AnyStep[];
  store: StateStore;
  io: EngineIo;
  services: Services;
  secrets: SecretStore;
  signal: AbortSignal;
  workDir: string;
  verbose?: boolean;
  now?: () => Date;
  /** Message used when interrupted; default names `okta-aws-sso resume`. */
  resumeCommand?: string;
}

/** The attempt under way: when it started and, once approved, the changes it carries out. */
interface Attempt {
  startedAt: string;
  applied?: AttemptRecord['applied'];
}

export type RunOutcome = 'done' | 'failed' | 'waiting-for-console' | 'interrupted';

export interface RunResult {
  outcome: RunOutcome;
  exitCode: ExitCode;
  error?: WizardError;
  /** The step the run stopped at, when it did not finish. */
  stoppedAt?: StepId;
  /** Steps whose check() found drift in this run, with what drifted. */
  drift: { stepId: StepId; messages: string[] }[];
}

/**
 * A progress line that a question can pause: stopped (drawn no more) while a person answers, then drawn
 * again with its latest text. A repair's approval may be asked while a wait's spinner runs.
 */
class PausableProgress implements Progress {
  private cur: Progress | undefined;
  constructor(
    private readonly inner: Io,
    /** The spinner's last text, by code: a resumed spinner starts again with it. */
    private text: ProgressText,
    private readonly live: Set<PausableProgress>,
  ) {
    this.cur = start(inner, text);
    live.add(this);
  }
  pause(): void {
    this.cur?.stop();
    this.cur = undefined;
  }
  resume(): void {
    if (this.live.has(this) && !this.cur) this.cur = start(this.inner, this.text);
  }
  update(code: ProgressCode, data?: MessageData): void {
    this.text = [code, data];
    (this.cur?.update as ProgressCall | undefined)?.(code, data);
  }
  private end(): Progress {
    this.live.delete(this);
    const p = this.cur ?? start(this.inner, this.text);
    this.cur = undefined;
    return p;
  }
  succeed(code: ProgressCode, data?: MessageData): void {
    (this.end().succeed as ProgressCall)(code, data);
  }
  fail(code?: ProgressCode, data?: MessageData): void {
    const p = this.end();
    if (code === undefined) p.fail();
    else (p.fail as ProgressCall)(code, data);
  }
  stop(): void {
    this.live.delete(this);
    this.cur?.stop();
    this.cur = undefined;
  }
}

type ProgressCode = CodeAt<'progress'>;
type ProgressText = [code: ProgressCode, data: MessageData | undefined];
/** A spinner's method with its code and data as checked by the caller (Io.progress's types). */
type ProgressCall = (code: ProgressCode, data?: MessageData) => void;
const start = (io: Io, [code, data]: ProgressText): Progress => (io.progress as (c: ProgressCode, d?: MessageData) => Progress)(code, data);

/**
 * Io wrapper remembering the last console action shown, so a WaitingForConsoleError can be recorded
 * with it; and pausing the progress lines being drawn while a person answers a confirmation.
 */
class TrackingIo implements EngineIo {
  lastAction: ConsoleAction | undefined;
  private readonly live = new Set<PausableProgress>();
  constructor(private readonly inner: EngineIo) {}
  get interactive(): boolean {
    return this.inner.interactive;
  }
  ask: Io['ask'] = (o) => this.inner.ask(o);
  select: Io['select'] = (o) => this.inner.select(o);
  confirm: Io['confirm'] = async (o) => {
    if (!this.inner.interactive || this.live.size === 0) return this.inner.confirm(o);
    const paused = [...this.live];
    for (const p of paused) p.pause();
    try {
      return await this.inner.confirm(o);
    } finally {
      for (const p of paused) p.resume();
    }
  };
  secret: Io['secret'] = (o) => this.inner.secret(o);
  hasAnswer: Io['hasAnswer'] = (k) => this.inner.hasAnswer(k);
  answerSource: Io['answerSource'] = (k) => this.inner.answerSource(k);
  consoleAction: Io['consoleAction'] = (a) => {
    this.lastAction = a;
    return this.inner.consoleAction(a);
  };
  info: Io['info'] = (code, ...data) => this.inner.info(code, ...data);
  warn: Io['warn'] = (code, ...data) => this.inner.warn(code, ...data);
  debug: Io['debug'] = (code, ...data) => this.inner.debug(code, ...data);
  notify: Io['notify'] = (m) => this.inner.notify(m);
  progress: Io['progress'] = (code, ...data) => new PausableProgress(this.inner, [code, data[0]], this.live);
  showSecretOnce: Io['showSecretOnce'] = (l, v) => this.inner.showSecretOnce(l, v);
  registerSecret: Io['registerSecret'] = (v) => this.inner.registerSecret(v);
  redact(text: string): string {
    return this.inner.redact(text);
  }
}

function isPromptAbort(e: unknown): boolean {
  const name = (e as { name?: unknown } | null)?.name;
  return name === 'ExitPromptError' || name === 'AbortPromptError';
}

/** Resolve with p, or reject with InterruptedError as soon as the signal fires. */
function raceAbort<T>(p: Promise<T>, signal: AbortSignal, interrupted: () => InterruptedError): Promise<T> {
  if (signal.aborted) {
    p.catch(() => undefined);
    return Promise.reject(interrupted());
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(interrupted());
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/** Turn anything thrown into a WizardError with a message free of secrets. */
export function normaliseError(e: unknown, io: EngineIo, stepId: string | undefined, verbose: boolean, signal?: AbortSignal, interrupted?: () => InterruptedError): WizardError {
  if (e instanceof InterruptedError) return e;
  if ((signal?.aborted || isPromptAbort(e)) && interrupted) return interrupted();
  if (isWizardError(e)) return e;
  const msg = io.redact(e instanceof Error ? e.message : String(e));
  if (verbose && e instanceof Error && e.stack) io.debug('STACK', { stack: io.redact(e.stack) });
  return new WizardError(stepId ? `The step "${stepId}" failed unexpectedly: ${msg}` : `Unexpected failure: ${msg}`, {
    code: 'UNEXPECTED',
    hint: `Run again with --verbose for details; the next run retries ${stepId ? `"${stepId}"` : 'from where it stopped'}. If it keeps failing, please report it.`,
    cause: e,
  });
}

export function errorRecord(err: WizardError, io: EngineIo, now: Date): StepErrorRecord {
  const rec: StepErrorRecord = { message: io.redact(err.message), code: err.code, at: now.toISOString() };
  if (err.hint) rec.hint = io.redact(err.hint);
  return rec;
}

function stateProgress(store: StateStore, id: StepId): StepProgressStore {
  return coalescedProgress(
    () => store.step(id).progress,
    async (value: unknown) => {
      store.step(id).progress = structuredClone(value);
      await store.save();
    },
  );
}

/** Outputs of every done step, in order: what later steps read through ctx.need(). */
export function knownOutputs(steps: readonly AnyStep[], store: StateStore): Partial<StepOutputs> {
  const out: Partial<Record<StepId, unknown>> = {};
  for (const s of steps) {
    const o = store.outputsOf(s.id);
    if (o !== undefined) out[s.id] = o;
  }
  return out as Partial<StepOutputs>;
}

export function makeContext(opts: RunOptions, io: Io, outputs: Partial<StepOutputs>, id: StepId, dryRun: boolean, repair?: StepContext['repair']): StepContext {
  return createStepContext({
    ...(repair ? { repair } : {}),
    io,
    services: opts.services,
    secrets: opts.secrets,
    outputs,
    progress: stateProgress(opts.store, id),
    dryRun,
    signal: opts.signal,
    workDir: opts.workDir,
    now: opts.now ?? (() => new Date()),
  });
}

/**
 * Run the steps in order. `mode: 'verify'` re-checks every done step without re-applying (drift is
 * a failure) and then re-runs the last step of the list (the verify step) even if it is done.
 */
export async function runSteps(opts: RunOptions & { mode?: 'run' | 'verify' }): Promise<RunResult> {
  const { store, signal } = opts;
  const mode = opts.mode ?? 'run';
  const now = opts.now ?? (() => new Date());
  const io = new TrackingIo(opts.io);
  const outputs: Partial<Record<StepId, unknown>> = {};
  const drift: RunResult['drift'] = [];
  let current: StepId | undefined;
  const interrupted = (): InterruptedError =>
    new InterruptedError(
      `Interrupted${current ? ` during the step "${current}"` : ''}. The state is saved in ${store.file}; run \`${opts.resumeCommand ?? 'okta-aws-sso resume'}\` to continue.`,
    );

  /** What this run approved: a repair found while applying may fall under it (RunApprovals). */
  const approvals = new RunApprovals();
  /** The changes an attempt was approved for, as recorded (secrets masked, no payloads). */
  const recorded = (changes: Parameters<typeof recordChanges>[0]): AttemptRecord['applied'] => JSON.parse(io.redact(JSON.stringify(recordChanges(changes)))) as AttemptRecord['applied'];
  /** Keeps the attempt that just ended (its window and what it was approved for) on the step's record. */
  const endAttempt = (rec: StepRecord, attempt: Attempt | undefined, outcome: AttemptRecord['outcome']): void => {
    if (!attempt) return;
    const a: AttemptRecord = { startedAt: attempt.startedAt, finishedAt: rec.finishedAt ?? now().toISOString(), outcome };
    if (attempt.applied) a.applied = attempt.applied;
    rec.attempts = [...(rec.attempts ?? []), a].slice(-MAX_ATTEMPTS);
  };

  const fail = async (id: StepId, e: unknown, phase: 'apply' | 'check', attempt?: Attempt): Promise<RunResult> => {
    const err = normaliseError(e, io, id, opts.verbose ?? false, signal, interrupted);
    const rec = store.step(id);
    rec.finishedAt = now().toISOString();
    endAttempt(rec, attempt, err instanceof InterruptedError ? 'interrupted' : err instanceof WaitingForConsoleError ? 'waiting-for-console' : 'failed');
    if (err instanceof InterruptedError) {
      // Not a failure: the step goes back to pending (its saved progress is kept) and resumes next time.
      rec.status = phase === 'check' ? rec.status : 'pending';
      rec.error = errorRecord(err, io, now());
      await store.save();
      return { outcome: 'interrupted', exitCode: ExitCode.Interrupted, error: err, stoppedAt: id, drift };
    }
    if (err instanceof WaitingForConsoleError) {
      rec.status = 'waiting-for-console';
      rec.error = errorRecord(err, io, now());
      const shown = io.lastAction && io.lastAction.id === err.actionId ? io.lastAction : undefined;
      if (shown) {
        const pending = toPendingAction(shown);
        rec.pendingConsoleAction = JSON.parse(io.redact(JSON.stringify(pending))) as typeof pending;
      }
      await store.save();
      return { outcome: 'waiting-for-console', exitCode: ExitCode.WaitingForConsole, error: err, stoppedAt: id, drift };
    }
    rec.status = 'failed';
    rec.error = errorRecord(err, io, now());
    try {
      await store.save();
    } catch (saveErr) {
      // The failure itself is what the person must see; a save error (e.g. STATE_SECRET) is secondary.
      const saveError = normaliseError(saveErr, io, id, false);
      io.warn('STATE_NOT_SAVED', { message: saveError.message, errorCode: saveError.code });
    }
    return { outcome: 'failed', exitCode: err.exitCode, error: err, stoppedAt: id, drift };
  };

  const last = opts.steps[opts.steps.length - 1];
  for (const step of opts.steps) {
    current = step.id;
    if (signal.aborted) return fail(step.id, interrupted(), 'check');
    const rec = store.step(step.id);
    const forceRerun = mode === 'verify' && step === last;

    /** Plan computed by the drift check of a done step: re-applied as is (no second read). */
    let replan: StepPlan | undefined;
    if (rec.status === 'done' && rec.outputs !== undefined && !forceRerun) {
      const ctx = makeContext(opts, io, outputs as Partial<StepOutputs>, step.id, false);
      let checked;
      try {
        checked = await raceAbort(driftOf(step, ctx, rec.outputs), signal, interrupted);
      } catch (e) {
        return fail(step.id, e, 'check');
      }
      const drifts = checked.drifts;
      if (drifts.length === 0) {
        if (mode === 'verify') io.info('STEP_STILL_HOLDS', { stepId: step.id, title: step.title });
        else io.debug('STEP_DONE_EARLIER', { stepId: step.id, title: step.title });
        outputs[step.id] = rec.outputs;
        continue;
      }
      const messages = drifts.map((d) => io.redact(d.message));
      drift.push({ stepId: step.id, messages });
      for (const m of messages) io.warn('DRIFT_FOUND', { stepId: step.id, message: m });
      if (mode === 'verify') {
        outputs[step.id] = rec.outputs;
        continue;
      }
      io.info('DRIFT_REPAIR', { stepId: step.id, title: step.title });
      rec.note = `drift found ${now().toISOString()}: ${messages.join('; ')}`.slice(0, 2000);
      replan = checked.plan;
    }

    if (mode === 'verify' && !forceRerun) {
      if (rec.status !== 'done' && rec.status !== 'skipped') {
        const err = new WizardError(`The setup is not finished: the step "${step.id}" is ${rec.status}.`, {
          code: 'SETUP_INCOMPLETE',
          exitCode: ExitCode.Usage,
          hint: 'Run `okta-aws-sso resume` to finish the setup, then verify.',
        });
        return { outcome: 'failed', exitCode: err.exitCode, error: err, stoppedAt: step.id, drift };
      }
      continue;
    }
    if (mode === 'verify' && drift.length > 0) {
      const err = new WizardError(`Drift found in ${drift.map((d) => `"${d.stepId}"`).join(', ')} (see above).`, {
        code: 'DRIFT',
        hint: 'Run `okta-aws-sso resume` to repair it (each drifted step is re-applied), then verify again.',
      });
      return { outcome: 'failed', exitCode: err.exitCode, error: err, stoppedAt: drift[0]?.stepId ?? step.id, drift };
    }

    /** The attempt under way, once its plan is approved: a repair is recorded in it. */
    let applying: Attempt | undefined;
    const repair: StepContext['repair'] = async (change, reason) => {
      if (!applying?.applied) throw repairOutsideApply(change);
      const r = JSON.parse(io.redact(JSON.stringify(await approvals.repair(step.id, step.title, change, reason, io)))) as NonNullable<AttemptRecord['applied']>[number];
      applying.applied.push(r);
      io.info('REPAIR', { stepId: step.id, title: step.title, change: io.redact(changeLine(change)), reason: r.repair?.reason ?? '', approval: r.repair ? repairApproval(r.repair) : '' });
    };
    const ctx = makeContext(opts, io, outputs as Partial<StepOutputs>, step.id, false, repair);
    if (step.skip) {
      let reason: string | undefined;
      try {
        reason = await raceAbort(step.skip(ctx), signal, interrupted);
      } catch (e) {
        return fail(step.id, e, 'apply');
      }
      if (reason !== undefined) {
        rec.status = 'skipped';
        rec.note = io.redact(reason);
        rec.finishedAt = now().toISOString();
        delete rec.error;
        delete rec.pendingConsoleAction;
        io.info('STEP_SKIPPED', { stepId: step.id, title: step.title, reason: rec.note });
        await store.save();
        continue;
      }
    }

    rec.status = 'running';
    rec.startedAt = now().toISOString();
    delete rec.finishedAt;
    const attempt: Attempt = { startedAt: rec.startedAt };
    await store.save();
    io.lastAction = undefined;
    io.info('STEP_START', { stepId: step.id, title: step.title });
    let result: unknown;
    let plan: StepPlan;
    try {
      // observe -> plan (or the plan the drift check just made) -> approve -> apply exactly that.
      plan = replan ?? (await raceAbort(planStep(step, ctx), signal, interrupted));
      for (const c of plan.changes) io.debug('PLANNED_CHANGE', { stepId: step.id, change: io.redact(changeLine(c)) });
      await raceAbort(approve(step, plan.changes, io), signal, interrupted);
      approvals.grant(step.id, plan.changes);
      attempt.applied = recorded(plan.changes);
      applying = attempt;
      result = await raceAbort(step.apply(ctx, plan.changes, plan.observed, plan.answers), signal, interrupted);
    } catch (e) {
      return fail(step.id, e, 'apply', attempt);
    }
    rec.applied = attempt.applied;
    rec.status = 'done';
    rec.outputs = (result ?? {}) as Record<string, unknown>;
    rec.finishedAt = now().toISOString();
    endAttempt(rec, attempt, 'done');
    delete rec.error;
    delete rec.pendingConsoleAction;
    try {
      await store.save();
    } catch (e) {
      delete rec.outputs;
      rec.attempts?.pop(); // recorded again by fail(), as failed
      return fail(step.id, e, 'apply', attempt);
    }
    outputs[step.id] = rec.outputs;
  }
  current = undefined;
  return { outcome: 'done', exitCode: ExitCode.Ok, drift };
}
