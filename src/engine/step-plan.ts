/**
 * One step's life in the engine: observe -> plan -> approve -> apply -> record.
 *
 *   answers(ctx) ─┐
 *   observe(ctx) ─┤   (choose(ctx, observed): questions among what was observed)
 *                 └─> plan(observed, answers) = Change[] ─> approve (once per risk class)
 *                                                         ─> apply(ctx, changes) ─> outputs + record
 *
 * The engine shows the changes, asks once per step and risk class through Io.confirm (`--yes`
 * approves; a non-interactive run without `--yes` stops here, before the step's first change, with
 * exit 2), then hands exactly the approved changes to apply().
 */
import { UsageError } from '../errors.js';
import { RISK_ORDER, describeChange, isWrite, type Change, type RiskClass } from '../core/change.js';
import type { StepOutputs } from '../core/outputs.js';
import type { AnyStep, Drift, Io, StepContext } from '../steps/contract.js';

export interface StepPlan {
  answers: unknown;
  observed: unknown;
  changes: Change[];
}

/** answers -> observe -> plan. `recorded`: the outputs of an earlier run (drift check). */
export async function planStep(step: AnyStep, ctx: StepContext, recorded?: unknown): Promise<StepPlan> {
  const asked = step.answers ? await step.answers(ctx) : undefined;
  const observed = await step.observe(ctx, asked, recorded as StepOutputs[typeof step.id] | undefined);
  // Questions whose choices come from the live state (e.g. which of several instances).
  const answers = step.choose ? await step.choose(ctx, observed, asked) : asked;
  const changes = step.plan(observed, answers, recorded as StepOutputs[typeof step.id] | undefined);
  return { answers, observed, changes };
}

/** The changes that make a done step drifted: anything that writes, or that says it is drift. */
export function driftChanges(changes: readonly Change[]): Change[] {
  return changes.filter((c) => isWrite(c) || c.drift !== undefined);
}

/** Drift of a done step: plan again against the live state and expect no change. */
export async function driftOf(step: AnyStep, ctx: StepContext, recorded: unknown): Promise<{ drifts: Drift[]; plan?: StepPlan }> {
  const plan = await planStep(step, ctx, recorded);
  return { drifts: driftChanges(plan.changes).map((c) => ({ message: c.drift ?? describeChange(c) })), plan };
}

/** Changes that need an approval: everything but adopts and console actions (a person does those). */
function needsApproval(c: Change): boolean {
  return c.op !== 'adopt' && c.op !== 'console' && c.risk !== 'read-only';
}

/** How the approval prompt names a risk class. */
const RISK_LABEL: Record<RiskClass, string> = {
  'read-only': 'read-only',
  additive: 'adds',
  'modifies-existing': 'changes existing resources',
  'org-wide': 'ORG-WIDE',
  destructive: 'DESTRUCTIVE',
};

/** One line per change, for the approval prompt, the dry run and the log. */
export function changeLine(c: Change): string {
  return describeChange(c);
}

/**
 * Show the step's changes and ask once per risk class, lowest first. Throws DECLINED (exit 2)
 * when a person says no; BaseIo throws APPROVAL_NEEDED (exit 2) in a non-interactive run without --yes.
 */
export async function approve(step: AnyStep, changes: readonly Change[], io: Io): Promise<void> {
  const toApprove = changes.filter(needsApproval);
  if (toApprove.length === 0) return;
  for (const risk of RISK_ORDER) {
    const group = toApprove.filter((c) => c.risk === risk);
    if (group.length === 0) continue;
    const lines = group.map((c) => `  - ${changeLine(c)}`).join('\n');
    const what = group.length === 1 ? group[0]!.summary : `${group.length} changes`;
    const ok = await io.confirm({
      message: `${step.title} (${RISK_LABEL[risk]}): ${what}${group.length > 1 ? `:\n${lines}` : group[0]!.scale ? ` (${group[0]!.scale.count} ${group[0]!.scale.unit})` : ''}\nApply?`,
      default: risk !== 'org-wide' && risk !== 'destructive',
    });
    if (!ok) {
      throw new UsageError(`Stopped before "${step.title}": ${what} not approved; nothing was changed by this step.`, {
        code: 'DECLINED',
        hint: 'Run again and approve (or pass --yes), or change the answers so the plan is what you want (see --dry-run).',
      });
    }
  }
}

/** The changes as kept in the state file: no payload (it may be large), no before/after. */
export function recordChanges(changes: readonly Change[]): RecordedChange[] {
  return changes.map((c) => ({
    op: c.op,
    resource: { ...c.resource },
    summary: c.summary,
    risk: c.risk,
    ...(c.scale ? { scale: { ...c.scale } } : {}),
    ...(c.writes ? { writes: c.writes.map((w) => ({ ...w })) } : {}),
  }));
}

export interface RecordedChange {
  op: Change['op'];
  resource: Change['resource'];
  summary: string;
  risk: RiskClass;
  scale?: { count: number; unit: string };
  writes?: { service: 'okta' | 'aws'; operation: string; count: number }[];
}
