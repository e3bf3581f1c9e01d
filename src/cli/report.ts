/**
 * What the CLI shows about a run: the step table (status), the plan (--dry-run), the final summary,
 * and the one --json document printed on stdout at the end of every command.
 */
import type { Change } from '../steps/contract.js';
import { describeChange } from '../core/change.js';
import type { RecordedChange } from '../engine/step-plan.js';
import type { StepId } from '../core/outputs.js';
import type { StepInfo } from '../steps/catalog.js';
import type { WizardError } from '../errors.js';
import { ioMessage, type IoMessage } from '../messages.js';
import { MAX_MESSAGE_CHARS, wrapWords } from '../safe/text.js';

/** A message in the --json document: cut like a printed one (JSON escapes its control characters). */
export function capMessage(t: string): string {
  return t.length > MAX_MESSAGE_CHARS ? `${t.slice(0, MAX_MESSAGE_CHARS)}…(message cut: ${t.length - MAX_MESSAGE_CHARS} more characters)` : t;
}
import type { PlannedStep } from '../engine/plan.js';
import type { PendingConsoleAction, StepErrorRecord, StepRecord, StepStatus, WizardState } from '../engine/state.js';

export { wrapWords };
export type JsonResult = 'done' | 'failed' | 'waiting-for-console' | 'interrupted' | 'planned' | 'status' | 'error' | 'ok';

export interface JsonStep {
  id: string;
  title: string;
  kind: 'api' | 'console';
  status: StepStatus;
  startedAt?: string;
  finishedAt?: string;
  outputs?: Record<string, unknown>;
  error?: StepErrorRecord;
  progress?: unknown;
  note?: string;
  pendingConsoleAction?: PendingConsoleAction;
  /** --dry-run only: the changes apply would carry out (the very records it receives). */
  changes?: Change[];
  /** --dry-run only: facts that are not changes (done earlier, skipped, cannot be planned yet). */
  notes?: string[];
  /** After a run: the changes the last apply of this step was approved for and carried out. */
  applied?: RecordedChange[];
}

export interface JsonPendingConsoleAction {
  stepId: string;
  /** Present for an action a run is waiting for (from the state file). */
  id?: string;
  title: string;
  where?: string;
  instructions?: string[];
  values?: { label: string; value: string }[];
  /** true: announced by the plan (--dry-run), not yet shown to anyone. */
  planned: boolean;
  /** How to tell a non-interactive run it is done. */
  resumeWith?: string;
}

export interface JsonDocument {
  tool: 'okta-aws-sso';
  version: string;
  command: string;
  stateFile: string | null;
  dryRun: boolean;
  result: JsonResult;
  exitCode: number;
  steps: JsonStep[];
  pendingConsoleActions: JsonPendingConsoleAction[];
  drift: { stepId: string; messages: string[] }[];
  /** Every message the command showed, as data (code, level, text, data): docs/json-output.md. */
  messages: IoMessage[];
  /** verify: the health table, one row per check (docs/verify.md). */
  health?: unknown[];
  error: { message: string; code: string; hint?: string } | null;
  /** Command-specific data (sandbox status, ...). */
  data?: unknown;
}

export function jsonSteps(steps: readonly StepInfo[], state: WizardState | undefined, plan?: PlannedStep[]): JsonStep[] {
  return steps.map((s) => {
    const rec: StepRecord | undefined = state?.steps[s.id];
    const out: JsonStep = { id: s.id, title: s.title, kind: s.kind, status: rec?.status ?? 'pending' };
    if (rec?.startedAt) out.startedAt = rec.startedAt;
    if (rec?.finishedAt) out.finishedAt = rec.finishedAt;
    if (rec?.outputs !== undefined) out.outputs = rec.outputs;
    if (rec?.error) out.error = rec.error;
    if (rec?.progress !== undefined) out.progress = rec.progress;
    if (rec?.note) out.note = rec.note;
    if (rec?.pendingConsoleAction) out.pendingConsoleAction = rec.pendingConsoleAction;
    if (rec?.applied) out.applied = rec.applied;
    const p = plan?.find((x) => x.stepId === s.id);
    if (p) {
      out.changes = p.changes;
      out.notes = p.notes;
      if (p.error) out.error = p.error;
    }
    return out;
  });
}

export function pendingConsoleActions(steps: readonly StepInfo[], state: WizardState | undefined, plan?: PlannedStep[]): JsonPendingConsoleAction[] {
  const out: JsonPendingConsoleAction[] = [];
  for (const s of steps) {
    const a = state?.steps[s.id]?.pendingConsoleAction;
    if (a && state?.steps[s.id]?.status === 'waiting-for-console') {
      out.push({
        stepId: s.id,
        id: a.id,
        title: a.title,
        where: a.where,
        instructions: a.instructions,
        ...(a.values ? { values: a.values } : {}),
        planned: false,
        resumeWith: `okta-aws-sso resume --console-done ${a.id}`,
      });
    }
    const p = plan?.find((x) => x.stepId === s.id);
    for (const c of p?.changes ?? []) {
      if (c.op !== 'console') continue;
      const action = c.payload as { where?: string; instructions?: string[] } | undefined;
      const instructions = action?.instructions ?? (c.detail ? [c.detail] : undefined);
      out.push({ stepId: s.id, title: c.summary, ...(action?.where ? { where: action.where } : {}), ...(instructions ? { instructions } : {}), planned: true });
    }
  }
  return out;
}

