/**
 * The sandbox's Okta org: the Management API subset the wizard uses (validated against the
 * Okta OpenAPI spec both ways), the OAuth token endpoint for service apps, SAML metadata with real
 * certificates, and outbound SCIM provisioning / group push over real HTTP.
 *
 * This file is the request pipeline (route, rate limit, authenticate, validate, dispatch, validate
 * the answer) and the emulator object; the operations live in one module per resource family
 * (apps.ts, app-keys.ts, app-assignments.ts, provisioning-api.ts, push-mappings.ts, groups.ts,
 * users.ts), their shared rules in org.ts, the served JSON shapes in views.ts. See docs/sandbox.md.
 */
import { OKTA_TOKEN_OPERATION, isMutating } from '../mutating.js';
import type { ConsoleActionResult, Emulator, HandledResponse, OktaEmulatorOptions, SandboxRequest } from '../types.js';
import { appAssignmentHandlers } from './app-assignments.js';
import { appKeyHandlers, ensureKeys } from './app-keys.js';
import { appHandlers } from './apps.js';
import type { Answer, Handlers, Org } from './context.js';
import { OktaHttpError, apiValidation, forbidden, invalidToken, malformed, tooManyRequests, internalError } from './errors.js';
import { groupHandlers } from './groups.js';
import { newAccessToken, tokenEndpoint, type IssuedToken, type OktaOAuthClient } from './oauth.js';
import { applyPushRules, enableConnection, testCredentials } from './org.js';
import { Provisioner } from './provisioning.js';
import { provisioningApiHandlers } from './provisioning-api.js';
import { pushMappingHandlers } from './push-mappings.js';
import { policyHandlers } from './policies.js';
import { RateLimiter } from './ratelimit.js';
import { reissueWithExpiry, warmUpKeys } from './saml.js';
import { oktaSpec, type Operation } from './spec.js';
import { createSso } from './sso.js';
import { seedApps, seedDirectory, seedUsers, type AppsInput, type DirectoryInput, type SeedUsersInput } from './seed.js';
import { PROVISIONING_APPS, defaultCapabilities, emptyState, type OktaState } from './state.js';
import { userHandlers } from './users.js';
import { rid, safeEqual } from './util.js';

export type { OktaOAuthClient } from './oauth.js';

export interface OktaEmulator extends Emulator {
  setBaseUrl(url: string): void;
  setOptions(o: OktaEmulatorOptions): void;
  console: {
    /**
     * Console "Provisioning > Configure API Integration", then "To App > Edit": the credentials are
     * tested for real; Create Users, Update User Attributes and Deactivate Users are ticked as
     * options.consoleProvisioning says (all by default; a test hook for the person's mistakes).
     */
    configureProvisioning(p: { appId: string; baseUrl: string; token: string }): Promise<ConsoleActionResult>;
    /** Classic Engine console "Sign On > Sign On Policy > Add Rule": prompt for a factor on every sign-in to the app. */
    addAppSignOnRule(p: { appId: string }): Promise<ConsoleActionResult>;
    /** Console "Push Groups > Find groups by rule". */
    createPushRule(p: { appId: string; name: string; prefix: string }): Promise<ConsoleActionResult>;
  };
  /** Resolves when no outbound SCIM provisioning job is pending. */
  idle(): Promise<void>;
  /** Bulk seeding for scale tests (admin POST /__sandbox/seed/okta-users; seed.ts). */
  seedUsers(p: SeedUsersInput): { groupId: string; created: number; refusable: number };
  /** The org's people and department groups (the sandbox harness seeds DEFAULT_DIRECTORY in a fresh org). */
  seedDirectory(p: DirectoryInput): void;
  /** The org's apps (the sandbox harness seeds DEFAULT_APPS in a fresh org). */
  seedApps(p: AppsInput): void;
  /** Admin-only hooks for tests (not reachable over HTTP). */
  debug: {
    /** Re-issues an app signing key's certificate so that it expires at `date` (past or near future). */
    setKeyExpiry(appId: string, kid: string, date: Date): Promise<void>;
  };
}


