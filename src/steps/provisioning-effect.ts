/**
 * Provisioning verified by its effect. Okta's API cannot read the provisioning of amazon_aws_sso
 * (issue 8), so the waits of the later steps watch what provisioning does instead: the push mapping
 * (ACTIVE, or ERROR with Okta's message) and the test user's assignment (syncState ERROR). A SCIM
 * error may be transient: what Okta reports in ERROR is started again (a mapping re-pushed, the test
 * user re-assigned) up to PROVISIONING_RETRIES times, and the wait stops with Okta's message as soon
 * as the ERROR stays after that.
 */
import { likelyPushErrorCause, OktaAuthError, oktaStatus, type OktaAppUser, type OktaClient, type PushMapping } from '../okta/client.js';
import { PROVISIONING_RETRIES } from '../retry/policy.js';
import { isWizardError } from '../errors.js';
import type { TestUserOutput } from '../core/outputs.js';
import type { Change } from '../core/change.js';
import type { StepContext } from './contract.js';
import { CONSOLE_MISTAKES } from './06-okta-provisioning.js';

/**
 * Re-push a mapping in ERROR: PATCH status ACTIVE ("Okta performs an initial push to the target
 * group", spec UpdateGroupPushMappingRequest); where Okta refuses ERROR -> ACTIVE, INACTIVE first.
 */
export async function repushMapping(okta: OktaClient, appId: string, mappingId: string): Promise<PushMapping> {
  try {
    return await okta.setPushMappingStatus(appId, mappingId, 'ACTIVE');
  } catch (e) {
    if (oktaStatus(e) !== 400) throw e;
    await okta.setPushMappingStatus(appId, mappingId, 'INACTIVE');
    return okta.setPushMappingStatus(appId, mappingId, 'ACTIVE');
  }
}

/**
 * The repairs below are typed changes, proposed to the engine (ctx.repair) before their first write:
 * approved under this run's approval of the same resource and risk class, or asked, then recorded in
 * the step's attempt (src/engine/step-plan.ts, RunApprovals). Same resource and class as the plans that
 * make them: the mapping as the group-push step plans "Push the group again" (modifies-existing), the
 * test user as the test-user step plans adding an existing user to a group (modifies-existing).
 */
export function repushChange(mappingId: string, groupName: string, errorSummary: string | null | undefined): Change {
  return {
    op: 'update',
    resource: { kind: 'okta-push-mapping', id: mappingId, name: groupName },
    summary: `Push the group "${groupName}" again`,
    risk: 'modifies-existing',
    before: { status: 'ERROR' },
    after: { status: 'ACTIVE' },
    payload: { action: 'repush', mappingId, groupName, ...(errorSummary ? { errorSummary } : {}) },
    writes: [{ service: 'okta', operation: 'updateGroupPushMapping', count: 1 }],
  };
}

export function reassignChange(user: TestUserOutput, groupId: string): Change {
  return {
    op: 'update',
    resource: { kind: 'okta-user', id: user.userId, name: user.login },
    summary: `Re-assign the test user ${user.login}: leave the assignment group ${groupId} and join it again`,
    risk: 'modifies-existing',
    payload: { action: 'reassign', userId: user.userId, groupId },
    writes: [
      { service: 'okta', operation: 'unassignUserFromGroup', count: 1 },
      { service: 'okta', operation: 'assignUserToGroup', count: 1 },
    ],
  };
}

/** An error a wait must not swallow: a refused credential, or a repair not approved. */
function mustStop(e: unknown): boolean {
  return e instanceof OktaAuthError || (isWizardError(e) && (e.code === 'DECLINED' || e.code === 'APPROVAL_NEEDED' || e.code === 'REPAIR_OUTSIDE_APPLY'));
}

/** What to check when provisioning shows no effect, worded for the provisioning app. */
export function consoleMistakes(ctx: StepContext): string {
  const prov = ctx.outputs['okta-provisioning'];
  const where = prov ? `"${prov.appLabel}"` : 'the provisioning app';
  return `Likely console mistakes ${prov?.featuresSource === 'person' ? '(Okta\'s API cannot read these for this app, so they were taken as confirmed) ' : ''}${CONSOLE_MISTAKES.replace('in the Okta app', `in the Okta app ${where}`)}`;
}

/**
 * Watches the push mapping of a group while a wait runs: returns Okta's error once the mapping is
 * still in ERROR after PROVISIONING_RETRIES re-pushes (undefined while there is nothing to report).
 * Okta does not retry a failed push by itself (only a SCIM 429, after its Retry-After); re-activating
 * the mapping is the API's documented way to push again. Best effort: a mapping or an Okta that
 * cannot be read is no reason to stop waiting.
 */
