/** The pure access plan: typed changes grouped by permission set and target, with counts; prune only what is tracked. */
import { describe, expect, it } from 'vitest';
import { parseAccessText, MANAGED_TAG_KEY } from '../../src/access/file.js';
import { planAccess, planText, type TrackedAccess } from '../../src/access/plan.js';
import type { LivePermissionSet, LiveState } from '../../src/access/observe.js';
import { UsageError } from '../../src/errors.js';

const A = (n: number) => String(100000000000 + n);
const accounts = [1, 2, 3, 4, 5, 6].map((n) => ({ id: A(n), name: `acct${n}`, state: n === 6 ? 'SUSPENDED' : 'ACTIVE' }));
const OU = 'ou-ab12-cdef3456';
const NESTED = 'ou-ab12-99999999';

function liveSet(name: string, over: Partial<LivePermissionSet> = {}): LivePermissionSet {
  return { arn: `arn:ps/${name}`, name, sessionDuration: 'PT1H', managedPolicies: [], customerManagedPolicies: [], tags: {}, provisionedAccounts: [], ...over };
}

function live(over: Partial<LiveState> = {}): LiveState {
  return { instanceArn: 'arn:aws:sso:::instance/ssoins-1', accounts, ouAccounts: { [OU]: [A(2), A(3), A(4)], [NESTED]: [A(4)] }, permissionSets: [], groups: [], ...over };
}

const file = (text: string) => parseAccessText(`version: 1\n${text}`, 'access.yaml', '.');
const none: TrackedAccess = { permissionSets: [], assignments: [] };
const opts = { prune: false, pruneUnmanaged: false };

const FILE = file(
  [
    'permissionSets:',
    '  - name: Admin',
    '    managedPolicies: [arn:aws:iam::aws:policy/AdministratorAccess]',
    '  - name: Read',
    '    inlinePolicy: { Statement: [{ Effect: Allow, Action: "s3:Get*", Resource: "*" }] }',
    'assignments:',
    '  - group: admins',
    '    permissionSets: [Admin]',
    `    targets: { accounts: ["${A(1)}"] }`,
    '  - group: devs',
    '    permissionSets: [Read]',
    `    targets: { all: true, exclude: ["${A(1)}", ${NESTED}] }`,
    '  - group: ops',
    '    permissionSets: [Read]',
    `    targets: { ous: [${OU}] }`,
  ].join('\n'),
);

