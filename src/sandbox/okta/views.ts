/** How the Okta emulator's records are served: the JSON objects of the Management API. */
import type { Json, Org } from './context.js';
import { Provisioner } from './provisioning.js';
import { apiServes } from './org.js';
import type { AppRec, AppUserRec, GroupRec, MappingRec, UserRec } from './state.js';
import { isObj } from './util.js';

/** Fills `defaults` under `value`: objects merge key by key, anything `value` sets (null too) wins. */
export function withDefaults(defaults: Json, value: Json): Json {
  const out: Json = { ...defaults };
  for (const [k, v] of Object.entries(value)) out[k] = isObj(v) && isObj(defaults[k]) ? withDefaults(defaults[k] as Json, v) : v;
  return out;
}

/**
 * The writable members a real org returns for an OIN SAML app even when the create body left them
 * out (spec example `Saml2.0ResponseEx`; Okta's recorded GET of an OIN SAML app in the developer docs):
 * accessibility, visibility (autoLaunch, appLinks), credentials.userNameTemplate, and under settings:
 * notifications.vpn, manualProvisioning, implicitAssignment and notes.
 */
export function oinAppDefaults(name: string, signOnMode: string): Json {
  const settings: Json = {
    app: {},
    notifications: { vpn: { network: { connection: 'DISABLED' }, message: null, helpUrl: null } },
    manualProvisioning: false,
    implicitAssignment: false,
    notes: { admin: null, enduser: null },
  };
  // Not served: the OIN sign-on overrides (settings.signOn.*Override) a real OIN app returns, because
  // the spec types settings.signOn as a custom SAML app's (ssoAcsUrl, audience... required), which an
  // OIN app does not have; the answer would fail the spec check (docs/sandbox-okta.md, not emulated).
  void signOnMode;
  return {
    accessibility: { selfService: false, errorRedirectUrl: null, loginRedirectUrl: null },
    visibility: { autoLaunch: false, autoSubmitToolbar: false, hide: { iOS: false, web: false }, appLinks: { [`${name}_link`]: true } },
    credentials: { userNameTemplate: { template: '${source.login}', type: 'BUILT_IN' } },
    settings,
  };
}

/**
 * GET /api/v1/apps/{id}: every member a real org returns for an OIN SAML app (docs/sandbox-okta.md,
 * "App object"): the writable ones (as last written, over the OIN defaults) and the read-only ones
 * (id, orn, status, created, lastUpdated, features, credentials.signing.kid, settings.emOptInStatus,
 * _links with help, metadata, appLinks, groups, logo, users, uploadLogo, (de)activate, self).
 */
export function appView(org: Org, a: AppRec): Json {
  const orgUrl = org.orgUrl;
  const w = withDefaults(oinAppDefaults(a.name, a.signOnMode), a.writable);
  const settings: Json = isObj(w.settings) ? { ...w.settings } : {};
  if (!isObj(settings.app)) settings.app = {};
  settings.emOptInStatus = 'NONE';
  const connected = Provisioner.connected(a);
  const caps = a.capabilities;
  const features: string[] = [];
  if (connected) {
    if (caps.create.lifecycleCreate.status === 'ENABLED') features.push('PUSH_NEW_USERS');
    if (caps.update.profile.status === 'ENABLED') features.push('PUSH_PROFILE_UPDATES');
    if (caps.update.lifecycleDeactivate.status === 'ENABLED') features.push('PUSH_USER_DEACTIVATION');
    features.push('GROUP_PUSH');
  }
  const credentials: Json = {
    ...(isObj(w.credentials) ? w.credentials : {}),
    signing: { kid: a.activeKid },
  };
  const base = `${orgUrl}/api/v1/apps/${a.id}`;
  const view: Json = {
    id: a.id,
    orn: `orn:okta:idp:00o1sandbox0000000000:apps:${a.name}:${a.id}`,
    name: a.name,
    label: a.label,
    status: a.status,
    lastUpdated: a.lastUpdated,
    created: a.created,
    accessibility: w.accessibility,
    visibility: w.visibility,
    features,
    signOnMode: a.signOnMode,
    credentials,
    settings,
    _links: {
      ...(a.signOnMode === 'SAML_2_0' ? { help: { href: `${orgUrl}/app/${a.name}/${a.id}/setup/help/SAML_2_0/external-doc`, type: 'text/html' } } : {}),
      ...(a.signOnMode === 'SAML_2_0' ? { metadata: { href: `${base}/sso/saml/metadata`, type: 'application/xml' } } : {}),
      uploadLogo: { href: `${base}/logo`, hints: { allow: ['POST'] } },
      appLinks: [{ name: `${a.name}_link`, href: `${orgUrl}/home/${a.name}/${a.id}/alnk${a.externalKey.slice(3)}`, type: 'text/html' }],
      groups: { href: `${base}/groups` },
      logo: [{ name: 'medium', href: `${orgUrl}/assets/img/logos/${a.name}.png`, type: 'image/png' }],
      users: { href: `${base}/users` },
      ...(a.status === 'ACTIVE' ? { deactivate: { href: `${base}/lifecycle/deactivate` } } : { activate: { href: `${base}/lifecycle/activate` } }),
      self: { href: base },
    },
  };
  if (isObj(w.profile)) view.profile = w.profile;
  return view;
}

