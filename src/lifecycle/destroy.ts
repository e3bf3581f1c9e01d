/**
 * `okta-aws-sso destroy`: removes, in the reverse order of the setup, what the wizard created, as
 * recorded in the state file's step outputs (created vs adopted), and never what it adopted unless
 * that kind is named in `includeAdopted`.
 *
 *   observe(ctx, opts)   live reads only: what of the recorded objects still exists
 *   planDestroy(obs)     pure: typed Change records (risk `destructive`, with their scale)
 *   applyDestroy(...)    carries out exactly those changes, recording each removal in the state file
 *
 * Resumable and idempotent: a re-run observes again (what is gone is not planned; a 404 or
 * ResourceNotFoundException while removing counts as removed), and the console actions the person
 * confirmed are recorded, since no API can read them back.
 */
import type { Change, PlannedWrite } from '../core/change.js';
import type { ConsoleAction, Io, Services } from '../steps/contract.js';
import type { StepOutputs } from '../core/outputs.js';
import { UsageError, WaitingForConsoleError, WizardError } from '../errors.js';
import { accountsHoldingAssignment, unassignAccounts } from '../aws/assignments.js';
import { getGroupId, getUserId, waitFor } from '../aws/identity-store.js';
import { assignmentsOfSet, deleteIdentityStoreUser, deletePermissionSet, permissionSetName } from '../aws/teardown.js';
import { oktaStatus, type OktaClient } from '../okta/client.js';

/** What `--include-adopted` can name: kinds of objects the wizard adopted and destroy keeps by default. */
export const ADOPTED_KINDS = ['okta-app', 'scim-app', 'groups', 'push-mappings', 'test-user', 'permission-set', 'assignments', 'app-sign-on-policy'] as const;
export type AdoptedKind = (typeof ADOPTED_KINDS)[number];

export function parseIncludeAdopted(v: string | undefined): Set<AdoptedKind> {
  const out = new Set<AdoptedKind>();
  if (v === undefined) return out;
  for (const raw of v.split(',').map((s) => s.trim()).filter(Boolean)) {
    if (!(ADOPTED_KINDS as readonly string[]).includes(raw)) {
      throw new UsageError(`--include-adopted names "${raw}", which is not a kind of object the wizard adopts.`, {
        code: 'DESTROY_ADOPTED_KIND',
        hint: `Name one or more of: ${ADOPTED_KINDS.join(', ')} (comma separated), e.g. --include-adopted permission-set,groups.`,
      });
    }
    out.add(raw as AdoptedKind);
  }
  return out;
}

export interface DestroyOptions {
  includeAdopted: ReadonlySet<AdoptedKind>;
  /** Delete the pushed groups in Identity Center with their push mappings (default), or leave them there. */
  deleteIdcGroups: boolean;
}

export interface DestroyContext {
  io: Io;
  services: Services;
  outputs: Readonly<Partial<StepOutputs>>;
  signal: AbortSignal;
  /** Console actions a person confirmed in an earlier destroy run. */
  consoleDone: readonly string[];
}

export type DestroyConsoleId = 'delete-scim-tokens' | 'revert-identity-source';

/** What apply sends for each change (never a secret). */
export type DestroyPayload =
  | { action: 'unassign'; permissionSetArn: string; principalType: 'USER' | 'GROUP'; principalId: string; accounts: string[] }
  | { action: 'delete-permission-set'; arn: string }
  | { action: 'delete-push-mapping'; appId: string; mappingId: string; groupName: string; deactivate: boolean; deleteTargetGroup: boolean }
  | { action: 'delete-okta-group'; groupId: string }
  | { action: 'delete-okta-user'; userId: string; deactivate: boolean }
  | { action: 'delete-idc-user'; userId: string }
  | { action: 'deactivate-connection'; appId: string }
  | { action: 'console'; id: DestroyConsoleId }
  | { action: 'delete-okta-app'; appId: string; deactivate: boolean }
  | { action: 'delete-policy'; policyId: string };

