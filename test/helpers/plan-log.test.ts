/**
 * The plan-equals-requests checker itself (test/helpers/plan-log.ts), on request logs written here:
 * it passes an exact apply, retries of a planned write under faults and the lookups after a dropped
 * create, and fails an unplanned write (even a refused one), one write too many, a planned write
 * missing from a finished apply, and a write outside every step attempt. Whole runs are compared per
 * attempt, so the writes of an attempt that stopped at a console action are checked too.
 */
import { describe, expect, it } from 'vitest';
import { expectRunMatchesState, expectWritesMatchPlan, writeProblems } from './plan-log.js';
import type { RequestLogEntry } from '../../src/sandbox/request-log.js';
import type { WizardState } from '../../src/engine/state.js';

let clock = Date.parse('2026-12-02T09:00:00.000Z');
const at = (): string => new Date((clock += 10)).toISOString();
function req(service: RequestLogEntry['service'], operation: string, status = 200, fault?: RequestLogEntry['fault'], mutating = true): RequestLogEntry {
  return { ts: at(), service, operation, mutating, status, ms: 1, ...(fault ? { fault } : {}) };
}
const read = (service: 'okta' | 'aws', operation: string): RequestLogEntry => req(service, operation, 200, undefined, false);

const plan = [
  { writes: [{ service: 'okta' as const, operation: 'createGroup', count: 2 }] },
  { writes: [{ service: 'aws' as const, operation: 'CreateAccountAssignment', count: 1 }] },
  { writes: [] },
];
const exact = (): RequestLogEntry[] => [
  read('okta', 'listGroups'),
  req('okta', 'createGroup'),
  req('okta', 'createGroup'),
  req('aws', 'SWBExternalService.CreateAccountAssignment'),
  req('scim', 'SCIM POST /Groups', 201), // Okta's own provisioning, not the wizard's
];

describe('the plan-equals-requests checker', () => {
  it('passes an apply that sent exactly the planned writes', () => {
    expect(writeProblems(exact(), plan)).toEqual([]);
    expectWritesMatchPlan(exact(), plan);
  });

  it('fails when an extra write is injected: an unplanned one, even refused, or one too many of a planned one', () => {
    const unplanned = [...exact(), req('okta', 'deleteGroup')];
    expect(writeProblems(unplanned, plan)).toEqual(['okta deleteGroup: not planned, sent 1 time(s) (1 accepted)']);
    expect(() => expectWritesMatchPlan(unplanned, plan)).toThrow(/okta deleteGroup: not planned/);
    expect(writeProblems([...exact(), req('aws', 'SWBExternalService.DeletePermissionSet', 400)], plan)).toEqual(['aws DeletePermissionSet: not planned, sent 1 time(s) (0 accepted)']);
    expect(writeProblems([...exact(), req('okta', 'createGroup')], plan)).toEqual(['okta createGroup: planned 2, accepted 3']);
    // A stopped apply may have sent fewer, never more or other.
    expect(writeProblems([...exact(), req('okta', 'createGroup')], plan, { finished: false })).toEqual(['okta createGroup: planned 2, accepted 3']);
  });

  it('fails a finished apply that left a planned write out; a stopped one may have', () => {
    const partial = exact().filter((e) => !e.operation.endsWith('CreateAccountAssignment'));
    expect(writeProblems(partial, plan)).toEqual(['aws CreateAccountAssignment: planned 1, carried out 0']);
    expect(writeProblems(partial, plan, { finished: false })).toEqual([]);
  });

  it('allows retried identical writes under faults and the lookups after a dropped or lost create', () => {
    const log = [
      req('okta', 'createGroup', 429, 'throttle'),
      req('okta', 'createGroup', 500, 'error'),
      req('okta', 'createGroup', 0, 'drop'),
      req('okta', 'createGroup'),
      // Carried out, answer lost: the retry is refused as a duplicate, the group is looked up and adopted.
      req('okta', 'createGroup', 0, 'lost'),
      req('okta', 'createGroup', 400),
      read('okta', 'listGroups'),
      // An assignment whose answer was lost, sent again (AWS answers the same request again).
      req('aws', 'SWBExternalService.CreateAccountAssignment', 0, 'lost'),
      req('aws', 'SWBExternalService.CreateAccountAssignment'),
      read('aws', 'SWBExternalService.DescribeAccountAssignmentCreationStatus'),
    ];
    expect(writeProblems(log, plan)).toEqual([]);
    // ... but never more accepted writes than planned, nor an unplanned write hidden among the retries.
    // (A lost answer may stand for one accepted retry: the log holds no bodies, so a duplicate made by a
    // retried create is the faults test's to find, by name.)
    expect(writeProblems([...log, req('okta', 'createGroup'), req('okta', 'createGroup')], plan)).toEqual(['okta createGroup: planned 2, accepted 3']);
    expect(writeProblems([...log, req('okta', 'deactivateGroup', 0, 'lost')], plan)).toEqual(['okta deactivateGroup: not planned, sent 1 time(s) (0 accepted)']);
  });

  it('counts the repairs the engine recorded as declared, up to their writes, without requiring them', () => {
    const reassigned = [...exact(), req('okta', 'unassignUserFromGroup'), req('okta', 'assignUserToGroup')];
    const repair = {
      writes: [
        { service: 'okta' as const, operation: 'unassignUserFromGroup', count: 1 },
        { service: 'okta' as const, operation: 'assignUserToGroup', count: 1 },
      ],
      repair: { reason: 'Okta reports the provisioning of the test user in ERROR', approval: 'asked' },
    };
    // Without the recorded repair, its writes are not planned.
    expect(writeProblems(reassigned, plan)).toEqual(['okta assignUserToGroup: not planned, sent 1 time(s) (1 accepted)', 'okta unassignUserFromGroup: not planned, sent 1 time(s) (1 accepted)']);
    expect(writeProblems(reassigned, [...plan, repair])).toEqual([]);
    // A repair whose write failed is not required (rule 3 is the plan's) ...
    expect(writeProblems(exact(), [...plan, repair])).toEqual([]);
    // ... but never more than its writes, and a write no repair declares still fails.
    expect(writeProblems([...reassigned, req('okta', 'assignUserToGroup')], [...plan, repair])).toEqual(['okta assignUserToGroup: planned 1 (1 by recorded repairs), accepted 2']);
    expect(writeProblems([...reassigned, req('okta', 'deleteUser')], [...plan, repair])).toEqual(['okta deleteUser: not planned, sent 1 time(s) (1 accepted)']);
  });

  it('refuses a plan whose change declares no writes (it cannot be compared)', () => {
    expect(() => writeProblems(exact(), [{}])).toThrow(/declares no writes/);
  });
});

