/**
 * Applies an approved access plan, in order: groups pushed, permission sets created and updated
 * (re-provisioned to the accounts holding them), assignments created then deleted with the
 * assignment engine (at the rate limit, outstanding-request and status discipline), permission sets
 * deleted. What okta-aws-sso creates is recorded in `tracked` (and saved) as each item finishes, so an
 * interrupted apply resumes: a new plan against the live state holds only what is left.
 */
import type { AwsClients } from '../aws/clients.js';
import { assignAccounts, unassignAccounts, type EngineStats } from '../aws/assignments.js';
import { getGroupId, waitFor } from '../aws/identity-store.js';
import { attachManagedPolicy, findPermissionSetByName, reprovisionAll } from '../aws/permission-sets.js';
import * as pol from '../aws/permission-set-policies.js';
import { awsTuning, type AwsTuning } from '../aws/tuning.js';
import type { Io } from '../core/io.js';
import { WizardError } from '../errors.js';
import type { OktaClient } from '../okta/client.js';
import { MANAGED_TAG_KEY, type WantedPermissionSet } from './file.js';
import type { Where } from './observe.js';
import type { AccessChange, AccessPlan, TrackedAccess } from './plan.js';

export interface ApplyInput {
  aws: AwsClients;
  where: Where;
  plan: AccessPlan;
  io: Io;
  /** Okta, for groups to create or push (connected only when needed). */
  okta?: () => Promise<OktaClient>;
  /** The provisioning app that pushes groups (the setup's group-push app). */
  pushAppId?: string;
  tracked: TrackedAccess;
  /** Persist `tracked` (the state file). */
  save: () => Promise<void>;
  signal?: AbortSignal;
  tuning?: Partial<AwsTuning>;
  /** How long to wait for a pushed group to arrive (ms). */
  groupWaitMs?: number;
}

export interface ApplyResult {
  assignmentsCreated: number;
  assignmentsDeleted: number;
  permissionSetsCreated: string[];
  permissionSetsUpdated: string[];
  permissionSetsDeleted: string[];
  /** Per permission set re-provisioned: the accounts that held it. */
  reprovisioned: { name: string; accounts: number }[];
  failed: { group: string; permissionSet: string; accountId: string; reason: string }[];
  engine: EngineStats[];
}

/** What to send to make the live set look like the wanted one. */
async function updateSet(input: ApplyInput, arn: string, want: WantedPermissionSet, live: { description?: string; sessionDuration: string; relayState?: string; managedPolicies: string[]; customerManagedPolicies: pol.PolicyReference[]; inlinePolicy?: string; permissionsBoundary?: pol.PermissionsBoundaryRef; tags: Record<string, string> }): Promise<void> {
  const c = input.aws.ssoAdmin();
  const i = input.where.instanceArn;
  const s = input.signal;
  if ((want.description ?? '') !== (live.description ?? '') || want.sessionDuration !== live.sessionDuration || (want.relayState ?? '') !== (live.relayState ?? '')) {
    await pol.updatePermissionSet(c, i, arn, { ...(want.description !== undefined ? { description: want.description } : {}), sessionDuration: want.sessionDuration, ...(want.relayState !== undefined ? { relayState: want.relayState } : {}) }, s);
  }
  for (const p of want.managedPolicies) if (!live.managedPolicies.includes(p)) await attachManagedPolicy(c, i, arn, p, s);
  for (const p of live.managedPolicies) if (!want.managedPolicies.includes(p)) await pol.detachManagedPolicy(c, i, arn, p, s);
  const key = (r: pol.PolicyReference) => `${r.path}${r.name}`;
  const liveRefs = new Set(live.customerManagedPolicies.map(key));
  const wantRefs = new Set(want.customerManagedPolicies.map(key));
  for (const r of want.customerManagedPolicies) if (!liveRefs.has(key(r))) await pol.attachCustomerManagedPolicy(c, i, arn, r, s);
  for (const r of live.customerManagedPolicies) if (!wantRefs.has(key(r))) await pol.detachCustomerManagedPolicy(c, i, arn, r, s);
  if ((want.inlinePolicy ?? '') !== (live.inlinePolicy ?? '')) {
    if (want.inlinePolicy) await pol.putInlinePolicy(c, i, arn, want.inlinePolicy, s);
    else await pol.deleteInlinePolicy(c, i, arn, s);
  }
  const bText = (b?: pol.PermissionsBoundaryRef) => (!b ? '' : JSON.stringify(b));
  if (bText(want.permissionsBoundary) !== bText(live.permissionsBoundary)) {
    if (want.permissionsBoundary) await pol.putPermissionsBoundary(c, i, arn, want.permissionsBoundary, s);
    else await pol.deletePermissionsBoundary(c, i, arn, s);
  }
  const changedTags = Object.fromEntries(Object.entries(want.tags).filter(([k, v]) => live.tags[k] !== v));
  await pol.tagPermissionSet(c, i, arn, changedTags, s);
  await pol.untagPermissionSet(c, i, arn, Object.keys(live.tags).filter((k) => k !== MANAGED_TAG_KEY && !(k in want.tags)), s);
}

