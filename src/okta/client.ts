/**
 * Thin Okta client over @okta/okta-sdk-nodejs: raw JSON/XML helpers over the SDK's `client.http`
 * (the typed SDK models drop `settings.app` of SAML apps, reference okta-api.md §0), our own retries
 * (429 after X-Rate-Limit-Reset, 5xx and dropped connections with jittered backoff: the SDK retries
 * only 429), Okta errors mapped to WizardError subclasses, and typed helpers the steps need.
 *
 * Nothing here ever puts a credential in a message: errors carry Okta's errorCode/errorSummary/causes,
 * the method and the path only.
 */
import { RETRY_POLICY, RetryBudget, sleep, type RetryPolicy } from '../retry/policy.js';
import type { PreflightOutput } from '../core/outputs.js';
import { AuthError, WizardError } from '../errors.js';

// ------------------------------------------------------------------------------------------------
// Okta objects (only the members the wizard reads; the raw object is kept whole for PUTs)
// ------------------------------------------------------------------------------------------------

export interface OktaApp {
  id: string;
  name: string;
  label: string;
  status: string;
  signOnMode?: string;
  settings?: { app?: Record<string, unknown>; [k: string]: unknown };
  credentials?: { signing?: { kid?: string; [k: string]: unknown }; [k: string]: unknown };
  visibility?: { hide?: { iOS?: boolean; web?: boolean }; [k: string]: unknown };
  features?: string[];
  [k: string]: unknown;
}

export interface OktaGroup {
  id: string;
  type?: string;
  profile: { name: string; description?: string | null };
}

export interface OktaUser {
  id: string;
  status: string;
  profile: { firstName?: string; lastName?: string; email?: string; login: string; displayName?: string | null; [k: string]: unknown };
}

export interface OktaAppUser {
  id: string;
  status?: string;
  syncState?: string;
  scope?: string;
  /** The user's id in the provisioned app (set once Okta created or linked it there). */
  externalId?: string | null;
  lastSync?: string;
  errorSummary?: string;
  _embedded?: unknown;
  [k: string]: unknown;
}

export interface PushMapping {
  id: string;
  sourceGroupId: string;
  targetGroupId?: string;
  status: string;
  errorSummary?: string | null;
  lastPush?: string | null;
}

export interface OktaPolicy {
  id: string;
  type: string;
  name: string;
  status?: string;
  system?: boolean;
  [k: string]: unknown;
}

export interface OktaPolicyRule {
  id: string;
  name: string;
  status?: string;
  actions?: { appSignOn?: { access?: string; verificationMethod?: { type?: string; factorMode?: string; constraints?: Record<string, unknown>[] } } };
  [k: string]: unknown;
}

/** An app signing key as Okta lists it (JsonWebKey). */
export interface AppKey {
  kid: string;
  created?: string;
  expiresAt?: string;
  x5c?: string[];
  'x5t#S256'?: string;
}

export interface ProvisioningConnection {
  authScheme?: string;
  status?: string;
  baseUrl?: string;
  profile?: { authScheme?: string; [k: string]: unknown };
}

export interface CapabilityStatus {
  status?: string;
}

export interface UserProvisioningCapabilities {
  create?: { lifecycleCreate?: CapabilityStatus };
  update?: {
    profile?: CapabilityStatus;
    lifecycleDeactivate?: CapabilityStatus;
    password?: { status?: string; seed?: string; change?: string };
  };
}

export interface AppFeature {
  name: string;
  status?: string;
  capabilities?: UserProvisioningCapabilities;
}

export type Query = Record<string, string | number | boolean | undefined>;

// ------------------------------------------------------------------------------------------------
// Errors
// ------------------------------------------------------------------------------------------------

export interface OktaErrorDetails {
  status: number;
  method: string;
  path: string;
  errorCode?: string;
  errorSummary?: string;
  causes: string[];
}

/** The scopes the wizard requests and the admin role it needs (for 403 hints and the docs). */
export const OKTA_SCOPES = [
  'okta.apps.manage',
  'okta.apps.read',
  'okta.groups.manage',
  'okta.groups.read',
  'okta.users.manage',
  'okta.users.read',
] as const;

/** The extra scopes of --require-mfa (the app's sign-in policy, Identity Engine). */
export const OKTA_POLICY_SCOPES: readonly string[] = ['okta.policies.manage', 'okta.policies.read'];

