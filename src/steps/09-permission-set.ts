/**
 * permission-set: find the permission set by name or create it, attach the managed policy, and
 * push a changed set to the accounts that already hold it. check() also reports accounts holding an
 * outdated version (LATEST_PERMISSION_SET_NOT_PROVISIONED), so a re-run re-provisions them.
 */
import {
  ensurePermissionSet,
  findPermissionSetByName,
  listAttachedPolicies,
  listProvisionedAccounts,
  validateManagedPolicyArn,
  validatePermissionSetName,
  validateSessionDuration,
  type DesiredPermissionSet,
} from '../aws/permission-sets.js';
import { homeAws } from '../aws/session.js';
import type { Drift, PlanAction, Step, StepContext } from './contract.js';

export const DEFAULT_PERMISSION_SET = 'AWSPowerUserAccess';
export const DEFAULT_MANAGED_POLICY = 'arn:aws:iam::aws:policy/PowerUserAccess';
export const DEFAULT_SESSION_DURATION = 'PT1H';

async function desired(ctx: StepContext): Promise<DesiredPermissionSet> {
  const name = await ctx.io.ask({ key: 'permission-set-name', message: 'Permission set to find or create', default: DEFAULT_PERMISSION_SET, validate: validatePermissionSetName });
  const managedPolicyArn = await ctx.io.ask({ key: 'managed-policy-arn', message: 'AWS managed policy for the permission set', default: DEFAULT_MANAGED_POLICY, validate: validateManagedPolicyArn });
  const sessionDuration = await ctx.io.ask({ key: 'session-duration', message: 'Session duration (ISO 8601, PT1H to PT12H)', default: DEFAULT_SESSION_DURATION, validate: validateSessionDuration });
  return { name, managedPolicyArn, sessionDuration, description: `Okta users in the pushed group: ${managedPolicyArn.split('/').pop() ?? managedPolicyArn} (okta-aws-sso)` };
}

export const permissionSetStep: Step<'permission-set'> = {
  id: 'permission-set',
  title: 'Permission set with the managed policy',
  kind: 'api',
  needs: ['preflight'],
  async plan(ctx) {
    const { aws, pf } = await homeAws(ctx);
    const want = await desired(ctx);
    const client = aws.ssoAdmin();
    const ps = await findPermissionSetByName(client, pf.instanceArn, want.name);
    if (!ps?.PermissionSetArn) {
      return [{ kind: 'create', target: `Permission set "${want.name}"`, detail: `${want.managedPolicyArn}, session ${want.sessionDuration}` }];
    }
    const actions: PlanAction[] = [{ kind: 'adopt', target: `Permission set "${want.name}" (${ps.PermissionSetArn})` }];
    if (ps.SessionDuration !== want.sessionDuration) actions.push({ kind: 'update', target: `Session duration of "${want.name}"`, detail: `${ps.SessionDuration ?? '(none)'} -> ${want.sessionDuration}` });
    const policies = await listAttachedPolicies(client, pf.instanceArn, ps.PermissionSetArn);
    if (!policies.includes(want.managedPolicyArn)) actions.push({ kind: 'update', target: `Attach ${want.managedPolicyArn}` });
    const outdated = await listProvisionedAccounts(client, pf.instanceArn, ps.PermissionSetArn, 'LATEST_PERMISSION_SET_NOT_PROVISIONED');
    if (actions.length > 1 || outdated.length > 0) {
      const all = actions.length > 1 ? await listProvisionedAccounts(client, pf.instanceArn, ps.PermissionSetArn) : outdated;
      if (all.length > 0) actions.push({ kind: 'update', target: `Provision the latest version to ${all.length} account(s)` });
    }
    if (actions.length === 1) actions[0] = { kind: 'noop', target: actions[0]!.target, detail: 'policy attached, every account up to date' };
    return actions;
  },
  async apply(ctx) {
    const { aws, pf } = await homeAws(ctx);
    const want = await desired(ctx);
    const p = ctx.io.progress(`Permission set "${want.name}"`);
    let r;
    try {
      r = await ensurePermissionSet(aws.ssoAdmin(), pf.instanceArn, want, { signal: ctx.signal, info: (m) => ctx.io.info(m), onWait: (m) => p.update(`Permission set "${want.name}": ${m}`) });
    } catch (e) {
      p.fail();
      throw e;
    }
    p.succeed(`Permission set "${want.name}" ready${r.reprovisioned.length ? ` (re-provisioned to ${r.reprovisioned.length} account(s))` : ''}.`);
    return { arn: r.arn, name: want.name, managedPolicyArn: want.managedPolicyArn, sessionDuration: want.sessionDuration, created: r.created };
  },
  async check(ctx, out) {
    const { aws, pf } = await homeAws(ctx);
    const client = aws.ssoAdmin();
    const drifts: Drift[] = [];
    const ps = await findPermissionSetByName(client, pf.instanceArn, out.name);
    if (!ps) return [{ message: `the permission set "${out.name}" no longer exists` }];
    if (ps.PermissionSetArn !== out.arn) drifts.push({ message: `the permission set "${out.name}" is now ${ps.PermissionSetArn}, not ${out.arn}` });
    if (ps.SessionDuration !== out.sessionDuration) drifts.push({ message: `the session duration is ${ps.SessionDuration ?? '(none)'}, not ${out.sessionDuration}` });
    const policies = await listAttachedPolicies(client, pf.instanceArn, ps.PermissionSetArn ?? out.arn);
    if (!policies.includes(out.managedPolicyArn)) drifts.push({ message: `${out.managedPolicyArn} is no longer attached to "${out.name}"` });
    // An edit made in the console (or a provisioning that failed) leaves accounts on an older version:
    // that is drift too, so the re-run that verify asks for re-provisions them (apply waits for it).
    const outdated = await listProvisionedAccounts(client, pf.instanceArn, ps.PermissionSetArn ?? out.arn, 'LATEST_PERMISSION_SET_NOT_PROVISIONED');
    if (outdated.length > 0) {
      const shown = outdated.slice(0, 5).join(', ') + (outdated.length > 5 ? ` and ${outdated.length - 5} more` : '');
      drifts.push({ message: `${outdated.length} account(s) hold an outdated version of "${out.name}" (${shown}): the latest version is not provisioned there` });
    }
    return drifts;
  },
};