export function createOktaEmulator(cfg: { apiToken: string; oauthClients?: OktaOAuthClient[]; options?: OktaEmulatorOptions }): OktaEmulator {
  const spec = oktaSpec();
  warmUpKeys();
  const now = (): string => new Date().toISOString();
  const org: Org = {
    state: emptyState(),
    orgUrl: 'http://127.0.0.1',
    options: { ...(cfg.options ?? {}) },
    now,
    provisioner: new Provisioner({ state: () => org.state, now }),
  };
  const sso = createSso({ state: () => org.state, orgUrl: () => org.orgUrl, policy: () => org.options.authnPolicy ?? 'password', tokensSpent: () => org.options.sessionTokensSpent === true });
  const tokens = new Map<string, IssuedToken>();
  const limiter = new RateLimiter(() => ({ perMinute: org.options.rateLimitPerMinute, windowSeconds: org.options.rateLimitWindowSeconds }));
  const rateHeaders = (method: string, path: string, consume: boolean) => limiter.headers(method, path, consume);

  const handlers: Handlers = {
    ...appHandlers(org),
    ...appKeyHandlers(org),
    ...provisioningApiHandlers(org),
    ...pushMappingHandlers(org),
    ...appAssignmentHandlers(org),
    ...groupHandlers(org),
    ...userHandlers(org),
    ...policyHandlers(org),
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
      // The token has its admin's rights: a role without the operation's permission gets 403 E0000006
      // (Okta names nothing more; the wizard works out what is missing from the call).
      const granted = org.options.apiTokenPermissions;
      if (granted && !op.scopes.every((s) => granted.includes(s) || granted.includes(s.replace(/\.read$/, '.manage')))) throw forbidden();
      return;
    }
    const t = tokens.get(value);
    if (!t || t.expiresAt < Date.now()) throw invalidToken();
    const missing = op.scopes.filter((s) => !t.scopes.includes(s));
    if (missing.length > 0) {
      const e = forbidden(`The access token lacks the scope(s): ${missing.join(', ')}`);
      throw new OktaHttpError(e.status, e.errorCode, e.errorSummary, e.causes, { 'www-authenticate': `Bearer authorization_uri="${org.orgUrl}/oauth2/v1/authorize", realm="${org.orgUrl}", scope="${missing.join(' ')}", error="insufficient_scope", error_description="The access token provided does not contain the required scopes.", resource="${req.path}"` });
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
    return { status: a.status, headers, body, service: 'okta', operation, mutating: isMutating('okta', req.method, operation) };
  }

  async function handle(req: SandboxRequest): Promise<HandledResponse> {
    const path = req.path.length > 1 ? req.path.replace(/\/+$/, '') : req.path;
    if (path === '/oauth2/v1/token') {
      const rate = rateHeaders('POST', '/oauth2/v1/token', true);
      if (rate.exceeded) return toHandled(errorAnswer(tooManyRequests()), OKTA_TOKEN_OPERATION, req, rate.headers);
      if (req.method !== 'POST') return toHandled({ status: 405, json: { error: 'invalid_request', error_description: 'Use POST.' } }, `${req.method} ${path}`, req, rate.headers);
      const r = await tokenEndpoint({
        body: req.body,
        contentType: req.headers['content-type'] ?? '',
        orgUrl: org.orgUrl,
        clients: cfg.oauthClients ?? [],
        issue: (t) => {
          const v = newAccessToken();
          tokens.set(v, t);
          return v;
        },
      });
      return toHandled({ status: r.status, json: r.body, headers: { 'cache-control': 'no-store', pragma: 'no-cache' } }, OKTA_TOKEN_OPERATION, req, rate.headers);
    }
    // Sign-in endpoints (primary authentication, session cookie, the app's SSO link): sso.ts.
    // A seeded app gets its signing key before a sign-in through it needs one (ensureKeys).
    const ssoApp = /^\/(?:home\/[^/]+\/([^/]+)\/[^/]+|app\/[^/]+\/([^/]+)\/sso\/saml)$/.exec(path);
    if (ssoApp) {
      const a = Object.values(org.state.apps).find((x) => x.id === ssoApp[1] || x.externalKey === ssoApp[2]);
      if (a) await ensureKeys(a);
    }
    const signIn = sso.handle(req, path);
    if (signIn) return { ...toHandled(signIn, `${req.method} ${path.replace(/^\/(home|app)\/.*/, '/$1/{app}/sso')}`, req, {}), mutating: false };
    const matched = spec.match(req.method, path);
    const fallbackName = `${req.method} ${path}`;
    if (!matched) {
      const rate = rateHeaders(req.method, path, true);
      return toHandled(errorAnswer(new OktaHttpError(404, 'E0000022', `The endpoint does not exist or is not served by the sandbox: ${req.method} ${path}`)), fallbackName, req, rate.headers);
    }
    if ('allowed' in matched) {
      const rate = rateHeaders(req.method, path, true);
      return toHandled(errorAnswer(new OktaHttpError(405, 'E0000022', `The endpoint does not support the provided HTTP method (allowed: ${matched.allowed.join(', ')})`)), fallbackName, req, rate.headers);
    }
    const { op, params } = matched;
    const rate = rateHeaders(req.method, op.template, true);
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
    const handled = toHandled(answer, op.operationId, req, rateHeaders(req.method, op.template, false).headers);
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
      const template = matched && 'op' in matched ? matched.op.template : req.path;
      const rate = rateHeaders(req.method, template, false);
      if (kind === 'throttle') {
        // The request's endpoint family has spent its window: Remaining 0, Reset at the end of the
        // family's current window (as a real org's bucket would read), never a fixed minute ahead.
        return toHandled(errorAnswer(tooManyRequests()), operation, req, { ...rate.headers, 'x-rate-limit-remaining': '0' });
      }
      return toHandled(errorAnswer(internalError()), operation, req, rate.headers);
    },
    snapshot: () => structuredClone(org.state),
    restore(snap) {
      const s = snap as Partial<OktaState> | null | undefined;
      org.state = { apps: structuredClone(s?.apps ?? {}), groups: structuredClone(s?.groups ?? {}), users: structuredClone(s?.users ?? {}) };
      sso.reset();
    },
    setBaseUrl(url) {
      org.orgUrl = url.replace(/\/+$/, '');
    },
    setOptions(o) {
      org.options = { ...org.options, ...o };
    },
    console: {
      async configureProvisioning(p) {
        const a = org.state.apps[p.appId];
        if (!a) throw new Error(`No app with id ${p.appId} exists in this Okta org.`);
        if (!PROVISIONING_APPS.includes(a.name)) throw new Error(`The app "${a.label}" (${a.name}) has no Provisioning tab: API integration is available for ${PROVISIONING_APPS.join(', ')}.`);
        const problem = await testCredentials(a, p.baseUrl, p.token);
        if (problem) throw new Error(`${a.label} was not verified: ${problem}`);
        // To App > Edit: what the person ticks (all three by default, as the console action says).
        const ticks = { createUsers: true, updateUsers: true, deactivateUsers: true, ...(org.options.consoleProvisioning ?? {}) };
        const caps = defaultCapabilities();
        if (ticks.createUsers) caps.create.lifecycleCreate.status = 'ENABLED';
        if (ticks.updateUsers) caps.update.profile.status = 'ENABLED';
        if (ticks.deactivateUsers) caps.update.lifecycleDeactivate.status = 'ENABLED';
        a.capabilities = caps;
        enableConnection(org, a, p.baseUrl, p.token);
        const off = Object.entries(ticks).filter(([, v]) => !v).map(([k]) => k);
        return { message: `Provisioning API integration enabled for ${a.label} (credentials verified against ${p.baseUrl})${off.length > 0 ? `; left off: ${off.join(', ')}` : ''}.` };
      },
      async addAppSignOnRule(p) {
        const a = org.state.apps[p.appId];
        if (!a) throw new Error(`No app with id ${p.appId} exists in this Okta org.`);
        a.signOnRuleMfa = true;
        a.lastUpdated = now();
        return { message: `Sign-on rule "okta-aws-sso: require MFA" added to ${a.label}: every sign-in prompts for a factor.` };
      },
      async createPushRule(p) {
        const a = org.state.apps[p.appId];
        if (!a) throw new Error(`No app with id ${p.appId} exists in this Okta org.`);
        if (!Provisioner.connected(a)) throw new Error(`Push Groups is unavailable for ${a.label}: enable provisioning (Provisioning > Integration) first.`);
        if (p.prefix.trim() === '') throw new Error('A push rule needs a non-empty group name prefix.');
        let rule = a.pushRules.find((r) => r.prefix === p.prefix);
        if (!rule) {
          rule = { id: rid('gpr'), name: p.name, prefix: p.prefix, created: now() };
          a.pushRules.push(rule);
        }
        for (const g of Object.values(org.state.groups)) applyPushRules(org, g);
        const count = Object.values(a.mappings).filter((m) => m.ruleId === rule.id).length;
        return { answers: { pushRuleId: rule.id }, message: `Push rule "${rule.name}" pushes groups starting with "${rule.prefix}" (${count} group(s) now).` };
      },
    },
    idle: () => org.provisioner.idle(),
    seedUsers: (p) => seedUsers(org.state, p, new Date().toISOString()),
    seedDirectory: (p) => seedDirectory(org.state, p, new Date().toISOString()),
    seedApps: (p) => seedApps(org.state, p, new Date().toISOString()),
    debug: {
      async setKeyExpiry(appId, kid, date) {
        const a = org.state.apps[appId] ? await ensureKeys(org.state.apps[appId]) : undefined;
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