export const OKTA_PERMISSION_HINT =
  `Give the credentials these scopes (service app > Okta API Scopes > Grant): ${OKTA_SCOPES.join(', ')}; ` +
  'and an admin role that covers apps, groups and users (Super Administrator is the simplest; see docs/okta.md). ' +
  'An SSWS token has the rights of the admin who created it.';

/**
 * The Okta permission a call needs: the Management API scope of its resource family (the admin role of
 * an SSWS token, or the grants of a service app, must cover it). Writes need `.manage`, reads `.read`.
 */
export function oktaPermissionFor(method: string, path: string): string | undefined {
  const family = /^\/api\/v1\/(apps|groups|users|policies)\b/.exec(path)?.[1];
  if (!family) return undefined;
  return `okta.${family}.${method === 'GET' || method === 'HEAD' ? 'read' : 'manage'}`;
}

/** A 403 hint that names what is missing for this call, then the full list. */
export function oktaPermissionHint(method: string, path: string): string {
  const needed = oktaPermissionFor(method, path);
  if (!needed) return OKTA_PERMISSION_HINT;
  const [, family, level] = needed.split('.');
  return (
    `The credentials lack the permission ${needed} (${level === 'manage' ? 'create and edit' : 'read'} ${family}) that ${method} ${path} needs: ` +
    `give the admin role (for an SSWS token, the role of the admin who created it) or the service app's grants ${needed}. ${OKTA_PERMISSION_HINT}`
  );
}

function describeOkta(d: OktaErrorDetails): string {
  const head = `Okta answered ${d.status}${d.errorCode ? ` ${d.errorCode}` : ''} to ${d.method} ${d.path}`;
  const summary = d.errorSummary ? `: ${d.errorSummary}` : '';
  const causes = d.causes.length > 0 ? ` (${d.causes.join('; ')})` : '';
  return `${head}${summary}${causes}`;
}

/** A non-2xx Okta answer (after retries). `status`/`errorCode` let callers branch (404, E0000001...). */
export class OktaRequestError extends WizardError {
  readonly details: OktaErrorDetails;
  constructor(d: OktaErrorDetails, hint?: string) {
    super(describeOkta(d) + '.', { code: d.status === 429 ? 'OKTA_RATE_LIMITED' : d.status === 404 ? 'OKTA_NOT_FOUND' : 'OKTA_API_ERROR', hint });
    this.details = d;
  }
  get status(): number {
    return this.details.status;
  }
}

/** 401/403 from Okta: exit 4. */
export class OktaAuthError extends AuthError {
  readonly details: OktaErrorDetails;
  constructor(d: OktaErrorDetails, hint: string) {
    super(describeOkta(d) + '.', { code: d.status === 401 ? 'OKTA_UNAUTHORIZED' : 'OKTA_FORBIDDEN', hint });
    this.details = d;
  }
  get status(): number {
    return this.details.status;
  }
}

export function oktaStatus(e: unknown): number | undefined {
  if (e instanceof OktaRequestError || e instanceof OktaAuthError) return e.status;
  return undefined;
}

function hintFor(status: number, errorCode: string | undefined): string | undefined {
  if (status === 429) return 'Okta kept rate-limiting the requests; wait a minute and run again (nothing done so far is lost).';
  if (status >= 500) return 'Okta had a server problem; run again in a few minutes (the run resumes where it stopped).';
  if (errorCode === 'E0000001') return 'Okta refused the values; the causes above name the field. Fix the value and run again.';
  return undefined;
}

// ------------------------------------------------------------------------------------------------
// Transport: the subset of the SDK's Http the client uses (so tests and the SDK plug in the same way)
// ------------------------------------------------------------------------------------------------

export interface RawResponse {
  status: number;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
}

/** One HTTP exchange, already authenticated (SDK `client.http.http`) and already retried. */
export type Transport = (url: string, init: { method: string; headers: Record<string, string>; body?: string }) => Promise<RawResponse>;

export interface OktaClientInit {
  orgUrl: string;
  transport: Transport;
  describe: PreflightOutput['okta'];
  /** Overrides of the retry policy (tests). */
  retryPolicy?: Partial<RetryPolicy>;
  /** Told when a create is sent again after an unconfirmed attempt (for a debug line). */
  onCreateRetry?: (message: string) => void;
}

const CONNECTION_CODES = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'ECONNREFUSED', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);

