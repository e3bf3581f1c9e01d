/**
 * account-assignments: wait for the pushed group to arrive through SCIM, then give it the
 * permission set on every target account (all ACTIVE accounts, --accounts or --ou), under Identity
 * Center's limits, recording each account's result as it finishes so a resumed run redoes only
 * what is unfinished or failed.
 */
import { WizardError, UsageError } from '../errors.js';
import { assignAccounts, type AssignmentTarget } from '../aws/assignments.js';
import { getGroupId, waitFor } from '../aws/identity-store.js';
import { listAccountsUnderOu, listAllAccounts, type OrgAccount } from '../aws/organization.js';
import { homeAws } from '../aws/session.js';
import { awsCallError } from '../aws/errors.js';
import { awsTuning } from '../aws/tuning.js';
import type { AwsClients } from '../aws/clients.js';
import { ListAccountAssignmentsCommand, ListAccountAssignmentsForPrincipalCommand } from '@aws-sdk/client-sso-admin';
import type { Drift, PlanAction, Step, StepContext } from './contract.js';
import type { AccountAssignmentResult, PreflightOutput } from './outputs.js';
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
  const p = ctx.io.progress(`Waiting for the group "${name}" to arrive through SCIM`);
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
      onWait: (s) => p.update(`Waiting for the group "${name}" to arrive through SCIM (${s} s of ${Math.round(timeoutMs / 1000)} s)`),
    },
  );
  if (found?.error) {
    p.fail(`The group "${name}" cannot arrive: Okta reports the push in ERROR.`);
    throw new WizardError(`${found.error}.`, {
      code: 'GROUP_PUSH_ERROR',
      hint: `Fix the cause named above, then run again: the wizard pushes the group again. ${consoleMistakes(ctx)}.`,
    });
  }
  if (!found?.id) {
    p.fail(`The group "${name}" did not arrive within ${Math.round(timeoutMs / 1000)} s.`);
    throw new WizardError(`The pushed group "${name}" has not arrived in the Identity Center identity store ${pf.identityStoreId}.`, {
      code: 'GROUP_NOT_PUSHED',
      hint:
        'Check in Okta: the app > Push Groups tab (the mapping for this group must be Active, not Error); Reports > System Log or Dashboard > Tasks for provisioning errors; ' +
        `and the SCIM token (Identity Center > Settings > Automatic provisioning; an expired or replaced token gives 401). ${consoleMistakes(ctx)}. Then run again, or raise --wait-timeout.`,
    });
  }
  p.succeed(`The group "${name}" arrived (${found.id}).`);
  return found.id;
}

/** Which accounts to assign, and which are skipped and why. */
export async function resolveTargets(ctx: StepContext, aws: AwsClients, pf: PreflightOutput['aws']): Promise<ResolvedTargets> {
  const all = await listAllAccounts(aws);
  const byId = new Map(all.map((a) => [a.id, a]));
  let chosen: OrgAccount[];
  let explicit = false;
  if (ctx.io.hasAnswer('accounts')) {
    const raw = await ctx.io.ask({ key: 'accounts', message: 'Account IDs to assign (comma separated)' });
    const ids = [...new Set(raw.split(/[,\s]+/).map((s) => s.trim()).filter(Boolean))];
    const bad = ids.filter((id) => !/^\d{12}$/.test(id));
    if (bad.length) throw new UsageError(`Not an AWS account ID: ${bad.join(', ')}.`, { code: 'AWS_ACCOUNT_ID', hint: 'Account IDs have 12 digits; give them comma separated to --accounts.' });
    const unknown = ids.filter((id) => !byId.has(id));
    if (unknown.length) {
      throw new UsageError(`These accounts are not in the organization ${pf.organizationId}: ${unknown.join(', ')}.`, {
        code: 'AWS_ACCOUNT_UNKNOWN',
        hint: 'Check the IDs (AWS console > AWS Organizations > AWS accounts), or omit --accounts to assign every active account.',
      });
    }
    chosen = ids.map((id) => byId.get(id)!);
    explicit = true;
  } else if (ctx.io.hasAnswer('ou')) {
    const ou = (await ctx.io.ask({ key: 'ou', message: 'OU whose accounts to assign (recursive)' })).trim();
    if (!/^(ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}|r-[0-9a-z]{4,32})$/.test(ou)) {
      throw new UsageError(`"${ou}" is not an OU ID.`, { code: 'AWS_OU_ID', hint: 'An OU ID looks like ou-ab12-cdef3456 (or r-ab12 for the root); see AWS Organizations > AWS accounts.' });
    }
    chosen = await listAccountsUnderOu(aws, ou);
  } else {
    chosen = all;
  }
  const assign: AssignmentTarget[] = [];
  const skipped: AccountAssignmentResult[] = [];
  const mgmt = pf.managementAccountId;
  let includeMgmt: boolean | undefined;
  for (const a of chosen) {
    const base = { accountId: a.id, ...(a.name ? { accountName: a.name } : {}) };
    if (a.state !== 'ACTIVE') {
      skipped.push({ ...base, status: 'SKIPPED', failureReason: `the account is ${a.state}; only ACTIVE accounts can receive assignments` });
      continue;
    }
    if (a.id === mgmt) {
      if (!pf.callerIsManagementAccount) {
        skipped.push({ ...base, status: 'SKIPPED', failureReason: 'the management account can be assigned only by the management account itself, not by a delegated administrator; run from the management account with --include-management-account to assign it' });
        continue;
      }
      includeMgmt ??= explicit || (await ctx.io.confirm({ key: 'include-management-account', message: `Also assign the management account ${mgmt}? (the caller needs IAM rights there)`, default: false }));
      if (!includeMgmt) {
        skipped.push({ ...base, status: 'SKIPPED', failureReason: 'the management account is assigned only with --include-management-account (Identity Center then needs IAM rights in it; see docs/aws.md)' });
        continue;
      }
    }
    assign.push(base);
  }
  return { assign, skipped };
}

