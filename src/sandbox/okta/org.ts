/**
 * The Okta org's cross-resource rules, shared by the handler modules and the console actions:
 * look-ups that answer 404 the Okta way, app-user bookkeeping (who is assigned to which app, directly
 * or through groups), the provisioning connection, and group push mappings and rules.
 */
import type { Org } from './context.js';
import { apiValidation, notFound } from './errors.js';
import { Provisioner, scimCall } from './provisioning.js';
import { PROVISIONING_APPS, type AppRec, type GroupRec, type MappingRec, type UserRec } from './state.js';
import { rid } from './util.js';

export function app(org: Org, id: string): AppRec {
  const a = org.state.apps[id];
  if (!a) throw notFound('App', id);
  return a;
}

export function group(org: Org, id: string): GroupRec {
  const g = org.state.groups[id];
  if (!g) throw notFound('UserGroup', id);
  return g;
}

export function user(org: Org, idOrLogin: string): UserRec {
  const u = org.state.users[idOrLogin] ?? Object.values(org.state.users).find((x) => String(x.profile.login).toLowerCase() === idOrLogin.toLowerCase());
  if (!u) throw notFound('User', idOrLogin);
  return u;
}

/** Recomputes which users are assigned to each app (directly or via groups) and schedules provisioning. */
export function refreshAssignments(org: Org, only?: string): void {
  const state = org.state;
  const t = org.now();
  for (const a of Object.values(state.apps)) {
    if (only && a.id !== only) continue;
    const viaGroups = new Set<string>();
    for (const gid of Object.keys(a.groups)) for (const uid of state.groups[gid]?.members ?? []) viaGroups.add(uid);
    for (const uid of viaGroups) {
      if (!state.users[uid]) continue;
      const r = a.users[uid];
      if (!r) a.users[uid] = { id: uid, direct: false, profile: {}, created: t, lastUpdated: t, statusChanged: t, syncState: 'SYNCING' };
      else if (r.removed) delete r.removed;
    }
    for (const r of Object.values(a.users)) {
      if (!r.direct && !viaGroups.has(r.id)) {
        if (r.scimId && Provisioner.connected(a)) r.removed = true;
        else delete a.users[r.id];
      }
    }
    if (Provisioner.connected(a)) org.provisioner.schedule(a.id);
  }
}

/** How many times the simulated person clicks "Test API Credentials" after a server-side failure. */
const TEST_CLICKS = 3;

export async function testCredentials(a: AppRec, baseUrl: string, token: string): Promise<string | undefined> {
  let r = await scimCall(a, { baseUrl, token }, 'GET', '/ServiceProviderConfig');
  // A person who sees a server error (5xx, 429 or no answer) clicks the button again, a few times;
  // a 401 or 404 is the person's mistake and is reported at once.
  for (let click = 1; click < TEST_CLICKS && (r.status === 0 || r.status === 429 || r.status >= 500); click++) {
    await new Promise((resolve) => setTimeout(resolve, 200 * click));
    r = await scimCall(a, { baseUrl, token }, 'GET', '/ServiceProviderConfig');
  }
  if (r.status >= 200 && r.status < 300) return undefined;
  return `Error authenticating: ${r.reason}${r.status ? ` (HTTP ${r.status} from GET ${baseUrl}/ServiceProviderConfig)` : ''}. Check the base URL (no trailing slash) and the API token.`;
}

export function enableConnection(org: Org, a: AppRec, baseUrl: string, token: string): void {
  a.connection = { status: 'ENABLED', baseUrl, token };
  // Users that failed before get another chance with the new credentials.
  for (const r of Object.values(a.users)) if (r.syncState === 'ERROR' && !r.scimId) r.syncState = 'SYNCING';
  a.lastUpdated = org.now();
  refreshAssignments(org, a.id);
}

/** Provisioning must be on (Group Push needs it). Spec example ErrorAppFeatureAPIValidationFailed. */
export const requireProvisioning = (a: AppRec): void => {
  if (!Provisioner.connected(a)) throw apiValidation('feature', ['Provisioning is not enabled for the app instance.']);
};

/** Whether the provisioning Connections / Features APIs serve this app (options.provisioningApi 'supported'). */
export function apiServes(org: Org, a: AppRec): boolean {
  return PROVISIONING_APPS.includes(a.name) && org.options.provisioningApi === 'supported';
}

/**
 * The Application Features API: for apps it does not serve (the default for amazon_aws_sso and the
 * SCIM test apps) 400 E0000001, whatever the console set; else it needs provisioning on.
 */
export function requireFeaturesApi(org: Org, a: AppRec): void {
  if (!apiServes(org, a)) throw apiValidation('feature', ['Provisioning is not enabled for the app instance.']);
  requireProvisioning(a);
}

export function createMapping(org: Org, a: AppRec, sourceGroupId: string, target: { name?: string; id?: string }, status: 'ACTIVE' | 'INACTIVE', ruleId?: string): MappingRec {
  const t = org.now();
  let targetId: string;
  if (target.id !== undefined) {
    if (!a.targetGroups[target.id]) throw notFound('AppGroup', target.id);
    targetId = target.id;
  } else {
    const existing = Object.values(a.targetGroups).find((g) => g.name === target.name);
    targetId = existing?.id ?? rid('00g');
    if (!existing) a.targetGroups[targetId] = { id: targetId, name: String(target.name) };
  }
  const m: MappingRec = { id: rid('gPm'), sourceGroupId, targetGroupId: targetId, status, created: t, lastUpdated: t, pushedMembers: [] };
  if (ruleId) m.ruleId = ruleId;
  a.mappings[m.id] = m;
  if (status === 'ACTIVE') org.provisioner.schedule(a.id);
  return m;
}

export function applyPushRules(org: Org, g: GroupRec): void {
  for (const a of Object.values(org.state.apps)) {
    for (const rule of a.pushRules) {
      if (!g.profile.name.startsWith(rule.prefix)) continue;
      if (Object.values(a.mappings).some((m) => m.sourceGroupId === g.id)) continue;
      createMapping(org, a, g.id, { name: g.profile.name }, 'ACTIVE', rule.id);
    }
  }
}