/**
 * Okta could not be reached, or the connection dropped before the answer (after the executor's
 * retries for requests that are safe to repeat). `connectionCode` is the socket error (ECONNRESET...):
 * for a write, Okta may or may not have carried it out.
 */
export class OktaUnreachableError extends WizardError {
  readonly connectionCode: string;
  constructor(origin: string, connectionCode: string) {
    super(`Could not reach Okta at ${origin} (${connectionCode}).`, {
      code: 'OKTA_UNREACHABLE',
      hint: 'Check --okta-org-url, your network and any HTTPS proxy (HTTPS_PROXY), then run again.',
    });
    this.connectionCode = connectionCode;
  }
}

/**
 * POSTs that are safe to send again as they are: lifecycle operations (activating what is active is a
 * no-op) and setting the provisioning connection to the same values. Everything else POSTed creates.
 */
const REPEATABLE_POST = /\/lifecycle\/(activate|deactivate)$|\/connections\/default(\/lifecycle\/(activate|deactivate))?$/;

export function repeatablePost(path: string): boolean {
  return REPEATABLE_POST.test(new URL(path, 'http://x').pathname);
}

/** A write whose outcome is unknown: a 5xx answer, or a connection dropped before the answer. */
export function uncertainWrite(e: unknown): boolean {
  const status = oktaStatus(e);
  if (status !== undefined) return status >= 500;
  if (e instanceof OktaUnreachableError) return true;
  if (e instanceof WizardError) return false;
  const err = e as { code?: unknown; type?: unknown; message?: unknown; cause?: { code?: unknown } } | undefined;
  const code = typeof err?.code === 'string' ? err.code : typeof err?.cause?.code === 'string' ? err.cause.code : undefined;
  if (code && CONNECTION_CODES.has(code)) return true;
  return err?.type === 'system' || (typeof err?.message === 'string' && /socket hang up|network|ECONNRESET/i.test(err.message));
}

function describeFault(e: unknown): string {
  const status = oktaStatus(e);
  if (status !== undefined) return `answer ${status}`;
  const err = e as { code?: unknown; cause?: { code?: unknown } };
  return `connection dropped${typeof err.code === 'string' ? `: ${err.code}` : typeof err.cause?.code === 'string' ? `: ${err.cause.code}` : ''}`;
}

function parseLinkNext(link: string | null): string | undefined {
  if (!link) return undefined;
  for (const part of link.split(',')) {
    const m = /<([^>]+)>\s*;\s*rel="?next"?/i.exec(part.trim());
    if (m) return m[1];
  }
  return undefined;
}

function errorDetails(status: number, method: string, path: string, body: string): OktaErrorDetails {
  let errorCode: string | undefined;
  let errorSummary: string | undefined;
  const causes: string[] = [];
  try {
    const j = JSON.parse(body) as Record<string, unknown>;
    if (typeof j.errorCode === 'string') errorCode = j.errorCode;
    if (typeof j.errorSummary === 'string') errorSummary = j.errorSummary;
    if (typeof j.error === 'string') {
      errorCode ??= j.error;
      if (typeof j.error_description === 'string') errorSummary ??= j.error_description;
    }
    if (Array.isArray(j.errorCauses)) {
      for (const c of j.errorCauses) if (c && typeof (c as { errorSummary?: unknown }).errorSummary === 'string') causes.push((c as { errorSummary: string }).errorSummary);
    }
  } catch {
    const t = body.trim();
    if (t) errorSummary = t.length > 200 ? `${t.slice(0, 200)}...` : t;
  }
  return { status, method, path, errorCode, errorSummary, causes };
}

/** How long an app read stays good for a second look within one check (getAppAsJustRead). */
export const APP_REREAD_MS = 30_000;

export class OktaClient {
  readonly orgUrl: string;
  private readonly transport: Transport;
  private readonly info: PreflightOutput['okta'];
  private readonly retryPolicy: RetryPolicy;
  private readonly onCreateRetry: ((message: string) => void) | undefined;
  /** The apps read by getApp (and when), until this client sends any write: see getAppAsJustRead. */
  private readonly appsRead = new Map<string, { app: OktaApp; at: number }>();

  constructor(init: OktaClientInit) {
    this.orgUrl = init.orgUrl.replace(/\/+$/, '');
    this.transport = init.transport;
    this.info = init.describe;
    this.retryPolicy = { ...RETRY_POLICY, ...init.retryPolicy };
    this.onCreateRetry = init.onCreateRetry;
  }

