/**
 * permission-set: find the permission set by name or create it, attach the managed policy, and
 * push a changed set to the accounts that already hold it.
 *
 * observe: the set (by name), its policies, the accounts it is provisioned to (and the outdated ones).
 * plan:    create | adopt, then update session duration / attach policy / provision (org-wide: it
 *          changes what every account holding the set grants). Accounts holding an outdated version
 *          (an edit made in the console, a provisioning that failed) make a provision change: drift
 *          for a done step, so the re-run that verify asks for re-provisions them.
 */
import {
  attachManagedPolicy,
  createOrAdopt,
  findPermissionSetByName,
  listAttachedPolicies,
  listProvisionedAccounts,
  reprovisionAll,
  updateSessionDuration,
  type DesiredPermissionSet,
} from '../aws/permission-sets.js';
import { homeAws } from '../aws/session.js';
import { WizardError } from '../errors.js';
import { KNOWN_AFTER_APPLY, type Change, type PlannedWrite } from '../core/change.js';
import type { PermissionSetOutput } from '../core/outputs.js';
import type { Step, StepContext } from './contract.js';

export const DEFAULT_PERMISSION_SET = 'AWSPowerUserAccess';
export const DEFAULT_MANAGED_POLICY = 'arn:aws:iam::aws:policy/PowerUserAccess';
export const DEFAULT_SESSION_DURATION = 'PT1H';

async function desired(ctx: StepContext): Promise<DesiredPermissionSet> {
  const name = await ctx.io.ask({ key: 'permission-set-name', message: 'Permission set to find or create', default: DEFAULT_PERMISSION_SET });
  const managedPolicyArn = await ctx.io.ask({ key: 'managed-policy-arn', message: 'AWS managed policy for the permission set', default: DEFAULT_MANAGED_POLICY });
  const sessionDuration = await ctx.io.ask({ key: 'session-duration', message: 'Session duration (ISO 8601, PT1H to PT12H)', default: DEFAULT_SESSION_DURATION });
  return { name, managedPolicyArn, sessionDuration, description: `Okta users in the pushed group: ${managedPolicyArn.split('/').pop() ?? managedPolicyArn} (okta-aws-sso)` };
}

/** The live permission set, as observed. */
export interface ObservedPermissionSet {
  instanceArn: string;
  existing?: { arn: string; sessionDuration?: string; description?: string; relayState?: string };
  policies: string[];
  /** Every account the set is provisioned to. */
  provisioned: string[];
  /** Accounts holding an outdated version. */
  outdated: string[];
}

/** What apply sends for each change. */
export type PermissionSetPayload =
  | { action: 'create'; name: string; description: string; sessionDuration: string; managedPolicyArn: string }
  | { action: 'adopt'; arn: string }
  | { action: 'update-session-duration'; arn: string; sessionDuration: string; description?: string; relayState?: string }
  | { action: 'attach-policy'; arn: string; managedPolicyArn: string }
  | { action: 'provision'; arn: string; target: 'ALL_PROVISIONED_ACCOUNTS'; accounts: string[] };

const shownAccounts = (ids: readonly string[]): string => ids.slice(0, 5).join(', ') + (ids.length > 5 ? ` and ${ids.length - 5} more` : '');

const aws = (operation: string, count = 1): PlannedWrite => ({ service: 'aws', operation, count });

