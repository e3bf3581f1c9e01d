/**
 * verify: the end-to-end result, read back from both sides. AWS half: the test user arrived
 * through SCIM (GetUserId by userName) with ExternalIds, is a member of the pushed group, and the
 * group holds the permission set on every target account with the latest version provisioned.
 * Okta half: verifyOktaSide() from src/okta/verify.ts (when the Okta steps' outputs are there). Then the portal URL and the sign-in check.
 *
 * Read-only: observe reads both sides (waiting for the test user in a run, not in a re-check);
 * which accounts hold the assignment is accountsHoldingAssignment() (src/aws/assignments.ts, the one
 * copy, PrincipalType checked). plan: read-only changes (the read-back, the sign-in proof or the
 * console sign-in check); a done step's re-check that finds a problem is drift. apply reports
 * what observe found and fails with VERIFY_FAILED on a problem.
 */
import { WizardError } from '../errors.js';
import { accountsHoldingAssignment } from '../aws/assignments.js';
import { describeUser, getUserId, groupExists, isMember, waitFor } from '../aws/identity-store.js';
import { listProvisionedAccounts } from '../aws/permission-sets.js';
import { homeAws } from '../aws/session.js';
import { awsTuning } from '../aws/tuning.js';
import { verifyOktaSide } from '../okta/verify.js';
import type { ConsoleAction, Step, StepContext } from './contract.js';
import type { Change } from '../core/change.js';
import type { VerifyOutput } from '../core/outputs.js';
import { DEFAULT_WAIT_TIMEOUT_S } from './10-account-assignments.js';
import { appUserWatcher, consoleMistakes, mappingWatcher } from './provisioning-effect.js';

export function portalUrl(identityStoreId: string): string {
  return `https://${identityStoreId}.awsapps.com/start`;
}

export function signInCheckAction(portal: string, login: string | undefined, permissionSetName: string, accountHint: string): ConsoleAction {
  return {
    id: 'sign-in-check',
    title: 'Sign in once as the test user',
    where: `A private browser window: ${portal}`,
    instructions: [
      'Open a private (incognito) browser window, so no existing Okta or AWS session is reused.',
      `Go to the AWS access portal ${portal} (or use your custom alias if you set one in Identity Center > Settings).`,
      `You are sent to Okta: sign in as ${login ?? 'a user of the pushed group'} (with the password shown once by the wizard; change it if asked).`,
      `Back in the portal, open the "AWS accounts" tab and expand ${accountHint}.`,
      `Choose the permission set "${permissionSetName}" > "Management console": the AWS console opens in that account.`,
    ],
    values: [{ label: 'AWS access portal URL', value: portal }],
    optional: true,
  };
}

export interface Findings {
  problems: string[];
  notes: string[];
  out: VerifyOutput;
}

