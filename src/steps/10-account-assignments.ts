/**
 * account-assignments: wait for the pushed group to arrive through SCIM, then give it the
 * permission set on every target account (all ACTIVE accounts, --accounts or --ou), under Identity
 * Center's limits, recording each account's result as it finishes so a resumed run redoes only
 * what is unfinished or failed.
 *
 * answers: --accounts / --ou (format checked), --include-management-account.
 * observe: the organization's accounts, the pushed group (if it has arrived) and the accounts where
 *          it already holds the permission set (accountsHoldingAssignment, the one copy of that check).
 * plan:    one create change listing the accounts to assign (org-wide when the target is the whole
 *          organization, with its scale), one adopt for the accounts that already hold it.
 */
import { WizardError, UsageError } from '../errors.js';
import { accountsHoldingAssignment, assignAccounts, type AssignmentTarget } from '../aws/assignments.js';
import { getGroupId, waitFor } from '../aws/identity-store.js';
import { listAccountsUnderOu, listAllAccounts, type OrgAccount } from '../aws/organization.js';
import { homeAws } from '../aws/session.js';
import { awsTuning } from '../aws/tuning.js';
import type { AwsClients } from '../aws/clients.js';
import { KNOWN_AFTER_APPLY, isKnownAfterApply, type Change } from '../core/change.js';
import type { Step, StepContext } from './contract.js';
import type { AccountAssignmentResult, AccountAssignmentsOutput, PreflightOutput } from '../core/outputs.js';
import { consoleMistakes, mappingWatcher } from './provisioning-effect.js';

export const DEFAULT_WAIT_TIMEOUT_S = 300;

/** What the step keeps in the state file while it runs. */
export interface AssignmentProgress {
  groupId: string;
  permissionSetArn: string;
  results: Record<string, AccountAssignmentResult>;
}

export interface ResolvedTargets {
  assign: AssignmentTarget[];
  skipped: AccountAssignmentResult[];
}

/** The pushed group that receives the permission set: the first push group. */
export function pushedGroupName(ctx: StepContext): string {
  const fromPush = ctx.outputs['group-push']?.mappings[0]?.groupName;
  const fromGroups = ctx.outputs.groups?.pushGroups[0]?.name;
  const name = fromPush ?? fromGroups;
  if (!name) {
    throw new WizardError('No pushed group is known, so there is nothing to assign.', {
      code: 'STEP_ORDER',
      hint: 'Run the wizard from the start (okta-aws-sso init) so the groups and group-push steps run first.',
    });
  }
  return name;
}

async function waitTimeoutMs(ctx: StepContext): Promise<number> {
  const v = await ctx.io.ask({
    key: 'wait-timeout',
    message: 'Seconds to wait for the pushed group to arrive through SCIM',
    default: String(DEFAULT_WAIT_TIMEOUT_S),
    validate: (x) => (/^\d+$/.test(x.trim()) && Number(x) > 0 ? true : 'give a whole number of seconds, e.g. 300'),
  });
  return Number(v) * 1000;
}

async function rate(ctx: StepContext): Promise<number> {
  const v = await ctx.io.ask({
    key: 'assignment-rate',
    message: 'Identity Center requests per second for the assignments',
    default: String(awsTuning().requestsPerSecond),
    validate: (x) => (Number(x) > 0 && Number(x) <= 20 ? true : 'give a number from 1 to 20 (Identity Center allows 20 requests per second in total)'),
  });
  return Number(v);
}

/**
 * Wait for the pushed group in the identity store: provisioning verified by its effect. Stops as
 * soon as Okta reports the push in ERROR (after one re-push); on a timeout, names what to check,
 * including the likely console mistakes.
 */
