/**
 * "Apply sent exactly the planned writes": compares the sandbox request log with the plan.
 *
 * The wizard's writes are its mutating requests to the Okta and AWS emulators; SCIM requests are
 * Okta's own provisioning, not the wizard's. The rule, per kind of write ("service operation"), over
 * the requests of one apply (a step's attempt, or a day-two command's run):
 *
 * 1. A write the plan does not name is never sent, not even once, not even refused.
 * 2. Accepted writes (2xx, answered) never outnumber the planned ones.
 * 3. An apply that finished carried out every planned write: accepted + lost (carried out, answer
 *    dropped by a fault) >= planned. An apply that stopped (a console action owed, a failure, Ctrl-C)
 *    carried out some of them, never more (rules 1 and 2 still hold).
 *
 * So under faults, retries of a planned write (after a 5xx, a throttle, a dropped connection or a lost
 * answer: refused or faulted attempts, and at most one accepted per planned write) and the lookups that
 * follow a dropped create (reads: never counted) pass; an unplanned write, or one write too many, fails.
 * Without faults rules 2 and 3 make it exact: accepted == planned. Repairs (a change a step found
 * needed while applying, beyond its plan: e.g. the test user re-assigned after a SCIM error,
 * src/steps/provisioning-effect.ts) are recorded by the engine with the planned changes, marked
 * `repair` (src/engine/step-plan.ts, RunApprovals): their writes count as declared for rules 1 and 2;
 * rule 3 holds for the planned changes (a repair whose write failed may be proposed again). A write
 * no planned or recorded repair change declares fails, whatever the fault. The checker is tested
 * itself (test/helpers/plan-log.test.ts), including a failure when an extra write is injected.
 *
 *   expectWritesMatchPlan(await readRequestLog(sb, { since: cursor }), changes);       // a step's apply
 *   expectRunMatchesState(entries, readState(file), { since: runStartedAt });          // whole runs
 *   expectWritesMatchPlan(entries, doc.data.changes, 'destroy');                      // a day-two command
 */
import { expect } from 'vitest';
import type { RequestLogEntry } from '../../src/sandbox/request-log.js';
import type { WizardState } from '../../src/engine/state.js';

interface WithWrites {
  writes?: { service: 'okta' | 'aws'; operation: string; count: number }[] | undefined;
  /** Set on a repair the engine recorded (a change beyond the plan, approved while applying). */
  repair?: unknown;
}

/** "aws CreateAccountAssignment" / "okta createApplication": the name a plan's writes use. */
export function writeKey(e: Pick<RequestLogEntry, 'service' | 'operation'>): string {
  const op = e.service === 'aws' ? (e.operation.split('.').pop() ?? e.operation) : e.operation;
  return `${e.service} ${op}`;
}

/** A mutating request of the wizard (Okta or AWS; not Okta's SCIM provisioning), whatever its answer. */
export function isWizardWrite(e: RequestLogEntry): boolean {
  return e.mutating && (e.service === 'okta' || e.service === 'aws');
}

/** An accepted write: answered 2xx, no fault. */
const accepted = (e: RequestLogEntry): boolean => !e.fault && e.status >= 200 && e.status < 300;