describe('whole runs, attempt by attempt', () => {
  const change = (op: string, writes: { service: 'okta' | 'aws'; operation: string; count: number }[]) => ({ op, resource: { kind: 'push-mapping', name: 'g' }, summary: op, risk: 'additive', writes });
  /** A group push that created its mapping, stopped at the push-rule console action, then finished (adopting it). */
  function twoAttempts(): { log: RequestLogEntry[]; state: WizardState; since: string } {
    const since = at();
    const a1 = at();
    const log = [read('okta', 'listGroupPushMappings'), req('okta', 'createGroupPushMapping')];
    const f1 = at();
    const a2 = at();
    log.push(read('okta', 'listGroupPushMappings'));
    const f2 = at();
    const state = {
      schemaVersion: 1,
      toolVersion: '0.1.0',
      createdAt: since,
      updatedAt: f2,
      inputs: {},
      steps: {
        'group-push': {
          status: 'done',
          startedAt: a2,
          finishedAt: f2,
          applied: [change('adopt', [])],
          attempts: [
            { startedAt: a1, finishedAt: f1, outcome: 'waiting-for-console', applied: [change('create', [{ service: 'okta', operation: 'createGroupPushMapping', count: 1 }])] },
            { startedAt: a2, finishedAt: f2, outcome: 'done', applied: [change('adopt', [])] },
          ],
        },
      },
    } as WizardState;
    return { log, state, since };
  }

  it('checks the writes of an attempt that stopped at a console action, and those of the attempt that finished', () => {
    const { log, state, since } = twoAttempts();
    expect(expectRunMatchesState(log, state, { since })).toEqual(['group-push']);
    // The finishing attempt planned no write: one injected there fails.
    const rec = state.steps['group-push']!;
    const extra = { ...req('okta', 'createGroupPushMapping'), ts: new Date(Date.parse(rec.finishedAt!) - 1).toISOString() };
    expect(() => expectRunMatchesState([...log, extra], state, { since })).toThrow(/group-push/);
  });

  it('without the attempts (an older state file) only the finishing attempt is known: the first attempt\'s write is outside it', () => {
    const { log, state, since } = twoAttempts();
    delete state.steps['group-push']!.attempts;
    expect(() => expectRunMatchesState(log, state, { since })).toThrow(/outside every step apply/);
  });

  it('`until` ends the window: the test writes after the run are not the run writes; inside the window they fail', () => {
    const { log, state, since } = twoAttempts();
    const until = at();
    const own = req('okta', 'replaceApplication'); // the test changes the app once the run is over
    expect(expectRunMatchesState([...log, own], state, { since, until })).toEqual(['group-push']);
    expect(() => expectRunMatchesState([...log, own], state, { since, until: own.ts })).toThrow(/outside every step apply/);
  });

  it('an attempt stopped before its approval may send nothing', () => {
    const since = at();
    const a = at();
    const log = [req('aws', 'SWBExternalService.CreatePermissionSet')];
    const f = at();
    const state = { schemaVersion: 1, toolVersion: '0.1.0', createdAt: since, updatedAt: f, inputs: {}, steps: { 'permission-set': { status: 'failed', startedAt: a, finishedAt: f, attempts: [{ startedAt: a, finishedAt: f, outcome: 'failed' }] } } } as WizardState;
    expect(() => expectRunMatchesState(log, state, { since })).toThrow(/not planned/);
  });
});