export async function waitForPushedGroup(ctx: StepContext, aws: AwsClients, pf: PreflightOutput['aws'], name: string): Promise<string> {
  const client = aws.identityStore();
  const first = await getGroupId(client, pf.identityStoreId, name);
  if (first) return first;
  const timeoutMs = await waitTimeoutMs(ctx);
  const p = ctx.io.progress('GROUP_WAIT', { name });
  const watch = mappingWatcher(ctx, name);
  const found = await waitFor<{ id?: string; error?: string }>(
    async () => {
      const id = await getGroupId(client, pf.identityStoreId, name);
      if (id) return { id };
      const error = await watch();
      return error ? { error } : undefined;
    },
    {
      timeoutMs,
      pollMs: awsTuning().scimPollMs,
      signal: ctx.signal,
      onWait: (s) => p.update('GROUP_WAIT_SECONDS', { name, seconds: s, timeout: Math.round(timeoutMs / 1000) }),
    },
  );
  if (found?.error) {
    p.fail('GROUP_CANNOT_ARRIVE', { name });
    throw new WizardError(`${found.error}.`, {
      code: 'GROUP_PUSH_ERROR',
      hint: `Fix the cause named above, then run again: the wizard pushes the group again. ${consoleMistakes(ctx)}.`,
    });
  }
  if (!found?.id) {
    p.fail('GROUP_NOT_ARRIVED', { name, timeout: Math.round(timeoutMs / 1000) });
    throw new WizardError(`The pushed group "${name}" has not arrived in the Identity Center identity store ${pf.identityStoreId}.`, {
      code: 'GROUP_NOT_PUSHED',
      hint:
        'Check in Okta: the app > Push Groups tab (the mapping for this group must be Active, not Error); Reports > System Log or Dashboard > Tasks for provisioning errors; ' +
        `and the SCIM token (Identity Center > Settings > Automatic provisioning; an expired or replaced token gives 401). ${consoleMistakes(ctx)}. Then run again, or raise --wait-timeout.`,
    });
  }
  p.succeed('GROUP_ARRIVED', { name, id: found.id });
  return found.id;
}

export interface AssignmentAnswers {
  /** --accounts: explicit account IDs (format checked). */
  accounts?: string[];
  /** --ou: an OU (recursive). */
  ou?: string;
  /** --include-management-account (asked only of the management account; implied by --accounts). */
  includeManagement: boolean;
}

async function assignmentAnswers(ctx: StepContext): Promise<AssignmentAnswers> {
  const pf = ctx.need('preflight').aws;
  if (ctx.io.hasAnswer('accounts')) {
    const raw = await ctx.io.ask({ key: 'accounts', message: 'Account IDs to assign (comma separated)' });
    const ids = [...new Set(raw.split(/[,\s]+/).map((x) => x.trim()).filter(Boolean))];
    const bad = ids.filter((id) => !/^\d{12}$/.test(id));
    if (bad.length) throw new UsageError(`Not an AWS account ID: ${bad.join(', ')}.`, { code: 'AWS_ACCOUNT_ID', hint: 'Account IDs have 12 digits; give them comma separated to --accounts.' });
    return { accounts: ids, includeManagement: true };
  }
  let ou: string | undefined;
  if (ctx.io.hasAnswer('ou')) {
    ou = (await ctx.io.ask({ key: 'ou', message: 'OU whose accounts to assign (recursive)' })).trim();
    if (!/^(ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}|r-[0-9a-z]{4,32})$/.test(ou)) {
      throw new UsageError(`"${ou}" is not an OU ID.`, { code: 'AWS_OU_ID', hint: 'An OU ID looks like ou-ab12-cdef3456 (or r-ab12 for the root); see AWS Organizations > AWS accounts.' });
    }
  }
  const includeManagement = pf.callerIsManagementAccount
    ? await ctx.io.confirm({ key: 'include-management-account', message: `Also assign the management account ${pf.managementAccountId}? (the caller needs IAM rights there)`, default: false })
    : false;
  return { ...(ou ? { ou } : {}), includeManagement };
}

