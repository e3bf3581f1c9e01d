/**
 * `rotate scim-token`: replace the Identity Center SCIM access token Okta provisions with, the way
 * AWS documents it ("Rotate an access token": an IAM Identity Center directory supports up to two
 * access tokens at a time): generate a second token in the console, give it to Okta, confirm that
 * provisioning works with it, then delete the old token in the console.
 *
 *   1. token-created      console: Manage provisioning > Generate token (at most two exist)
 *   2. token-probed       the new token (hidden prompt, SCIM_TOKEN or --scim-token-file) answers the SCIM endpoint
 *   3. okta-updated       Okta's provisioning connection gets it: the API where Okta serves it, else a console action
 *   4. push-proved        a change of the test user in Okta arrives in the identity store (through the new token)
 *   5. old-token-deleted  console: delete the old token
 *   6. push-after-delete  the same proof again: Okta does not depend on the deleted token
 *
 * The token lives in this run's memory only; the state records the phases and their dates.
 */
import { identityCenterSettings } from '../aws/console-links.js';
import { describeUser, getUserId } from '../aws/identity-store.js';
import { UsageError, WizardError } from '../errors.js';
import { OktaAuthError } from '../okta/client.js';
import { sleep } from '../retry/policy.js';
import { probeScim, validateScimToken } from '../scim/client.js';
import type { ConsoleAction } from './contract.js';
import type { PlannedWrite } from '../core/change.js';
import type { OktaProvisioningOutput, ScimEndpointOutput, TestUserOutput } from '../core/outputs.js';
import { configureThroughApi, isUnknown, provisioningAction, readConnection, scimBaseUrl, withScheme } from './06-okta-provisioning.js';
import { markDone, type RotationEnv, type RotationPlan, type RotationRecord } from './rotation.js';

export const SCIM_PHASES = ['token-created', 'token-probed', 'okta-updated', 'push-proved', 'old-token-deleted', 'push-after-delete'] as const;
export type ScimPhase = (typeof SCIM_PHASES)[number];

/** How long a change may take to arrive in the identity store through SCIM. */
const PUSH_WAIT_MS = 180_000;
const PUSH_POLL_MS = 1_000;

interface ScimSetup {
  scim: ScimEndpointOutput;
  prov: OktaProvisioningOutput;
  region: string;
}

function setup(env: Pick<RotationEnv, 'outputs'>): ScimSetup {
  const scim = env.outputs['scim-endpoint'];
  const prov = env.outputs['okta-provisioning'];
  const pf = env.outputs.preflight;
  if (!scim || !prov || !pf) {
    throw new UsageError('This setup has no SCIM provisioning yet (the scim-endpoint and okta-provisioning steps are not done).', {
      code: 'ROTATE_NOT_SET_UP',
      hint: 'Finish the setup first: `okta-aws-sso resume` (or `okta-aws-sso init`).',
    });
  }
  return { scim, prov, region: pf.aws.region };
}

export function createTokenAction(region: string, oldEnteredAt: string): ConsoleAction {
  const settings = identityCenterSettings(region);
  return {
    id: 'create-scim-token',
    title: 'Generate a second SCIM access token in IAM Identity Center',
    where: `${settings.where} > Automatic provisioning`,
    instructions: [
      `Open ${settings.url}.`,
      'On the "Identity source" tab choose Actions > "Manage provisioning".',
      `Under "Access tokens", note the token created on ${oldEnteredAt.slice(0, 10)} (the one Okta uses now): it is deleted at the end.`,
      'Choose "Generate token". Identity Center holds at most two tokens: if two are listed already, delete the expired or unused one first (never the one Okta uses now).',
      'Choose "Show token" and copy it now (it is shown only once), then give it to this command: hidden prompt, SCIM_TOKEN or --scim-token-file <file>. It is never saved.',
    ],
  };
}

/** "2026-12-02 05:50 UTC": two tokens made the same day still differ. */
const when = (iso: string): string => `${iso.slice(0, 16).replace('T', ' ')} UTC`;

export function deleteTokenAction(region: string, oldEnteredAt: string, newCreatedAt: string): ConsoleAction {
  const settings = identityCenterSettings(region);
  return {
    id: 'delete-scim-token',
    title: 'Delete the old SCIM access token in IAM Identity Center',
    where: `${settings.where} > Automatic provisioning`,
    instructions: [
      `Open ${settings.url}, tab "Identity source", Actions > "Manage provisioning".`,
      `Under "Access tokens", select the OLD token (created about ${when(oldEnteredAt)}, the older of the two); keep the new one (created about ${when(newCreatedAt)}).`,
      'Choose "Delete", type the confirmation asked for, and choose "Delete access token". The old token stops working at once.',
    ],
    values: [
      { label: 'Delete the token created about', value: when(oldEnteredAt) },
      { label: 'Keep the token created about', value: when(newCreatedAt) },
    ],
    // The sandbox deletes the oldest of its two tokens, as the person is told to.
    sandboxPayload: {},
  };
}

