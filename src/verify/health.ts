/**
 * The health rows of `okta-aws-sso verify` beyond the step read-back (docs/verify.md):
 * IdP signing certificate expiry, SCIM token age, Okta profiles SCIM would refuse, SCIM drift of
 * the pushed groups.
 */
import type { Io, Services } from '../steps/contract.js';
import type { StepOutputs } from '../steps/outputs.js';
import type { OktaUser } from '../okta/client.js';
import { getGroupId, getUserId, isMember } from '../aws/identity-store.js';
import { rowOf, type HealthRow } from './rows.js';
import { scanGroupProfiles } from './profiles.js';

export const CERT_WARN_DAYS = 60;
export const SCIM_TOKEN_LIFETIME_DAYS = 365;
export const SCIM_TOKEN_WARN_DAYS = 30;
/** Members of pushed groups compared one by one with the identity store (two calls each). */
export const DRIFT_MAX_MEMBERS = 2000;

const DAY = 86_400_000;

export interface HealthEnv {
  io: Io;
  services: Services;
  outputs: Readonly<Partial<StepOutputs>>;
  now(): Date;
}

export function certRow(o: Readonly<Partial<StepOutputs>>, now: Date): HealthRow {
  const md = o['idp-metadata'];
  const check = 'IdP signing certificate expiry';
  if (!md) return rowOf('idp-cert-expiry', check, 'skipped', 'the idp-metadata step is not done');
  const days = Math.floor((Date.parse(md.certNotAfter) - now.getTime()) / DAY);
  const fix = 'In Okta: app > Sign On > SAML Signing Certificates > Generate new certificate, make it active; then upload the new IdP metadata to Identity Center (okta-aws-sso resume walks you through it).';
  if (days < 0) return rowOf('idp-cert-expiry', check, 'failed', `expired on ${md.certNotAfter.slice(0, 10)}: every sign-in fails`, fix);
  if (days < CERT_WARN_DAYS) return rowOf('idp-cert-expiry', check, 'warning', `${days} day(s) left (expires ${md.certNotAfter.slice(0, 10)})`, fix);
  return rowOf('idp-cert-expiry', check, 'passed', `${days} days left (expires ${md.certNotAfter.slice(0, 10)})`);
}

export function scimTokenRow(o: Readonly<Partial<StepOutputs>>, now: Date): HealthRow {
  const s = o['scim-endpoint'];
  const check = 'SCIM token age';
  if (!s) return rowOf('scim-token-age', check, 'skipped', 'the scim-endpoint step is not done');
  const entered = Date.parse(s.tokenEnteredAt);
  const age = Math.floor((now.getTime() - entered) / DAY);
  const left = SCIM_TOKEN_LIFETIME_DAYS - age;
  const expires = new Date(entered + SCIM_TOKEN_LIFETIME_DAYS * DAY).toISOString().slice(0, 10);
  const fix =
    'In Identity Center: Settings > Automatic provisioning > Generate token; paste it in Okta (app > Provisioning > Integration > API Token, Test API Credentials, Save); then delete the old token.';
  if (left <= 0) return rowOf('scim-token-age', check, 'failed', `entered ${age} days ago: expired about ${expires}, provisioning stops`, fix);
  if (left <= SCIM_TOKEN_WARN_DAYS) return rowOf('scim-token-age', check, 'warning', `entered ${age} days ago: expires in ${left} day(s) (about ${expires})`, fix);
  return rowOf('scim-token-age', check, 'passed', `entered ${age} day(s) ago; expires about ${expires}`);
}