export interface ObservedDestroy {
  instanceArn: string;
  identityStoreId: string;
  /** ssoins-...: what the person types to confirm. */
  instanceId: string;
  /** Assignments to delete, by permission set and principal. */
  assignments: { permissionSetArn: string; permissionSetName: string; principalType: 'USER' | 'GROUP'; principalId: string; accounts: string[] }[];
  permissionSet?: { arn: string; name: string };
  mappings: { appId: string; mappingId: string; groupName: string; status: string }[];
  groups: { id: string; name: string }[];
  testUser?: { id: string; login: string; status: string };
  idcUser?: { id: string; userName: string };
  connection?: { appId: string; label: string };
  scimApp?: { id: string; label: string; status: string };
  console: DestroyConsoleId[];
  oktaApp?: { id: string; label: string; status: string };
  /** The app sign-in policy of --require-mfa (Identity Engine), removed once the app no longer uses it. */
  policy?: { id: string; name: string };
  /** What is kept (adopted, or left in place as asked), one line each, for the plan. */
  kept: string[];
  deleteIdcGroups: boolean;
}

const okta = (operation: string, count = 1): PlannedWrite => ({ service: 'okta', operation, count });
const aws = (operation: string, count = 1): PlannedWrite => ({ service: 'aws', operation, count });

/** The key a removal is recorded under in the state file. */
export function removalKey(p: DestroyPayload): string {
  switch (p.action) {
    case 'unassign':
      return `assignments:${p.permissionSetArn}:${p.principalType}:${p.principalId}`;
    case 'delete-permission-set':
      return `permission-set:${p.arn}`;
    case 'delete-push-mapping':
      return `push-mapping:${p.appId}:${p.mappingId}`;
    case 'delete-okta-group':
      return `okta-group:${p.groupId}`;
    case 'delete-okta-user':
      return `okta-user:${p.userId}`;
    case 'delete-idc-user':
      return `identity-store-user:${p.userId}`;
    case 'deactivate-connection':
      return `provisioning-connection:${p.appId}`;
    case 'console':
      return `console:${p.id}`;
    case 'delete-okta-app':
      return `okta-app:${p.appId}`;
    case 'delete-policy':
      return `okta-policy:${p.policyId}`;
  }
}

async function liveApp(o: OktaClient, id: string): Promise<{ id: string; label: string; status: string } | undefined> {
  const a = await o.getApp(id);
  return a && a.status !== 'DELETED' ? { id: a.id, label: a.label, status: a.status } : undefined;
}