  describe(): PreflightOutput['okta'] {
    return structuredClone(this.info);
  }

  get authMode(): 'ssws' | 'oauth' {
    return this.info.authMode;
  }

  // ---------------------------------------------------------------------------------- safe creates

  /**
   * A create that survives the first time: when the POST is answered 5xx or its connection drops,
   * Okta may or may not have made the object, so it is looked up (by name, label or login) and
   * adopted if it exists, else sent again after the policy's backoff, within one operation budget
   * (src/retry/policy.ts). Without `find` the write is one that is safe to repeat as it is.
   */
  async createOrAdopt<T>(what: string, create: () => Promise<T>, find?: () => Promise<T | undefined>): Promise<T> {
    const budget = new RetryBudget(this.retryPolicy);
    for (;;) {
      try {
        return await create();
      } catch (e) {
        if (!uncertainWrite(e)) throw e;
        const found = find ? await find() : undefined;
        if (found !== undefined) return found;
        const delay = budget.next();
        if (delay === undefined) throw e;
        this.onCreateRetry?.(`Okta did not confirm creating ${what} (${describeFault(e)}); it does not exist, so it is sent again in ${Math.round(delay / 100) / 10} s.`);
        await sleep(delay);
      }
    }
  }

  // ---------------------------------------------------------------------------------- raw helpers