describe('planAccess', () => {
  it('from nothing: groups, sets and assignments over accounts, all (minus excluded OUs) and OUs', () => {
    const p = planAccess(FILE, live({ groups: [{ name: 'admins', groupId: 'g-a', assignments: [] }] }), none, { ...opts, oktaGroups: { devs: { oktaGroup: true, pushMapping: false } } });
    expect(p.counts).toEqual({ assignmentsToCreate: 1 + 3 + 3, assignmentsToDelete: 0, permissionSetsToCreate: 2, permissionSetsToUpdate: 0, permissionSetsToDelete: 0, groupsToPush: 2, accountsToReprovision: 0 });
    expect(p.summary).toBe('+ 2 groups pushed, + 2 permission sets, + 7 assignments');
    const assigns = p.changes.filter((c) => c.payload?.kind === 'assign').map((c) => c.payload);
    expect(assigns).toEqual([
      { kind: 'assign', group: 'admins', groupId: 'g-a', permissionSet: 'Admin', accounts: [A(1)] },
      // all ACTIVE (not the SUSPENDED 6), minus account 1 and the nested OU's account 4
      { kind: 'assign', group: 'devs', permissionSet: 'Read', accounts: [A(2), A(3), A(5)] },
      { kind: 'assign', group: 'ops', permissionSet: 'Read', accounts: [A(2), A(3), A(4)] },
    ]);
    const groups = p.changes.filter((c) => c.payload?.kind === 'group');
    expect(groups.map((c) => [c.resource.name, c.summary, c.writes])).toEqual([
      ['devs', 'push the Okta group "devs" to Identity Center', [{ service: 'okta', operation: 'createGroupPushMapping', count: 1 }]],
      ['ops', 'create the Okta group "ops" and push it to Identity Center', [{ service: 'okta', operation: 'createGroup', count: 1 }, { service: 'okta', operation: 'createGroupPushMapping', count: 1 }]],
    ]);
    // With the setup's push rule, a new group with the prefix gets its mapping from the rule: no mapping write.
    const ruled = planAccess(FILE, live({ groups: [{ name: 'admins', groupId: 'g-a', assignments: [] }] }), none, { ...opts, pushPrefix: 'o', pushRule: true, oktaGroups: { devs: { oktaGroup: true, pushMapping: false } } });
    expect(ruled.changes.filter((c) => c.payload?.kind === 'group').map((c) => [c.resource.name, c.writes?.map((w) => w.operation), c.payload])).toEqual([
      ['devs', ['createGroupPushMapping'], expect.objectContaining({ createMapping: true })],
      ['ops', ['createGroup'], expect.objectContaining({ createOktaGroup: true, createMapping: false })],
    ]);
    const text = planText(p).join('\n');
    expect(text).toMatch(/permission set Read:\n {2}\+ create the permission set "Read" \(an inline policy\)\n {2}\+ devs: 3 accounts/);
    expect(text).toMatch(/Plan: \+ 2 groups pushed, \+ 2 permission sets, \+ 7 assignments\.$/m);
  });

  it('matching live state: no change; an edited policy is one update re-provisioning exactly the accounts holding the set', () => {
    const inline = '{"Statement":[{"Action":"s3:Get*","Effect":"Allow","Resource":"*"}]}';
    const sets = [
      liveSet('Admin', { managedPolicies: ['arn:aws:iam::aws:policy/AdministratorAccess'], tags: { [MANAGED_TAG_KEY]: 'true' }, provisionedAccounts: [A(1)] }),
      liveSet('Read', { inlinePolicy: inline, provisionedAccounts: [A(2), A(3), A(4), A(5)] }),
    ];
    const groups = [
      { name: 'admins', groupId: 'g-a', assignments: [{ permissionSetArn: 'arn:ps/Admin', accountId: A(1) }] },
      { name: 'devs', groupId: 'g-d', assignments: [A(2), A(3), A(5)].map((id) => ({ permissionSetArn: 'arn:ps/Read', accountId: id })) },
      { name: 'ops', groupId: 'g-o', assignments: [A(2), A(3), A(4)].map((id) => ({ permissionSetArn: 'arn:ps/Read', accountId: id })) },
    ];
    const same = planAccess(FILE, live({ permissionSets: sets, groups }), none, opts);
    expect(same.changes).toEqual([]);
    expect(same.summary).toBe('no changes');

    const edited = planAccess(FILE, live({ permissionSets: [sets[0]!, { ...sets[1]!, inlinePolicy: '{"Statement":[]}' }], groups }), none, opts);
    expect(edited.summary).toBe('~ 1 permission set (inline policy)');
    expect(edited.counts.accountsToReprovision).toBe(4);
    expect(edited.changes).toEqual([expect.objectContaining({ op: 'update', risk: 'modifies-existing', scale: { count: 4, unit: 'accounts re-provisioned' }, payload: expect.objectContaining({ fields: ['inline policy'], reprovision: true }) })]);
    // Its writes: what apply's updateSet() sends, then one re-provisioning.
    expect(edited.changes[0]!.writes).toEqual([
      { service: 'aws', operation: 'PutInlinePolicyToPermissionSet', count: 1 },
      { service: 'aws', operation: 'ProvisionPermissionSet', count: 1 },
    ]);
    // A tag change alone updates the set without re-provisioning.
    const tagged = planAccess(FILE, live({ permissionSets: [{ ...sets[0]!, tags: { team: 'x', [MANAGED_TAG_KEY]: 'true' } }, sets[1]!], groups }), none, opts);
    expect(tagged.changes[0]!.payload).toMatchObject({ fields: ['tags'], reprovision: false });
    expect(tagged.changes[0]!.writes).toEqual([{ service: 'aws', operation: 'UntagResource', count: 1 }]); // the live tag "team" is not in the file
    expect(tagged.counts.accountsToReprovision).toBe(0);
  });

  it('drops: only tracked items are pruned (and only with --prune); --prune-unmanaged takes the rest of the file\'s groups', () => {
    const small = file(['permissionSets:', '  - name: Admin', 'assignments:', '  - group: admins', '    permissionSets: [Admin]', `    targets: { accounts: ["${A(1)}"] }`].join('\n'));
    const sets = [liveSet('Admin', { provisionedAccounts: [A(1), A(2), A(3)] }), liveSet('Old', { provisionedAccounts: [A(4)] })];
    const groups = [
      { name: 'admins', groupId: 'g-a', assignments: [A(1), A(2), A(3)].map((id) => ({ permissionSetArn: 'arn:ps/Admin', accountId: id })) },
      { name: 'gone', groupId: 'g-g', assignments: [{ permissionSetArn: 'arn:ps/Old', accountId: A(4) }] },
    ];
    // Account 2 was made by okta-aws-sso, account 3 by someone else; "Old" and its assignment are ours.
    const tracked: TrackedAccess = { permissionSets: [{ name: 'Old', arn: 'arn:ps/Old' }], assignments: [{ group: 'admins', permissionSet: 'Admin', accounts: [A(1), A(2)] }, { group: 'gone', permissionSet: 'Old', accounts: [A(4)] }] };
    const l = live({ permissionSets: sets, groups });

    const noPrune = planAccess(small, l, tracked, opts);
    expect(noPrune.changes).toEqual([]);
    expect(noPrune.notes).toEqual([
      '2 assignments okta-aws-sso made earlier are no longer in the file: `access apply --prune` removes them.',
      "1 assignment of the file's groups is not in the file and okta-aws-sso did not make it: left alone (--prune-unmanaged removes it).",
      'The permission set "Old" that okta-aws-sso created is no longer in the file: `access apply --prune` deletes it.',
    ]);

    const prune = planAccess(small, l, tracked, { prune: true, pruneUnmanaged: false });
    expect(prune.summary).toBe('- 2 assignments, - 1 permission set');
    expect(prune.changes.map((c) => [c.op, c.risk, c.payload?.kind, c.payload && 'accounts' in c.payload ? c.payload.accounts : undefined])).toEqual([
      ['delete', 'destructive', 'unassign', [A(2)]],
      ['delete', 'destructive', 'unassign', [A(4)]],
      ['delete', 'destructive', 'ps-delete', undefined],
    ]);

    const all = planAccess(small, l, tracked, { prune: true, pruneUnmanaged: true });
    expect(all.changes.find((c) => c.resource.name === 'admins / Admin')?.payload).toMatchObject({ accounts: [A(2), A(3)], managed: false });
  });

  it('assignments of a set okta-aws-sso created that exist but are not in the state (sent by an interrupted run) are recorded, never re-sent; another set\'s are not', () => {
    const sets = [liveSet('Admin', { provisionedAccounts: [A(1)] }), liveSet('Read', { provisionedAccounts: [A(2), A(3)] })];
    const groups = [
      { name: 'admins', groupId: 'g-a', assignments: [{ permissionSetArn: 'arn:ps/Admin', accountId: A(1) }] },
      { name: 'devs', groupId: 'g-d', assignments: [A(2), A(3)].map((id) => ({ permissionSetArn: 'arn:ps/Read', accountId: id })) },
      { name: 'ops', groupId: 'g-o', assignments: [] },
    ];
    // "Read" is okta-aws-sso's, with devs on account 2 recorded; account 3 finished after an interruption.
    const tracked: TrackedAccess = { permissionSets: [{ name: 'Read', arn: 'arn:ps/Read' }], assignments: [{ group: 'devs', permissionSet: 'Read', accounts: [A(2)] }] };
    const p = planAccess(FILE, live({ permissionSets: sets, groups }), tracked, opts);
    expect(p.settled).toEqual([{ group: 'devs', permissionSet: 'Read', accounts: [A(3)] }]);
    // What is left is planned without them (devs on account 5, ops on its OU); Admin on account 1 is not okta-aws-sso's.
    expect(p.changes.filter((c) => c.payload?.kind === 'assign').map((c) => [c.resource.name, c.payload && 'accounts' in c.payload ? c.payload.accounts : []])).toEqual([
      ['devs / Read', [A(5)]],
      ['ops / Read', [A(2), A(3), A(4)]],
    ]);
    expect(planAccess(FILE, live({ permissionSets: sets, groups }), none, opts).settled).toBeUndefined();
  });

  it('a tracked set still held by assignments it did not make is kept, with a note', () => {
    const empty = file('permissionSets: []\nassignments: []');
    const l = live({ permissionSets: [liveSet('Old', { provisionedAccounts: [A(4), A(5)] })], groups: [{ name: 'gone', groupId: 'g-g', assignments: [{ permissionSetArn: 'arn:ps/Old', accountId: A(4) }] }] });
    const p = planAccess(empty, l, { permissionSets: [{ name: 'Old', arn: 'arn:ps/Old' }], assignments: [{ group: 'gone', permissionSet: 'Old', accounts: [A(4)] }] }, { prune: true, pruneUnmanaged: false });
    expect(p.changes.map((c) => c.payload?.kind)).toEqual(['unassign']);
    expect(p.notes.join('\n')).toMatch(/"Old" is kept: it is still assigned on 1 account \(100000000005\)/);
  });

  it('an account that is not in the organization is refused with the entry\'s place (exit 2)', () => {
    const bad = file(['permissionSets:', '  - name: A', 'assignments:', '  - group: g', '    permissionSets: [A]', '    targets: { accounts: ["999999999999"] }'].join('\n'));
    expect(() => planAccess(bad, live(), none, opts)).toThrow(UsageError);
    expect(() => planAccess(bad, live(), none, opts)).toThrow(/access\.yaml:5:5: the account\(s\) 999999999999 are not in the organization/);
  });
});