export function userView(org: Org, u: UserRec): Json {
  return {
    id: u.id,
    status: u.status,
    created: u.created,
    activated: u.activated,
    statusChanged: u.statusChanged,
    lastLogin: null,
    lastUpdated: u.lastUpdated,
    passwordChanged: u.passwordChanged,
    type: { id: 'otysandboxdefault0001' },
    profile: u.profile,
    credentials: { ...(u.hasPassword ? { password: {} } : {}), provider: { type: 'OKTA', name: 'OKTA' } },
    _links: { self: { href: `${org.orgUrl}/api/v1/users/${u.id}` } },
  };
}

export function groupView(org: Org, g: GroupRec): Json {
  return {
    id: g.id,
    created: g.created,
    lastUpdated: g.lastUpdated,
    lastMembershipUpdated: g.lastMembershipUpdated,
    objectClass: ['okta:user_group'],
    type: 'OKTA_GROUP',
    profile: g.profile,
    _links: {
      logo: [],
      users: { href: `${org.orgUrl}/api/v1/groups/${g.id}/users` },
      apps: { href: `${org.orgUrl}/api/v1/groups/${g.id}/apps` },
    },
  };
}

export function appUserView(org: Org, a: AppRec, r: AppUserRec): Json {
  const u = org.state.users[r.id];
  const connected = Provisioner.connected(a);
  let status: string = 'ACTIVE';
  let syncState: string = r.syncState;
  if (!connected && !r.scimId) {
    syncState = 'DISABLED';
  } else if (r.scimId) status = r.remoteActive === false ? 'INACTIVE' : 'PROVISIONED';
  else status = 'STAGED';
  const view: Json = {
    id: r.id,
    created: r.created,
    lastUpdated: r.lastUpdated,
    scope: r.direct ? 'USER' : 'GROUP',
    status,
    statusChanged: r.statusChanged,
    passwordChanged: null,
    syncState,
    credentials: { userName: String(u?.profile.login ?? r.id) },
    profile: r.profile,
    _links: { app: { href: `${org.orgUrl}/api/v1/apps/${a.id}` }, user: { href: `${org.orgUrl}/api/v1/users/${r.id}` } },
  };
  if (r.scimId) view.externalId = r.scimId;
  if (r.lastSync) view.lastSync = r.lastSync;
  if (r.errorSummary) view._embedded = { syncError: { errorSummary: r.errorSummary } };
  return view;
}

export function mappingView(org: Org, a: AppRec, m: MappingRec): Json {
  const orgUrl = org.orgUrl;
  const v: Json = {
    id: m.id,
    sourceGroupId: m.sourceGroupId,
    targetGroupId: m.targetGroupId,
    status: m.status,
    created: m.created,
    lastUpdated: m.lastUpdated,
    _links: {
      app: { href: `${orgUrl}/api/v1/apps/${a.id}` },
      sourceGroup: { href: `${orgUrl}/api/v1/groups/${m.sourceGroupId}` },
      targetGroup: { href: `${orgUrl}/api/v1/groups/${m.targetGroupId}` },
    },
  };
  if (m.errorSummary) v.errorSummary = m.errorSummary;
  if (m.lastPush) v.lastPush = m.lastPush;
  return v;
}

export function featureView(org: Org, a: AppRec): Json {
  return {
    name: 'USER_PROVISIONING',
    status: 'ENABLED',
    description: 'User provisioning settings from Okta to a downstream app',
    capabilities: a.capabilities,
    _links: { self: { href: `${org.orgUrl}/api/v1/apps/${a.id}/features/USER_PROVISIONING` } },
  };
}

export function connectionView(org: Org, a: AppRec): Json {
  const base = `${org.orgUrl}/api/v1/apps/${a.id}/connections/default`;
  const links = { self: { href: base }, activate: { href: `${base}/lifecycle/activate` }, deactivate: { href: `${base}/lifecycle/deactivate` } };
  const c = a.connection;
  if (!c) {
    if (apiServes(org, a)) return { authScheme: 'TOKEN', status: 'DISABLED', profile: { authScheme: 'TOKEN' }, _links: links };
    return { authScheme: 'UNKNOWN', status: 'UNKNOWN', profile: { authScheme: 'UNKNOWN' }, _links: links };
  }
  // Okta's Connections API does not serve this app (the documented default): it reads UNKNOWN even
  // when provisioning was configured in the console.
  if (!apiServes(org, a)) return { authScheme: 'UNKNOWN', status: 'UNKNOWN', profile: { authScheme: 'UNKNOWN' }, _links: links };
  return { authScheme: 'TOKEN', status: c.status, baseUrl: c.baseUrl, profile: { authScheme: 'TOKEN' }, _links: links };
}