/** Which accounts to assign, and which are skipped and why (pure). */
export function classifyTargets(chosen: readonly OrgAccount[], pf: PreflightOutput['aws'], includeManagement: boolean): ResolvedTargets {
  const assign: AssignmentTarget[] = [];
  const skipped: AccountAssignmentResult[] = [];
  for (const a of chosen) {
    const base = { accountId: a.id, ...(a.name ? { accountName: a.name } : {}) };
    if (a.state !== 'ACTIVE') {
      skipped.push({ ...base, status: 'SKIPPED', failureReason: `the account is ${a.state}; only ACTIVE accounts can receive assignments` });
      continue;
    }
    if (a.id === pf.managementAccountId) {
      if (!pf.callerIsManagementAccount) {
        skipped.push({ ...base, status: 'SKIPPED', failureReason: 'the management account can be assigned only by the management account itself, not by a delegated administrator; run from the management account with --include-management-account to assign it' });
        continue;
      }
      if (!includeManagement) {
        skipped.push({ ...base, status: 'SKIPPED', failureReason: 'the management account is assigned only with --include-management-account (Identity Center then needs IAM rights in it; see docs/aws.md)' });
        continue;
      }
    }
    assign.push(base);
  }
  return { assign, skipped };
}

/** Which accounts the answers name (all accounts, --accounts or --ou), checked against the organization. */
async function chosenAccounts(aws: AwsClients, pf: PreflightOutput['aws'], ans: AssignmentAnswers): Promise<OrgAccount[]> {
  const all = await listAllAccounts(aws);
  if (ans.accounts) {
    const byId = new Map(all.map((a) => [a.id, a]));
    const unknown = ans.accounts.filter((id) => !byId.has(id));
    if (unknown.length) {
      throw new UsageError(`These accounts are not in the organization ${pf.organizationId}: ${unknown.join(', ')}.`, {
        code: 'AWS_ACCOUNT_UNKNOWN',
        hint: 'Check the IDs (AWS console > AWS Organizations > AWS accounts), or omit --accounts to assign every active account.',
      });
    }
    return ans.accounts.map((id) => byId.get(id)!);
  }
  if (ans.ou) return listAccountsUnderOu(aws, ans.ou);
  return all;
}

/** The live state the plan is made from. */
export interface ObservedAssignments {
  groupName: string;
  /** Undefined: the group has not arrived through SCIM yet (apply waits for it). */
  groupId?: string;
  permissionSet: { arn: string; name: string };
  /** True when the target is every account of the organization (no --accounts, no --ou). */
  wholeOrganization: boolean;
  assign: AssignmentTarget[];
  skipped: AccountAssignmentResult[];
  /** Accounts of `assign` where the group already holds the permission set. */
  holding: string[];
}

export interface AssignmentPayload {
  permissionSetArn: string;
  principalType: 'GROUP';
  /** The group ID, or KNOWN_AFTER_APPLY while it has not arrived through SCIM. */
  principalId: string;
  accounts: AssignmentTarget[];
}

export function planAssignments(obs: ObservedAssignments, recorded?: AccountAssignmentsOutput): Change<AssignmentPayload>[] {
  const holding = new Set(obs.holding);
  const missing = obs.assign.filter((a) => !holding.has(a.accountId));
  const resource = { kind: 'account-assignment', name: `${obs.groupName} / ${obs.permissionSet.name}` };
  const changes: Change<AssignmentPayload>[] = [];
  let drift: string | undefined;
  if (recorded) {
    const should = recorded.results.filter((r) => r.status === 'SUCCEEDED' || r.status === 'EXISTING').map((r) => r.accountId);
    const lost = should.filter((id) => !holding.has(id));
    if (recorded.groupId !== obs.groupId) drift = `the group "${recorded.groupName}" is now ${obs.groupId ?? 'missing from the identity store'}, not ${recorded.groupId}`;
    else if (recorded.permissionSetArn !== obs.permissionSet.arn) drift = `the permission set is now ${obs.permissionSet.arn}, not ${recorded.permissionSetArn}`;
    else if (lost.length) drift = `the group "${recorded.groupName}" no longer holds the permission set on ${lost.length} account(s): ${lost.join(', ')}`;
  }
  if (missing.length > 0) {
    const wait = obs.groupId ? '' : '; the group has not arrived through SCIM yet: the step waits for it';
    changes.push({
      op: 'create',
      resource,
      summary: `assign ${obs.permissionSet.name} to "${obs.groupName}" on ${missing.length} account(s)`,
      risk: obs.wholeOrganization ? 'org-wide' : 'additive',
      scale: { count: missing.length, unit: 'accounts' },
      before: { accounts: holding.size },
      after: { accounts: holding.size + missing.length },
      detail: `${holding.size} already assigned${wait}`,
      payload: { permissionSetArn: obs.permissionSet.arn, principalType: 'GROUP', principalId: obs.groupId ?? KNOWN_AFTER_APPLY, accounts: missing },
      writes: [{ service: 'aws', operation: 'CreateAccountAssignment', count: missing.length }],
      ...(drift ? { drift } : {}),
    });
  }
  if (holding.size > 0) {
    changes.push({
      op: 'adopt',
      resource: { ...resource, ...(obs.groupId ? { id: obs.groupId } : {}) },
      summary: `"${obs.groupName}" holds ${obs.permissionSet.name} on ${holding.size} of ${obs.assign.length} target account(s)`,
      risk: 'read-only',
      writes: [],
      ...(drift && missing.length === 0 ? { drift } : {}),
    });
  }
  if (changes.length === 0 && drift) changes.push({ op: 'adopt', resource, summary: `no target account for "${obs.groupName}"`, risk: 'read-only', writes: [], drift });
  return changes;
}