/** Accounts where the group already holds the set (bulk when the caller may, else per account). */
async function existingAccounts(aws: AwsClients, pf: PreflightOutput['aws'], groupId: string, psArn: string, accountIds: string[]): Promise<Set<string>> {
  const client = aws.ssoAdmin();
  const out = new Set<string>();
  if (pf.callerIsManagementAccount) {
    let token: string | undefined;
    do {
      const page = await client.send(new ListAccountAssignmentsForPrincipalCommand({ InstanceArn: pf.instanceArn, PrincipalId: groupId, PrincipalType: 'GROUP', NextToken: token }));
      for (const a of page.AccountAssignments ?? []) if (a.PermissionSetArn === psArn && a.AccountId) out.add(a.AccountId);
      token = page.NextToken;
    } while (token);
    return out;
  }
  for (const id of accountIds) {
    let token: string | undefined;
    do {
      const page = await client.send(new ListAccountAssignmentsCommand({ InstanceArn: pf.instanceArn, AccountId: id, PermissionSetArn: psArn, NextToken: token }));
      if ((page.AccountAssignments ?? []).some((a) => a.PrincipalId === groupId && a.PrincipalType === 'GROUP')) out.add(id);
      token = page.NextToken;
    } while (token);
  }
  return out;
}

function summary(results: AccountAssignmentResult[]): string {
  const count = (s: string) => results.filter((r) => r.status === s).length;
  return `${count('SUCCEEDED')} created, ${count('EXISTING')} already there, ${count('SKIPPED')} skipped, ${count('FAILED')} failed`;
}

