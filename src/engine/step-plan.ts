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
import { RISK_ORDER, describeChange, isWrite, type Change, type ResourceRef, type RiskClass } from '../core/change.js';
import type { StepId, StepOutputs } from '../core/outputs.js';
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
export function needsApproval(c: Change): boolean {
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

/** The answer Enter gives at an approval: yes, except for org-wide and destructive changes. */
function yesByDefault(risk: RiskClass): boolean {
  return risk !== 'org-wide' && risk !== 'destructive';
}

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
      default: yesByDefault(risk),
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
  /** Present on a repair: a change found needed while applying, beyond the plan (see RunApprovals). */
  repair?: RepairRecord;
}

/**
 * Why a repair was made and under which approval. `covered`: an approval given earlier in the same
 * run for the same resource at the same or a higher risk class (`coveredBy` names that change);
 * `asked`: the engine asked (a person answered, or --yes approved).
 */
export interface RepairRecord {
  reason: string;
  approval: 'covered' | 'asked';
  coveredBy?: string;
}

/** How a repair was approved, in words (the REPAIR message). */
export function repairApproval(r: RepairRecord): string {
  if (r.approval === 'asked') return 'approved now';
  return r.coveredBy ? `covered by the approval of "${r.coveredBy}" given in this run` : 'read-only: nothing to approve';
}

/** Same resource: same kind, and the same id when both have one, else the same name. */
export function sameResource(a: ResourceRef, b: ResourceRef): boolean {
  if (a.kind !== b.kind) return false;
  if (a.id !== undefined && b.id !== undefined) return a.id === b.id;
  return a.name !== undefined && a.name === b.name;
}

/**
 * The approvals given in one run, and the gate for repairs (Terraform would re-plan; a wait cannot).
 *
 * A repair is a change a step finds it needs while applying, that no plan could foresee: e.g. a push
 * mapping Okta put in ERROR is pushed again, the test user whose provisioning Okta left in ERROR is
 * re-assigned (src/steps/provisioning-effect.ts). The step proposes it as a typed Change through
 * `ctx.repair(change, reason)` before sending anything; the engine then
 *  - approves it under the approval already given when this run approved a change on the SAME
 *    RESOURCE (sameResource) at the SAME OR A HIGHER RISK CLASS (in any step: the test user created
 *    by the test-user step, the mapping re-activated by the group-push step), or an earlier repair
 *    of it asked in this run; an approval from an earlier run covers nothing;
 *  - otherwise asks, like approve() (`--yes` approves; a non-interactive run without it stops with
 *    APPROVAL_NEEDED, exit 2; a "no" stops with DECLINED), before the repair's first write;
 *  - records it in the attempt's `applied`, with `repair` (reason, approval), so that `--json` shows it
 *    and the plan-equals-requests check counts its writes as declared.
 */
export class RunApprovals {
  private readonly given: { stepId: StepId; change: Change }[] = [];

  /** Remember what a step's approval covered (the changes approve() asked for). */
  grant(stepId: StepId, changes: readonly Change[]): void {
    for (const c of changes) if (needsApproval(c)) this.given.push({ stepId, change: c });
  }

  /** The change approved in this run that covers `c`, if any. */
  cover(c: Change): { stepId: StepId; change: Change } | undefined {
    const rank = RISK_ORDER.indexOf(c.risk);
    return this.given.find((g) => sameResource(g.change.resource, c.resource) && RISK_ORDER.indexOf(g.change.risk) >= rank);
  }

  /** Approve a repair (covered, or asked now); returns its record. Throws DECLINED / APPROVAL_NEEDED. */
  async repair(stepId: StepId, stepTitle: string, c: Change, reason: string, io: Io): Promise<RecordedChange> {
    const covering = this.cover(c);
    let repair: RepairRecord;
    if (covering) {
      repair = { reason, approval: 'covered', coveredBy: `${covering.change.summary} (${covering.stepId})` };
    } else if (!needsApproval(c)) {
      repair = { reason, approval: 'covered' };
    } else {
      const ok = await io.confirm({
        message: `${stepTitle} (repair, ${RISK_LABEL[c.risk]}): ${describeChange(c)}\nWhy: ${reason}\nApply?`,
        default: yesByDefault(c.risk),
      });
      if (!ok) {
        throw new UsageError(`Stopped in "${stepTitle}": the repair "${c.summary}" was not approved; it was not made.`, {
          code: 'DECLINED',
          hint: 'Run again and approve the repair (or pass --yes), or fix the cause named above and run again.',
        });
      }
      repair = { reason, approval: 'asked' };
      this.given.push({ stepId, change: c });
    }
    return { ...recordChanges([c])[0]!, repair };
  }
}