export function planPermissionSet(obs: ObservedPermissionSet, want: DesiredPermissionSet, recorded?: PermissionSetOutput): Change<PermissionSetPayload>[] {
  const resource = { kind: 'permission-set', name: want.name };
  const ps = obs.existing;
  if (!ps) {
    return [
      {
        op: 'create',
        resource,
        summary: `Create the permission set "${want.name}" with ${want.managedPolicyArn}, session ${want.sessionDuration}`,
        risk: 'additive',
        after: { name: want.name, sessionDuration: want.sessionDuration, managedPolicyArn: want.managedPolicyArn },
        payload: { action: 'create', name: want.name, description: want.description, sessionDuration: want.sessionDuration, managedPolicyArn: want.managedPolicyArn },
        writes: [aws('CreatePermissionSet'), aws('AttachManagedPolicyToPermissionSet')],
        ...(recorded ? { drift: `the permission set "${want.name}" no longer exists` } : {}),
      },
    ];
  }
  const ref = { ...resource, id: ps.arn };
  const changes: Change<PermissionSetPayload>[] = [
    {
      op: 'adopt',
      resource: ref,
      summary: `Adopt the permission set "${want.name}"`,
      risk: 'read-only',
      payload: { action: 'adopt', arn: ps.arn },
      writes: [],
      ...(recorded && recorded.arn !== ps.arn ? { drift: `the permission set "${want.name}" is now ${ps.arn}, not ${recorded.arn}` } : {}),
    },
  ];
  if (ps.sessionDuration !== want.sessionDuration) {
    changes.push({
      op: 'update',
      resource: ref,
      summary: `Change the session duration of "${want.name}" from ${ps.sessionDuration ?? '(none)'} to ${want.sessionDuration}`,
      risk: 'modifies-existing',
      before: { sessionDuration: ps.sessionDuration ?? null },
      after: { sessionDuration: want.sessionDuration },
      ...(recorded ? { drift: `the session duration is ${ps.sessionDuration ?? '(none)'}, not ${recorded.sessionDuration}` } : {}),
      payload: { action: 'update-session-duration', arn: ps.arn, sessionDuration: want.sessionDuration, ...(ps.description !== undefined ? { description: ps.description } : {}), ...(ps.relayState !== undefined ? { relayState: ps.relayState } : {}) },
      writes: [aws('UpdatePermissionSet')],
    });
  }
  if (!obs.policies.includes(want.managedPolicyArn)) {
    changes.push({
      op: 'update',
      resource: ref,
      summary: `Attach ${want.managedPolicyArn} to "${want.name}"`,
      risk: 'modifies-existing',
      before: { managedPolicies: obs.policies },
      after: { managedPolicies: [...obs.policies, want.managedPolicyArn] },
      ...(obs.policies.length > 0 ? { detail: `the set also holds ${obs.policies.join(', ')}; the wizard leaves those alone` } : {}),
      ...(recorded ? { drift: `${want.managedPolicyArn} is no longer attached to "${want.name}"` } : {}),
      payload: { action: 'attach-policy', arn: ps.arn, managedPolicyArn: want.managedPolicyArn },
      writes: [aws('AttachManagedPolicyToPermissionSet')],
    });
  }
  // After our change every account holding the set needs the new version; otherwise only outdated ones.
  const accounts = changes.length > 1 ? obs.provisioned : obs.outdated;
  if (accounts.length > 0) {
    changes.push({
      op: 'update',
      resource: ref,
      summary: `Provision the latest version of "${want.name}" to ${accounts.length} account(s)`,
      risk: 'org-wide',
      scale: { count: accounts.length, unit: 'accounts' },
      before: { outdatedAccounts: changes.length > 1 ? accounts.length : obs.outdated.length },
      after: { outdatedAccounts: 0 },
      payload: { action: 'provision', arn: ps.arn, target: 'ALL_PROVISIONED_ACCOUNTS', accounts },
      writes: [aws('ProvisionPermissionSet')],
      ...(recorded && obs.outdated.length > 0 ? { drift: `${obs.outdated.length} account(s) hold an outdated version of "${want.name}" (${shownAccounts(obs.outdated)}): the latest version is not provisioned there` } : {}),
    });
  }
  return changes;
}

