/**
 * The plan is data: for each step, what it would do, from live reads only (step.plan() and, for
 * steps done earlier, step.check()). Building it makes no mutating call and writes no file.
 */
import { ExitCode, InterruptedError, type WizardError } from '../errors.js';
import type { PlanAction, Step } from '../steps/contract.js';
import type { StepId, StepOutputs } from '../steps/outputs.js';
import { errorRecord, makeContext, normaliseError, type RunOptions } from './runner.js';
import type { StepErrorRecord, StepStatus } from './state.js';

export interface PlannedStep {
  stepId: StepId;
  title: string;
  kind: 'api' | 'console';
  /** The status in the state file before this run. */
  status: StepStatus;
  actions: PlanAction[];
  error?: StepErrorRecord;
}

export interface PlanResult {
  steps: PlannedStep[];
  /** The first error met while planning (planning goes on past it), for the exit code. */
  error?: WizardError;
  exitCode: ExitCode;
}

export async function buildPlan(opts: Omit<RunOptions, 'store'> & { store: RunOptions['store'] }): Promise<PlanResult> {
  const { store, io } = opts;
  const now = opts.now ?? (() => new Date());
  const outputs: Partial<Record<StepId, unknown>> = {};
  const planned: PlannedStep[] = [];
  let firstError: WizardError | undefined;
  const failed = new Set<StepId>();

  for (const step of opts.steps as readonly Step<StepId>[]) {
    if (opts.signal.aborted) {
      firstError ??= new InterruptedError('Interrupted while planning; nothing was changed.');
      break;
    }
    const rec = store.state.steps[step.id];
    const status: StepStatus = rec?.status ?? 'pending';
    const entry: PlannedStep = { stepId: step.id, title: step.title, kind: step.kind, status, actions: [] };
    planned.push(entry);
    const ctx = makeContext(opts, io, outputs as Partial<StepOutputs>, step.id, true);
    try {
      if (status === 'done' && rec?.outputs !== undefined) {
        const drifts = await step.check(ctx, rec.outputs as never);
        if (drifts.length === 0) {
          entry.actions.push({ kind: 'noop', target: step.title, detail: 'done earlier; its outputs still hold' });
          outputs[step.id] = rec.outputs;
          continue;
        }
        entry.actions.push(...drifts.map((d) => ({ kind: 'update' as const, target: step.title, detail: `drift: ${io.redact(d.message)}` })));
      }
      const missing = step.needs.filter((n) => outputs[n] === undefined);
      if (missing.length > 0) {
        const blockedBy = missing.find((m) => failed.has(m));
        if (step.kind === 'console') {
          entry.actions.push({ kind: 'console', target: step.title, detail: 'a person does this in a console; the exact values are known once the earlier steps have run' });
        }
        entry.actions.push({
          kind: 'pending',
          target: step.title,
          detail: `needs the result of ${missing.map((m) => `"${m}"`).join(', ')}${blockedBy ? ` (which cannot be planned: see its error)` : ', known once it has run'}`,
        });
        continue;
      }
      if (step.skip) {
        const reason = await step.skip(ctx);
        if (reason !== undefined) {
          entry.actions.push({ kind: 'noop', target: step.title, detail: `skipped: ${io.redact(reason)}` });
          continue;
        }
      }
      const actions = await step.plan(ctx);
      entry.actions.push(...actions.map((a) => ({ ...a, target: io.redact(a.target), ...(a.detail ? { detail: io.redact(a.detail) } : {}) })));
      // A read-only step (preflight) runs for real, so that the steps after it can plan from its outputs.
      if (step.readOnly) outputs[step.id] = await step.apply(ctx);
    } catch (e) {
      const err = normaliseError(e, io, step.id, opts.verbose ?? false);
      entry.error = errorRecord(err, io, now());
      failed.add(step.id);
      firstError ??= err;
    }
  }
  return { steps: planned, exitCode: firstError ? firstError.exitCode : ExitCode.Ok, ...(firstError ? { error: firstError } : {}) };
}

/** The console actions the plan says a person will have to do. */
export function plannedConsoleActions(plan: PlanResult): { stepId: StepId; target: string; detail?: string }[] {
  const out: { stepId: StepId; target: string; detail?: string }[] = [];
  for (const s of plan.steps) {
    for (const a of s.actions) if (a.kind === 'console') out.push({ stepId: s.stepId, target: a.target, ...(a.detail ? { detail: a.detail } : {}) });
  }
  return out;
}
