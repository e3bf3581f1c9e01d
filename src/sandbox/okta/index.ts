/**
 * The sandbox's Okta org: the Management API subset the wizard uses (validated against the
 * Okta OpenAPI spec both ways), the OAuth token endpoint for service apps, SAML metadata with real
 * certificates, and outbound SCIM provisioning / group push over real HTTP.
 */
import crypto from 'node:crypto';
import type { ConsoleActionResult, Emulator, HandledResponse, OktaEmulatorOptions, SandboxRequest } from '../types.js';
import { OktaHttpError, apiValidation, forbidden, invalidToken, malformed, notFound, tooManyRequests, internalError } from './errors.js';
import { newAccessToken, tokenEndpoint, type IssuedToken, type OktaOAuthClient } from './oauth.js';
import { Provisioner, scimCall } from './provisioning.js';
import { idpMetadataXml, newSigningKey, reissueWithExpiry, toJwk, warmUpKeys } from './saml.js';
import { SearchSyntaxError, compileExpression } from './search.js';
import { createSso, hashPassword } from './sso.js';
import { oktaSpec, type Operation } from './spec.js';
import {
  PROVISIONING_APPS,
  defaultCapabilities,
  emptyState,
  type AppRec,
  type AppUserRec,
  type CapabilitiesRec,
  type GroupRec,
  type MappingRec,
  type OktaState,
  type UserRec,
} from './state.js';

export type { OktaOAuthClient } from './oauth.js';

export interface OktaEmulator extends Emulator {
  setBaseUrl(url: string): void;
  setOptions(o: OktaEmulatorOptions): void;
  console: {
    /** Console "Provisioning > Configure API Integration" (tests the credentials for real). */
    configureProvisioning(p: { appId: string; baseUrl: string; token: string }): Promise<ConsoleActionResult>;
    /** Console "Push Groups > Find groups by rule". */
    createPushRule(p: { appId: string; name: string; prefix: string }): Promise<ConsoleActionResult>;
  };
  /** Resolves when no outbound SCIM provisioning job is pending. */
  idle(): Promise<void>;
  /** Admin-only hooks for tests (not reachable over HTTP). */
  debug: {
    /** Re-issues an app signing key's certificate so that it expires at `date` (past or near future). */
    setKeyExpiry(appId: string, kid: string, date: Date): Promise<void>;
  };
}

type Json = Record<string, unknown>;

interface Ctx {
  req: SandboxRequest;
  op: Operation;
  params: Record<string, string>;
  query: Record<string, unknown>;
  body: unknown;
}

interface Answer {
  status: number;
  json?: unknown;
  text?: string;
  headers?: Record<string, string>;
}

const KNOWN_OIN_APPS = ['amazon_aws_sso', 'scim2headerauth', 'scim2testapp', 'scim1testapp', 'bookmark', 'template_swa', 'template_basic_auth', 'okta_org2org'];

function rid(prefix: string, len = 17): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  const bytes = crypto.randomBytes(len);
  let out = prefix;
  for (const b of bytes) out += alphabet[b % alphabet.length];
  return out;
}