/** The plan: every phase, done or to do. Pure: reads only the record and the outputs. */
export function planScimRotation(env: Pick<RotationEnv, 'outputs'>, record: RotationRecord, continuing: boolean): RotationPlan {
  const s = setup(env);
  const via = record.facts?.['oktaVia'];
  const user = env.outputs['test-user'];
  // The push proofs change the test user's display name in Okta and put it back: two updateUser each.
  const proof: PlannedWrite[] = user ? [{ service: 'okta', operation: 'updateUser', count: 2 }] : [];
  const oktaKind = s.prov.via === 'console' || via === 'console' ? 'console' : 'api';
  const titles: Record<ScimPhase, { title: string; kind: 'api' | 'console' | 'check'; detail: string; writes: PlannedWrite[] }> = {
    'token-created': { title: 'Generate a second access token in Identity Center', kind: 'console', detail: 'Settings > Identity source > Manage provisioning > Generate token (at most two tokens exist)', writes: [] },
    'token-probed': { title: 'Probe the new token against the SCIM endpoint', kind: 'check', detail: `GET ${s.scim.endpoint}/ServiceProviderConfig`, writes: [] },
    'okta-updated': {
      title: `Give Okta the new token (app "${s.prov.appLabel}")`,
      kind: oktaKind,
      detail: 'through the Connections API where Okta serves this app, else a console action (Provisioning > Integration > API Token)',
      writes: oktaKind === 'api' ? [{ service: 'okta', operation: 'updateDefaultProvisioningConnectionForApplication', count: 1 }] : [],
    },
    'push-proved': { title: 'Prove a push still works', kind: 'check', detail: 'a change of the test user\'s display name in Okta arrives in the identity store, then is undone the same way', writes: proof },
    'old-token-deleted': { title: 'Delete the old token in Identity Center', kind: 'console', detail: `the token entered on ${s.scim.tokenEnteredAt.slice(0, 10)}`, writes: [] },
    'push-after-delete': { title: 'Prove the push again without the old token', kind: 'check', detail: 'the same change, after the deletion', writes: proof },
  };
  const warnings: string[] = [];
  if (!user) warnings.push('There is no test user (--skip-test-user): the push proofs are skipped; check provisioning in Okta (app > Push Groups, Last push) yourself.');
  return {
    rotation: 'scim-token',
    continuing,
    phases: SCIM_PHASES.map((id) => ({ id, ...titles[id], ...(record.phases[id] ? { doneAt: record.phases[id] } : {}) })),
    warnings,
  };
}

async function newToken(env: RotationEnv): Promise<string> {
  const t = await env.io.secret({ key: 'scim-token', message: 'The NEW SCIM access token (hidden)', validate: validateScimToken });
  if (!t) throw new UsageError('The new SCIM access token is needed.', { code: 'SCIM_TOKEN_MISSING', hint: 'Give it through SCIM_TOKEN or --scim-token-file <file>, or run in a terminal to paste it.' });
  return t.trim();
}

/** Waits until the identity store user of `login` has `displayName`; false on timeout. */
async function arrives(env: RotationEnv, login: string, displayName: string): Promise<boolean> {
  const pf = env.outputs.preflight!.aws;
  const aws = await env.services.aws();
  aws.setHomeRegion(pf.region);
  const store = aws.identityStore();
  const deadline = Date.now() + PUSH_WAIT_MS;
  for (;;) {
    const id = await getUserId(store, pf.identityStoreId, login);
    if (id && (await describeUser(store, pf.identityStoreId, id)).DisplayName === displayName) return true;
    if (Date.now() >= deadline) return false;
    await sleep(PUSH_POLL_MS, env.signal);
  }
}

/**
 * A user change that must travel through SCIM: the test user's display name is changed in Okta and
 * must arrive in the identity store, then it is put back and that must arrive too.
 */