async function verifyAll(ctx: StepContext, waitForUser: boolean, waitTimeoutS: number): Promise<Findings> {
  const { aws, pf } = await homeAws(ctx);
  const a = ctx.need('account-assignments');
  const ps = ctx.need('permission-set');
  const user = ctx.outputs['test-user'];
  const problems: string[] = [];
  const notes: string[] = [];
  const store = aws.identityStore();

  if (!(await groupExists(store, pf.identityStoreId, a.groupId))) {
    problems.push(`The group "${a.groupName}" (${a.groupId}) is no longer in the identity store: check the push mapping in Okta (Push Groups tab).`);
  }

  let identityStoreUserId: string | undefined;
  let userHasExternalIds: boolean | undefined;
  let userInGroup: boolean | undefined;
  if (user) {
    const timeoutMs = waitForUser ? waitTimeoutS * 1000 : 0;
    const p = ctx.io.progress('VERIFY_USER_LOOKUP', { login: user.login });
    // Provisioning verified by its effect; stop as soon as Okta reports a sync error for the user.
    const watch = appUserWatcher(ctx, user);
    const arrived = await waitFor<{ id?: string; error?: string }>(
      async () => {
        const id = await getUserId(store, pf.identityStoreId, user.login);
        if (id) return { id };
        const error = waitForUser ? await watch() : undefined;
        return error ? { error } : undefined;
      },
      {
        timeoutMs,
        pollMs: awsTuning().scimPollMs,
        signal: ctx.signal,
        onWait: (s) => p.update('VERIFY_USER_WAIT', { login: user.login, seconds: s }),
      },
    );
    identityStoreUserId = arrived?.id;
    if (!identityStoreUserId) {
      p.fail();
      problems.push(
        arrived?.error
          ? `The test user "${user.login}" cannot arrive in Identity Center: ${arrived.error}.`
          : `The test user "${user.login}" has not arrived in Identity Center: check that the user is in the assignment group (so assigned to the app) and Okta's provisioning errors (Dashboard > Tasks). ${consoleMistakes(ctx)}.`,
      );
    } else {
      const d = await describeUser(store, pf.identityStoreId, identityStoreUserId);
      userHasExternalIds = (d.ExternalIds ?? []).length > 0;
      if (!userHasExternalIds) {
        problems.push(`The user "${user.login}" in Identity Center has no ExternalIds, so it was not created by SCIM (made by hand?): delete it in Identity Center and let Okta provision it, or Okta's updates will collide with it.`);
      }
      const uid = identityStoreUserId;
      // The membership arrives with the group's next push: stop (after re-pushes) once Okta reports the push in ERROR.
      const pushWatch = mappingWatcher(ctx, a.groupName);
      const member = await waitFor<{ member?: true; error?: string }>(
        async () => {
          if (await isMember(store, pf.identityStoreId, uid, a.groupId)) return { member: true };
          const error = waitForUser ? await pushWatch() : undefined;
          return error ? { error } : undefined;
        },
        {
          timeoutMs,
          pollMs: awsTuning().scimPollMs,
          signal: ctx.signal,
          onWait: (s) => p.update('VERIFY_USER_GROUP_WAIT', { login: user.login, group: a.groupName, seconds: s }),
        },
      );
      userInGroup = member?.member === true;
      if (!userInGroup) {
        problems.push(
          member?.error
            ? `The user "${user.login}" cannot join "${a.groupName}" in Identity Center: ${member.error}.`
            : `The user "${user.login}" is not a member of "${a.groupName}" in Identity Center: check that it is in the Okta group and that the push mapping is Active, then push again.`,
        );
      }
      if (userInGroup && userHasExternalIds) p.succeed('VERIFY_USER_ARRIVED', { id: identityStoreUserId, group: a.groupName });
      else p.fail();
    }
  } else {
    notes.push('No test user was created (--skip-test-user): the user checks are skipped.');
  }

  const targets = a.results.filter((r) => r.status === 'SUCCEEDED' || r.status === 'EXISTING').map((r) => r.accountId);
  const assigned = await accountsHoldingAssignment({
    client: aws.ssoAdmin(),
    instanceArn: pf.instanceArn,
    permissionSetArn: a.permissionSetArn,
    principalId: a.groupId,
    principalType: 'GROUP',
    accountIds: targets,
    bulk: pf.callerIsManagementAccount,
  });
  const latest = new Set(await listProvisionedAccounts(aws.ssoAdmin(), pf.instanceArn, a.permissionSetArn, 'LATEST_PERMISSION_SET_PROVISIONED'));
  let accountsVerified = 0;
  for (const id of targets) {
    if (!assigned.has(id)) problems.push(`Account ${id}: "${a.groupName}" no longer holds "${ps.name}"; run the wizard again to restore it.`);
    else if (!latest.has(id)) problems.push(`Account ${id}: "${ps.name}" is not provisioned with its latest version; run the wizard again (it re-provisions).`);
    else accountsVerified++;
  }
  const skipped = a.results.filter((r) => r.status === 'SKIPPED');
  if (skipped.length) notes.push(`${skipped.length} account(s) were skipped on purpose: ${skipped.map((s) => `${s.accountId} (${s.failureReason ?? 'skipped'})`).join('; ')}.`);

  const app = ctx.outputs['okta-app'];
  const prov = ctx.outputs['okta-provisioning'];
  const push = ctx.outputs['group-push'];
  if (app && prov && push) {
    const okta = await ctx.services.okta();
    const r = await verifyOktaSide(okta, { appId: app.appId, provisioningAppId: prov.appId, mappingIds: push.mappings.map((m) => m.mappingId), ...(user ? { userId: user.userId } : {}) });
    problems.push(...r.problems);
    notes.push(...r.notes);
  }

  return {
    problems,
    notes,
    out: {
      ...(identityStoreUserId ? { identityStoreUserId } : {}),
      ...(userHasExternalIds !== undefined ? { userHasExternalIds } : {}),
      groupId: a.groupId,
      ...(userInGroup !== undefined ? { userInGroup } : {}),
      accountsVerified,
      portalUrl: portalUrl(pf.identityStoreId),
      verifiedAt: ctx.now().toISOString(),
    },
  };
}

/** Runs the headless sign-in proof and reports each row; a failed row fails the step. */
async function proveSignInOrThrow(ctx: StepContext, out: VerifyOutput): Promise<void> {
  const { proveSignIn } = await import('../verify/sign-in.js');
  const { healthLines } = await import('../verify/rows.js');
  const rows = await proveSignIn({
    io: ctx.io,
    services: ctx.services,
    outputs: { ...ctx.outputs, verify: out },
    signal: ctx.signal,
    now: () => ctx.now(),
    // The sandbox approves at once; never wait out a 10-minute code there (e.g. --console-done sign-in-check).
    ...(ctx.services.sandbox ? { deviceWaitMs: 30_000 } : {}),
    ...(process.env.AWS_ENDPOINT_URL ? { acsBaseUrl: process.env.AWS_ENDPOINT_URL } : {}),
  });
  (await import('../verify/run-memory.js')).recordSignInRows(rows);
  ctx.io.info('VERIFY_SIGN_IN_PROOF');
  for (const line of healthLines(rows)) ctx.io.info('VERIFY_SIGN_IN_ROW', { line });
  const failed = rows.filter((r) => r.status === 'failed');
  if (failed.length > 0) {
    throw new WizardError(`The sign-in proof failed: ${failed[0]!.check.toLowerCase()}: ${failed[0]!.detail}`, {
      code: 'SIGN_IN_FAILED',
      hint: failed[0]!.fix ?? 'Fix what is listed above, then run `okta-aws-sso verify --sign-in` again.',
    });
  }
}