/** Reads what of the recorded objects still exists. No write, no prompt. */
export async function observeDestroy(ctx: DestroyContext, opts: DestroyOptions): Promise<ObservedDestroy> {
  const out = ctx.outputs;
  const pf = out.preflight;
  if (!pf) {
    throw new UsageError('The state file records no Identity Center instance: the setup never got past preflight, so there is nothing the wizard created.', {
      code: 'DESTROY_NOTHING_RECORDED',
      hint: 'Point --state at the state file of the setup to remove (default ./okta-aws-sso.state.json).',
    });
  }
  const inc = opts.includeAdopted;
  const o = await ctx.services.okta();
  const clients = await ctx.services.aws();
  clients.setHomeRegion(pf.aws.region);
  const sso = clients.ssoAdmin();
  const ids = clients.identityStore();
  const { instanceArn, identityStoreId } = pf.aws;
  const obs: ObservedDestroy = {
    instanceArn,
    identityStoreId,
    instanceId: instanceArn.split('/').pop() ?? instanceArn,
    assignments: [],
    mappings: [],
    groups: [],
    console: [],
    kept: [],
    deleteIdcGroups: opts.deleteIdcGroups,
  };

  // Permission set and account assignments.
  const ps = out['permission-set'];
  const asg = out['account-assignments'];
  const psGoes = ps !== undefined && (ps.created || inc.has('permission-set'));
  if (ps) {
    const name = await permissionSetName(sso, instanceArn, ps.arn);
    if (name !== undefined && psGoes) {
      obs.permissionSet = { arn: ps.arn, name };
      // Every assignment of the set goes first (AWS deletes a set only once nothing uses it).
      const byPrincipal = new Map<string, ObservedDestroy['assignments'][number]>();
      for (const a of await assignmentsOfSet(sso, instanceArn, ps.arn)) {
        const k = `${a.principalType}:${a.principalId}`;
        const e = byPrincipal.get(k) ?? { permissionSetArn: ps.arn, permissionSetName: name, principalType: a.principalType, principalId: a.principalId, accounts: [] };
        e.accounts.push(a.accountId);
        byPrincipal.set(k, e);
      }
      obs.assignments.push(...byPrincipal.values());
    } else if (name !== undefined) {
      obs.kept.push(`the permission set "${name}" (adopted; --include-adopted permission-set removes it)`);
      if (asg && asg.permissionSetArn === ps.arn) {
        const mine = asg.results.filter((r) => r.status === 'SUCCEEDED' || (inc.has('assignments') && r.status === 'EXISTING')).map((r) => r.accountId);
        const kept = asg.results.filter((r) => r.status === 'EXISTING').length;
        if (kept > 0 && !inc.has('assignments')) obs.kept.push(`${kept} account assignment(s) that existed before the setup (--include-adopted assignments removes them)`);
        if (mine.length > 0) {
          const holding = await accountsHoldingAssignment({ client: sso, instanceArn, permissionSetArn: ps.arn, principalId: asg.groupId, principalType: 'GROUP', accountIds: mine, bulk: pf.aws.callerIsManagementAccount });
          const accounts = mine.filter((id) => holding.has(id));
          if (accounts.length > 0) obs.assignments.push({ permissionSetArn: ps.arn, permissionSetName: name, principalType: 'GROUP', principalId: asg.groupId, accounts });
        }
      }
    }
  }

  // Push mappings (the provisioning app holds them).
  const push = out['group-push'];
  if (push) {
    for (const m of push.mappings) {
      if (m.created !== true && !inc.has('push-mappings')) {
        obs.kept.push(`the push mapping of "${m.groupName}" (adopted${m.created === undefined ? ' or recorded before created markers existed' : ''}; --include-adopted push-mappings removes it)`);
        continue;
      }
      const live = await o.getPushMapping(push.appId, m.mappingId).catch((e: unknown) => {
        if (oktaStatus(e) === 404) return undefined;
        throw e;
      });
      if (live) obs.mappings.push({ appId: push.appId, mappingId: m.mappingId, groupName: m.groupName, status: live.status });
    }
    if (!opts.deleteIdcGroups && obs.mappings.length > 0) obs.kept.push(`the pushed group(s) in Identity Center (--keep-idc-groups)`);
  }

  // Okta groups.
  const groups = out.groups;
  if (groups) {
    for (const g of [groups.assignmentGroup, ...groups.pushGroups]) {
      if (g.created !== true && !inc.has('groups')) {
        obs.kept.push(`the Okta group "${g.name}" (adopted${g.created === undefined ? ' or recorded before created markers existed' : ''}; --include-adopted groups removes it)`);
        continue;
      }
      const live = await o.getGroup(g.id);
      if (live && !obs.groups.some((x) => x.id === live.id)) obs.groups.push({ id: live.id, name: live.profile.name });
    }
  }

  // The test user, in Okta and as provisioned to Identity Center.
  const tu = out['test-user'];
  if (tu) {
    if (tu.created || inc.has('test-user')) {
      const live = await o.getUser(tu.userId);
      if (live) obs.testUser = { id: live.id, login: String(live.profile.login), status: live.status };
      const idcId = await getUserId(ids, identityStoreId, tu.login);
      if (idcId) obs.idcUser = { id: idcId, userName: tu.login };
    } else {
      obs.kept.push(`the Okta user ${tu.login} (adopted; --include-adopted test-user removes it)`);
    }
  }

  // The apps: the integration (provisioning connection, SCIM tokens, identity source) goes with the Identity Center app.
  const app = out['okta-app'];
  const prov = out['okta-provisioning'];
  const appGoes = app !== undefined && (!app.adopted || inc.has('okta-app'));
  if (prov && prov.appId !== app?.appId) {
    if (prov.appCreated === true || inc.has('scim-app')) {
      const live = await liveApp(o, prov.appId);
      if (live) obs.scimApp = live;
    } else {
      obs.kept.push(`the SCIM app "${prov.appLabel}" (adopted; --include-adopted scim-app removes it)`);
    }
  }
  if (app) {
    if (appGoes) {
      const live = await liveApp(o, app.appId);
      if (live) {
        obs.oktaApp = live;
        if (prov && prov.appId === app.appId) {
          const conn = await o.getConnection(app.appId).catch(() => undefined);
          if (conn?.status === 'ENABLED') obs.connection = { appId: app.appId, label: live.label };
        }
      }
      if (out['scim-endpoint'] && !ctx.consoleDone.includes('delete-scim-tokens')) obs.console.push('delete-scim-tokens');
      if (out['idp-metadata'] && !ctx.consoleDone.includes('revert-identity-source')) obs.console.push('revert-identity-source');
    } else {
      obs.kept.push(`the Okta app "${app.label}" (adopted; --include-adopted okta-app removes it), and with it the identity source and SCIM tokens of Identity Center`);
    }
  }

  // The --require-mfa policy: removed after the app that uses it (Okta keeps a policy an app uses).
  const mfa = out['app-sign-on-policy'];
  if (mfa?.engine === 'identity' && mfa.policyId) {
    if (!(mfa.created || inc.has('app-sign-on-policy'))) obs.kept.push(`the app sign-in policy "${mfa.policyName}" (adopted; --include-adopted app-sign-on-policy removes it)`);
    else if (!appGoes) obs.kept.push(`the app sign-in policy "${mfa.policyName}": the kept Okta app still uses it`);
    else {
      const live = await o.getPolicy(mfa.policyId);
      if (live) obs.policy = { id: live.id, name: live.name };
    }
  } else if (mfa?.engine === 'classic' && !appGoes) {
    obs.kept.push(`the app sign-on rule "${mfa.policyName}" of the kept Okta app (remove it in the app's Sign On tab if you wish)`);
  }
  return obs;
}