async function profilesRow(env: HealthEnv): Promise<HealthRow> {
  const check = 'Okta profiles SCIM accepts';
  const g = env.outputs.groups;
  if (!g) return rowOf('okta-profiles', check, 'skipped', 'the groups step is not done');
  const okta = await env.services.okta();
  const p = env.io.progress('HEALTH_PROFILES_CHECKING');
  const scan = await scanGroupProfiles(okta, [g.assignmentGroup.id], (n) => p.update('HEALTH_PROFILES_CHECKED', { count: n }));
  p.stop();
  if (scan.refused === 0) return rowOf('okta-profiles', check, 'passed', `${scan.checked} assigned user(s), all with first, last and display name SCIM accepts`);
  return rowOf(
    'okta-profiles',
    check,
    'failed',
    `${scan.refused} of ${scan.checked} assigned user(s) would be refused, e.g. ${scan.examples.join('; ')}`,
    'Fill in or correct those profiles in Okta (Directory > People > user > Profile: first name, last name, display name; no < > ; : %); Okta then pushes them.',
  );
}

async function driftRow(env: HealthEnv): Promise<HealthRow> {
  const check = 'Pushed group members are in the identity store';
  const push = env.outputs['group-push'];
  const pf = env.outputs.preflight?.aws;
  if (!push || !pf) return rowOf('scim-drift', check, 'skipped', 'the group-push step is not done');
  const okta = await env.services.okta();
  const aws = await env.services.aws();
  aws.setHomeRegion(pf.region);
  const store = aws.identityStore();
  let compared = 0;
  let truncated = false;
  const missing: string[] = [];
  const notMember: string[] = [];
  const missingGroups: string[] = [];
  for (const m of push.mappings) {
    const gid = await getGroupId(store, pf.identityStoreId, m.groupName);
    if (!gid) {
      missingGroups.push(m.groupName);
      continue;
    }
    outer: for await (const page of okta.pages<OktaUser>(`/api/v1/groups/${encodeURIComponent(m.sourceGroupId)}/users`, { limit: 1000 })) {
      for (const u of page) {
        if (u.status !== 'ACTIVE' && u.status !== 'PASSWORD_EXPIRED' && u.status !== 'RECOVERY' && u.status !== 'LOCKED_OUT') continue;
        if (compared >= DRIFT_MAX_MEMBERS) {
          truncated = true;
          break outer;
        }
        compared++;
        const uid = await getUserId(store, pf.identityStoreId, u.profile.login);
        if (!uid) missing.push(u.profile.login);
        else if (!(await isMember(store, pf.identityStoreId, uid, gid))) notMember.push(`${u.profile.login} (${m.groupName})`);
      }
    }
  }
  const fix = 'In Okta: app > Push Groups: push the group again (or fix the errors it shows); check provisioning errors under Dashboard > Tasks.';
  const limit = truncated ? ` (the first ${DRIFT_MAX_MEMBERS} members compared)` : '';
  if (missingGroups.length > 0) return rowOf('scim-drift', check, 'failed', `pushed group(s) missing in the identity store: ${missingGroups.join(', ')}`, fix);
  if (missing.length + notMember.length > 0) {
    const parts = [missing.length ? `${missing.length} not provisioned (e.g. ${missing.slice(0, 3).join(', ')})` : '', notMember.length ? `${notMember.length} not a member (e.g. ${notMember.slice(0, 3).join(', ')})` : ''].filter(Boolean);
    return rowOf('scim-drift', check, 'failed', `${parts.join('; ')} of ${compared} member(s)${limit}`, fix);
  }
  return rowOf('scim-drift', check, truncated ? 'warning' : 'passed', `${compared} member(s) of ${push.mappings.length} pushed group(s) found in the identity store${limit}`, truncated ? 'Compare the remaining members in the Identity Center console (Groups).' : undefined);
}

/** Every health row; a row that cannot be computed says so instead of failing the others. */
export async function healthRows(env: HealthEnv): Promise<HealthRow[]> {
  const now = env.now();
  const rows: HealthRow[] = [certRow(env.outputs, now), scimTokenRow(env.outputs, now)];
  for (const [id, check, f] of [
    ['okta-profiles', 'Okta profiles SCIM accepts', profilesRow],
    ['scim-drift', 'Pushed group members are in the identity store', driftRow],
  ] as const) {
    try {
      rows.push(await f(env));
    } catch (e) {
      rows.push(rowOf(id, check, 'failed', `could not be checked: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`, 'Check the credentials and permissions named above, then run again.'));
    }
  }
  return rows;
}