/** The step's answers: how long to wait for the test user, and how the sign-in is checked. */
export interface VerifyAnswers {
  waitTimeoutS: number;
  /** prove: the headless sign-in proof (sandbox, --sign-in); console: a person signs in; print: the steps are printed. */
  signIn: 'prove' | 'console' | 'print';
}

/** What the step read (nothing before apply in a run or a dry run: it reads, and waits, in apply). */
export type ObservedVerify = { planned: true } | { planned?: undefined; findings: Findings };

/** Read-only: a verification reads, it never writes; a problem found by a done step's re-check is drift. */
export function planVerify(obs: ObservedVerify, ans: VerifyAnswers, recorded?: VerifyOutput): Change[] {
  const resource = { kind: 'verification', name: 'end to end' };
  if (!obs.planned && recorded && obs.findings.problems.length > 0) {
    return obs.findings.problems.map((p) => ({ op: 'adopt', resource, summary: 'Verify end to end', risk: 'read-only', writes: [], drift: p }));
  }
  if (recorded) return [];
  const changes: Change[] = [{ op: 'adopt', resource, summary: 'Read back users, group, assignments and provisioning on both sides', risk: 'read-only', writes: [] }];
  if (ans.signIn === 'prove') changes.push({ op: 'adopt', resource: { kind: 'sign-in', name: 'test user' }, summary: 'Prove the sign-in as the test user, without a browser (no configuration change)', risk: 'read-only', writes: [] });
  else if (ans.signIn === 'console') changes.push({ op: 'console', resource: { kind: 'console-action', id: 'sign-in-check', name: 'sign-in check' }, summary: 'Sign in once as the test user (optional)', risk: 'read-only', writes: [] });
  return changes;
}

export const verifyStep: Step<'verify', VerifyAnswers, ObservedVerify> = {
  id: 'verify',
  title: 'Verify end to end, then the sign-in check',
  kind: 'api',
  needs: ['preflight', 'permission-set', 'account-assignments'],
  async answers(ctx) {
    const waitTimeoutS = Number(await ctx.io.ask({ key: 'wait-timeout', message: 'Seconds to wait for the test user to arrive through SCIM', default: String(DEFAULT_WAIT_TIMEOUT_S) }));
    const { isSignInRequested } = await import('../verify/run-memory.js');
    return { waitTimeoutS, signIn: ctx.services.sandbox || isSignInRequested() ? 'prove' : ctx.io.interactive ? 'console' : 'print' };
  },
  async observe(ctx, ans, recorded) {
    // A run (and a dry run) plans the reads: the wait for the test user belongs to apply, since it may
    // repair (re-push, re-assign: ctx.repair), and observe never writes. A done step's re-check reads
    // without waiting (and so without repairing).
    if (!recorded) return { planned: true };
    return { findings: await verifyAll(ctx, false, ans.waitTimeoutS) };
  },
  plan: (obs, ans, recorded) => planVerify(obs, ans, recorded),
  async apply(ctx, _changes, obs, ans) {
    const f = obs.planned ? await verifyAll(ctx, true, ans.waitTimeoutS) : obs.findings;
    for (const n of f.notes) ctx.io.info('VERIFY_NOTE', { note: n });
    if (f.problems.length > 0) {
      for (const p of f.problems) ctx.io.warn('VERIFY_PROBLEM', { problem: p });
      throw new WizardError(`Verification found ${f.problems.length} problem(s): ${f.problems[0]}${f.problems.length > 1 ? ' (and more above)' : ''}`, {
        code: 'VERIFY_FAILED',
        hint: 'Fix what is listed above, then run `okta-aws-sso verify` (or the wizard) again.',
      });
    }
    ctx.io.info('VERIFY_PASSED', { accounts: f.out.accountsVerified, permissionSet: ctx.need('permission-set').name, group: ctx.need('account-assignments').groupName });
    ctx.io.info('VERIFY_PORTAL', { url: f.out.portalUrl });
    const user = ctx.outputs['test-user'];
    const first = ctx.need('account-assignments').results.find((r) => r.status === 'SUCCEEDED' || r.status === 'EXISTING');
    const action = signInCheckAction(f.out.portalUrl, user?.login, ctx.need('permission-set').name, first ? `account ${first.accountName ? `"${first.accountName}" ` : ''}${first.accountId}` : 'one of the assigned accounts');
    if (ans.signIn === 'prove') {
      // --- sign-in proof (src/verify/sign-in.ts): in the sandbox the run knows the test user's password.
      await proveSignInOrThrow(ctx, f.out);
    } else if (ans.signIn === 'console') {
      await ctx.io.consoleAction(action);
    } else {
      ctx.io.info('VERIFY_CHECK_BY_HAND', { steps: action.instructions.map((s, i) => `${i + 1}. ${s}`).join(' ') });
    }
    return f.out;
  },
};
