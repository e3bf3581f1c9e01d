/**
 * The Okta half of the verify step: the provisioning connection is ENABLED (or UNKNOWN: the API does
 * not serve the app, and provisioning is verified by its effect instead), every push mapping is
 * ACTIVE (an ERROR comes with its message and likely cause), and the test user's assignment to the
 * provisioning app is provisioned without a sync error.
 */
import { likelyPushErrorCause, oktaStatus, type OktaClient } from './client.js';

export async function verifyOktaSide(
  okta: OktaClient,
  p: { appId: string; provisioningAppId: string; mappingIds: string[]; userId?: string },
): Promise<{ problems: string[]; notes: string[] }> {
  const problems: string[] = [];
  const notes: string[] = [];

  const app = await okta.getApp(p.appId);
  if (!app) problems.push(`The Okta app ${p.appId} no longer exists.`);
  else if (app.status !== 'ACTIVE') problems.push(`The Okta app "${app.label}" is ${app.status}, not ACTIVE.`);

  try {
    const conn = await okta.getConnection(p.provisioningAppId);
    if (conn.status === 'ENABLED') notes.push(`Provisioning connection of app ${p.provisioningAppId} is ENABLED.`);
    else if (conn.status === 'UNKNOWN' || conn.authScheme === 'UNKNOWN') {
      // Okta's Connections API does not serve this app: provisioning is proven by its effect instead.
      notes.push(`Okta's API cannot read the provisioning connection of app ${p.provisioningAppId} (UNKNOWN); provisioning is verified by its effect (pushed group and test user in Identity Center).`);
    } else problems.push(`The provisioning connection of app ${p.provisioningAppId} is ${conn.status ?? 'not set'}, not ENABLED: check Provisioning > Integration in the Okta app (Test API Credentials).`);
  } catch (e) {
    problems.push(`Could not read the provisioning connection of app ${p.provisioningAppId}: ${e instanceof Error ? e.message : String(e)}`);
  }

  for (const id of p.mappingIds) {
    const m = await okta.getPushMapping(p.provisioningAppId, id);
    if (!m) problems.push(`The push mapping ${id} no longer exists.`);
    else if (m.status === 'ERROR') problems.push(`The push mapping ${id} is in ERROR: ${m.errorSummary ?? 'no message'} (likely cause: ${likelyPushErrorCause(m.errorSummary)}).`);
    else if (m.status !== 'ACTIVE') problems.push(`The push mapping ${id} is ${m.status}, not ACTIVE.`);
    else notes.push(`Push mapping ${id} is ACTIVE${m.lastPush ? ` (last push ${m.lastPush})` : ''}.`);
  }

  if (p.userId) {
    try {
      const au = await okta.getAppUser(p.provisioningAppId, p.userId);
      if (!au) problems.push(`The test user ${p.userId} is not assigned to the provisioning app ${p.provisioningAppId}: add it to the assignment group.`);
      else if (au.syncState === 'ERROR') {
        const summary = typeof au.errorSummary === 'string' ? au.errorSummary : 'no message';
        problems.push(`Okta could not provision the test user ${p.userId}: ${summary} (likely cause: ${likelyPushErrorCause(summary)}).`);
      } else if (au.status !== 'PROVISIONED' && au.syncState !== 'SYNCHRONIZED') {
        notes.push(`The test user's assignment is ${au.status ?? 'unknown'} (${au.syncState ?? 'no sync state'}): provisioning may still be running.`);
      } else notes.push(`The test user is provisioned to app ${p.provisioningAppId}.`);
    } catch (e) {
      if (oktaStatus(e) === undefined) throw e;
      problems.push(`Could not read the test user's assignment: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return { problems, notes };
}