export function errorJson(e: WizardError | undefined): JsonDocument['error'] {
  if (!e) return null;
  return { message: capMessage(e.message), code: e.code, ...(e.hint ? { hint: capMessage(e.hint) } : {}) };
}

/** Key outputs shown in the status table, by step. */
const KEY_OUTPUTS: Partial<Record<StepId, string[]>> = {
  preflight: ['aws.accountId', 'aws.region', 'okta.orgUrl'],
  'sp-metadata': ['acsUrl'],
  'okta-app': ['appId', 'label'],
  'idp-metadata': ['path', 'certNotAfter'],
  'scim-endpoint': ['endpoint'],
  'okta-provisioning': ['appLabel', 'connectionStatus'],
  groups: ['assignmentGroup.name'],
  'group-push': ['prefix'],
  'permission-set': ['name', 'arn'],
  'account-assignments': ['groupName'],
  'test-user': ['login'],
  verify: ['portalUrl'],
};

function pick(obj: unknown, dotted: string): unknown {
  let cur: unknown = obj;
  for (const part of dotted.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

export function keyOutputs(id: StepId, outputs: Record<string, unknown> | undefined): string {
  if (!outputs) return '';
  const paths = KEY_OUTPUTS[id] ?? Object.keys(outputs).slice(0, 2);
  const parts: string[] = [];
  for (const p of paths) {
    const v = pick(outputs, p);
    if (v === undefined || v === null || typeof v === 'object') continue;
    parts.push(`${p.split('.').pop()}=${String(v)}`);
  }
  if (id === 'account-assignments' && Array.isArray(outputs['results'])) {
    const results = outputs['results'] as { status?: string }[];
    const ok = results.filter((r) => r.status === 'SUCCEEDED' || r.status === 'EXISTING').length;
    parts.push(`${ok}/${results.length} accounts`);
  }
  return parts.join(' ');
}

function when(rec: StepRecord | undefined): string {
  const t = rec?.finishedAt ?? rec?.startedAt;
  return t ? t.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '';
}


/**
 * The step table: step, status, when, key outputs / what is pending. With `width` (the terminal's
 * columns) it fits: the "when" column goes first when space is short, then the details wrap at word
 * boundaries under their column, or on lines of their own below the row.
 */
export function statusTable(
  steps: readonly StepInfo[],
  state: WizardState | undefined,
  paint: { status(s: StepStatus, text: string): string } = { status: (_s, t) => t },
  width?: number,
): string[] {
  const rows: string[][] = [['#', 'step', 'status', 'when', 'details']];
  let n = 0;
  let nextMarked = false;
  for (const s of steps) {
    n++;
    const rec = state?.steps[s.id];
    const status: StepStatus = rec?.status ?? 'pending';
    let details = '';
    if (status === 'done') details = keyOutputs(s.id, rec?.outputs);
    else if (status === 'skipped') details = rec?.note ?? '';
    else if (status === 'waiting-for-console') details = `console action owed: ${rec?.pendingConsoleAction?.title ?? rec?.error?.message ?? ''}`;
    else if (status === 'failed') details = `error: ${rec?.error?.message ?? ''}`;
    else if (status === 'running') details = 'was running when the last run stopped';
    else if (rec?.error?.code === 'INTERRUPTED') details = 'interrupted; resumes here';
    if ((status === 'pending' || status === 'failed' || status === 'waiting-for-console' || status === 'running') && !nextMarked) {
      nextMarked = true;
      details = `${details ? `${details} ` : ''}<- next`;
    }
    rows.push([String(n), s.id, status, when(rec), details]);
  }
  const widthOf = (i: number): number => Math.max(...rows.map((r) => (r[i] ?? '').length));
  const fits = (cols: number[]): number => cols.reduce((a, i) => a + widthOf(i) + 2, 0);
  let cols = [0, 1, 2, 3];
  if (width !== undefined && fits(cols) + 24 > width) cols = [0, 1, 2];
  const fixed = fits(cols);
  const detailWidth = width === undefined ? Infinity : width - fixed;
  const out: string[] = [];
  rows.forEach((r, idx) => {
    const cells = cols.map((i) => (r[i] ?? '').padEnd(widthOf(i)));
    const statusAt = cols.indexOf(2);
    if (idx > 0 && statusAt >= 0) cells[statusAt] = paint.status(r[2] as StepStatus, cells[statusAt] ?? '');
    const head = cells.join('  ');
    const details = r[4] ?? '';
    if (width === undefined || fixed + details.length <= width) {
      out.push(`${head}  ${details}`.trimEnd());
    } else if (detailWidth >= 24) {
      const parts = wrapWords(details, detailWidth);
      out.push(`${head}  ${parts[0] ?? ''}`.trimEnd());
      for (const p of parts.slice(1)) out.push(`${' '.repeat(fixed)}${p}`);
    } else {
      out.push(head.trimEnd());
      for (const p of wrapWords(details, Math.max(20, width - 5))) out.push(`     ${p}`);
    }
  });
  return out;
}

export function planLines(plan: PlannedStep[]): string[] {
  const lines: string[] = [];
  let n = 0;
  for (const p of plan) {
    n++;
    lines.push(`${n}. ${p.title} [${p.stepId}]${p.status !== 'pending' ? ` (state: ${p.status})` : ''}`);
    if (p.changes.length === 0 && p.notes.length === 0 && !p.error) lines.push('   - no change');
    for (const c of p.changes) lines.push(`   - ${describeChange(c)}`);
    for (const n of p.notes) lines.push(`   · ${n}`);
    if (p.error) lines.push(`   ! cannot plan: ${p.error.message}${p.error.hint ? ` ${p.error.hint}` : ''}`);
  }
  return lines;
}

/** The dry run's console actions to come, one line each (the data: pendingConsoleActions, planned). */
export function plannedActionLines(planned: readonly JsonPendingConsoleAction[]): string[] {
  return planned.map((p) => `  - ${p.title} [${p.stepId}]${p.instructions?.[0] ? `: ${p.instructions[0]}` : ''}`);
}

/**
 * The short closing summary of a finished run: what was created, what was adopted (already there),
 * what the person must still do, and the access portal URL. `okta-aws-sso status` has the full table.
 */
export function closingSummary(state: WizardState, opts: { sandbox: boolean }): IoMessage[] {
  const out = (id: StepId): Record<string, unknown> | undefined => (state.steps[id]?.status === 'done' ? state.steps[id]?.outputs : undefined);
  const created: string[] = [];
  const adopted: string[] = [];
  const todo: IoMessage[] = [];
  const app = out('okta-app') as { label?: string; adopted?: boolean } | undefined;
  if (app?.label) (app.adopted ? adopted : created).push(`Okta app "${app.label}"`);
  // The groups step does not record whether it created a group: named as in place.
  const groups = out('groups') as { assignmentGroup?: { name?: string }; pushGroups?: { name?: string }[] } | undefined;
  const groupNames = [groups?.assignmentGroup, ...(groups?.pushGroups ?? [])].flatMap((g) => (g?.name ? [`"${g.name}"`] : []));
  const ps = out('permission-set') as { name?: string; created?: boolean } | undefined;
  if (ps?.name) (ps.created ? created : adopted).push(`permission set "${ps.name}"`);
  const aa = out('account-assignments') as { results?: { status?: string; accountId?: string; reason?: string }[] } | undefined;
  if (aa?.results) {
    const made = aa.results.filter((r) => r.status === 'SUCCEEDED').length;
    const had = aa.results.filter((r) => r.status === 'EXISTING').length;
    const skipped = aa.results.filter((r) => r.status === 'SKIPPED').length;
    if (made > 0) created.push(`${made} account assignment(s)`);
    if (had > 0) adopted.push(`${had} account assignment(s)`);
    if (skipped > 0) todo.push(ioMessage('SUMMARY_TODO_SKIPPED', { count: skipped }));
  }
  const user = out('test-user') as { login?: string; created?: boolean } | undefined;
  if (user?.login) (user.created ? created : adopted).push(`test user ${user.login}`);
  const portal = (out('verify') as { portalUrl?: string } | undefined)?.portalUrl;
  if (portal && user?.login && !opts.sandbox) todo.push(ioMessage('SUMMARY_TODO_SIGN_IN', { login: user.login, url: portal }));
  // Repairs the engine recorded in the attempt that finished each step (re-push, re-assignment).
  const repaired = Object.values(state.steps).flatMap((rec) => {
    const attempts = rec?.status === 'done' ? rec.attempts : undefined;
    const last = attempts?.[attempts.length - 1];
    return last?.outcome === 'done' ? (last.applied ?? []).flatMap((c) => (c.repair ? [`${c.summary} (${c.repair.reason})`] : [])) : [];
  });
  const lines: IoMessage[] = [];
  if (created.length > 0) lines.push(ioMessage('SUMMARY_CREATED', { items: created.join(', ') }));
  if (adopted.length > 0) lines.push(ioMessage('SUMMARY_ADOPTED', { items: adopted.join(', ') }));
  if (repaired.length > 0) lines.push(ioMessage('SUMMARY_REPAIRED', { count: repaired.length, items: repaired.join('; ') }));
  if (groupNames.length > 0) lines.push(ioMessage('SUMMARY_GROUPS', { groups: groupNames.join(', ') }));
  lines.push(...(todo.length > 0 ? todo : [ioMessage('SUMMARY_TODO_NOTHING')]));
  if (portal) lines.push(ioMessage('SUMMARY_PORTAL', { url: portal }));
  lines.push(ioMessage('SUMMARY_DETAILS'));
  return lines;
}