  url(path: string, query?: Query): string {
    const u = new URL(path.startsWith('http') ? path : `${this.orgUrl}${path}`);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) u.searchParams.set(k, String(v));
    return u.toString();
  }

  private async exchange(method: string, url: string, accept: string, body?: unknown): Promise<{ res: RawResponse; text: string }> {
    const headers: Record<string, string> = { Accept: accept };
    let payload: string | undefined;
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    if (method !== 'GET') this.appsRead.clear();
    const res = await this.transport(url, { method, headers, body: payload });
    const text = await res.text();
    if (res.status < 200 || res.status >= 300) {
      const path = new URL(url).pathname;
      const d = errorDetails(res.status, method, path, text);
      if (res.status === 401) {
        throw new OktaAuthError(
          d,
          this.info.authMode === 'ssws'
            ? 'The API token is wrong, revoked or expired (tokens expire after 30 days unused), or belongs to another org. Create one in the Admin Console (Security > API > Tokens) and check --okta-org-url.'
            : 'The service app credentials were refused: check --okta-client-id, --okta-key-id and that the public key of --okta-private-key-file is registered on the app (General > Public keys), and --okta-org-url.',
        );
      }
      if (res.status === 403) throw new OktaAuthError(d, oktaPermissionHint(method, path));
      throw new OktaRequestError(d, hintFor(res.status, d.errorCode));
    }
    return { res, text };
  }

  private async json<T>(method: string, path: string, query?: Query, body?: unknown): Promise<T> {
    const { text } = await this.exchange(method, this.url(path, query), 'application/json', body);
    if (text.trim() === '') return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new WizardError(`Okta answered ${method} ${path} with something that is not JSON.`, {
        code: 'OKTA_BAD_RESPONSE',
        hint: 'Check that --okta-org-url is your Okta org (https://<org>.okta.com), not a proxy or a login page.',
      });
    }
  }

  getJson<T>(path: string, query?: Query): Promise<T> {
    return this.json<T>('GET', path, query);
  }
  /**
   * A POST. A lifecycle or connection POST (repeatablePost) answered 5xx or dropped is sent again on
   * the policy's backoff; a create is the caller's to make safe (createOrAdopt with a lookup).
   */
  postJson<T>(path: string, body: unknown, query?: Query): Promise<T> {
    if (repeatablePost(path)) return this.createOrAdopt(`POST ${path}`, () => this.json<T>('POST', path, query, body));
    return this.json<T>('POST', path, query, body);
  }
  putJson<T>(path: string, body: unknown, query?: Query): Promise<T> {
    return this.json<T>('PUT', path, query, body);
  }
  patchJson<T>(path: string, body: unknown, query?: Query): Promise<T> {
    return this.json<T>('PATCH', path, query, body);
  }
  async delete(path: string, query?: Query): Promise<void> {
    await this.exchange('DELETE', this.url(path, query), 'application/json');
  }

  /** Every page of a list, following Link rel="next". */
  async listAll<T>(path: string, query?: Query, maxPages = 100): Promise<T[]> {
    const out: T[] = [];
    let url: string | undefined = this.url(path, query);
    for (let page = 0; url && page < maxPages; page++) {
      const { res, text } = await this.exchange('GET', url, 'application/json');
      const items = text.trim() === '' ? [] : (JSON.parse(text) as T[]);
      if (!Array.isArray(items)) break;
      out.push(...items);
      const next = parseLinkNext(res.headers.get('link'));
      url = next && next !== url ? next : undefined;
    }
    return out;
  }

  /** Each page of a list in turn, following Link rel="next": memory stays bounded by one page. */
  async *pages<T>(path: string, query?: Query): AsyncGenerator<T[]> {
    let url: string | undefined = this.url(path, query);
    while (url) {
      const { res, text } = await this.exchange('GET', url, 'application/json');
      const items = text.trim() === '' ? [] : (JSON.parse(text) as T[]);
      if (!Array.isArray(items)) return;
      yield items;
      const next = parseLinkNext(res.headers.get('link'));
      url = next && next !== url ? next : undefined;
    }
  }

  /** XML with `Accept: application/xml` (the SDK's typed call cannot read that answer). */
  async getXml(path: string, query?: Query): Promise<string> {
    const { text } = await this.exchange('GET', this.url(path, query), 'application/xml');
    return text;
  }

  // ---------------------------------------------------------------------------------- apps

  async findAppsByName(name: string): Promise<OktaApp[]> {
    const apps = await this.listAll<OktaApp>('/api/v1/apps', { filter: `name eq "${name}"`, limit: 200 });
    return apps.filter((a) => a.name === name);
  }

  async getApp(appId: string): Promise<OktaApp | undefined> {
    const app = await this.getOrNone<OktaApp>(`/api/v1/apps/${encodeURIComponent(appId)}`);
    if (app) this.appsRead.set(appId, { app: structuredClone(app), at: Date.now() });
    else this.appsRead.delete(appId);
    return app;
  }

  /**
   * A second look at an app within one check: the app as this client read it less than
   * APP_REREAD_MS ago, if the client has sent no write since (any write clears these); else a live
   * read. For reads that only complete another live check (the sign-in proof takes the app's SSO
   * link right after verify read the app), never to check a write.
   */
  async getAppAsJustRead(appId: string): Promise<OktaApp | undefined> {
    const seen = this.appsRead.get(appId);
    if (seen && Date.now() - seen.at < APP_REREAD_MS) return structuredClone(seen.app);
    return this.getApp(appId);
  }

  /** POST lifecycle/activate: activating an active app is a no-op, so it is sent again after a fault. */
  async activateApp(appId: string): Promise<void> {
    await this.postJson(`/api/v1/apps/${encodeURIComponent(appId)}/lifecycle/activate`, undefined);
  }

  /**
   * A create whose answer was lost is looked up by name, label and the settings.app values it sent
   * (an ACS URL and entity ID): an app of the same label that serves something else (another AWS
   * organization's amazon_aws_sso app) is never taken for it.
   */
  createApp(body: Record<string, unknown>): Promise<OktaApp> {
    const label = String(body['label'] ?? '');
    const name = String(body['name'] ?? '');
    const sent = (body['settings'] as { app?: Record<string, unknown> } | undefined)?.app ?? {};
    const same = (a: OktaApp): boolean => a.label === label && Object.entries(sent).every(([k, v]) => (a.settings?.app as Record<string, unknown> | undefined)?.[k] === v);
    return this.createOrAdopt(`the app "${label}"`, () => this.postJson<OktaApp>('/api/v1/apps', body, { activate: true }), async () =>
      (await this.findAppsByName(name)).find(same),
    );
  }

  /** PUT of the whole object (GET-modify-PUT: never a partial body, which could blank settings). */
  replaceApp(app: OktaApp): Promise<OktaApp> {
    return this.putJson<OktaApp>(`/api/v1/apps/${encodeURIComponent(app.id)}`, app);
  }

  getSamlMetadata(appId: string, kid: string): Promise<string> {
    return this.getXml(`/api/v1/apps/${encodeURIComponent(appId)}/sso/saml/metadata`, { kid });
  }

  /** The app's signing keys (JWKs with x5c; public parts only). */
  listAppKeys(appId: string): Promise<AppKey[]> {
    return this.getJson<AppKey[]>(`/api/v1/apps/${encodeURIComponent(appId)}/credentials/keys`);
  }

  /**
   * A new signing key for the app (POST .../credentials/keys/generate?validityYears=N, 2-10). Not
   * retried on an unanswered POST: a second key would be made; the caller looks for the key first.
   */
  generateAppKey(appId: string, validityYears: number): Promise<AppKey> {
    return this.postJson<AppKey>(`/api/v1/apps/${encodeURIComponent(appId)}/credentials/keys/generate`, undefined, { validityYears });
  }

  listAppGroups(appId: string): Promise<{ id: string }[]> {
    return this.listAll<{ id: string }>(`/api/v1/apps/${encodeURIComponent(appId)}/groups`, { limit: 200 });
  }

  async assignGroupToApp(appId: string, groupId: string): Promise<void> {
    await this.putJson(`/api/v1/apps/${encodeURIComponent(appId)}/groups/${encodeURIComponent(groupId)}`, {});
  }

  async getAppUser(appId: string, userId: string): Promise<OktaAppUser | undefined> {
    return this.getOrNone<OktaAppUser>(`/api/v1/apps/${encodeURIComponent(appId)}/users/${encodeURIComponent(userId)}`);
  }

  // ---------------------------------------------------------------------------------- provisioning

  getConnection(appId: string): Promise<ProvisioningConnection> {
    return this.getJson<ProvisioningConnection>(`/api/v1/apps/${encodeURIComponent(appId)}/connections/default`);
  }

  /** POST a TOKEN connection and activate it. The token goes in the body only, never in a message. */
  setTokenConnection(appId: string, baseUrl: string, token: string): Promise<ProvisioningConnection> {
    // Setting the connection again to the same values is harmless: postJson sends it again (repeatablePost).
    return this.postJson<ProvisioningConnection>(`/api/v1/apps/${encodeURIComponent(appId)}/connections/default`, { baseUrl, profile: { authScheme: 'TOKEN', token } }, { activate: true });
  }

  async activateConnection(appId: string): Promise<void> {
    await this.postJson(`/api/v1/apps/${encodeURIComponent(appId)}/connections/default/lifecycle/activate`, undefined);
  }

  async getUserProvisioning(appId: string): Promise<AppFeature | undefined> {
    try {
      return await this.getJson<AppFeature>(`/api/v1/apps/${encodeURIComponent(appId)}/features/USER_PROVISIONING`);
    } catch (e) {
      const s = oktaStatus(e);
      if (s === 404 || s === 400) return undefined;
      throw e;
    }
  }

  updateUserProvisioning(appId: string, caps: UserProvisioningCapabilities): Promise<AppFeature> {
    return this.putJson<AppFeature>(`/api/v1/apps/${encodeURIComponent(appId)}/features/USER_PROVISIONING`, caps);
  }

  // ---------------------------------------------------------------------------------- groups

  /** Exact (case-sensitive) name match among OKTA_GROUP groups. */
  async findGroupByName(name: string): Promise<OktaGroup | undefined> {
    const found = await this.listAll<OktaGroup>('/api/v1/groups', { search: `profile.name eq "${name.replace(/"/g, '\\"')}"`, limit: 200 });
    return found.find((g) => g.profile.name === name);
  }

  async findGroupsByPrefix(prefix: string): Promise<OktaGroup[]> {
    const found = await this.listAll<OktaGroup>('/api/v1/groups', { search: `profile.name sw "${prefix.replace(/"/g, '\\"')}"`, limit: 200 });
    return found.filter((g) => g.profile.name.startsWith(prefix));
  }

  async getGroup(groupId: string): Promise<OktaGroup | undefined> {
    return this.getOrNone<OktaGroup>(`/api/v1/groups/${encodeURIComponent(groupId)}`);
  }

  createGroup(name: string, description: string): Promise<OktaGroup> {
    return this.createOrAdopt(`the group "${name}"`, () => this.postJson<OktaGroup>('/api/v1/groups', { profile: { name, description } }), () => this.findGroupByName(name));
  }

  async addUserToGroup(groupId: string, userId: string): Promise<void> {
    await this.putJson(`/api/v1/groups/${encodeURIComponent(groupId)}/users/${encodeURIComponent(userId)}`, undefined);
  }

  /** DELETE /api/v1/groups/{groupId}/users/{userId}: idempotent (Okta answers 204 for a non-member too); repeated by the executor. */
  async removeUserFromGroup(groupId: string, userId: string): Promise<void> {
    await this.delete(`/api/v1/groups/${encodeURIComponent(groupId)}/users/${encodeURIComponent(userId)}`);
  }

  listUserGroups(userId: string): Promise<OktaGroup[]> {
    return this.listAll<OktaGroup>(`/api/v1/users/${encodeURIComponent(userId)}/groups`);
  }

  // ---------------------------------------------------------------------------------- users

  /** Partial profile update (POST /api/v1/users/{id}): only the attributes given change. */
  updateUserProfile(userId: string, profile: Record<string, string>): Promise<OktaUser> {
    return this.postJson<OktaUser>(`/api/v1/users/${encodeURIComponent(userId)}`, { profile });
  }

  async getUser(idOrLogin: string): Promise<OktaUser | undefined> {
    return this.getOrNone<OktaUser>(`/api/v1/users/${encodeURIComponent(idOrLogin)}`);
  }

  createUser(p: { profile: OktaUser['profile']; password: string; groupIds: string[]; nextLoginChangePassword: boolean }): Promise<OktaUser> {
    return this.createOrAdopt(
      `the user "${p.profile.login}"`,
      () =>
        this.postJson<OktaUser>(
          '/api/v1/users',
          { profile: p.profile, credentials: { password: { value: p.password } }, groupIds: p.groupIds },
          { activate: true, nextLogin: p.nextLoginChangePassword ? 'changePassword' : undefined },
        ),
      () => this.getUser(p.profile.login),
    );
  }

  // ---------------------------------------------------------------------------------- group push

  listPushMappings(appId: string, sourceGroupId?: string): Promise<PushMapping[]> {
    return this.listAll<PushMapping>(`/api/v1/apps/${encodeURIComponent(appId)}/group-push/mappings`, { sourceGroupId, limit: 100 });
  }

  createPushMapping(appId: string, sourceGroupId: string, targetGroupName: string): Promise<PushMapping> {
    return this.createOrAdopt(
      `the push mapping for "${targetGroupName}"`,
      () => this.postJson<PushMapping>(`/api/v1/apps/${encodeURIComponent(appId)}/group-push/mappings`, { sourceGroupId, targetGroupName, status: 'ACTIVE' }),
      async () => (await this.listPushMappings(appId, sourceGroupId))[0],
    );
  }

  async getPushMapping(appId: string, mappingId: string): Promise<PushMapping | undefined> {
    return this.getOrNone<PushMapping>(`/api/v1/apps/${encodeURIComponent(appId)}/group-push/mappings/${encodeURIComponent(mappingId)}`);
  }

  activatePushMapping(appId: string, mappingId: string): Promise<PushMapping> {
    return this.setPushMappingStatus(appId, mappingId, 'ACTIVE');
  }

  // ---------------------------------------------------------------------------------- app sign-in policies (Identity Engine)

  listPolicies(type: string): Promise<OktaPolicy[]> {
    return this.getJson<OktaPolicy[]>('/api/v1/policies', { type });
  }

  async getPolicy(policyId: string): Promise<OktaPolicy | undefined> {
    return this.getOrNone<OktaPolicy>(`/api/v1/policies/${encodeURIComponent(policyId)}`);
  }

  createPolicy(body: { type: string; name: string; description?: string }): Promise<OktaPolicy> {
    return this.createOrAdopt(`the policy "${body.name}"`, () => this.postJson<OktaPolicy>('/api/v1/policies', body, { activate: true }), async () =>
      (await this.listPolicies(body.type)).find((p) => p.name === body.name),
    );
  }

  listPolicyRules(policyId: string): Promise<OktaPolicyRule[]> {
    return this.getJson<OktaPolicyRule[]>(`/api/v1/policies/${encodeURIComponent(policyId)}/rules`);
  }

  createPolicyRule(policyId: string, body: Record<string, unknown> & { name: string }): Promise<OktaPolicyRule> {
    return this.createOrAdopt(`the policy rule "${body.name}"`, () => this.postJson<OktaPolicyRule>(`/api/v1/policies/${encodeURIComponent(policyId)}/rules`, body, { activate: true }), async () =>
      (await this.listPolicyRules(policyId)).find((r) => r.name === body.name),
    );
  }

  /** GET a JSON object; undefined when Okta answers 404 (it is not there). */
  private async getOrNone<T>(path: string): Promise<T | undefined> {
    try {
      return await this.getJson<T>(path);
    } catch (e) {
      if (oktaStatus(e) === 404) return undefined;
      throw e;
    }
  }

  /** PUT /api/v1/apps/{appId}/policies/{policyId}: the app's sign-in policy becomes this one (replacing any other). */
  async assignAppPolicy(appId: string, policyId: string): Promise<void> {
    await this.putJson(`/api/v1/apps/${encodeURIComponent(appId)}/policies/${encodeURIComponent(policyId)}`, undefined);
  }

  deletePolicy(policyId: string): Promise<boolean> {
    return this.gone(() => this.delete(`/api/v1/policies/${encodeURIComponent(policyId)}`));
  }

  // ---------------------------------------------------------------------------------- removal (destroy)
  // Each answers true when it removed something, false when it was already gone (404): a re-run is a no-op.

  private async gone(f: () => Promise<unknown>): Promise<boolean> {
    try {
      await f();
      return true;
    } catch (e) {
      if (oktaStatus(e) === 404) return false;
      throw e;
    }
  }

  /** DELETE a push mapping (it must be INACTIVE first); `deleteTargetGroup` also deletes the pushed group in the target app. */
  deletePushMapping(appId: string, mappingId: string, deleteTargetGroup: boolean): Promise<boolean> {
    return this.gone(() => this.delete(`/api/v1/apps/${encodeURIComponent(appId)}/group-push/mappings/${encodeURIComponent(mappingId)}`, { deleteTargetGroup }));
  }

  deleteGroup(groupId: string): Promise<boolean> {
    return this.gone(() => this.delete(`/api/v1/groups/${encodeURIComponent(groupId)}`));
  }

  /** Deactivate (DEPROVISIONED; Okta deprovisions it from the apps), then a second call deletes for good. */
  deactivateUser(userId: string): Promise<boolean> {
    return this.gone(() => this.postJson(`/api/v1/users/${encodeURIComponent(userId)}/lifecycle/deactivate`, undefined));
  }

  deleteUser(userId: string): Promise<boolean> {
    return this.gone(() => this.delete(`/api/v1/users/${encodeURIComponent(userId)}`));
  }

  deactivateConnection(appId: string): Promise<boolean> {
    return this.gone(() => this.postJson(`/api/v1/apps/${encodeURIComponent(appId)}/connections/default/lifecycle/deactivate`, undefined));
  }

  deactivateApp(appId: string): Promise<boolean> {
    return this.gone(() => this.postJson(`/api/v1/apps/${encodeURIComponent(appId)}/lifecycle/deactivate`, undefined));
  }

  /** An app must be INACTIVE before Okta deletes it. */
  deleteApp(appId: string): Promise<boolean> {
    return this.gone(() => this.delete(`/api/v1/apps/${encodeURIComponent(appId)}`));
  }

  /** PATCH the status; to ACTIVE, Okta performs an initial push to the target group (spec UpdateGroupPushMappingRequest). */
  setPushMappingStatus(appId: string, mappingId: string, status: 'ACTIVE' | 'INACTIVE'): Promise<PushMapping> {
    return this.patchJson<PushMapping>(`/api/v1/apps/${encodeURIComponent(appId)}/group-push/mappings/${encodeURIComponent(mappingId)}`, { status });
  }
}

/** The likely cause of a push mapping in ERROR, from its message (reference okta-api.md §8). */
export function likelyPushErrorCause(summary: string | null | undefined): string {
  const s = (summary ?? '').toLowerCase();
  if (s.includes('duplicate')) return 'a group with this name already exists in Identity Center (created by hand or by another IdP): delete or rename it there, then retry the push';
  if (s.includes('unauthorized') || s.includes('401')) return 'the SCIM access token is invalid or expired: generate a new one in Identity Center (Settings > Automatic provisioning) and update the provisioning connection';
  if (s.includes('unparsable') || s.includes('schema')) return 'a member lacks firstName, lastName, displayName or email, or has one of < > ; : % in a synced attribute';
  if (s.includes('not assigned') || s.includes('assign')) return 'members of the pushed group must also be assigned to the app (through the assignment group)';
  return 'check the app\'s Push Groups tab in the Okta Admin Console for details, fix the cause, then push again';
}
