/**
 * The plan is data: for each step, the Change records it would apply, from live reads only
 * (answers -> observe -> plan; for steps done earlier, the same plan against the live state, where
 * no change means no drift). A step's `outputsAfter()` tells the later steps what it will produce,
 * so they plan too (values not known yet are KNOWN_AFTER_APPLY). Building it makes no mutating
 * call and writes no file.
 */
import { ExitCode, InterruptedError, type WizardError } from '../errors.js';
import type { Change } from '../core/change.js';
import type { AnyStep } from '../steps/contract.js';
import type { StepId, StepOutputs } from '../core/outputs.js';
import { errorRecord, makeContext, normaliseError, type RunOptions } from './runner.js';
import type { StepErrorRecord, StepStatus } from './state.js';
import { driftChanges, driftOf, planStep } from './step-plan.js';

export interface PlannedStep {
  stepId: StepId;
  title: string;
  kind: 'api' | 'console';
  /** The status in the state file before this run. */
  status: StepStatus;
  /** What apply would do (the same records apply receives). Empty: nothing to change. */
  changes: Change[];
  /** Facts that are not changes: done earlier, skipped accounts, what cannot be planned yet. */
  notes: string[];
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

  for (const step of opts.steps as readonly AnyStep[]) {
    if (opts.signal.aborted) {
      firstError ??= new InterruptedError('Interrupted while planning; nothing was changed.');
      break;
    }
    const rec = store.state.steps[step.id];
    const status: StepStatus = rec?.status ?? 'pending';
    const entry: PlannedStep = { stepId: step.id, title: step.title, kind: step.kind, status, changes: [], notes: [] };
    planned.push(entry);
    const ctx = makeContext(opts, io, outputs as Partial<StepOutputs>, step.id, true);
    const redacted = (cs: Change[]): Change[] => JSON.parse(io.redact(JSON.stringify(cs))) as Change[];
    try {
      if (status === 'done' && rec?.outputs !== undefined) {
        const checked = await driftOf(step, ctx, rec.outputs);
        if (checked.drifts.length === 0) {
          entry.notes.push('done earlier; still holds (planning against the live state finds no change)');
          outputs[step.id] = rec.outputs;
          continue;
        }
        if (checked.plan) {
          // Migrated step: the drift is the plan.
          entry.changes.push(...redacted(driftChanges(checked.plan.changes)));
          outputs[step.id] = step.outputsAfter?.(checked.plan.observed, checked.plan.answers, checked.plan.changes) ?? rec.outputs;
          continue;
        }
        entry.notes.push(...checked.drifts.map((d) => `drift: ${io.redact(d.message)}`));
      }
      const missing = step.needs.filter((n) => outputs[n] === undefined);
      if (missing.length > 0) {
        const blockedBy = missing.find((m) => failed.has(m));
        if (step.kind === 'console') {
          entry.changes.push({ op: 'console', resource: { kind: 'console-action', name: step.title }, summary: step.title, risk: 'read-only', detail: 'a person does this in a console; the exact values are known once the earlier steps have run' });
        }
        entry.notes.push(`pending: needs the result of ${missing.map((m) => `"${m}"`).join(', ')}${blockedBy ? ` (which cannot be planned: see its error)` : ', known once it has run'}`);
        continue;
      }
      if (step.skip) {
        const reason = await step.skip(ctx);
        if (reason !== undefined) {
          entry.notes.push(`skipped: ${io.redact(reason)}`);
          continue;
        }
      }
      const plan = await planStep(step, ctx);
      entry.changes.push(...redacted(plan.changes));
      entry.notes.push(...(step.notes?.(plan.observed, plan.answers) ?? []).map((n) => io.redact(n)));
      const after = step.outputsAfter?.(plan.observed, plan.answers, plan.changes);
      if (after !== undefined) outputs[step.id] = after;
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
    for (const c of s.changes) if (c.op === 'console') out.push({ stepId: s.stepId, target: c.summary, ...(c.detail ? { detail: c.detail } : {}) });
  }
  return out;
}