export const accountAssignmentsStep: Step<'account-assignments'> = {
  id: 'account-assignments',
  title: 'Assign the pushed group to the AWS accounts with the permission set',
  kind: 'api',
  needs: ['preflight', 'groups', 'group-push', 'permission-set'],
  async plan(ctx) {
    const { aws, pf } = await homeAws(ctx);
    const name = pushedGroupName(ctx);
    const ps = ctx.need('permission-set');
    const groupId = await getGroupId(aws.identityStore(), pf.identityStoreId, name);
    const { assign, skipped } = await resolveTargets(ctx, aws, pf);
    const actions: PlanAction[] = skipped.map((s) => ({ kind: 'noop' as const, target: `Account ${s.accountId}${s.accountName ? ` (${s.accountName})` : ''}`, detail: `skipped: ${s.failureReason}` }));
    if (!groupId) {
      actions.unshift({ kind: 'pending', target: `Assign "${name}" to ${assign.length} account(s)`, detail: 'the group has not arrived through SCIM yet; the step waits for it' });
      return actions;
    }
    const have = await existingAccounts(aws, pf, groupId, ps.arn, assign.map((a) => a.accountId));
    const missing = assign.filter((a) => !have.has(a.accountId));
    actions.unshift(
      missing.length > 0
        ? { kind: 'create', target: `Assign "${name}" with "${ps.name}" to ${missing.length} account(s)`, detail: `${have.size} already assigned` }
        : { kind: 'noop', target: `"${name}" holds "${ps.name}" on all ${assign.length} target account(s)` },
    );
    return actions;
  },
  async apply(ctx) {
    const { aws, pf } = await homeAws(ctx);
    const ps = ctx.need('permission-set');
    const name = pushedGroupName(ctx);
    const groupId = await waitForPushedGroup(ctx, aws, pf, name);
    const { assign, skipped } = await resolveTargets(ctx, aws, pf);
    for (const s of skipped) ctx.io.info(`Skipping account ${s.accountId}${s.accountName ? ` (${s.accountName})` : ''}: ${s.failureReason}.`);
    const requestsPerSecond = await rate(ctx);

    // Resume: keep what an earlier, interrupted run finished (same group and permission set).
    const saved = ctx.progress.load() as AssignmentProgress | undefined;
    const prev = saved && saved.groupId === groupId && saved.permissionSetArn === ps.arn ? saved.results : {};
    const progress: AssignmentProgress = { groupId, permissionSetArn: ps.arn, results: { ...prev } };
    const finished = (r: AccountAssignmentResult | undefined) => r !== undefined && (r.status === 'SUCCEEDED' || r.status === 'EXISTING');
    const todo = assign.filter((a) => !finished(prev[a.accountId]));
    if (todo.length < assign.length) ctx.io.info(`${assign.length - todo.length} account(s) were finished by an earlier run; ${todo.length} left.`);

    // Save each result as it finishes; saves are serialised and coalesced.
    let saving: Promise<void> = Promise.resolve();
    let dirty = false;
    const save = (): Promise<void> => {
      if (dirty) return saving;
      dirty = true;
      saving = saving.then(async () => {
        dirty = false;
        await ctx.progress.save(structuredClone(progress));
      });
      return saving;
    };

    const total = assign.length;
    const already = total - todo.length;
    const bar = ctx.io.progress(`${already}/${total} accounts`);
    let outcome;
    try {
      outcome = await assignAccounts({
        client: aws.ssoAdminEngine(),
        instanceArn: pf.instanceArn,
        permissionSetArn: ps.arn,
        principalId: groupId,
        principalType: 'GROUP',
        targets: todo,
        bulkExisting: pf.callerIsManagementAccount,
        signal: ctx.signal,
        tuning: { requestsPerSecond },
        onResult: (r) => {
          progress.results[r.accountId] = r;
          void save();
        },
        onProgress: (done) => bar.update(`${already + done}/${total} accounts`),
        debug: (m) => ctx.io.debug(m),
      });
    } catch (e) {
      bar.fail();
      await save();
      throw e;
    }
    await save();
    const results: AccountAssignmentResult[] = [...assign.map((a) => progress.results[a.accountId]!), ...skipped];
    const failed = results.filter((r) => r.status === 'FAILED');
    ctx.io.debug(`Assignment engine: ${outcome.stats.requests} requests, ${outcome.stats.retries} retries${outcome.stats.bulkUsed ? ', existing assignments listed in bulk' : ''}.`);
    if (failed.length > 0) {
      bar.fail(`${total - failed.length}/${total} accounts (${summary(results)})`);
      for (const f of failed) ctx.io.warn(`Account ${f.accountId}${f.accountName ? ` (${f.accountName})` : ''} FAILED: ${f.failureReason ?? 'no reason given'}`);
      throw new WizardError(`${failed.length} of ${total} account assignment(s) failed: ${failed.map((f) => `${f.accountId} (${f.failureReason ?? 'no reason'})`).join('; ')}.`, {
        code: 'ASSIGNMENTS_FAILED',
        hint: 'Fix the causes named above (a suspended or closing account, an IAM role quota, missing IAM rights in the account), then run again: only the failed and unfinished accounts are retried.',
      });
    }
    bar.succeed(`${total}/${total} accounts (${summary(results)})`);
    return { groupId, groupName: name, permissionSetArn: ps.arn, results };
  },
  async check(ctx, out) {
    const { aws, pf } = await homeAws(ctx);
    const should = out.results.filter((r) => r.status === 'SUCCEEDED' || r.status === 'EXISTING').map((r) => r.accountId);
    let have: Set<string>;
    try {
      have = await existingAccounts(aws, pf, out.groupId, out.permissionSetArn, should);
    } catch (e) {
      throw awsCallError(e, 'checking the account assignments', 'sso:ListAccountAssignments');
    }
    const drifts: Drift[] = [];
    const missing = should.filter((id) => !have.has(id));
    if (missing.length) drifts.push({ message: `the group "${out.groupName}" no longer holds the permission set on ${missing.length} account(s): ${missing.join(', ')}` });
    return drifts;
  },
};
