/**
 * "Apply sent exactly the planned writes": compares the sandbox request log with the plan.
 *
 * The wizard's writes are the accepted (2xx) mutating requests to the Okta and AWS emulators; SCIM
 * requests are Okta's own provisioning, not the wizard's, and refused or fault-injected attempts
 * (throttling, a dropped connection) are retries of a planned write, not extra writes.
 *
 *   expectWritesMatchPlan(await readRequestLog(sb, { since: cursor }), changes);
 *   expectRunMatchesState(entries, readState(file), { since: runStartedAt });
 */
import { expect } from 'vitest';
import type { RequestLogEntry } from '../../src/sandbox/request-log.js';
import type { WizardState } from '../../src/engine/state.js';

interface WithWrites {
  writes?: { service: 'okta' | 'aws'; operation: string; count: number }[] | undefined;
}

/** "aws CreateAccountAssignment" / "okta createApplication": the name a plan's writes use. */
export function writeKey(e: Pick<RequestLogEntry, 'service' | 'operation'>): string {
  const op = e.service === 'aws' ? (e.operation.split('.').pop() ?? e.operation) : e.operation;
  return `${e.service} ${op}`;
}

/** The wizard's accepted writes in the log, counted by "service operation". */
export function sentWrites(entries: readonly RequestLogEntry[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of entries) {
    if (!e.mutating || e.fault || e.status < 200 || e.status >= 300) continue;
    if (e.service !== 'okta' && e.service !== 'aws') continue;
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

/** Apply sent exactly the planned writes: no more, no fewer, no other. */
export function expectWritesMatchPlan(entries: readonly RequestLogEntry[], changes: readonly WithWrites[], label = 'writes'): void {
  expect(sentWrites(entries), label).toEqual(plannedWrites(changes));
}

/**
 * For a whole run (the real binary): every step migrated to the plan/apply contract recorded the
 * changes it applied (`applied` in the state file); the writes the log shows during that step's
 * apply equal them. Writes outside every step of the run (e.g. during a drift check) fail the check.
 * Returns the ids of the steps compared.
 */
export function expectRunMatchesState(entries: readonly RequestLogEntry[], state: WizardState, opts: { since: string }): string[] {
  const windows = Object.entries(state.steps)
    .filter(([, r]) => r.startedAt !== undefined && r.startedAt >= opts.since)
    .map(([id, r]) => ({ id, from: r.startedAt!, to: r.finishedAt ?? '9999', applied: r.applied }));
  const writes = entries.filter((e) => e.ts >= opts.since && Object.keys(sentWrites([e])).length > 0);
  const outside = writes.filter((e) => !windows.some((w) => e.ts >= w.from && e.ts <= w.to));
  expect(outside.map(writeKey), 'writes sent outside every step apply of this run').toEqual([]);
  const compared: string[] = [];
  for (const w of windows) {
    if (!w.applied) continue; // recorded without its changes (a state file from before 0.2)
    expectWritesMatchPlan(
      writes.filter((e) => e.ts >= w.from && e.ts <= w.to),
      w.applied,
      `writes of the step "${w.id}"`,
    );
    compared.push(w.id);
  }
  return compared;
}