/** Records in `t` that okta-aws-sso made (add) or removed (remove) these assignments. */
export function track(t: TrackedAccess, group: string, permissionSet: string, add: string[], remove: string[] = []): void {
  let rec = t.assignments.find((a) => a.group === group && a.permissionSet.toLowerCase() === permissionSet.toLowerCase());
  if (!rec) {
    rec = { group, permissionSet, accounts: [] };
    t.assignments.push(rec);
  }
  const s = new Set(rec.accounts);
  for (const id of add) s.add(id);
  for (const id of remove) s.delete(id);
  rec.accounts = [...s].sort();
  t.assignments = t.assignments.filter((a) => a.accounts.length > 0);
}

export async function applyAccess(input: ApplyInput): Promise<ApplyResult> {
  const { aws, where, plan, io, tracked } = input;
  const res: ApplyResult = { assignmentsCreated: 0, assignmentsDeleted: 0, permissionSetsCreated: [], permissionSetsUpdated: [], permissionSetsDeleted: [], reprovisioned: [], failed: [], engine: [] };
  const byKind = <K extends NonNullable<AccessChange['payload']>['kind']>(k: K) =>
    plan.changes.map((c) => c.payload).filter((p): p is Extract<NonNullable<AccessChange['payload']>, { kind: K }> => p?.kind === k);
  const groupIds = new Map<string, string>();
  const setArns = new Map<string, string>();
  const mine = new Set(tracked.permissionSets.map((p) => p.arn));

  // ------------------------------------------------------------------ groups
  for (const g of byKind('group')) {
    if (g.createOktaGroup || g.createMapping) {
      if (!input.okta || !input.pushAppId) {
        throw new WizardError(`The group "${g.name}" is not in Identity Center, and this setup has no Okta app to push it with.`, {
          code: 'ACCESS_GROUP_MISSING',
          hint: 'Run `okta-aws-sso init` to finish the setup (the group push step), or push the group from Okta first, then run again.',
        });
      }
      const okta = await input.okta();
      let group = await okta.findGroupByName(g.name);
      if (!group) {
        group = await okta.createGroup(g.name, 'Pushed to AWS IAM Identity Center (okta-aws-sso access file)');
        io.info('GROUP_CREATED', { name: g.name, id: group.id });
      }
      // A mapping only where the plan has one (a new group with the push prefix is pushed by the push rule).
      if (g.createMapping && (await okta.listPushMappings(input.pushAppId, group.id)).length === 0) {
        const m = await okta.createPushMapping(input.pushAppId, group.id, g.name);
        io.info('PUSH_CREATED', { name: g.name, id: m.id });
      }
    }
    const t = awsTuning();
    const timeoutMs = input.groupWaitMs ?? 600_000;
    const p = io.progress('GROUP_WAIT', { name: g.name });
    const id = await waitFor(() => getGroupId(aws.identityStore(), where.identityStoreId, g.name), {
      timeoutMs,
      pollMs: t.scimPollMs,
      ...(input.signal ? { signal: input.signal } : {}),
      onWait: (s) => p.update('GROUP_WAIT_SECONDS', { name: g.name, seconds: s, timeout: Math.round(timeoutMs / 1000) }),
    });
    if (!id) {
      p.fail();
      throw new WizardError(`The pushed group "${g.name}" has not arrived in the identity store ${where.identityStoreId} within ${Math.round(timeoutMs / 1000)} s.`, {
        code: 'GROUP_NOT_PUSHED',
        hint: 'Check in Okta: the app > Push Groups tab (the mapping for this group must be Active, not Error), then run again: the plan resumes from what exists.',
      });
    }
    p.succeed('GROUP_ARRIVED', { name: g.name, id });
    groupIds.set(g.name, id);
  }

  // ------------------------------------------------------------------ permission sets: create
  const client = aws.ssoAdmin();
  for (const c of byKind('ps-create')) {
    const w = c.set;
    let ps = await pol.createPermissionSet(client, where.instanceArn, { name: w.name, ...(w.description !== undefined ? { description: w.description } : {}), sessionDuration: w.sessionDuration, ...(w.relayState !== undefined ? { relayState: w.relayState } : {}), tags: { ...w.tags, [MANAGED_TAG_KEY]: 'true' } }, input.signal);
    let created = true;
    if (!ps) {
      ps = await findPermissionSetByName(client, where.instanceArn, w.name);
      created = false;
    }
    const arn = ps?.PermissionSetArn;
    if (!arn) throw new WizardError(`The permission set "${w.name}" could not be created or found.`, { code: 'AWS_ERROR', hint: 'Run again; the plan adopts the set if it was created.' });
    setArns.set(w.name, arn);
    if (created) {
      tracked.permissionSets.push({ name: w.name, arn });
      mine.add(arn);
      await input.save();
      io.info('PERMISSION_SET_CREATED', { name: w.name, arn });
    } else io.info('PERMISSION_SET_APPEARED', { name: w.name });
    await updateSet(input, arn, w, { ...(w.description !== undefined ? { description: w.description } : {}), sessionDuration: w.sessionDuration, ...(w.relayState !== undefined ? { relayState: w.relayState } : {}), managedPolicies: [], customerManagedPolicies: [], tags: { ...w.tags } });
    res.permissionSetsCreated.push(w.name);
  }

  // ------------------------------------------------------------------ permission sets: update (+ re-provision)
  for (const u of byKind('ps-update')) {
    await updateSet(input, u.arn, u.set, u.live);
    res.permissionSetsUpdated.push(u.set.name);
    if (u.reprovision && u.live.provisionedAccounts.length > 0) {
      const p = io.progress('REPROVISION_START', { name: u.set.name, count: u.live.provisionedAccounts.length });
      try {
        await reprovisionAll(client, where.instanceArn, u.arn, input.signal, (s) => p.update('REPROVISION_WAIT', { name: u.set.name, seconds: s }));
      } catch (e) {
        p.fail();
        throw e;
      }
      p.succeed('REPROVISION_DONE', { name: u.set.name, count: u.live.provisionedAccounts.length });
      res.reprovisioned.push({ name: u.set.name, accounts: u.live.provisionedAccounts.length });
    }
  }

  // ------------------------------------------------------------------ assignments
  let pending = 0;
  let lastSave = Date.now();
  const saveSoon = async (): Promise<void> => {
    pending++;
    if (pending >= 200 || Date.now() - lastSave > 2000) {
      pending = 0;
      lastSave = Date.now();
      await input.save();
    }
  };
  const engineClient = aws.ssoAdminEngine();
  /** What the assign and the unassign engine calls share: the instance, the group, the accounts, the tuning. */
  const engineInput = (permissionSetArn: string, groupId: string, accounts: readonly string[]) => ({
    client: engineClient,
    instanceArn: where.instanceArn,
    permissionSetArn,
    principalId: groupId,
    principalType: 'GROUP' as const,
    targets: accounts.map((accountId) => ({ accountId })),
    bulkExisting: where.bulk,
    ...(input.signal ? { signal: input.signal } : {}),
    ...(input.tuning ? { tuning: input.tuning } : {}),
    debug: (m: string) => io.debug('CLIENT_DEBUG', { message: m }),
  });
  /** Keeps the engine's counts and records each failed account; returns how many failed. */
  const settle = (r: { stats: ApplyResult['engine'][number]; results: readonly { status: string; accountId: string; failureReason?: string }[] }, who: { group: string; permissionSet: string }): number => {
    res.engine.push(r.stats);
    const failed = r.results.filter((x) => x.status === 'FAILED');
    for (const x of failed) res.failed.push({ group: who.group, permissionSet: who.permissionSet, accountId: x.accountId, reason: x.failureReason ?? 'no reason given' });
    return failed.length;
  };
  for (const a of byKind('assign')) {
    const groupId = a.groupId ?? groupIds.get(a.group);
    const arn = a.permissionSetArn ?? setArns.get(a.permissionSet);
    if (!groupId || !arn) throw new WizardError(`Cannot assign "${a.permissionSet}" to "${a.group}": ${!groupId ? 'the group' : 'the permission set'} is missing.`, { code: 'AWS_ERROR', hint: 'Run `okta-aws-sso access plan` again to see what is missing.' });
    const ours = mine.has(arn);
    const bar = io.progress('ASSIGN_PAIR', { permissionSet: a.permissionSet, group: a.group, done: 0, total: a.accounts.length });
    try {
      const r = await assignAccounts({
        ...engineInput(arn, groupId, a.accounts),
        onResult: async (x) => {
          // An assignment already there is ours only when the set is (nobody else could have made it).
          if (x.status === 'SUCCEEDED' || (x.status === 'EXISTING' && ours)) {
            track(tracked, a.group, a.permissionSet, [x.accountId]);
            await saveSoon();
          }
        },
        onProgress: (done, total) => bar.update('ASSIGN_PAIR', { permissionSet: a.permissionSet, group: a.group, done, total }),
      });
      res.assignmentsCreated += r.results.filter((x) => x.status === 'SUCCEEDED').length;
      const bad = settle(r, a);
      if (bad) bar.fail('ASSIGN_PAIR_FAILED', { permissionSet: a.permissionSet, group: a.group, done: a.accounts.length - bad, total: a.accounts.length, failed: bad });
      else bar.succeed('ASSIGN_PAIR', { permissionSet: a.permissionSet, group: a.group, done: a.accounts.length, total: a.accounts.length });
    } catch (e) {
      bar.fail();
      await input.save();
      throw e;
    }
  }
  await input.save();
  for (const d of byKind('unassign')) {
    const bar = io.progress('UNASSIGN_PAIR', { permissionSet: d.permissionSet, group: d.group, done: 0, total: d.accounts.length });
    try {
      const r = await unassignAccounts({
        ...engineInput(d.permissionSetArn, d.groupId, d.accounts),
        onResult: async (x) => {
          if (x.status !== 'FAILED') {
            track(tracked, d.group, d.permissionSet, [], [x.accountId]);
            await saveSoon();
          }
        },
        onProgress: (done, total) => bar.update('UNASSIGN_PAIR', { permissionSet: d.permissionSet, group: d.group, done, total }),
      });
      res.assignmentsDeleted += r.results.filter((x) => x.status === 'DELETED').length;
      const bad = settle(r, d);
      if (bad) bar.fail('UNASSIGN_PAIR_FAILED', { permissionSet: d.permissionSet, group: d.group, failed: bad, total: d.accounts.length });
      else bar.succeed('UNASSIGN_PAIR_DONE', { permissionSet: d.permissionSet, group: d.group, total: d.accounts.length });
    } catch (e) {
      bar.fail();
      await input.save();
      throw e;
    }
  }
  await input.save();

  // ------------------------------------------------------------------ permission sets: delete
  for (const d of byKind('ps-delete')) {
    if (res.failed.some((f) => f.permissionSet === d.name)) {
      io.warn('PERMISSION_SET_KEPT', { name: d.name });
      continue;
    }
    await pol.deletePermissionSet(client, where.instanceArn, d.arn, input.signal);
    tracked.permissionSets = tracked.permissionSets.filter((p) => p.arn !== d.arn);
    tracked.assignments = tracked.assignments.filter((a) => a.permissionSet.toLowerCase() !== d.name.toLowerCase());
    await input.save();
    io.info('PERMISSION_SET_DELETED', { name: d.name });
    res.permissionSetsDeleted.push(d.name);
  }

  if (res.failed.length > 0) {
    for (const f of res.failed) io.warn('ACCESS_ASSIGNMENT_FAILED', { group: f.group, permissionSet: f.permissionSet, accountId: f.accountId, reason: f.reason });
    throw new WizardError(`${res.failed.length} account assignment change(s) failed: ${res.failed.slice(0, 5).map((f) => `${f.accountId} (${f.reason})`).join('; ')}${res.failed.length > 5 ? '; ...' : ''}.`, {
      code: 'ACCESS_APPLY_FAILED',
      hint: 'Fix the causes named above, then run `okta-aws-sso access apply` again: what is done is kept and only the rest is planned.',
    });
  }
  return res;
}