function isObj(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function deepMerge(target: Json, patch: Json): Json {
  const out: Json = { ...target };
  for (const [k, v] of Object.entries(patch)) out[k] = isObj(v) && isObj(out[k]) ? deepMerge(out[k] as Json, v) : v;
  return out;
}

function safeEqual(a: string, b: string): boolean {
  const ha = crypto.createHash('sha256').update(a).digest();
  const hb = crypto.createHash('sha256').update(b).digest();
  return crypto.timingSafeEqual(ha, hb);
}

/** Okta's default password policy. */
function passwordProblems(password: string, login: string, first: string, last: string): boolean {
  const parts = [login.split('@')[0] ?? '', first, last].filter((p) => p.length >= 3).map((p) => p.toLowerCase());
  return password.length < 8 || !/[a-z]/.test(password) || !/[A-Z]/.test(password) || !/[0-9]/.test(password) || parts.some((p) => password.toLowerCase().includes(p));
}

export function createOktaEmulator(cfg: { apiToken: string; oauthClients?: OktaOAuthClient[]; options?: OktaEmulatorOptions }): OktaEmulator {
  const spec = oktaSpec();
  warmUpKeys();
  let state: OktaState = emptyState();
  let orgUrl = 'http://127.0.0.1';
  let options: OktaEmulatorOptions = { ...(cfg.options ?? {}) };
  const tokens = new Map<string, IssuedToken>();
  const buckets = new Map<string, { windowStart: number; count: number }>();
  const now = (): string => new Date().toISOString();
  const provisioner = new Provisioner({ state: () => state, now });
  const sso = createSso({ state: () => state, orgUrl: () => orgUrl, policy: () => options.authnPolicy ?? 'password' });

  // ---------------------------------------------------------------- helpers

  const app = (id: string): AppRec => {
    const a = state.apps[id];
    if (!a) throw notFound('App', id);
    return a;
  };
  const group = (id: string): GroupRec => {
    const g = state.groups[id];
    if (!g) throw notFound('UserGroup', id);
    return g;
  };
  const user = (idOrLogin: string): UserRec => {
    const u = state.users[idOrLogin] ?? Object.values(state.users).find((x) => String(x.profile.login).toLowerCase() === idOrLogin.toLowerCase());
    if (!u) throw notFound('User', idOrLogin);
    return u;
  };

  const rateLimit = (): number => options.rateLimitPerMinute ?? 600;

  function rateHeaders(bucket: string, consume: boolean): { headers: Record<string, string>; exceeded: boolean } {
    const limit = rateLimit();
    const t = Date.now();
    let b = buckets.get(bucket);
    if (!b || t - b.windowStart >= 60_000) {
      b = { windowStart: t, count: 0 };
      buckets.set(bucket, b);
    }
    let exceeded = false;
    if (consume) {
      if (b.count >= limit) exceeded = true;
      else b.count++;
    }
    return {
      exceeded,
      headers: {
        'x-rate-limit-limit': String(limit),
        'x-rate-limit-remaining': String(Math.max(0, limit - b.count)),
        'x-rate-limit-reset': String(Math.ceil((b.windowStart + 60_000) / 1000)),
      },
    };
  }

  function bucketOf(method: string, template: string): string {
    const family = template.split('/').slice(0, 5).join('/');
    return `${method === 'GET' ? 'read' : 'write'} ${family}`;
  }

  function page<T>(ctx: Ctx, items: T[], idOf: (t: T) => string, defaultLimit: number): Answer {
    const limitRaw = ctx.query.limit;
    const limit = typeof limitRaw === 'number' && limitRaw > 0 ? limitRaw : defaultLimit;
    const after = typeof ctx.query.after === 'string' ? ctx.query.after : undefined;
    let start = 0;
    if (after !== undefined) {
      const idx = items.findIndex((i) => idOf(i) === after);
      start = idx >= 0 ? idx + 1 : items.length;
    }
    const slice = items.slice(start, start + limit);
    const selfQs = new URLSearchParams(ctx.req.query);
    const links = [`<${orgUrl}${ctx.req.path}${selfQs.size > 0 ? `?${selfQs.toString()}` : ''}>; rel="self"`];
    const last = slice[slice.length - 1];
    if (start + limit < items.length && last !== undefined) {
      const nextQs = new URLSearchParams(ctx.req.query);
      nextQs.set('after', idOf(last));
      nextQs.set('limit', String(limit));
      links.push(`<${orgUrl}${ctx.req.path}?${nextQs.toString()}>; rel="next"`);
    }
    return { status: 200, json: slice, headers: { link: links.join(', ') } };
  }

  function filterBy<T>(items: T[], view: (t: T) => unknown, expr: unknown, allowed?: string[]): T[] {
    if (typeof expr !== 'string' || expr.trim() === '') return items;
    let pred;
    try {
      pred = compileExpression(expr, allowed);
    } catch (e) {
      if (e instanceof SearchSyntaxError) throw new OktaHttpError(400, 'E0000031', 'Invalid search criteria.', [e.message]);
      throw e;
    }
    return items.filter((i) => pred(view(i)));
  }

  // ---------------------------------------------------------------- views

  function appView(a: AppRec): Json {
    const w = a.writable;
    const settings = isObj(w.settings) ? { ...w.settings } : {};
    if (!isObj(settings.app)) settings.app = {};
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
      userNameTemplate: { template: '${source.login}', type: 'BUILT_IN' },
      ...(isObj(w.credentials) ? w.credentials : {}),
      signing: { kid: a.activeKid },
    };
    const base = `${orgUrl}/api/v1/apps/${a.id}`;
    const view: Json = {
      id: a.id,
      name: a.name,
      label: a.label,
      status: a.status,
      lastUpdated: a.lastUpdated,
      created: a.created,
      accessibility: isObj(w.accessibility) ? w.accessibility : { selfService: false },
      visibility: isObj(w.visibility) ? w.visibility : { autoSubmitToolbar: false, hide: { iOS: false, web: false }, appLinks: { [`${a.name}_link`]: true } },
      features,
      signOnMode: a.signOnMode,
      credentials,
      settings,
      _links: {
        appLinks: [{ name: `${a.name}_link`, href: `${orgUrl}/home/${a.name}/${a.id}/alnk${a.externalKey.slice(3)}`, type: 'text/html' }],
        groups: { href: `${base}/groups` },
        logo: [],
        users: { href: `${base}/users` },
        deactivate: { href: `${base}/lifecycle/deactivate` },
        self: { href: base },
        ...(a.signOnMode === 'SAML_2_0' ? { metadata: { href: `${base}/sso/saml/metadata`, type: 'application/xml' } } : {}),
      },
    };
    if (isObj(w.profile)) view.profile = w.profile;
    return view;
  }

  function userView(u: UserRec): Json {
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
      _links: { self: { href: `${orgUrl}/api/v1/users/${u.id}` } },
    };
  }

  function groupView(g: GroupRec): Json {
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
        users: { href: `${orgUrl}/api/v1/groups/${g.id}/users` },
        apps: { href: `${orgUrl}/api/v1/groups/${g.id}/apps` },
      },
    };
  }

  function appUserView(a: AppRec, r: AppUserRec): Json {
    const u = state.users[r.id];
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
      _links: { app: { href: `${orgUrl}/api/v1/apps/${a.id}` }, user: { href: `${orgUrl}/api/v1/users/${r.id}` } },
    };
    if (r.scimId) view.externalId = r.scimId;
    if (r.lastSync) view.lastSync = r.lastSync;
    if (r.errorSummary) view._embedded = { syncError: { errorSummary: r.errorSummary } };
    return view;
  }

  function mappingView(a: AppRec, m: MappingRec): Json {
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

  function featureView(a: AppRec): Json {
    return {
      name: 'USER_PROVISIONING',
      status: 'ENABLED',
      description: 'User provisioning settings from Okta to a downstream app',
      capabilities: a.capabilities,
      _links: { self: { href: `${orgUrl}/api/v1/apps/${a.id}/features/USER_PROVISIONING` } },
    };
  }

  function connectionView(a: AppRec): Json {
    const base = `${orgUrl}/api/v1/apps/${a.id}/connections/default`;
    const links = { self: { href: base }, activate: { href: `${base}/lifecycle/activate` }, deactivate: { href: `${base}/lifecycle/deactivate` } };
    const c = a.connection;
    if (!c) {
      if (PROVISIONING_APPS.includes(a.name) && options.provisioningApi === 'supported') return { authScheme: 'TOKEN', status: 'DISABLED', profile: { authScheme: 'TOKEN' }, _links: links };
      return { authScheme: 'UNKNOWN', status: 'UNKNOWN', profile: { authScheme: 'UNKNOWN' }, _links: links };
    }
    return { authScheme: 'TOKEN', status: c.status, baseUrl: c.baseUrl, profile: { authScheme: 'TOKEN' }, _links: links };
  }

  // ---------------------------------------------------------------- app-user bookkeeping

  /** Recomputes which users are assigned to each app (directly or via groups) and schedules provisioning. */
  function refreshAssignments(only?: string): void {
    const t = now();
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
      if (Provisioner.connected(a)) provisioner.schedule(a.id);
    }
  }

  async function testCredentials(a: AppRec, baseUrl: string, token: string): Promise<string | undefined> {
    const r = await scimCall(a, { baseUrl, token }, 'GET', '/ServiceProviderConfig');
    if (r.status >= 200 && r.status < 300) return undefined;
    return `Error authenticating: ${r.reason}${r.status ? ` (HTTP ${r.status} from GET ${baseUrl}/ServiceProviderConfig)` : ''}. Check the base URL (no trailing slash) and the API token.`;
  }

  function enableConnection(a: AppRec, baseUrl: string, token: string): void {
    a.connection = { status: 'ENABLED', baseUrl, token };
    // Users that failed before get another chance with the new credentials.
    for (const r of Object.values(a.users)) if (r.syncState === 'ERROR' && !r.scimId) r.syncState = 'SYNCING';
    a.lastUpdated = now();
    refreshAssignments(a.id);
  }

  function createMapping(a: AppRec, sourceGroupId: string, target: { name?: string; id?: string }, status: 'ACTIVE' | 'INACTIVE', ruleId?: string): MappingRec {
    const t = now();
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
    if (status === 'ACTIVE') provisioner.schedule(a.id);
    return m;
  }

  function applyPushRules(g: GroupRec): void {
    for (const a of Object.values(state.apps)) {
      for (const rule of a.pushRules) {
        if (!g.profile.name.startsWith(rule.prefix)) continue;
        if (Object.values(a.mappings).some((m) => m.sourceGroupId === g.id)) continue;
        createMapping(a, g.id, { name: g.profile.name }, 'ACTIVE', rule.id);
      }
    }
  }

  // ---------------------------------------------------------------- operations

  /** POST (partial) / PUT (replace) of a user's profile; credentials other than a password are ignored. */
  function updateProfile(u: UserRec, body: Json, replace: boolean): Answer {
    const given = isObj(body.profile) ? body.profile : undefined;
    const profile = given ? (replace ? { ...given } : { ...u.profile, ...given }) : { ...u.profile };
    const causes: string[] = [];
    for (const k of ['login', 'email', 'firstName', 'lastName']) {
      if (typeof profile[k] !== 'string' || String(profile[k]).trim() === '') causes.push(`${k}: The field cannot be left blank`);
    }
    const login = String(profile.login ?? '');
    if (Object.values(state.users).some((x) => x.id !== u.id && String(x.profile.login).toLowerCase() === login.toLowerCase())) {
      causes.push('login: An object with this field already exists in the current organization');
    }
    const creds = isObj(body.credentials) ? body.credentials : {};
    const password = isObj(creds.password) && typeof creds.password.value === 'string' ? creds.password.value : undefined;
    if (password !== undefined && passwordProblems(password, login, String(profile.firstName ?? ''), String(profile.lastName ?? ''))) {
      causes.push('password: Password requirements were not met. Password requirements: at least 8 characters, a lowercase letter, an uppercase letter, a number, no parts of your username.');
    }
    if (causes.length > 0) throw apiValidation('profile', causes);
    const t = now();
    const changed = JSON.stringify(profile) !== JSON.stringify(u.profile);
    u.profile = profile;
    if (password !== undefined) {
      u.hasPassword = true;
      u.passwordHash = hashPassword(password);
      u.passwordChanged = t;
    }
    u.lastUpdated = t;
    if (changed) {
      for (const a of Object.values(state.apps)) {
        const r = a.users[u.id];
        if (r?.scimId) r.profileDirty = true;
      }
      refreshAssignments();
    }
    return { status: 200, json: userView(u) };
  }

  const requireProvisioning = (a: AppRec): void => {
    if (!Provisioner.connected(a)) throw apiValidation('provisioning', ['Provisioning is not enabled for the app instance.']);
  };

  const handlers: Record<string, (ctx: Ctx) => Promise<Answer> | Answer> = {
    // ---- apps
    listApplications: (ctx) => {
      let apps = Object.values(state.apps);
      if (typeof ctx.query.q === 'string') {
        const q = ctx.query.q.toLowerCase();
        apps = apps.filter((a) => a.name.toLowerCase().startsWith(q) || a.label.toLowerCase().startsWith(q));
      }
      apps = filterBy(apps, appView, ctx.query.filter, ['id', 'status', 'credentials.signing.kid', 'settings.slo.enabled', 'name']);
      return page(ctx, apps.map(appView), (v) => String(v.id), 20);
    },
    createApplication: async (ctx) => {
      const body = ctx.body as Json;
      const signOnMode = String(body.signOnMode ?? '');
      let name = typeof body.name === 'string' ? body.name : undefined;
      if (name !== undefined && !KNOWN_OIN_APPS.includes(name)) {
        throw apiValidation('name', [`name: The app "${name}" is not in the Okta Integration Network catalog of this sandbox (known: ${KNOWN_OIN_APPS.join(', ')})`]);
      }
      if (typeof body.label !== 'string' || body.label.trim() === '') throw apiValidation('label', ['label: The field cannot be left blank']);
      if (name === undefined) name = `${body.label.toLowerCase().replace(/[^a-z0-9]+/g, '')}_${Object.keys(state.apps).length + 1}`;
      if (name === 'amazon_aws_sso') {
        const appSettings = isObj(body.settings) && isObj(body.settings.app) ? body.settings.app : {};
        const causes: string[] = [];
        for (const k of ['acsURL', 'entityID']) {
          const v = appSettings[k];
          if (v !== undefined && (typeof v !== 'string' || !/^https?:\/\//.test(v))) causes.push(`settings.app.${k}: must be an http(s) URL`);
        }
        if (causes.length > 0) throw apiValidation('settings.app', causes);
      }
      const t = now();
      const id = rid('0oa');
      const key = await newSigningKey(10, `sandbox-${id}`);
      const writable: Json = {};
      for (const k of ['accessibility', 'visibility', 'settings', 'credentials', 'profile']) if (body[k] !== undefined) writable[k] = structuredClone(body[k]);
      if (isObj(writable.credentials)) delete writable.credentials.signing;
      const a: AppRec = {
        id,
        externalKey: rid('exk'),
        name,
        label: body.label,
        signOnMode,
        status: ctx.query.activate === false ? 'INACTIVE' : 'ACTIVE',
        created: t,
        lastUpdated: t,
        writable,
        keys: [key],
        activeKid: key.kid,
        connection: null,
        capabilities: defaultCapabilities(),
        groups: {},
        users: {},
        targetGroups: {},
        mappings: {},
        pushRules: [],
      };
      state.apps[id] = a;
      return { status: 200, json: appView(a) };
    },
    getApplication: (ctx) => ({ status: 200, json: appView(app(ctx.params.appId ?? '')) }),
    replaceApplication: (ctx) => {
      const a = app(ctx.params.appId ?? '');
      const body = ctx.body as Json;
      if (typeof body.name === 'string' && body.name !== a.name) throw apiValidation('name', ['name: The app name cannot be changed']);
      if (typeof body.label !== 'string' || body.label.trim() === '') throw apiValidation('label', ['label: The field cannot be left blank']);
      const kid = isObj(body.credentials) && isObj(body.credentials.signing) ? body.credentials.signing.kid : undefined;
      if (typeof kid === 'string') {
        if (!a.keys.some((k) => k.kid === kid)) throw apiValidation('credentials.signing.kid', [`credentials.signing.kid: No key with kid ${kid} exists for this app`]);
        a.activeKid = kid;
      }
      a.label = body.label;
      const writable: Json = {};
      for (const k of ['accessibility', 'visibility', 'settings', 'credentials', 'profile']) if (body[k] !== undefined) writable[k] = structuredClone(body[k]);
      if (isObj(writable.credentials)) delete writable.credentials.signing;
      a.writable = writable;
      a.lastUpdated = now();
      return { status: 200, json: appView(a) };
    },
    deleteApplication: (ctx) => {
      const a = app(ctx.params.appId ?? '');
      if (a.status === 'ACTIVE') throw apiValidation('status', ['Cannot delete an active application: deactivate it first']);
      delete state.apps[a.id];
      return { status: 204 };
    },
    activateApplication: (ctx) => {
      const a = app(ctx.params.appId ?? '');
      a.status = 'ACTIVE';
      a.lastUpdated = now();
      return { status: 200, json: {} };
    },
    deactivateApplication: (ctx) => {
      const a = app(ctx.params.appId ?? '');
      a.status = 'INACTIVE';
      a.lastUpdated = now();
      return { status: 200, json: {} };
    },

    // ---- SAML metadata and keys
    previewSAMLmetadataForApplication: (ctx) => {
      const a = app(ctx.params.appId ?? '');
      const kid = String(ctx.query.kid ?? '');
      const key = a.keys.find((k) => k.kid === kid);
      if (!key) throw notFound('AppKey', kid);
      if (a.signOnMode !== 'SAML_2_0') throw apiValidation('signOnMode', ['SAML metadata is only available for SAML 2.0 apps']);
      const accept = ctx.req.headers.accept ?? '';
      const type = /application\/xml/.test(accept) ? 'application/xml;charset=ISO-8859-1' : 'text/xml;charset=ISO-8859-1';
      return { status: 200, text: idpMetadataXml({ orgUrl, appName: a.name, externalKey: a.externalKey, key }), headers: { 'content-type': type } };
    },
    listApplicationKeys: (ctx) => ({ status: 200, json: app(ctx.params.appId ?? '').keys.map(toJwk) }),
    getApplicationKey: (ctx) => {
      const a = app(ctx.params.appId ?? '');
      const key = a.keys.find((k) => k.kid === ctx.params.keyId);
      if (!key) throw notFound('AppKey', ctx.params.keyId ?? '');
      return { status: 200, json: toJwk(key) };
    },
    generateApplicationKey: async (ctx) => {
      const a = app(ctx.params.appId ?? '');
      const years = Number(ctx.query.validityYears);
      if (!Number.isInteger(years) || years < 2 || years > 10) throw apiValidation('validityYears', ['validityYears: Validity years out of range. It should be 2 - 10 years']);
      const key = await newSigningKey(years, `sandbox-${a.id}`);
      a.keys.push(key);
      return { status: 201, json: toJwk(key) };
    },

    // ---- provisioning connection and features
    getDefaultProvisioningConnectionForApplication: (ctx) => ({ status: 200, json: connectionView(app(ctx.params.appId ?? '')) }),
    updateDefaultProvisioningConnectionForApplication: async (ctx) => {
      const a = app(ctx.params.appId ?? '');
      const body = ctx.body as Json;
      const supported = PROVISIONING_APPS.includes(a.name) && options.provisioningApi === 'supported';
      if (!supported) {
        return { status: 200, json: { authScheme: 'UNKNOWN', status: 'UNKNOWN', profile: { authScheme: 'UNKNOWN' }, _links: (connectionView(a)._links as Json) } };
      }
      const profile = isObj(body.profile) ? body.profile : {};
      const causes: string[] = [];
      if (profile.authScheme !== 'TOKEN') causes.push('profile.authScheme: must be TOKEN for this app');
      if (typeof profile.token !== 'string' || profile.token === '') causes.push('profile.token: The field cannot be left blank');
      if (typeof body.baseUrl !== 'string' || !/^https?:\/\//.test(body.baseUrl)) causes.push('baseUrl: must be the SCIM endpoint URL (http or https)');
      if (causes.length > 0) throw apiValidation('connection', causes);
      const baseUrl = String(body.baseUrl);
      const token = String(profile.token);
      const activate = ctx.query.activate !== false;
      if (activate) {
        const problem = await testCredentials(a, baseUrl, token);
        if (problem) throw apiValidation('connection', [problem]);
      }
      // The answer describes the saved connection before activation (as Okta answers DISABLED).
      a.connection = { status: 'DISABLED', baseUrl, token };
      const answer = connectionView(a);
      if (activate) enableConnection(a, baseUrl, token);
      return { status: 200, json: answer };
    },
    activateDefaultProvisioningConnectionForApplication: async (ctx) => {
      const a = app(ctx.params.appId ?? '');
      const c = a.connection;
      if (!c) throw apiValidation('connection', ['No provisioning connection is configured for this app']);
      const problem = await testCredentials(a, c.baseUrl, c.token);
      if (problem) throw apiValidation('connection', [problem]);
      enableConnection(a, c.baseUrl, c.token);
      return { status: 204 };
    },
    deactivateDefaultProvisioningConnectionForApplication: (ctx) => {
      const a = app(ctx.params.appId ?? '');
      if (a.connection) a.connection.status = 'DISABLED';
      return { status: 204 };
    },
    listFeaturesForApplication: (ctx) => {
      const a = app(ctx.params.appId ?? '');
      requireProvisioning(a);
      return { status: 200, json: [featureView(a)] };
    },
    getFeatureForApplication: (ctx) => {
      const a = app(ctx.params.appId ?? '');
      requireProvisioning(a);
      if (ctx.params.name !== 'USER_PROVISIONING') throw notFound('AppFeature', ctx.params.name ?? '');
      return { status: 200, json: featureView(a) };
    },
    updateFeatureForApplication: (ctx) => {
      const a = app(ctx.params.appId ?? '');
      requireProvisioning(a);
      if (ctx.params.name !== 'USER_PROVISIONING') throw notFound('AppFeature', ctx.params.name ?? '');
      a.capabilities = deepMerge(a.capabilities as unknown as Json, ctx.body as Json) as unknown as CapabilitiesRec;
      if (a.capabilities.update.password.status === 'ENABLED') {
        a.capabilities.update.password.status = 'DISABLED';
        throw apiValidation('capabilities', ['update.password: Password sync is not supported by this app']);
      }
      a.lastUpdated = now();
      refreshAssignments(a.id);
      return { status: 200, json: featureView(a) };
    },

    // ---- group push
    listGroupPushMappings: (ctx) => {
      const a = app(ctx.params.appId ?? '');
      let ms = Object.values(a.mappings);
      if (typeof ctx.query.sourceGroupId === 'string') ms = ms.filter((m) => m.sourceGroupId === ctx.query.sourceGroupId);
      if (typeof ctx.query.status === 'string') ms = ms.filter((m) => m.status === ctx.query.status);
      if (typeof ctx.query.lastUpdated === 'string') ms = ms.filter((m) => m.lastUpdated >= String(ctx.query.lastUpdated));
      return page(ctx, ms.map((m) => mappingView(a, m)), (v) => String(v.id), 100);
    },
    createGroupPushMapping: (ctx) => {
      const a = app(ctx.params.appId ?? '');
      const body = ctx.body as Json;
      const hasName = typeof body.targetGroupName === 'string';
      const hasId = typeof body.targetGroupId === 'string';
      if (hasName === hasId) throw apiValidation('targetGroupName', ['targetGroupName: Exactly one of targetGroupName or targetGroupId must be provided']);
      if (hasName && String(body.targetGroupName).trim() === '') throw apiValidation('targetGroupName', ['targetGroupName: The field cannot be left blank']);
      requireProvisioning(a);
      const source = group(String(body.sourceGroupId));
      if (Object.values(a.mappings).some((m) => m.sourceGroupId === source.id)) {
        throw apiValidation('sourceGroupId', [`sourceGroupId: A group push mapping already exists for group ${source.id}`]);
      }
      if (a.groups[source.id]) throw apiValidation('sourceGroupId', ['sourceGroupId: The group is assigned to the app; Okta does not support using the same group for assignment and Group Push']);
      const m = createMapping(a, source.id, hasName ? { name: String(body.targetGroupName) } : { id: String(body.targetGroupId) }, body.status === 'INACTIVE' ? 'INACTIVE' : 'ACTIVE');
      return { status: 201, json: mappingView(a, m) };
    },
    getGroupPushMapping: (ctx) => {
      const a = app(ctx.params.appId ?? '');
      const m = a.mappings[ctx.params.mappingId ?? ''];
      if (!m) throw notFound('GroupPushMapping', ctx.params.mappingId ?? '');
      return { status: 200, json: mappingView(a, m) };
    },
    updateGroupPushMapping: (ctx) => {
      const a = app(ctx.params.appId ?? '');
      const m = a.mappings[ctx.params.mappingId ?? ''];
      if (!m) throw notFound('GroupPushMapping', ctx.params.mappingId ?? '');
      const status = (ctx.body as Json).status as 'ACTIVE' | 'INACTIVE';
      m.status = status;
      m.lastUpdated = now();
      if (status === 'ACTIVE') {
        delete m.errorSummary;
        provisioner.schedule(a.id);
      }
      return { status: 200, json: mappingView(a, m) };
    },
    deleteGroupPushMapping: (ctx) => {
      const a = app(ctx.params.appId ?? '');
      const m = a.mappings[ctx.params.mappingId ?? ''];
      if (!m) throw notFound('GroupPushMapping', ctx.params.mappingId ?? '');
      if (m.status === 'ACTIVE') throw apiValidation('status', ['status: Only an INACTIVE or ERROR group push mapping can be deleted; deactivate it first']);
      delete a.mappings[m.id];
      const target = a.targetGroups[m.targetGroupId];
      if (ctx.req.query.get('deleteTargetGroup') === 'true' && target) {
        if (target.scimId) provisioner.scheduleGroupDelete(a, target.scimId);
        delete a.targetGroups[target.id];
      }
      return { status: 204 };
    },

    // ---- app group assignments
    listApplicationGroupAssignments: (ctx) => {
      const a = app(ctx.params.appId ?? '');
      const list = Object.entries(a.groups).map(([gid, v]) => ({ id: gid, lastUpdated: v.lastUpdated, priority: v.priority, profile: v.profile, _links: { app: { href: `${orgUrl}/api/v1/apps/${a.id}` }, group: { href: `${orgUrl}/api/v1/groups/${gid}` } } }));
      const q = typeof ctx.query.q === 'string' ? ctx.query.q.toLowerCase() : undefined;
      const filtered = q ? list.filter((x) => (state.groups[x.id]?.profile.name ?? '').toLowerCase().startsWith(q)) : list;
      return page(ctx, filtered, (v) => v.id, 20);
    },
    getApplicationGroupAssignment: (ctx) => {
      const a = app(ctx.params.appId ?? '');
      const gid = ctx.params.groupId ?? '';
      const v = a.groups[gid];
      if (!v) throw notFound('ApplicationGroupAssignment', gid);
      return { status: 200, json: { id: gid, lastUpdated: v.lastUpdated, priority: v.priority, profile: v.profile, _links: { app: { href: `${orgUrl}/api/v1/apps/${a.id}` }, group: { href: `${orgUrl}/api/v1/groups/${gid}` } } } };
    },
    assignGroupToApplication: (ctx) => {
      const a = app(ctx.params.appId ?? '');
      const g = group(ctx.params.groupId ?? '');
      if (Object.values(a.mappings).some((m) => m.sourceGroupId === g.id)) {
        throw apiValidation('groupId', ['groupId: The group is pushed to this app; Okta does not support using the same group for assignment and Group Push']);
      }
      const body = isObj(ctx.body) ? ctx.body : {};
      const existing = a.groups[g.id];
      const v = {
        priority: typeof body.priority === 'number' ? body.priority : existing?.priority ?? Object.keys(a.groups).length,
        profile: isObj(body.profile) ? body.profile : existing?.profile ?? {},
        lastUpdated: now(),
      };
      a.groups[g.id] = v;
      refreshAssignments(a.id);
      return { status: 200, json: { id: g.id, lastUpdated: v.lastUpdated, priority: v.priority, profile: v.profile, _links: { app: { href: `${orgUrl}/api/v1/apps/${a.id}` }, group: { href: `${orgUrl}/api/v1/groups/${g.id}` } } } };
    },
    unassignApplicationFromGroup: (ctx) => {
      const a = app(ctx.params.appId ?? '');
      const gid = ctx.params.groupId ?? '';
      if (!a.groups[gid]) throw notFound('ApplicationGroupAssignment', gid);
      delete a.groups[gid];
      refreshAssignments(a.id);
      return { status: 204 };
    },

    // ---- app users
    listApplicationUsers: (ctx) => {
      const a = app(ctx.params.appId ?? '');
      let recs = Object.values(a.users).filter((r) => !r.removed);
      if (typeof ctx.query.q === 'string') {
        const q = ctx.query.q.toLowerCase();
        recs = recs.filter((r) => {
          const p = state.users[r.id]?.profile ?? {};
          return ['login', 'firstName', 'lastName', 'email'].some((k) => String(p[k] ?? '').toLowerCase().startsWith(q));
        });
      }
      return page(ctx, recs.map((r) => appUserView(a, r)), (v) => String(v.id), 50);
    },
    assignUserToApplication: (ctx) => {
      const a = app(ctx.params.appId ?? '');
      const body = ctx.body as Json;
      const u = user(String(body.id));
      const t = now();
      const r = a.users[u.id];
      if (r) {
        r.direct = true;
        delete r.removed;
        if (isObj(body.profile)) r.profile = body.profile;
        r.lastUpdated = t;
      } else {
        a.users[u.id] = { id: u.id, direct: true, profile: isObj(body.profile) ? body.profile : {}, created: t, lastUpdated: t, statusChanged: t, syncState: 'SYNCING' };
      }
      refreshAssignments(a.id);
      return { status: 200, json: appUserView(a, a.users[u.id] as AppUserRec) };
    },
    getApplicationUser: (ctx) => {
      const a = app(ctx.params.appId ?? '');
      const r = a.users[ctx.params.userId ?? ''];
      if (!r || r.removed) throw notFound('AppUser', ctx.params.userId ?? '');
      return { status: 200, json: appUserView(a, r) };
    },
    unassignUserFromApplication: (ctx) => {
      const a = app(ctx.params.appId ?? '');
      const r = a.users[ctx.params.userId ?? ''];
      if (!r || !r.direct) throw notFound('AppUser', ctx.params.userId ?? '');
      r.direct = false;
      refreshAssignments(a.id);
      return { status: 204 };
    },

    // ---- groups
    listGroups: (ctx) => {
      let groups = Object.values(state.groups);
      if (typeof ctx.query.q === 'string') {
        const q = ctx.query.q.toLowerCase();
        groups = groups.filter((g) => g.profile.name.toLowerCase().startsWith(q));
      }
      groups = filterBy(groups, groupView, ctx.query.search);
      groups = filterBy(groups, groupView, ctx.query.filter, ['id', 'type', 'lastUpdated', 'lastMembershipUpdated', 'profile.name']);
      return page(ctx, groups.map(groupView), (v) => String(v.id), 200);
    },
    createGroup: (ctx) => {
      const body = ctx.body as Json;
      const profile = isObj(body.profile) ? body.profile : {};
      const name = profile.name;
      if (typeof name !== 'string' || name.trim() === '') throw apiValidation('profile.name', ['name: The field cannot be left blank']);
      if (Object.values(state.groups).some((g) => g.profile.name.toLowerCase() === name.toLowerCase())) {
        throw apiValidation('profile.name', ['name: An object with this field already exists in the current organization']);
      }
      const t = now();
      const g: GroupRec = { id: rid('00g'), profile: { name, ...(typeof profile.description === 'string' ? { description: profile.description } : {}) }, created: t, lastUpdated: t, lastMembershipUpdated: t, members: [] };
      state.groups[g.id] = g;
      applyPushRules(g);
      return { status: 200, json: groupView(g) };
    },
    getGroup: (ctx) => ({ status: 200, json: groupView(group(ctx.params.groupId ?? '')) }),
    deleteGroup: (ctx) => {
      const g = group(ctx.params.groupId ?? '');
      delete state.groups[g.id];
      for (const a of Object.values(state.apps)) {
        delete a.groups[g.id];
        for (const m of Object.values(a.mappings)) if (m.sourceGroupId === g.id) delete a.mappings[m.id];
      }
      refreshAssignments();
      return { status: 204 };
    },
    listGroupUsers: (ctx) => {
      const g = group(ctx.params.groupId ?? '');
      const users = g.members.map((id) => state.users[id]).filter((u): u is UserRec => u !== undefined);
      return page(ctx, users.map(userView), (v) => String(v.id), 1000);
    },
    assignUserToGroup: (ctx) => {
      const g = group(ctx.params.groupId ?? '');
      const u = user(ctx.params.userId ?? '');
      if (!g.members.includes(u.id)) {
        g.members.push(u.id);
        g.lastMembershipUpdated = now();
        refreshAssignments();
      }
      return { status: 204 };
    },
    unassignUserFromGroup: (ctx) => {
      const g = group(ctx.params.groupId ?? '');
      const u = user(ctx.params.userId ?? '');
      g.members = g.members.filter((id) => id !== u.id);
      g.lastMembershipUpdated = now();
      refreshAssignments();
      return { status: 204 };
    },

    // ---- users
    listUsers: (ctx) => {
      let users = Object.values(state.users);
      if (typeof ctx.query.q === 'string') {
        const q = ctx.query.q.toLowerCase();
        users = users.filter((u) => ['login', 'firstName', 'lastName', 'email'].some((k) => String(u.profile[k] ?? '').toLowerCase().startsWith(q)));
      }
      users = filterBy(users, userView, ctx.query.search);
      users = filterBy(users, userView, ctx.query.filter, ['status', 'lastUpdated', 'id', 'profile.login', 'profile.email', 'profile.firstName', 'profile.lastName']);
      return page(ctx, users.map(userView), (v) => String(v.id), 200);
    },
    createUser: (ctx) => {
      const body = ctx.body as Json;
      const profile = { ...(body.profile as Json) };
      const causes: string[] = [];
      for (const k of ['login', 'email', 'firstName', 'lastName']) {
        if (typeof profile[k] !== 'string' || String(profile[k]).trim() === '') causes.push(`${k}: The field cannot be left blank`);
      }
      const login = String(profile.login ?? '');
      if (login && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(login)) causes.push('login: Username must be in the form of an email address');
      if (typeof profile.email === 'string' && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(profile.email)) causes.push('email: Does not match required pattern');
      if (login && Object.values(state.users).some((u) => String(u.profile.login).toLowerCase() === login.toLowerCase())) {
        causes.push('login: An object with this field already exists in the current organization');
      }
      const creds = isObj(body.credentials) ? body.credentials : {};
      const password = isObj(creds.password) && typeof creds.password.value === 'string' ? creds.password.value : undefined;
      if (password !== undefined && passwordProblems(password, login, String(profile.firstName ?? ''), String(profile.lastName ?? ''))) {
        causes.push('password: Password requirements were not met. Password requirements: at least 8 characters, a lowercase letter, an uppercase letter, a number, no parts of your username.');
      }
      const groupIds = Array.isArray(body.groupIds) ? (body.groupIds as string[]) : [];
      for (const gid of groupIds) if (!state.groups[gid]) causes.push(`groupIds: Group ${gid} does not exist`);
      if (causes.length > 0) throw apiValidation('login', causes);
      const t = now();
      const activate = ctx.query.activate !== false;
      if (ctx.query.nextLogin === 'changePassword' && !activate) throw apiValidation('nextLogin', ['nextLogin: changePassword requires activate=true']);
      // Without a password an activated user waits for the activation email (PROVISIONED).
      let status: UserRec['status'] = 'STAGED';
      if (activate) status = password === undefined ? 'PROVISIONED' : ctx.query.nextLogin === 'changePassword' ? 'PASSWORD_EXPIRED' : 'ACTIVE';
      const u: UserRec = {
        id: rid('00u'),
        status,
        profile,
        created: t,
        activated: activate ? t : null,
        statusChanged: activate ? t : null,
        lastUpdated: t,
        passwordChanged: password !== undefined ? t : null,
        hasPassword: password !== undefined,
        ...(password !== undefined ? { passwordHash: hashPassword(password) } : {}),
      };
      state.users[u.id] = u;
      for (const gid of groupIds) {
        const g = state.groups[gid];
        if (g && !g.members.includes(u.id)) {
          g.members.push(u.id);
          g.lastMembershipUpdated = t;
        }
      }
      refreshAssignments();
      return { status: 200, json: userView(u) };
    },
    getUser: (ctx) => ({ status: 200, json: userView(user(ctx.params.userId ?? '')) }),
    updateUser: (ctx) => updateProfile(user(ctx.params.userId ?? ''), ctx.body as Json, false),
    replaceUser: (ctx) => updateProfile(user(ctx.params.userId ?? ''), ctx.body as Json, true),
    deleteUser: (ctx) => {
      const u = user(ctx.params.userId ?? '');
      if (u.status !== 'DEPROVISIONED') {
        u.status = 'DEPROVISIONED';
        u.statusChanged = u.lastUpdated = now();
      } else {
        delete state.users[u.id];
        for (const g of Object.values(state.groups)) g.members = g.members.filter((id) => id !== u.id);
        for (const a of Object.values(state.apps)) {
          const r = a.users[u.id];
          if (r) {
            r.direct = false;
            r.removed = true;
          }
        }
      }
      refreshAssignments();
      return { status: 204 };
    },
    listUserGroups: (ctx) => {
      const u = user(ctx.params.userId ?? '');
      const groups = Object.values(state.groups).filter((g) => g.members.includes(u.id));
      return page(ctx, groups.map(groupView), (v) => String(v.id), 10000);
    },
    activateUser: (ctx) => {
      const u = user(ctx.params.userId ?? '');
      if (u.status === 'ACTIVE' || u.status === 'PASSWORD_EXPIRED') throw new OktaHttpError(403, 'E0000016', 'Activation failed because the user is already active');
      u.status = u.hasPassword ? 'ACTIVE' : 'PROVISIONED';
      u.activated = u.statusChanged = u.lastUpdated = now();
      refreshAssignments();
      const token = crypto.randomBytes(15).toString('base64url');
      const json = ctx.req.query.get('sendEmail') === 'false' ? { activationToken: token, activationUrl: `${orgUrl}/welcome/${token}` } : {};
      return { status: 200, json };
    },
    deactivateUser: (ctx) => {
      const u = user(ctx.params.userId ?? '');
      u.status = 'DEPROVISIONED';
      u.statusChanged = u.lastUpdated = now();
      refreshAssignments();
      return { status: 200, json: {} };
    },
  };

  // ---------------------------------------------------------------- request pipeline

  function authenticate(req: SandboxRequest, op: Operation): void {
    const h = req.headers.authorization ?? '';
    const m = /^(SSWS|Bearer|DPoP)\s+(.+)$/i.exec(h.trim());
    if (!m) throw invalidToken();
    const scheme = (m[1] ?? '').toUpperCase();
    const value = m[2] ?? '';
    if (scheme === 'SSWS') {
      if (!safeEqual(value, cfg.apiToken)) throw invalidToken();
      return;
    }
    const t = tokens.get(value);
    if (!t || t.expiresAt < Date.now()) throw invalidToken();
    const missing = op.scopes.filter((s) => !t.scopes.includes(s));
    if (missing.length > 0) {
      const e = forbidden(`The access token lacks the scope(s): ${missing.join(', ')}`);
      throw new OktaHttpError(e.status, e.errorCode, e.errorSummary, e.causes, { 'www-authenticate': `Bearer authorization_uri="${orgUrl}/oauth2/v1/authorize", realm="${orgUrl}", scope="${missing.join(' ')}", error="insufficient_scope", error_description="The access token provided does not contain the required scopes.", resource="${req.path}"` });
    }
  }

  function errorAnswer(e: OktaHttpError): Answer {
    return { status: e.status, json: e.body(), headers: e.headers };
  }

  function toHandled(a: Answer, operation: string, req: SandboxRequest, rate: Record<string, string>): HandledResponse {
    const headers: Record<string, string> = { ...rate, 'x-okta-request-id': rid('', 20), ...(a.headers ?? {}) };
    let body: string | undefined;
    if (a.text !== undefined) body = a.text;
    else if (a.json !== undefined) {
      body = JSON.stringify(a.json);
      headers['content-type'] = 'application/json';
    }
    // Getting an OAuth access token changes nothing in the org: not a mutating call (a dry run may do it).
    const mutating = req.method !== 'GET' && req.method !== 'HEAD' && operation !== 'POST /oauth2/v1/token';
    return { status: a.status, headers, body, service: 'okta', operation, mutating };
  }

  async function handle(req: SandboxRequest): Promise<HandledResponse> {
    const path = req.path.length > 1 ? req.path.replace(/\/+$/, '') : req.path;
    if (path === '/oauth2/v1/token') {
      const rate = rateHeaders('write /oauth2/v1/token', true);
      if (rate.exceeded) return toHandled(errorAnswer(tooManyRequests()), 'POST /oauth2/v1/token', req, rate.headers);
      if (req.method !== 'POST') return toHandled({ status: 405, json: { error: 'invalid_request', error_description: 'Use POST.' } }, `${req.method} ${path}`, req, rate.headers);
      const r = await tokenEndpoint({
        body: req.body,
        contentType: req.headers['content-type'] ?? '',
        orgUrl,
        clients: cfg.oauthClients ?? [],
        issue: (t) => {
          const v = newAccessToken();
          tokens.set(v, t);
          return v;
        },
      });
      return toHandled({ status: r.status, json: r.body, headers: { 'cache-control': 'no-store', pragma: 'no-cache' } }, 'POST /oauth2/v1/token', req, rate.headers);
    }
    // Sign-in endpoints (primary authentication, session cookie, the app's SSO link): sso.ts.
    const signIn = sso.handle(req, path);
    if (signIn) return { ...toHandled(signIn, `${req.method} ${path.replace(/^\/(home|app)\/.*/, '/$1/{app}/sso')}`, req, {}), mutating: false };
    const matched = spec.match(req.method, path);
    const fallbackName = `${req.method} ${path}`;
    if (!matched) {
      const rate = rateHeaders(`read ${path.split('/').slice(0, 4).join('/')}`, true);
      return toHandled(errorAnswer(new OktaHttpError(404, 'E0000022', `The endpoint does not exist or is not served by the sandbox: ${req.method} ${path}`)), fallbackName, req, rate.headers);
    }
    if ('allowed' in matched) {
      const rate = rateHeaders(`read ${path.split('/').slice(0, 4).join('/')}`, true);
      return toHandled(errorAnswer(new OktaHttpError(405, 'E0000022', `The endpoint does not support the provided HTTP method (allowed: ${matched.allowed.join(', ')})`)), fallbackName, req, rate.headers);
    }
    const { op, params } = matched;
    const rate = rateHeaders(bucketOf(req.method, op.template), true);
    let answer: Answer;
    try {
      if (rate.exceeded) throw tooManyRequests();
      authenticate(req, op);
      let body: unknown;
      const hasBody = req.body.length > 0;
      if (hasBody) {
        try {
          body = JSON.parse(req.body.toString('utf8'));
        } catch {
          throw malformed();
        }
      }
      const v = spec.validateRequest(op, params, req.query, body, hasBody);
      if (v.issues.length > 0) {
        const first = v.issues[0];
        throw apiValidation(first ? first.where.replace(/^(body|query|path)\.?/, '') || first.where : 'request', v.issues.map((i) => `${i.where}: ${i.message}`));
      }
      const h = handlers[op.operationId];
      if (!h) throw new OktaHttpError(501, 'E0000060', `Unsupported operation in the sandbox: ${op.operationId}`);
      answer = await h({ req, op, params, query: v.query, body });
    } catch (e) {
      if (!(e instanceof OktaHttpError)) throw e;
      answer = errorAnswer(e);
    }
    const handled = toHandled(answer, op.operationId, req, rateHeaders(bucketOf(req.method, op.template), false).headers);
    if (answer.status === 429) Object.assign(handled.headers ?? {}, rate.headers);
    const problem = spec.validateResponse(op, handled.status, handled.headers?.['content-type'], typeof handled.body === 'string' ? handled.body : handled.body?.toString('utf8'));
    if (problem) {
      return {
        status: 500,
        headers: { 'content-type': 'text/plain' },
        body: `sandbox response failed spec validation: ${op.operationId} ${handled.status}: ${problem}`,
        service: 'okta',
        operation: op.operationId,
        mutating: handled.mutating,
      };
    }
    return handled;
  }

  // ---------------------------------------------------------------- emulator object

  const emulator: OktaEmulator = {
    handle,
    faultResponse(kind, req) {
      const matched = spec.match(req.method, req.path);
      const operation = matched && 'op' in matched ? matched.op.operationId : `${req.method} ${req.path}`;
      if (kind === 'throttle') {
        const reset = String(Math.ceil(Date.now() / 1000) + 60);
        return toHandled(errorAnswer(tooManyRequests()), operation, req, { 'x-rate-limit-limit': String(rateLimit()), 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': reset });
      }
      return toHandled(errorAnswer(internalError()), operation, req, rateHeaders(`read ${req.path.split('/').slice(0, 5).join('/')}`, false).headers);
    },
    snapshot: () => structuredClone(state),
    restore(snap) {
      const s = snap as Partial<OktaState> | null | undefined;
      state = { apps: structuredClone(s?.apps ?? {}), groups: structuredClone(s?.groups ?? {}), users: structuredClone(s?.users ?? {}) };
      sso.reset();
    },
    setBaseUrl(url) {
      orgUrl = url.replace(/\/+$/, '');
    },
    setOptions(o) {
      options = { ...options, ...o };
    },
    console: {
      async configureProvisioning(p) {
        const a = state.apps[p.appId];
        if (!a) throw new Error(`No app with id ${p.appId} exists in this Okta org.`);
        if (!PROVISIONING_APPS.includes(a.name)) throw new Error(`The app "${a.label}" (${a.name}) has no Provisioning tab: API integration is available for ${PROVISIONING_APPS.join(', ')}.`);
        const problem = await testCredentials(a, p.baseUrl, p.token);
        if (problem) throw new Error(`${a.label} was not verified: ${problem}`);
        enableConnection(a, p.baseUrl, p.token);
        return { message: `Provisioning API integration enabled for ${a.label} (credentials verified against ${p.baseUrl}).` };
      },
      async createPushRule(p) {
        const a = state.apps[p.appId];
        if (!a) throw new Error(`No app with id ${p.appId} exists in this Okta org.`);
        if (!Provisioner.connected(a)) throw new Error(`Push Groups is unavailable for ${a.label}: enable provisioning (Provisioning > Integration) first.`);
        if (p.prefix.trim() === '') throw new Error('A push rule needs a non-empty group name prefix.');
        let rule = a.pushRules.find((r) => r.prefix === p.prefix);
        if (!rule) {
          rule = { id: rid('gpr'), name: p.name, prefix: p.prefix, created: now() };
          a.pushRules.push(rule);
        }
        for (const g of Object.values(state.groups)) applyPushRules(g);
        const count = Object.values(a.mappings).filter((m) => m.ruleId === rule.id).length;
        return { answers: { pushRuleId: rule.id }, message: `Push rule "${rule.name}" pushes groups starting with "${rule.prefix}" (${count} group(s) now).` };
      },
    },
    idle: () => provisioner.idle(),
    debug: {
      async setKeyExpiry(appId, kid, date) {
        const a = state.apps[appId];
        const idx = a ? a.keys.findIndex((k) => k.kid === kid) : -1;
        const key = a?.keys[idx];
        if (!a || !key) throw new Error(`No key ${kid} on app ${appId}`);
        a.keys[idx] = await reissueWithExpiry(key, date, `sandbox-${a.id}`);
      },
    },
  };
  return emulator;
}

/** Test hook: make an app signing key expire at `date` (see OktaEmulator.debug). */
export function setKeyExpiry(emulator: OktaEmulator, appId: string, kid: string, date: Date): Promise<void> {
  return emulator.debug.setKeyExpiry(appId, kid, date);
}