/** "123456789012 (Name)", or just the ID. */
function accountLabel(a: { accountId: string; accountName?: string }): string {
  return a.accountName ? `${a.accountId} (${a.accountName})` : a.accountId;
}

function summary(results: AccountAssignmentResult[]): string {
  const count = (s: string) => results.filter((r) => r.status === s).length;
  return `${count('SUCCEEDED')} created, ${count('EXISTING')} already there, ${count('SKIPPED')} skipped, ${count('FAILED')} failed`;
}

const finished = (r: AccountAssignmentResult | undefined): boolean => r !== undefined && (r.status === 'SUCCEEDED' || r.status === 'EXISTING');

export const accountAssignmentsStep: Step<'account-assignments', AssignmentAnswers, ObservedAssignments> = {
  id: 'account-assignments',
  title: 'Assign the pushed group to the AWS accounts with the permission set',
  kind: 'api',
  needs: ['preflight', 'groups', 'group-push', 'permission-set'],
  answers: assignmentAnswers,
  async observe(ctx, ans) {
    const { aws, pf } = await homeAws(ctx);
    const ps = ctx.need('permission-set');
    const groupName = pushedGroupName(ctx);
    const groupId = await getGroupId(aws.identityStore(), pf.identityStoreId, groupName);
    const { assign, skipped } = classifyTargets(await chosenAccounts(aws, pf, ans), pf, ans.includeManagement);
    const holding =
      groupId && !isKnownAfterApply(ps.arn)
        ? await accountsHoldingAssignment({
            client: aws.ssoAdmin(),
            instanceArn: pf.instanceArn,
            permissionSetArn: ps.arn,
            principalId: groupId,
            principalType: 'GROUP',
            accountIds: assign.map((a) => a.accountId),
            bulk: pf.callerIsManagementAccount,
            debug: (m) => ctx.io.debug('CLIENT_DEBUG', { message: m }),
          })
        : new Set<string>();
    return {
      groupName,
      ...(groupId ? { groupId } : {}),
      permissionSet: { arn: ps.arn, name: ps.name },
      wholeOrganization: !ans.accounts && !ans.ou,
      assign,
      skipped,
      holding: assign.map((a) => a.accountId).filter((id) => holding.has(id)),
    };
  },
  plan: (obs, _ans, recorded) => planAssignments(obs, recorded),
  notes: (obs) => obs.skipped.map((s) => `Account ${accountLabel(s)} skipped: ${s.failureReason}`),
  async apply(ctx, changes, obs) {
    const { aws, pf } = await homeAws(ctx);
    const name = obs.groupName;
    const psArn = obs.permissionSet.arn;
    const create = changes.find((c) => c.op === 'create')?.payload as AssignmentPayload | undefined;
    const groupId = obs.groupId ?? (await waitForPushedGroup(ctx, aws, pf, name));
    const { assign, skipped } = obs;
    for (const s of skipped) ctx.io.info('ACCOUNT_SKIPPED', { account: accountLabel(s), accountId: s.accountId, reason: s.failureReason ?? '' });

    // Resume: keep what an earlier, interrupted run finished (same group and permission set).
    const saved = ctx.progress.load() as AssignmentProgress | undefined;
    const prev = saved && saved.groupId === groupId && saved.permissionSetArn === psArn ? saved.results : {};
    const progress: AssignmentProgress = { groupId, permissionSetArn: psArn, results: { ...prev } };
    const holding = new Set(obs.holding);
    for (const id of holding) if (!finished(prev[id])) progress.results[id] = { ...assign.find((a) => a.accountId === id)!, status: 'EXISTING' };
    // Exactly the planned accounts: no more.
    const todo = create?.accounts ?? [];
    const earlier = assign.filter((a) => finished(prev[a.accountId])).length;
    if (earlier > 0) ctx.io.info('ASSIGNMENTS_RESUMED', { earlier, left: todo.length });

    // Save each result as it finishes. ctx.progress coalesces (a write carries the value as it is
    // when the write starts, copied then: one copy per write, not per result); a failed write is
    // retried by the next one, and the last save (flushed: no wait for the gap between writes)
    // reports the error.
    const save = (flush = false): Promise<void> => ctx.progress.save(progress, { flush });

    const total = assign.length;
    const already = total - todo.length;
    let outcome;
    const bar = ctx.io.progress('ACCOUNTS_PROGRESS', { done: already, total });
    if (todo.length > 0) {
      const requestsPerSecond = await rate(ctx);
      try {
        outcome = await assignAccounts({
          client: aws.ssoAdminEngine(),
          instanceArn: pf.instanceArn,
          permissionSetArn: psArn,
          principalId: groupId,
          principalType: 'GROUP',
          targets: todo,
          bulkExisting: pf.callerIsManagementAccount,
          signal: ctx.signal,
          tuning: { requestsPerSecond },
          onResult: (r) => {
            progress.results[r.accountId] = r;
            void save().catch(() => undefined);
          },
          onProgress: (done) => bar.update('ACCOUNTS_PROGRESS', { done: already + done, total }),
          debug: (m) => ctx.io.debug('CLIENT_DEBUG', { message: m }),
        });
      } catch (e) {
        bar.fail();
        await save(true);
        throw e;
      }
      ctx.io.debug('ASSIGNMENT_ENGINE_STATS', { requests: outcome.stats.requests, retries: outcome.stats.retries, bulk: outcome.stats.bulkUsed ? ', existing assignments listed in bulk' : '' });
    }
    await save(true);
    const results: AccountAssignmentResult[] = [...assign.map((a) => progress.results[a.accountId]!), ...skipped];
    const failed = results.filter((r) => r.status === 'FAILED');
    if (failed.length > 0) {
      bar.fail('ACCOUNTS_DONE', { done: total - failed.length, total, summary: summary(results) });
      for (const f of failed) ctx.io.warn('ACCOUNT_ASSIGNMENT_FAILED', { account: accountLabel(f), accountId: f.accountId, reason: f.failureReason ?? 'no reason given' });
      throw new WizardError(`${failed.length} of ${total} account assignment(s) failed: ${failed.map((f) => `${f.accountId} (${f.failureReason ?? 'no reason'})`).join('; ')}.`, {
        code: 'ASSIGNMENTS_FAILED',
        hint: 'Fix the causes named above (a suspended or closing account, an IAM role quota, missing IAM rights in the account), then run again: only the failed and unfinished accounts are retried.',
      });
    }
    bar.succeed('ACCOUNTS_DONE', { done: total, total, summary: summary(results) });
    return { groupId, groupName: name, permissionSetArn: psArn, results };
  },
  outputsAfter(obs) {
    const holding = new Set(obs.holding);
    return {
      groupId: obs.groupId ?? KNOWN_AFTER_APPLY,
      groupName: obs.groupName,
      permissionSetArn: obs.permissionSet.arn,
      results: [...obs.assign.map((a): AccountAssignmentResult => ({ ...a, status: holding.has(a.accountId) ? 'EXISTING' : 'SUCCEEDED' })), ...obs.skipped],
    };
  },
};