const CONSOLE_SUMMARY: Record<DestroyConsoleId, string> = {
  'delete-scim-tokens': 'Delete the SCIM access tokens in Identity Center and disable automatic provisioning (console)',
  'revert-identity-source': 'Change the Identity Center identity source back to the Identity Center directory (console)',
};

/** Pure: the removals, in the reverse order of the setup. */
export function planDestroy(obs: ObservedDestroy): Change<DestroyPayload>[] {
  const out: Change<DestroyPayload>[] = [];
  for (const a of obs.assignments) {
    out.push({
      op: 'delete',
      resource: { kind: 'account-assignment', id: `${a.principalType}:${a.principalId}`, name: a.permissionSetName },
      summary: `Delete the assignments of "${a.permissionSetName}" to ${a.principalType === 'GROUP' ? 'group' : 'user'} ${a.principalId} on ${a.accounts.length} account(s)`,
      risk: 'destructive',
      scale: { count: a.accounts.length, unit: 'accounts' },
      payload: { action: 'unassign', permissionSetArn: a.permissionSetArn, principalType: a.principalType, principalId: a.principalId, accounts: a.accounts },
      writes: [aws('DeleteAccountAssignment', a.accounts.length)],
    });
  }
  if (obs.permissionSet) {
    out.push({
      op: 'delete',
      resource: { kind: 'permission-set', id: obs.permissionSet.arn, name: obs.permissionSet.name },
      summary: `Delete the permission set "${obs.permissionSet.name}"`,
      risk: 'destructive',
      scale: { count: 1, unit: 'permission set' },
      payload: { action: 'delete-permission-set', arn: obs.permissionSet.arn },
      writes: [aws('DeletePermissionSet')],
    });
  }
  for (const m of obs.mappings) {
    const deactivate = m.status === 'ACTIVE';
    out.push({
      op: 'delete',
      resource: { kind: 'push-mapping', id: m.mappingId, name: m.groupName },
      summary: `${deactivate ? 'Deactivate and delete' : 'Delete'} the push of "${m.groupName}"${obs.deleteIdcGroups ? ', deleting the group in Identity Center' : ', leaving the group in Identity Center'}`,
      risk: 'destructive',
      scale: { count: obs.deleteIdcGroups ? 2 : 1, unit: obs.deleteIdcGroups ? 'objects (mapping, Identity Center group)' : 'mapping' },
      payload: { action: 'delete-push-mapping', appId: m.appId, mappingId: m.mappingId, groupName: m.groupName, deactivate, deleteTargetGroup: obs.deleteIdcGroups },
      writes: [...(deactivate ? [okta('updateGroupPushMapping')] : []), okta('deleteGroupPushMapping')],
    });
  }
  for (const g of obs.groups) {
    out.push({
      op: 'delete',
      resource: { kind: 'okta-group', id: g.id, name: g.name },
      summary: `Delete the Okta group "${g.name}"`,
      risk: 'destructive',
      scale: { count: 1, unit: 'group' },
      payload: { action: 'delete-okta-group', groupId: g.id },
      writes: [okta('deleteGroup')],
    });
  }
  if (obs.testUser) {
    const deactivate = obs.testUser.status !== 'DEPROVISIONED';
    out.push({
      op: 'delete',
      resource: { kind: 'okta-user', id: obs.testUser.id, name: obs.testUser.login },
      summary: `${deactivate ? 'Deactivate and delete' : 'Delete'} the Okta test user ${obs.testUser.login}`,
      risk: 'destructive',
      scale: { count: 1, unit: 'user' },
      payload: { action: 'delete-okta-user', userId: obs.testUser.id, deactivate },
      writes: [...(deactivate ? [okta('deactivateUser')] : []), okta('deleteUser')],
    });
  }
  if (obs.idcUser) {
    out.push({
      op: 'delete',
      resource: { kind: 'identity-store-user', id: obs.idcUser.id, name: obs.idcUser.userName },
      summary: `Delete the test user ${obs.idcUser.userName} that Okta provisioned to Identity Center (Okta only disables it)`,
      risk: 'destructive',
      scale: { count: 1, unit: 'user' },
      payload: { action: 'delete-idc-user', userId: obs.idcUser.id },
      writes: [aws('DeleteUser')],
    });
  }
  if (obs.connection) {
    out.push({
      op: 'delete',
      resource: { kind: 'provisioning-connection', id: obs.connection.appId, name: obs.connection.label },
      summary: `Deactivate the provisioning connection of "${obs.connection.label}"`,
      risk: 'destructive',
      scale: { count: 1, unit: 'connection' },
      payload: { action: 'deactivate-connection', appId: obs.connection.appId },
      writes: [okta('deactivateDefaultProvisioningConnectionForApplication')],
    });
  }
  if (obs.scimApp) out.push(appChange(obs.scimApp, 'the separate SCIM app'));
  for (const id of obs.console) {
    out.push({
      op: 'console',
      resource: { kind: 'console-action', id },
      summary: CONSOLE_SUMMARY[id],
      risk: 'destructive',
      scale: { count: 1, unit: id === 'delete-scim-tokens' ? 'provisioning setup' : 'identity source' },
      payload: { action: 'console', id },
      writes: [],
    });
  }
  if (obs.oktaApp) out.push(appChange(obs.oktaApp, 'the Okta app'));
  if (obs.policy) {
    out.push({
      op: 'delete',
      resource: { kind: 'okta-policy', id: obs.policy.id, name: obs.policy.name },
      summary: `Delete the app sign-in policy "${obs.policy.name}" (--require-mfa)`,
      risk: 'destructive',
      scale: { count: 1, unit: 'policy' },
      payload: { action: 'delete-policy', policyId: obs.policy.id },
      writes: [okta('deletePolicy')],
    });
  }
  return out;
}