export const permissionSetStep: Step<'permission-set', DesiredPermissionSet, ObservedPermissionSet> = {
  id: 'permission-set',
  title: 'Permission set with the managed policy',
  kind: 'api',
  needs: ['preflight'],
  answers: desired,
  async observe(ctx, want) {
    const { aws, pf } = await homeAws(ctx);
    const client = aws.ssoAdmin();
    const ps = await findPermissionSetByName(client, pf.instanceArn, want.name);
    if (!ps?.PermissionSetArn) return { instanceArn: pf.instanceArn, policies: [], provisioned: [], outdated: [] };
    const arn = ps.PermissionSetArn;
    const policies = await listAttachedPolicies(client, pf.instanceArn, arn);
    const provisioned = await listProvisionedAccounts(client, pf.instanceArn, arn);
    const outdated = await listProvisionedAccounts(client, pf.instanceArn, arn, 'LATEST_PERMISSION_SET_NOT_PROVISIONED');
    return {
      instanceArn: pf.instanceArn,
      existing: { arn, ...(ps.SessionDuration ? { sessionDuration: ps.SessionDuration } : {}), ...(ps.Description !== undefined ? { description: ps.Description } : {}), ...(ps.RelayState !== undefined ? { relayState: ps.RelayState } : {}) },
      policies,
      provisioned,
      outdated,
    };
  },
  plan: (obs, want, recorded) => planPermissionSet(obs, want, recorded),
  async apply(ctx, changes, obs, want) {
    const { aws } = await homeAws(ctx);
    const client = aws.ssoAdmin();
    const p = ctx.io.progress('PERMISSION_SET_PROGRESS', { name: want.name });
    let arn = obs.existing?.arn;
    let created = false;
    let reprovisioned = 0;
    try {
      for (const c of changes) {
        const pl = c.payload as PermissionSetPayload;
        switch (pl.action) {
          case 'create': {
            const r = await createOrAdopt(client, obs.instanceArn, want, ctx.signal);
            arn = r.ps.PermissionSetArn as string;
            created = r.created;
            if (created) ctx.io.info('PERMISSION_SET_CREATED', { name: want.name, arn });
            else ctx.io.info('PERMISSION_SET_APPEARED', { name: want.name });
            if (!created) {
              // The live state changed since the plan: apply does no more than the plan said.
              throw new WizardError(`The permission set "${want.name}" was created by someone else after this run planned; nothing else was changed.`, {
                code: 'PLAN_STALE',
                hint: 'Run again: the new plan adopts it (see --dry-run for what it would change).',
              });
            }
            await attachManagedPolicy(client, obs.instanceArn, arn, pl.managedPolicyArn, ctx.signal);
            ctx.io.info('POLICY_ATTACHED', { policyArn: pl.managedPolicyArn });
            break;
          }
          case 'adopt':
            ctx.io.info('PERMISSION_SET_ADOPTED', { name: want.name, arn: pl.arn });
            break;
          case 'update-session-duration':
            await updateSessionDuration(client, obs.instanceArn, { arn: pl.arn, description: pl.description, relayState: pl.relayState }, pl.sessionDuration, ctx.signal);
            ctx.io.info('SESSION_DURATION_CHANGED', { before: obs.existing?.sessionDuration ?? '(none)', after: pl.sessionDuration });
            break;
          case 'attach-policy':
            await attachManagedPolicy(client, obs.instanceArn, pl.arn, pl.managedPolicyArn, ctx.signal);
            ctx.io.info('POLICY_ATTACHED', { policyArn: pl.managedPolicyArn });
            if (c.detail) ctx.io.info('PERMISSION_SET_OTHER_POLICIES', { policies: obs.policies.join(', ') });
            break;
          case 'provision':
            ctx.io.info('PERMISSION_SET_REPROVISION', { count: pl.accounts.length });
            await reprovisionAll(client, obs.instanceArn, pl.arn, ctx.signal, (s) => p.update('PERMISSION_SET_PROVISIONING', { name: want.name, seconds: s }));
            reprovisioned = pl.accounts.length;
            break;
        }
      }
    } catch (e) {
      p.fail();
      throw e;
    }
    if (reprovisioned) p.succeed('PERMISSION_SET_READY_REPROVISIONED', { name: want.name, count: reprovisioned });
    else p.succeed('PERMISSION_SET_READY', { name: want.name });
    // A set an earlier run created stays "created" when a later run (drift repair) adopts it: destroy removes it.
    const prev = ctx.outputs['permission-set'];
    if (prev?.created === true && prev.arn === arn) created = true;
    return { arn: arn as string, name: want.name, managedPolicyArn: want.managedPolicyArn, sessionDuration: want.sessionDuration, created };
  },
  outputsAfter(obs, want) {
    return { arn: obs.existing?.arn ?? KNOWN_AFTER_APPLY, name: want.name, managedPolicyArn: want.managedPolicyArn, sessionDuration: want.sessionDuration, created: !obs.existing };
  },
};