/** The wizard's accepted writes in the log, counted by "service operation". */
export function sentWrites(entries: readonly RequestLogEntry[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of entries) {
    if (!isWizardWrite(e) || !accepted(e)) continue;
    const k = writeKey(e);
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}

/** The writes a list of changes declares, counted by "service operation". Throws if one is undeclared. */
export function plannedWrites(changes: readonly WithWrites[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of changes) {
    if (c.writes === undefined) throw new Error('a change declares no writes: its requests cannot be compared with the plan');
    for (const w of c.writes) if (w.count > 0) out[`${w.service} ${w.operation}`] = (out[`${w.service} ${w.operation}`] ?? 0) + w.count;
  }
  return out;
}

export interface ApplyWindow {
  /** Did this apply finish (every planned write must then have been carried out)? */
  finished: boolean;
}

/** What breaks the rule (see the top of this file), in words; empty when the requests fit the plan and its recorded repairs. */
export function writeProblems(entries: readonly RequestLogEntry[], changes: readonly WithWrites[], opts: ApplyWindow = { finished: true }): string[] {
  const planned = plannedWrites(changes.filter((c) => c.repair === undefined));
  const allowed = plannedWrites(changes);
  const tally: Record<string, { accepted: number; lost: number; other: number }> = {};
  for (const e of entries) {
    if (!isWizardWrite(e)) continue;
    const t = (tally[writeKey(e)] ??= { accepted: 0, lost: 0, other: 0 });
    if (accepted(e)) t.accepted++;
    else if (e.fault === 'lost') t.lost++;
    else t.other++;
  }
  const problems: string[] = [];
  for (const [k, t] of Object.entries(tally)) {
    const p = allowed[k] ?? 0;
    const repaired = p - (planned[k] ?? 0);
    if (p === 0) problems.push(`${k}: not planned, sent ${t.accepted + t.lost + t.other} time(s) (${t.accepted} accepted)`);
    else if (t.accepted > p) problems.push(`${k}: planned ${p}${repaired > 0 ? ` (${repaired} by recorded repairs)` : ''}, accepted ${t.accepted}`);
  }
  if (opts.finished) {
    for (const [k, p] of Object.entries(planned)) {
      const t = tally[k] ?? { accepted: 0, lost: 0, other: 0 };
      if (t.accepted + t.lost < p) problems.push(`${k}: planned ${p}, carried out ${t.accepted + t.lost}`);
    }
  }
  return problems.sort();
}

/** Apply sent exactly the planned writes (the rule above): no other, none too many, none missing if it finished. */
export function expectWritesMatchPlan(entries: readonly RequestLogEntry[], changes: readonly WithWrites[], label = 'writes', opts: ApplyWindow = { finished: true }): void {
  const problems = writeProblems(entries, changes, opts);
  expect(problems, `${label}: ${problems.join('; ')} (planned ${JSON.stringify(plannedWrites(changes))}, accepted ${JSON.stringify(sentWrites(entries))})`).toEqual([]);
}

interface Window {
  id: string;
  from: string;
  to: string;
  finished: boolean;
  applied: WithWrites[] | undefined;
}

/** Every apply of the state's steps that started at or after `since`: one per recorded attempt. */
export function applyWindows(state: WizardState, since: string): Window[] {
  const out: Window[] = [];
  for (const [id, r] of Object.entries(state.steps)) {
    const attempts = (r.attempts ?? []).filter((a) => a.startedAt >= since);
    for (const a of attempts) out.push({ id, from: a.startedAt, to: a.finishedAt, finished: a.outcome === 'done', applied: a.applied ?? [] });
    // The current attempt when no attempt records it: a state file from before attempts were recorded
    // (its finishing attempt, with `applied`), or a run that did not get to record its end.
    if (r.startedAt !== undefined && r.startedAt >= since && !attempts.some((a) => a.startedAt === r.startedAt)) {
      const finished = r.status === 'done';
      out.push({ id, from: r.startedAt, to: r.finishedAt ?? '9999', finished, applied: finished ? r.applied : undefined });
    }
  }
  return out.sort((a, b) => a.from.localeCompare(b.from));
}

/**
 * For whole runs of the real binary (one or several: a run stopped at a console action, then resumed):
 * every attempt at a step that started since `since` recorded the changes it was approved for
 * (`attempts[].applied` in the state file); the wizard's writes during that attempt fit them (the rule
 * above; an attempt that stopped before its approval may send nothing). A write outside every attempt
 * (e.g. during a drift check) fails the check. Returns the ids of the steps compared.
 */
export function expectRunMatchesState(entries: readonly RequestLogEntry[], state: WizardState, opts: { since: string; until?: string }): string[] {
  const windows = applyWindows(state, opts.since);
  const writes = entries.filter((e) => e.ts >= opts.since && (opts.until === undefined || e.ts <= opts.until) && isWizardWrite(e));
  const inside = (w: Window) => (e: RequestLogEntry): boolean => e.ts >= w.from && e.ts <= w.to;
  const outside = writes.filter((e) => !windows.some((w) => inside(w)(e)));
  expect(outside.map(writeKey), 'writes sent outside every step apply of these runs').toEqual([]);
  const compared = new Set<string>();
  for (const w of windows) {
    if (!w.applied) continue; // an unfinished attempt of a state file from before attempts were recorded
    expectWritesMatchPlan(writes.filter(inside(w)), w.applied, `writes of the step "${w.id}" (attempt from ${w.from}${w.finished ? '' : ', stopped'})`, { finished: w.finished });
    compared.add(w.id);
  }
  return [...compared];
}