export function mappingWatcher(ctx: StepContext, groupName: string): () => Promise<string | undefined> {
  const push = ctx.outputs['group-push'];
  const ref = push?.mappings.find((m) => m.groupName === groupName);
  let repushed = 0;
  return async () => {
    if (!push || !ref) return undefined;
    let m: PushMapping | undefined;
    try {
      const okta = await ctx.services.okta();
      m = await okta.getPushMapping(push.appId, ref.mappingId);
      if (m?.status !== 'ERROR') return undefined;
      if (repushed < PROVISIONING_RETRIES) {
        await ctx.repair(repushChange(ref.mappingId, groupName, m.errorSummary), `Okta reports the push in ERROR (${m.errorSummary ?? 'no message'}), attempt ${repushed + 1} of ${PROVISIONING_RETRIES}`);
        repushed++;
        ctx.io.info('PUSH_REPUSH', { name: groupName, error: m.errorSummary ?? 'no message', attempt: repushed, max: PROVISIONING_RETRIES });
        await repushMapping(okta, push.appId, ref.mappingId);
        return undefined;
      }
    } catch (e) {
      if (mustStop(e)) throw e;
      ctx.io.debug('PUSH_MAPPING_UNREADABLE', { name: groupName, reason: e instanceof Error ? e.message : String(e) });
      return undefined;
    }
    return `Okta reports the push of "${groupName}" in ERROR after ${repushed} new push(es): ${m.errorSummary ?? 'no message'} (likely cause: ${likelyPushErrorCause(m.errorSummary)})`;
  };
}

/**
 * Whether the test user's failed provisioning may be started again by re-assigning it: the wizard's
 * own user (created by a run, never someone's account), assigned to the provisioning app through the
 * assignment group only (scope GROUP: removing it from the group unassigns it), and never linked to an
 * Identity Center user (no externalId: the unassignment deactivates nothing there).
 */
export function canReassign(au: OktaAppUser, user: TestUserOutput, assignmentGroupId: string | undefined): assignmentGroupId is string {
  return user.created && assignmentGroupId !== undefined && user.groupIds.includes(assignmentGroupId) && au.scope === 'GROUP' && !au.externalId;
}

/**
 * Watches the test user's assignment to the provisioning app while a wait runs: Okta's sync error,
 * once it stays after PROVISIONING_RETRIES re-assignments. Okta leaves an app user whose creation
 * failed (a SCIM 5xx, a dropped connection) in ERROR and does not retry it: the Admin Console offers
 * Dashboard > Tasks > Retry, and no API does. What the API offers is an assignment: an app
 * assignment makes Okta provision the user, and an unassignment of a user never created downstream
 * removes nothing there. So the user leaves the assignment group and joins it again (docs/okta.md,
 * test-user; the sources in docs/sandbox-okta.md); only when canReassign allows it.
 */
export function appUserWatcher(ctx: StepContext, user: TestUserOutput): () => Promise<string | undefined> {
  const prov = ctx.outputs['okta-provisioning'];
  const groupId = ctx.outputs.groups?.assignmentGroup.id;
  let reassigned = 0;
  // The user left the group and is not yet back in it (the re-add failed): put it back first.
  let away = false;
  return async () => {
    if (!prov) return undefined;
    let summary: string;
    try {
      const okta = await ctx.services.okta();
      if (away && groupId) {
        await okta.addUserToGroup(groupId, user.userId);
        away = false;
        return undefined;
      }
      const au = await okta.getAppUser(prov.appId, user.userId);
      if (au?.syncState !== 'ERROR') return undefined;
      const embedded = au._embedded as { syncError?: { errorSummary?: string } } | undefined;
      summary = embedded?.syncError?.errorSummary ?? (typeof au.errorSummary === 'string' ? au.errorSummary : 'no message');
      if (reassigned < PROVISIONING_RETRIES && canReassign(au, user, groupId)) {
        await ctx.repair(reassignChange(user, groupId), `Okta reports the provisioning of the test user in ERROR (${summary}), attempt ${reassigned + 1} of ${PROVISIONING_RETRIES}`);
        reassigned++;
        ctx.io.info('TEST_USER_REASSIGN', { login: user.login, error: summary, attempt: reassigned, max: PROVISIONING_RETRIES });
        away = true;
        await okta.removeUserFromGroup(groupId, user.userId);
        await okta.addUserToGroup(groupId, user.userId);
        away = false;
        return undefined;
      }
    } catch (e) {
      if (mustStop(e)) throw e;
      ctx.io.debug('TEST_USER_ASSIGNMENT_UNREADABLE', { reason: e instanceof Error ? e.message : String(e) });
      return undefined;
    }
    const tried = reassigned > 0 ? ` (after ${reassigned} re-assignment(s))` : '';
    const again = reassigned > 0 ? 'run again (the wizard re-assigns the test user it created)' : 'run again';
    return `Okta could not provision the test user${tried}: ${summary} (likely cause: ${likelyPushErrorCause(summary)}); once the cause is fixed, ${again}, or retry the task in the Okta Admin Console (Dashboard > Tasks)`;
  };
}
