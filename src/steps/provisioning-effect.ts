/**
 * Provisioning verified by its effect. Okta's API cannot read the provisioning of amazon_aws_sso
 * (issue 8), so the waits of the later steps watch what provisioning does instead: the push mapping
 * (ACTIVE, or ERROR with Okta's message) and the test user's assignment (syncState ERROR). A wait
 * stops as soon as Okta reports an ERROR for what it waits on, after one re-push of a mapping that
 * may have failed on a transient SCIM error.
 */
import { likelyPushErrorCause, OktaAuthError, oktaStatus, type OktaClient, type PushMapping } from '../okta/client.js';
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

/** What to check when provisioning shows no effect, worded for the provisioning app. */
export function consoleMistakes(ctx: StepContext): string {
  const prov = ctx.outputs['okta-provisioning'];
  const where = prov ? `"${prov.appLabel}"` : 'the provisioning app';
  return `Likely console mistakes ${prov?.featuresSource === 'person' ? '(Okta\'s API cannot read these for this app, so they were taken as confirmed) ' : ''}${CONSOLE_MISTAKES.replace('in the Okta app', `in the Okta app ${where}`)}`;
}

/**
 * Watches the push mapping of a group while a wait runs: returns Okta's error once the mapping is
 * in ERROR after one re-push (undefined while there is nothing to report). Best effort: a mapping
 * or an Okta that cannot be read is no reason to stop waiting.
 */
export function mappingWatcher(ctx: StepContext, groupName: string): () => Promise<string | undefined> {
  const push = ctx.outputs['group-push'];
  const ref = push?.mappings.find((m) => m.groupName === groupName);
  let repushed = false;
  return async () => {
    if (!push || !ref) return undefined;
    let m: PushMapping | undefined;
    try {
      const okta = await ctx.services.okta();
      m = await okta.getPushMapping(push.appId, ref.mappingId);
      if (m?.status !== 'ERROR') return undefined;
      if (!repushed) {
        repushed = true;
        ctx.io.info('PUSH_REPUSH_ONCE', { name: groupName, error: m.errorSummary ?? 'no message' });
        await repushMapping(okta, push.appId, ref.mappingId);
        return undefined;
      }
    } catch (e) {
      if (e instanceof OktaAuthError) throw e;
      ctx.io.debug('PUSH_MAPPING_UNREADABLE', { name: groupName, reason: e instanceof Error ? e.message : String(e) });
      return undefined;
    }
    return `Okta reports the push of "${groupName}" in ERROR: ${m.errorSummary ?? 'no message'} (likely cause: ${likelyPushErrorCause(m.errorSummary)})`;
  };
}

/** Watches the test user's assignment to the provisioning app: Okta's sync error, if it reports one. */
export function appUserWatcher(ctx: StepContext, userId: string): () => Promise<string | undefined> {
  const prov = ctx.outputs['okta-provisioning'];
  return async () => {
    if (!prov) return undefined;
    try {
      const okta = await ctx.services.okta();
      const au = await okta.getAppUser(prov.appId, userId);
      if (au?.syncState !== 'ERROR') return undefined;
      const embedded = au._embedded as { syncError?: { errorSummary?: string } } | undefined;
      const summary = embedded?.syncError?.errorSummary ?? (typeof au.errorSummary === 'string' ? au.errorSummary : 'no message');
      return `Okta could not provision the test user: ${summary} (likely cause: ${likelyPushErrorCause(summary)})`;
    } catch (e) {
      if (e instanceof OktaAuthError) throw e;
      return undefined;
    }
  };
}