async function provePush(env: RotationEnv, user: TestUserOutput, when: string): Promise<void> {
  const okta = await env.services.okta();
  const live = await okta.getUser(user.userId);
  if (!live) throw new WizardError(`The test user ${user.login} no longer exists in Okta.`, { code: 'ROTATE_PUSH_NOT_SEEN', hint: 'Run `okta-aws-sso resume` to re-create it, then run the rotation again.' });
  const original = typeof live.profile.displayName === 'string' && live.profile.displayName !== '' ? live.profile.displayName : user.displayName;
  const probe = `${original} (SCIM check)`;
  const p = env.io.progress('ROTATE_PUSH_PROVING', { when, login: user.login });
  const fail = (what: string): WizardError => {
    p.fail();
    return new WizardError(`The change of ${user.login} (${what}) did not arrive in the identity store within ${PUSH_WAIT_MS / 1000} s ${when}.`, {
      code: 'ROTATE_PUSH_NOT_SEEN',
      hint:
        'Okta is not provisioning with a working token: check the Okta app > Provisioning > Integration (API Token = the new token, Test API Credentials, Save) and its Dashboard > Tasks for errors. ' +
        'Do not delete the old token until this passes; then run the same rotate command again.',
    });
  };
  try {
    await okta.updateUserProfile(user.userId, { displayName: probe });
    if (!(await arrives(env, user.login, probe))) throw fail(`display name "${probe}"`);
    await okta.updateUserProfile(user.userId, { displayName: original });
    if (!(await arrives(env, user.login, original))) throw fail(`display name put back to "${original}"`);
  } catch (e) {
    if (e instanceof OktaAuthError || e instanceof WizardError) throw e;
    p.fail();
    throw e;
  }
  p.succeed('ROTATE_PUSH_PROVED', { when, login: user.login });
}

/** Runs the phases not done yet, in order. Returns what the rotation left as facts for the summary. */
export async function runScimRotation(env: RotationEnv): Promise<void> {
  const s = setup(env);
  const done = (p: ScimPhase): boolean => env.record.phases[p] !== undefined;
  let token: string | undefined;
  const oldEnteredAt = env.record.facts?.['oldTokenEnteredAt'] ?? s.scim.tokenEnteredAt;
  env.record.facts = { ...(env.record.facts ?? {}), oldTokenEnteredAt: oldEnteredAt };

  if (!done('token-created')) {
    await env.io.consoleAction(createTokenAction(s.region, oldEnteredAt));
    token = await newToken(env);
    await markDone(env, 'token-created');
  }
  if (!done('token-probed')) {
    token ??= await newToken(env);
    const p = env.io.progress('ROTATE_TOKEN_PROBING', { endpoint: s.scim.endpoint });
    try {
      await probeScim(s.scim.endpoint, token, { signal: env.signal });
    } catch (e) {
      p.fail();
      throw e;
    }
    p.succeed('ROTATE_TOKEN_ACCEPTED');
    await markDone(env, 'token-probed');
  }
  if (!done('okta-updated')) {
    const okta = await env.services.okta();
    const app = await okta.getApp(s.prov.appId);
    if (!app) throw new WizardError(`The provisioning app ${s.prov.appId} ("${s.prov.appLabel}") no longer exists in Okta.`, { code: 'OKTA_APP_GONE', hint: 'Run `okta-aws-sso resume` so the setup re-creates it, then rotate again.' });
    const baseUrl = scimBaseUrl(s.scim.endpoint);
    const conn = await readConnection(okta, app.id);
    let via: 'api' | 'console' = 'console';
    let refused = 'Okta reads the connection as UNKNOWN (its Connections API does not serve this app)';
    if (conn !== undefined && !isUnknown(conn)) {
      token ??= await newToken(env);
      const sent = withScheme(app, token);
      env.io.registerSecret(sent);
      const r = await configureThroughApi(okta, app.id, baseUrl, sent);
      if (r.refused === undefined) via = 'api';
      else refused = r.refused;
    }
    if (via === 'api') {
      env.io.info('ROTATE_TOKEN_SET_API', { app: app.label });
    } else {
      env.io.info('ROTATE_TOKEN_NEEDS_CONSOLE', { reason: refused ?? 'unknown' });
      await env.io.consoleAction(provisioningAction(app, baseUrl, token === undefined ? undefined : withScheme(app, token), true));
    }
    const enteredAt = env.record.phases['token-created'] ?? env.now().toISOString();
    env.setOutput('scim-endpoint', { ...s.scim, tokenEnteredAt: enteredAt, probedAt: env.record.phases['token-probed'] ?? env.now().toISOString() });
    env.setOutput('okta-provisioning', { ...s.prov, via, connectionStatus: conn?.status ?? s.prov.connectionStatus, scimTokenEnteredAt: enteredAt });
    await markDone(env, 'okta-updated', { oktaVia: via });
  }
  const user = env.outputs['test-user'];
  if (!done('push-proved')) {
    if (user) await provePush(env, user, 'with the new token');
    else env.io.warn('ROTATE_PUSH_NOT_PROVEN');
    await markDone(env, 'push-proved');
  }
  if (!done('old-token-deleted')) {
    await env.io.consoleAction(deleteTokenAction(s.region, oldEnteredAt, env.record.phases['token-created'] ?? env.now().toISOString()));
    await markDone(env, 'old-token-deleted');
  }
  if (!done('push-after-delete')) {
    if (user) await provePush(env, user, 'after the old token was deleted');
    await markDone(env, 'push-after-delete');
  }
  env.record.finishedAt = env.now().toISOString();
  await env.save();
}