function appChange(a: { id: string; label: string; status: string }, what: string): Change<DestroyPayload> {
  const deactivate = a.status === 'ACTIVE';
  return {
    op: 'delete',
    resource: { kind: 'okta-app', id: a.id, name: a.label },
    summary: `${deactivate ? 'Deactivate and delete' : 'Delete'} ${what} "${a.label}" (${a.id})`,
    risk: 'destructive',
    scale: { count: 1, unit: 'app' },
    payload: { action: 'delete-okta-app', appId: a.id, deactivate },
    writes: [...(deactivate ? [okta('deactivateApplication')] : []), okta('deleteApplication')],
  };
}

export function consoleAction(id: DestroyConsoleId, identityStoreId: string): ConsoleAction {
  if (id === 'delete-scim-tokens') {
    return {
      id,
      title: 'Delete the SCIM access tokens and disable automatic provisioning in Identity Center',
      where: 'AWS console > IAM Identity Center > Settings > Identity source > Automatic provisioning',
      instructions: [
        'Open the AWS console, IAM Identity Center > Settings, and the Identity source tab.',
        'Under Automatic provisioning choose Manage tokens (Access tokens) and delete every token listed (Delete, then confirm).',
        'Back on the Identity source tab choose Actions > Disable automatic provisioning (if offered) and confirm.',
        'Okta can no longer change users and groups in Identity Center from then on.',
      ],
      values: [{ label: 'Identity store', value: identityStoreId }],
      sandboxPayload: {},
    };
  }
  return {
    id,
    title: 'Change the identity source back to the Identity Center directory',
    where: 'AWS console > IAM Identity Center > Settings > Identity source > Actions > Change identity source',
    instructions: [
      'Open the AWS console, IAM Identity Center > Settings, and the Identity source tab.',
      'Choose Actions > Change identity source.',
      'Choose Identity Center directory, then Next.',
      'Read the review, type ACCEPT and choose Change identity source.',
      'Sign-in through Okta stops; people sign in with Identity Center directory users from then on.',
    ],
    values: [{ label: 'Identity store', value: identityStoreId }],
    sandboxPayload: {},
  };
}

