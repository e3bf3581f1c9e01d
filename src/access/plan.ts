/**
 * The access plan: pure. The file (what is wanted), the live state and what okta-aws-sso made earlier
 * (the state file) give typed Change records, grouped by permission set and target, with counts:
 * "+ 412 assignments, ~ 1 permission set (inline policy), - 3 assignments".
 */
import type { Change } from '../core/change.js';
import { UsageError } from '../errors.js';
import { MANAGED_TAG_KEY, type AccessFile, type Boundary, type PolicyRef, type WantedAssignment, type WantedPermissionSet } from './file.js';
import type { LivePermissionSet, LiveState } from './observe.js';

/** What okta-aws-sso created (kept in the state file): only these are pruned without --prune-unmanaged. */
export interface TrackedAccess {
  permissionSets: { name: string; arn: string }[];
  assignments: { group: string; permissionSet: string; accounts: string[] }[];
}

export type AccessPayload =
  | { kind: 'group'; name: string; createOktaGroup: boolean; createMapping: boolean }
  | { kind: 'ps-create'; set: WantedPermissionSet }
  | { kind: 'ps-update'; arn: string; set: WantedPermissionSet; live: LivePermissionSet; fields: string[]; reprovision: boolean }
  | { kind: 'assign'; group: string; groupId?: string; permissionSet: string; permissionSetArn?: string; accounts: string[] }
  | { kind: 'unassign'; group: string; groupId: string; permissionSet: string; permissionSetArn: string; accounts: string[]; managed: boolean }
  | { kind: 'ps-delete'; name: string; arn: string };

export type AccessChange = Change<AccessPayload>;

export interface AccessCounts {
  assignmentsToCreate: number;
  assignmentsToDelete: number;
  permissionSetsToCreate: number;
  permissionSetsToUpdate: number;
  permissionSetsToDelete: number;
  groupsToPush: number;
  /** Accounts that get a changed permission set again (ProvisionPermissionSet to the accounts holding it). */
  accountsToReprovision: number;
}

export interface AccessPlan {
  changes: AccessChange[];
  counts: AccessCounts;
  /** "+ 412 assignments, ~ 1 permission set (inline policy), - 3 assignments", or "no changes". */
  summary: string;
  /** Facts for a person (skipped accounts, what --prune would remove, ...). */
  notes: string[];
  /**
   * Assignments the file wants that exist in AWS with a permission set okta-aws-sso created, but are
   * not in the state yet: requests an interrupted apply had sent that finished after it stopped.
   * Nobody else could have made them (the set is okta-aws-sso's): apply records them, sending nothing.
   */
  settled?: TrackedAccess['assignments'];
}

export interface GroupFacts {
  /** The Okta group exists. */
  oktaGroup: boolean;
  /** A push mapping exists for it. */
  pushMapping: boolean;
}

export interface PlanOptions {
  prune: boolean;
  pruneUnmanaged: boolean;
  /** Okta facts of groups missing from the identity store (by name). */
  oktaGroups?: Record<string, GroupFacts>;
  /** The push prefix of the setup (a new group without it is pushed by its own mapping only). */
  pushPrefix?: string;
  /** The setup's "push groups by rule" rule exists (confirmed): a new group with the prefix is pushed by it. */
  pushRule?: boolean;
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

function sameRefs(a: readonly PolicyRef[], b: readonly PolicyRef[]): boolean {
  return a.length === b.length && a.every((x, i) => x.name === b[i]!.name && x.path === b[i]!.path);
}
/**
 * The writes `updateSet()` in src/access/apply.ts sends to bring a live set to the wanted one (the
 * same comparisons, field by field), and the re-provisioning after it: the plan declares exactly them.
 */
export function setUpdateWrites(want: WantedPermissionSet, live: LivePermissionSet, reprovision: boolean): NonNullable<Change['writes']> {
  const aws = (operation: string, count: number) => ({ service: 'aws' as const, operation, count });
  const key = (r: PolicyRef) => `${r.path}${r.name}`;
  const liveRefs = new Set(live.customerManagedPolicies.map(key));
  const wantRefs = new Set(want.customerManagedPolicies.map(key));
  const inlineDiffers = (want.inlinePolicy ?? '') !== (live.inlinePolicy ?? '');
  const boundaryDiffers = JSON.stringify(want.permissionsBoundary ?? '') !== JSON.stringify(live.permissionsBoundary ?? '');
  const tagged = Object.entries(want.tags).some(([k, v]) => live.tags[k] !== v);
  const untagged = Object.keys(live.tags).some((k) => k !== MANAGED_TAG_KEY && !(k in want.tags));
  return [
    aws('UpdatePermissionSet', (want.description ?? '') !== (live.description ?? '') || want.sessionDuration !== live.sessionDuration || (want.relayState ?? '') !== (live.relayState ?? '') ? 1 : 0),
    aws('AttachManagedPolicyToPermissionSet', want.managedPolicies.filter((x) => !live.managedPolicies.includes(x)).length),
    aws('DetachManagedPolicyFromPermissionSet', live.managedPolicies.filter((x) => !want.managedPolicies.includes(x)).length),
    aws('AttachCustomerManagedPolicyReferenceToPermissionSet', want.customerManagedPolicies.filter((r) => !liveRefs.has(key(r))).length),
    aws('DetachCustomerManagedPolicyReferenceFromPermissionSet', live.customerManagedPolicies.filter((r) => !wantRefs.has(key(r))).length),
    aws('PutInlinePolicyToPermissionSet', inlineDiffers && want.inlinePolicy ? 1 : 0),
    aws('DeleteInlinePolicyFromPermissionSet', inlineDiffers && !want.inlinePolicy ? 1 : 0),
    aws('PutPermissionsBoundaryToPermissionSet', boundaryDiffers && want.permissionsBoundary ? 1 : 0),
    aws('DeletePermissionsBoundaryFromPermissionSet', boundaryDiffers && !want.permissionsBoundary ? 1 : 0),
    aws('TagResource', tagged ? 1 : 0),
    aws('UntagResource', untagged ? 1 : 0),
    aws('ProvisionPermissionSet', reprovision && live.provisionedAccounts.length > 0 ? 1 : 0),
  ].filter((w) => w.count > 0);
}

const boundaryText = (b: Boundary | undefined): string => (!b ? '' : 'managedPolicyArn' in b ? b.managedPolicyArn : `${b.customerManagedPolicy.path}${b.customerManagedPolicy.name}`);
const userTags = (t: Record<string, string>): Record<string, string> => Object.fromEntries(Object.entries(t).filter(([k]) => k !== MANAGED_TAG_KEY).sort(([a], [b]) => a.localeCompare(b)));

/** The fields of a permission set that differ, by the name a person reads ("inline policy", ...). */
export function permissionSetDiff(want: WantedPermissionSet, live: LivePermissionSet): { fields: string[]; reprovision: boolean } {
  const fields: string[] = [];
  if ((want.description ?? '') !== (live.description ?? '')) fields.push('description');
  if (want.sessionDuration !== live.sessionDuration) fields.push('session duration');
  if ((want.relayState ?? '') !== (live.relayState ?? '')) fields.push('relay state');
  if (want.managedPolicies.join('\n') !== [...live.managedPolicies].sort().join('\n')) fields.push('managed policies');
  if (!sameRefs(want.customerManagedPolicies, live.customerManagedPolicies)) fields.push('customer managed policies');
  if ((want.inlinePolicy ?? '') !== (live.inlinePolicy ?? '')) fields.push('inline policy');
  if (boundaryText(want.permissionsBoundary) !== boundaryText(live.permissionsBoundary)) fields.push('permissions boundary');
  const reprovision = fields.length > 0;
  if (JSON.stringify(userTags(want.tags)) !== JSON.stringify(userTags(live.tags))) fields.push('tags');
  return { fields, reprovision };
}

function findSet(sets: readonly LivePermissionSet[], name: string): LivePermissionSet | undefined {
  return sets.find((s) => s.name === name) ?? sets.find((s) => s.name.toLowerCase() === name.toLowerCase());
}

/** The accounts an assignment entry targets: ACTIVE ones, minus the excluded (accounts or OUs). */
export function resolveTargets(a: WantedAssignment, live: LiveState, notes: string[]): string[] {
  const byId = new Map(live.accounts.map((x) => [x.id, x]));
  const active = (id: string) => byId.get(id)?.state === 'ACTIVE';
  const out = new Set<string>();
  if (a.targets.all) for (const x of live.accounts) if (x.state === 'ACTIVE') out.add(x.id);
  const unknown = a.targets.accounts.filter((id) => !byId.has(id));
  if (unknown.length > 0) {
    throw new UsageError(`${a.at}: the account(s) ${unknown.join(', ')} are not in the organization.`, {
      code: 'ACCESS_ACCOUNT_UNKNOWN',
      hint: 'Fix the IDs in the access file (AWS console > AWS Organizations > AWS accounts lists them); nothing was sent.',
    });
  }
  for (const id of a.targets.accounts) {
    if (active(id)) out.add(id);
    else notes.push(`${a.at}: the account ${id} is ${byId.get(id)!.state}, not ACTIVE: skipped.`);
  }
  for (const ou of a.targets.ous) for (const id of live.ouAccounts[ou] ?? []) out.add(id);
  for (const x of a.targets.exclude) {
    if (x.startsWith('ou-')) for (const id of live.ouAccounts[x] ?? []) out.delete(id);
    else out.delete(x);
  }
  return [...out].sort();
}

export function planAccess(file: AccessFile, live: LiveState, tracked: TrackedAccess, opts: PlanOptions): AccessPlan {
  const notes: string[] = [];
  const changes: AccessChange[] = [];
  const counts: AccessCounts = { assignmentsToCreate: 0, assignmentsToDelete: 0, permissionSetsToCreate: 0, permissionSetsToUpdate: 0, permissionSetsToDelete: 0, groupsToPush: 0, accountsToReprovision: 0 };

  // ------------------------------------------------------------------ groups missing in Identity Center
  const liveGroup = new Map(live.groups.map((g) => [g.name, g]));
  for (const name of new Set(file.assignments.map((a) => a.group))) {
    if (liveGroup.get(name)?.groupId) continue;
    const f = opts.oktaGroups?.[name] ?? { oktaGroup: false, pushMapping: false };
    const prefixNote = opts.pushPrefix && !name.startsWith(opts.pushPrefix) ? ` (it does not start with the push prefix "${opts.pushPrefix}": pushed by its own mapping)` : '';
    // A group created with the prefix is pushed by the setup's push rule: Okta makes its mapping.
    const byRule = !f.oktaGroup && opts.pushRule === true && opts.pushPrefix !== undefined && name.startsWith(opts.pushPrefix);
    const createMapping = !f.pushMapping && !byRule;
    counts.groupsToPush++;
    changes.push({
      op: f.oktaGroup && f.pushMapping ? 'adopt' : 'create',
      resource: { kind: 'okta-group', name },
      summary: !f.oktaGroup ? `create the Okta group "${name}" and push it to Identity Center${prefixNote}` : !f.pushMapping ? `push the Okta group "${name}" to Identity Center${prefixNote}` : `wait for the pushed group "${name}" to arrive in Identity Center`,
      risk: f.oktaGroup && f.pushMapping ? 'read-only' : 'additive',
      payload: { kind: 'group', name, createOktaGroup: !f.oktaGroup, createMapping },
      writes: [
        ...(!f.oktaGroup ? [{ service: 'okta' as const, operation: 'createGroup', count: 1 }] : []),
        ...(createMapping ? [{ service: 'okta' as const, operation: 'createGroupPushMapping', count: 1 }] : []),
      ],
    });
  }

  // ------------------------------------------------------------------ permission sets
  const wantedNames = new Set(file.permissionSets.map((s) => s.name.toLowerCase()));
  for (const want of file.permissionSets) {
    const have = findSet(live.permissionSets, want.name);
    if (!have) {
      counts.permissionSetsToCreate++;
      const parts = [
        want.managedPolicies.length ? plural(want.managedPolicies.length, 'managed policy', 'managed policies') : '',
        want.customerManagedPolicies.length ? plural(want.customerManagedPolicies.length, 'customer managed policy', 'customer managed policies') : '',
        want.inlinePolicy ? 'an inline policy' : '',
        want.permissionsBoundary ? 'a permissions boundary' : '',
      ].filter(Boolean);
      changes.push({
        op: 'create',
        resource: { kind: 'permission-set', name: want.name },
        summary: `create the permission set "${want.name}"${parts.length ? ` (${parts.join(', ')})` : ''}`,
        risk: 'additive',
        after: { sessionDuration: want.sessionDuration, managedPolicies: want.managedPolicies },
        payload: { kind: 'ps-create', set: want },
        writes: [
          { service: 'aws', operation: 'CreatePermissionSet', count: 1 },
          { service: 'aws', operation: 'AttachManagedPolicyToPermissionSet', count: want.managedPolicies.length },
          { service: 'aws', operation: 'AttachCustomerManagedPolicyReferenceToPermissionSet', count: want.customerManagedPolicies.length },
          { service: 'aws', operation: 'PutInlinePolicyToPermissionSet', count: want.inlinePolicy ? 1 : 0 },
          { service: 'aws', operation: 'PutPermissionsBoundaryToPermissionSet', count: want.permissionsBoundary ? 1 : 0 },
        ].filter((w) => w.count > 0) as Change['writes'],
      });
      continue;
    }
    const { fields, reprovision } = permissionSetDiff(want, have);
    if (fields.length === 0) continue;
    counts.permissionSetsToUpdate++;
    const holding = reprovision ? have.provisionedAccounts.length : 0;
    counts.accountsToReprovision += holding;
    changes.push({
      op: 'update',
      resource: { kind: 'permission-set', id: have.arn, name: have.name },
      summary: `update the permission set "${have.name}" (${fields.join(', ')})${holding ? `, then provision it again to the ${plural(holding, 'account')} holding it` : ''}`,
      risk: 'modifies-existing',
      ...(holding ? { scale: { count: holding, unit: 'accounts re-provisioned' } } : {}),
      payload: { kind: 'ps-update', arn: have.arn, set: want, live: have, fields, reprovision },
      writes: setUpdateWrites(want, have, reprovision),
    });
  }

  // ------------------------------------------------------------------ assignments wanted
  const arnOf = (name: string) => findSet(live.permissionSets, name)?.arn;
  const nameOfArn = new Map(live.permissionSets.map((s) => [s.arn, s.name]));
  const wanted = new Map<string, Set<string>>(); // group \0 set (file's name) -> accounts
  for (const a of file.assignments) {
    const accounts = resolveTargets(a, live, notes);
    if (accounts.length === 0) notes.push(`${a.at}: the targets of "${a.group}" resolve to no ACTIVE account.`);
    for (const ps of a.permissionSets) wanted.set(`${a.group}\u0000${ps}`, new Set(accounts));
  }
  const holds = (group: string, arn: string | undefined): Set<string> => {
    const g = liveGroup.get(group);
    return new Set(arn && g ? g.assignments.filter((x) => x.permissionSetArn === arn).map((x) => x.accountId) : []);
  };
  for (const [key, accounts] of wanted) {
    const [group, ps] = key.split('\u0000') as [string, string];
    const arn = arnOf(ps);
    const have = holds(group, arn);
    const missing = [...accounts].filter((id) => !have.has(id)).sort();
    if (missing.length === 0) continue;
    counts.assignmentsToCreate += missing.length;
    const groupId = liveGroup.get(group)?.groupId;
    changes.push({
      op: 'create',
      resource: { kind: 'account-assignment', name: `${group} / ${ps}` },
      summary: `assign "${ps}" to "${group}" on ${plural(missing.length, 'account')}`,
      risk: missing.length >= 10 ? 'org-wide' : 'additive',
      scale: { count: missing.length, unit: 'accounts' },
      payload: { kind: 'assign', group, ...(groupId ? { groupId } : {}), permissionSet: ps, ...(arn ? { permissionSetArn: arn } : {}), accounts: missing },
      writes: [{ service: 'aws', operation: 'CreateAccountAssignment', count: missing.length }],
    });
  }

  // ------------------------------------------------------------------ assignments no longer wanted
  const trackedKey = new Map<string, Set<string>>();
  for (const t of tracked.assignments) {
    const k = `${t.group}\u0000${t.permissionSet.toLowerCase()}`;
    const s = trackedKey.get(k) ?? new Set<string>();
    for (const id of t.accounts) s.add(id);
    trackedKey.set(k, s);
  }
  const wantedLower = new Map(
    [...wanted].map(([k, v]) => {
      const [g, ps] = k.split('\u0000') as [string, string];
      return [`${g}\u0000${ps.toLowerCase()}`, v];
    }),
  );
  let droppedManaged = 0;
  let droppedUnmanaged = 0;
  const fileGroups = new Set(file.assignments.map((a) => a.group));
  for (const g of live.groups) {
    if (!g.groupId) continue;
    const byArn = new Map<string, string[]>();
    for (const x of g.assignments) byArn.set(x.permissionSetArn, [...(byArn.get(x.permissionSetArn) ?? []), x.accountId]);
    for (const [arn, accounts] of byArn) {
      const psName = nameOfArn.get(arn) ?? arn;
      const k = `${g.name}\u0000${psName.toLowerCase()}`;
      const want = wantedLower.get(k) ?? new Set<string>();
      const mine = trackedKey.get(k) ?? new Set<string>();
      const extra = accounts.filter((id) => !want.has(id)).sort();
      const managed = extra.filter((id) => mine.has(id));
      const unmanaged = fileGroups.has(g.name) ? extra.filter((id) => !mine.has(id)) : [];
      droppedManaged += managed.length;
      droppedUnmanaged += unmanaged.length;
      const remove = [...(opts.prune ? managed : []), ...(opts.pruneUnmanaged ? unmanaged : [])].sort();
      if (remove.length === 0) continue;
      counts.assignmentsToDelete += remove.length;
      changes.push({
        op: 'delete',
        resource: { kind: 'account-assignment', name: `${g.name} / ${psName}` },
        summary: `remove "${psName}" from "${g.name}" on ${plural(remove.length, 'account')}`,
        risk: 'destructive',
        scale: { count: remove.length, unit: 'accounts' },
        payload: { kind: 'unassign', group: g.name, groupId: g.groupId, permissionSet: psName, permissionSetArn: arn, accounts: remove, managed: remove.every((id) => mine.has(id)) },
        writes: [{ service: 'aws', operation: 'DeleteAccountAssignment', count: remove.length }],
      });
    }
  }
  if (!opts.prune && droppedManaged > 0) notes.push(`${plural(droppedManaged, 'assignment')} okta-aws-sso made earlier ${droppedManaged === 1 ? 'is' : 'are'} no longer in the file: \`access apply --prune\` removes ${droppedManaged === 1 ? 'it' : 'them'}.`);
  if (!opts.pruneUnmanaged && droppedUnmanaged > 0) notes.push(`${plural(droppedUnmanaged, 'assignment')} of the file's groups ${droppedUnmanaged === 1 ? 'is' : 'are'} not in the file and okta-aws-sso did not make ${droppedUnmanaged === 1 ? 'it' : 'them'}: left alone (--prune-unmanaged removes ${droppedUnmanaged === 1 ? 'it' : 'them'}).`);

  // ------------------------------------------------------------------ permission sets no longer wanted
  for (const t of tracked.permissionSets) {
    if (wantedNames.has(t.name.toLowerCase())) continue;
    const have = live.permissionSets.find((s) => s.arn === t.arn);
    if (!have) continue;
    if (!opts.prune) {
      notes.push(`The permission set "${have.name}" that okta-aws-sso created is no longer in the file: \`access apply --prune\` deletes it.`);
      continue;
    }
    // Deleted only when every account holding it loses it in this plan (AWS refuses otherwise).
    const removed = new Set(changes.flatMap((c) => (c.payload?.kind === 'unassign' && c.payload.permissionSetArn === have.arn ? c.payload.accounts : [])));
    const stillHeld = have.provisionedAccounts.filter((id) => !removed.has(id));
    const othersAssigned = live.groups.some((g) => g.assignments.some((x) => x.permissionSetArn === have.arn && !removed.has(x.accountId)));
    if (stillHeld.length > 0 || othersAssigned) {
      notes.push(`The permission set "${have.name}" is kept: it is still assigned on ${plural(stillHeld.length, 'account')} (${stillHeld.slice(0, 5).join(', ')}${stillHeld.length > 5 ? ', ...' : ''}) by assignments okta-aws-sso did not make.`);
      continue;
    }
    counts.permissionSetsToDelete++;
    changes.push({
      op: 'delete',
      resource: { kind: 'permission-set', id: have.arn, name: have.name },
      summary: `delete the permission set "${have.name}"`,
      risk: 'destructive',
      payload: { kind: 'ps-delete', name: have.name, arn: have.arn },
      writes: [{ service: 'aws', operation: 'DeletePermissionSet', count: 1 }],
    });
  }

  const parts: string[] = [];
  if (counts.groupsToPush) parts.push(`+ ${plural(counts.groupsToPush, 'group')} pushed`);
  if (counts.permissionSetsToCreate) parts.push(`+ ${plural(counts.permissionSetsToCreate, 'permission set')}`);
  if (counts.assignmentsToCreate) parts.push(`+ ${plural(counts.assignmentsToCreate, 'assignment')}`);
  if (counts.permissionSetsToUpdate) {
    const fields = [...new Set(changes.flatMap((c) => (c.payload?.kind === 'ps-update' ? c.payload.fields : [])))];
    parts.push(`~ ${plural(counts.permissionSetsToUpdate, 'permission set')} (${fields.join(', ')})`);
  }
  if (counts.assignmentsToDelete) parts.push(`- ${plural(counts.assignmentsToDelete, 'assignment')}`);
  if (counts.permissionSetsToDelete) parts.push(`- ${plural(counts.permissionSetsToDelete, 'permission set')}`);
  // ------------------------------------------------------------------ ours in AWS, not yet in the state
  const ourSets = new Set(tracked.permissionSets.map((t) => t.arn));
  const settled: TrackedAccess['assignments'] = [];
  for (const [key, accounts] of wanted) {
    const [group, ps] = key.split('\u0000') as [string, string];
    const arn = arnOf(ps);
    if (!arn || !ourSets.has(arn)) continue;
    const mine = trackedKey.get(`${group}\u0000${ps.toLowerCase()}`) ?? new Set<string>();
    const have = holds(group, arn);
    const found = [...accounts].filter((id) => have.has(id) && !mine.has(id)).sort();
    if (found.length > 0) settled.push({ group, permissionSet: ps, accounts: found });
  }
  return { changes, counts, summary: parts.length ? parts.join(', ') : 'no changes', notes, ...(settled.length > 0 ? { settled } : {}) };
}

/** Does the plan change anything (adopting a group that is still arriving counts: apply waits for it)? */
export function hasChanges(p: AccessPlan): boolean {
  return p.changes.length > 0;
}

/** The plan as lines, grouped by permission set then target (group). */
export function planText(p: AccessPlan): string[] {
  const lines: string[] = [];
  const mark = (c: AccessChange) => (c.op === 'create' ? '+' : c.op === 'update' ? '~' : c.op === 'delete' ? '-' : '=');
  const groups = p.changes.filter((c) => c.payload?.kind === 'group');
  for (const c of groups) lines.push(`${mark(c)} ${c.summary}`);
  const setName = (c: AccessChange): string => {
    const pl = c.payload!;
    return pl.kind === 'ps-create' || pl.kind === 'ps-update' ? pl.set.name : pl.kind === 'assign' || pl.kind === 'unassign' ? pl.permissionSet : pl.kind === 'ps-delete' ? pl.name : '';
  };
  const names = [...new Set(p.changes.filter((c) => c.payload?.kind !== 'group').map(setName))];
  for (const n of names) {
    lines.push(`permission set ${n}:`);
    for (const c of p.changes.filter((x) => x.payload?.kind !== 'group' && setName(x) === n)) {
      const pl = c.payload!;
      if (pl.kind === 'assign' || pl.kind === 'unassign') {
        const shown = pl.accounts.slice(0, 8).join(', ') + (pl.accounts.length > 8 ? `, ... (${pl.accounts.length - 8} more)` : '');
        lines.push(`  ${mark(c)} ${pl.group}: ${plural(pl.accounts.length, 'account')} (${shown})`);
      } else lines.push(`  ${mark(c)} ${c.summary}`);
    }
  }
  lines.push(`Plan: ${p.summary}.`);
  for (const n of p.notes) lines.push(`Note: ${n}`);
  return lines;
}