export interface ApplyHooks {
  /** Records one removal (or confirmed console action) in the state file and saves it. */
  removed(key: string, consoleId?: DestroyConsoleId): Promise<void>;
}

/** Carries out exactly `changes`, in order, recording each. */
export async function applyDestroy(ctx: DestroyContext, obs: ObservedDestroy, changes: readonly Change<DestroyPayload>[], hooks: ApplyHooks): Promise<string[]> {
  const o = await ctx.services.okta();
  const clients = await ctx.services.aws();
  const done: string[] = [];
  for (const c of changes) {
    if (ctx.signal.aborted) throw new WizardError('Interrupted.', { code: 'INTERRUPTED', exitCode: 130, hint: 'Run `okta-aws-sso destroy` again to continue; what was removed is recorded.' });
    const p = c.payload as DestroyPayload;
    const bar = ctx.io.progress('DESTROY_REMOVING', { change: c.summary });
    try {
      switch (p.action) {
        case 'unassign': {
          const r = await unassignAccounts({
            client: clients.ssoAdminEngine(),
            instanceArn: obs.instanceArn,
            permissionSetArn: p.permissionSetArn,
            principalId: p.principalId,
            principalType: p.principalType,
            targets: p.accounts.map((accountId) => ({ accountId })),
            bulkExisting: false,
            signal: ctx.signal,
            onProgress: (n, total) => bar.update('DESTROY_REMOVING_COUNT', { change: c.summary, done: n, total }),
            debug: (m) => ctx.io.debug('CLIENT_DEBUG', { message: m }),
          });
          const failed = r.results.filter((x) => x.status === 'FAILED');
          if (failed.length > 0) {
            throw new WizardError(`${failed.length} of ${p.accounts.length} account assignment(s) could not be deleted: ${failed.slice(0, 3).map((f) => `${f.accountId} (${f.failureReason ?? 'no reason given'})`).join('; ')}.`, {
              code: 'DESTROY_UNASSIGN_FAILED',
              hint: 'Fix the cause named above, then run `okta-aws-sso destroy` again: only what is left is removed.',
            });
          }
          break;
        }
        case 'delete-permission-set':
          await deletePermissionSet(clients.ssoAdmin(), obs.instanceArn, p.arn, ctx.signal);
          break;
        case 'delete-push-mapping':
          if (p.deactivate) {
            await o.setPushMappingStatus(p.appId, p.mappingId, 'INACTIVE').catch((e: unknown) => {
              if (oktaStatus(e) !== 404) throw e;
            });
          }
          await o.deletePushMapping(p.appId, p.mappingId, p.deleteTargetGroup);
          if (p.deleteTargetGroup) {
            // Okta deletes the pushed group through SCIM after it answered: wait until Identity Center no longer has it.
            const ids = clients.identityStore();
            const gone = await waitFor(async () => ((await getGroupId(ids, obs.identityStoreId, p.groupName)) === undefined ? true : undefined), {
              timeoutMs: ctx.services.sandbox ? 30_000 : 120_000,
              pollMs: ctx.services.sandbox ? 200 : 5_000,
              signal: ctx.signal,
              onWait: (s) => bar.update('DESTROY_REMOVING_WAIT', { change: c.summary, seconds: s }),
            });
            if (!gone) ctx.io.warn('DESTROY_GROUP_STILL_PUSHED', { name: p.groupName });
          }
          break;
        case 'delete-okta-group':
          await o.deleteGroup(p.groupId);
          break;
        case 'delete-okta-user':
          if (p.deactivate) await o.deactivateUser(p.userId);
          await o.deleteUser(p.userId);
          break;
        case 'delete-idc-user':
          await deleteIdentityStoreUser(clients.identityStore(), obs.identityStoreId, p.userId);
          break;
        case 'deactivate-connection':
          await o.deactivateConnection(p.appId);
          break;
        case 'console': {
          bar.succeed('DESTROY_REMOVED_BY_CONSOLE', { change: c.summary });
          await performConsole(ctx, consoleAction(p.id, obs.identityStoreId), obs.instanceId);
          await hooks.removed(removalKey(p), p.id);
          done.push(c.summary);
          continue;
        }
        case 'delete-okta-app':
          if (p.deactivate) await o.deactivateApp(p.appId);
          await o.deleteApp(p.appId);
          break;
        case 'delete-policy':
          await o.deletePolicy(p.policyId);
          break;
      }
    } catch (e) {
      bar.fail();
      throw e;
    }
    bar.succeed('DESTROY_REMOVED', { change: c.summary });
    await hooks.removed(removalKey(p));
    done.push(c.summary);
  }
  return done;
}

/**
 * A console action of destroy: done when `--console-done <id>` names it, performed by the sandbox in
 * a --sandbox run, asked for in a terminal; otherwise exit 3 with the command that continues.
 */
async function performConsole(ctx: DestroyContext, action: ConsoleAction, instanceId: string): Promise<void> {
  try {
    await ctx.io.consoleAction(action);
  } catch (e) {
    if (!(e instanceof WaitingForConsoleError)) throw e;
    throw new WaitingForConsoleError(
      action.id,
      e.message,
      `Do it as shown above, then run \`okta-aws-sso destroy --yes --confirm ${instanceId} --console-done ${action.id}\` (what was removed so far is recorded and not asked again).`,
    );
  }
}
