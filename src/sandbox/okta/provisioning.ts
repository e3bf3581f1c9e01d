/**
 * Outbound SCIM provisioning as Okta performs it for amazon_aws_sso / scim2headerauth: real HTTP
 * calls to the connection's base URL, serialised in a queue (idle() awaits it).
 */
import { STATUS_CODES } from 'node:http';
import PQueue from 'p-queue';
import type { AppRec, AppUserRec, MappingRec, OktaState, UserRec } from './state.js';

const SCIM_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const SCIM_GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

export interface ScimAnswer {
  status: number;
  json: Record<string, unknown> | undefined;
  reason: string;
  /** The Retry-After header of the answer, if any. */
  retryAfter?: string;
}

/** The Authorization header Okta sends for this app's connection. */
export function authHeader(appName: string, token: string): string {
  if (appName === 'scim2headerauth') return token;
  return token.startsWith('Bearer ') ? token : `Bearer ${token}`;
}

/** Sends after a SCIM 429 before the request counts as failed, and the longest Retry-After honoured (ms). */
const SCIM_429_TRIES = 4;
const SCIM_RETRY_AFTER_CAP_MS = 10_000;

/**
 * One SCIM request as Okta's provisioning makes it. A 429 is sent again after the server's Retry-After
 * (1 s when absent, capped): Okta documents that it "automatically retr[ies] the remaining failed app
 * user profile sync jobs based on the number returned by [the server's] Retry-After header"
 * (support.okta.com, "Slack provisioning jobs failed with error API rate limit exceeded"). Other
 * failures (5xx, no answer) fail the job, as Okta's task list shows them.
 */
export async function scimCall(app: Pick<AppRec, 'name'>, conn: { baseUrl: string; token: string }, method: string, path: string, body?: unknown): Promise<ScimAnswer> {
  for (let attempt = 1; ; attempt++) {
    const r = await scimCallOnce(app, conn, method, path, body);
    if (r.status !== 429 || attempt >= SCIM_429_TRIES) return r;
    const asked = Number.parseInt(r.retryAfter ?? '', 10);
    const wait = Math.min(Number.isFinite(asked) && asked >= 0 ? asked * 1000 : 1000, SCIM_RETRY_AFTER_CAP_MS);
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

async function scimCallOnce(app: Pick<AppRec, 'name'>, conn: { baseUrl: string; token: string }, method: string, path: string, body?: unknown): Promise<ScimAnswer> {
  const headers: Record<string, string> = {
    authorization: authHeader(app.name, conn.token),
    accept: 'application/scim+json, application/json',
    'user-agent': 'Okta SCIM Client 1.0.0 (okta-aws-sso sandbox)',
  };
  if (body !== undefined) headers['content-type'] = 'application/scim+json; charset=utf-8';
  let res: Response;
  try {
    res = await fetch(`${conn.baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(15_000) });
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause?.code;
    return { status: 0, json: undefined, reason: `Could not connect to ${conn.baseUrl}${cause ? ` (${cause})` : ''}` };
  }
  const text = await res.text();
  let json: Record<string, unknown> | undefined;
  try {
    json = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
  } catch {
    json = undefined;
  }
  const detail = json && typeof json.detail === 'string' ? json.detail : json && typeof json.message === 'string' ? json.message : undefined;
  const statusText = STATUS_CODES[res.status] ?? `HTTP ${res.status}`;
  const reason = res.status === 401 || res.status === 403 ? statusText : detail ?? statusText;
  return { status: res.status, json, reason, retryAfter: res.headers.get('retry-after') ?? undefined };
}

const ok = (a: ScimAnswer): boolean => a.status >= 200 && a.status < 300;

function scimUserBody(u: UserRec): Record<string, unknown> {
  const p = u.profile;
  const body: Record<string, unknown> = {
    schemas: [SCIM_USER],
    userName: p.login,
    externalId: u.id,
    name: { givenName: p.firstName ?? undefined, familyName: p.lastName ?? undefined },
    active: true,
  };
  if (typeof p.displayName === 'string') body.displayName = p.displayName;
  if (typeof p.email === 'string') body.emails = [{ value: p.email, type: 'work', primary: true }];
  return body;
}

export interface ProvisioningHost {
  state(): OktaState;
  now(): string;
}

export class Provisioner {
  private readonly queue = new PQueue({ concurrency: 1 });
  private readonly pending = new Set<string>();

  constructor(private readonly host: ProvisioningHost) {}

  /** Whether Okta pushes to this app at all (connection enabled). */
  static connected(app: AppRec): boolean {
    return app.connection !== null && app.connection.status === 'ENABLED' && app.connection.baseUrl !== '' && app.connection.token !== '';
  }

  schedule(appId: string): void {
    if (this.pending.has(appId)) return;
    this.pending.add(appId);
    void this.queue.add(async () => {
      this.pending.delete(appId);
      try {
        await this.syncApp(appId);
      } catch (e) {
        // An emulator bug must not take the sandbox down; make it visible in the sandbox log.
        console.error(`okta emulator: provisioning job for ${appId} failed: ${String(e)}`);
      }
    });
  }

  /** A SCIM DELETE of a pushed group (mapping deleted with deleteTargetGroup=true). */
  scheduleGroupDelete(app: AppRec, scimGroupId: string): void {
    const conn = app.connection;
    if (!conn) return;
    const snapshot = { baseUrl: conn.baseUrl, token: conn.token };
    void this.queue.add(async () => {
      await scimCall(app, snapshot, 'DELETE', `/Groups/${encodeURIComponent(scimGroupId)}`);
    });
  }

  async idle(): Promise<void> {
    await this.queue.onIdle();
  }

  private async syncApp(appId: string): Promise<void> {
    const st = this.host.state();
    const app = st.apps[appId];
    if (!app || !Provisioner.connected(app) || !app.connection) return;
    const conn = app.connection;
    const caps = app.capabilities;
    const createOn = caps.create.lifecycleCreate.status === 'ENABLED';
    const deactivateOn = caps.update.lifecycleDeactivate.status === 'ENABLED';
    const updateOn = caps.update.profile.status === 'ENABLED';

    for (const rec of Object.values(app.users)) {
      const user = st.users[rec.id];
      const userActive = user !== undefined && (user.status === 'ACTIVE' || user.status === 'PASSWORD_EXPIRED');
      if (rec.removed || !user) {
        if (rec.scimId && rec.remoteActive !== false && deactivateOn) await this.setActive(app, conn, rec, false);
        if (rec.removed || !user) delete app.users[rec.id];
        continue;
      }
      if (!rec.scimId) {
        if (createOn && userActive && rec.syncState !== 'ERROR') await this.createUser(app, conn, rec, user);
        continue;
      }
      if (!userActive && rec.remoteActive !== false && deactivateOn) await this.setActive(app, conn, rec, false);
      else if (userActive && rec.remoteActive === false && (updateOn || createOn)) await this.setActive(app, conn, rec, true);
      else if (userActive && rec.profileDirty && updateOn) await this.replaceUser(app, conn, rec, user);
    }

    for (const m of Object.values(app.mappings)) {
      if (m.status === 'ACTIVE') await this.pushGroup(app, conn, m);
    }
  }

  private fail(rec: AppUserRec, message: string): void {
    rec.syncState = 'ERROR';
    rec.errorSummary = message;
    rec.lastUpdated = this.host.now();
  }

  private async createUser(app: AppRec, conn: { baseUrl: string; token: string }, rec: AppUserRec, user: UserRec): Promise<void> {
    rec.syncState = 'SYNCING';
    const login = String(user.profile.login ?? '');
    const filter = encodeURIComponent(`userName eq "${login.replace(/"/g, '\\"')}"`);
    const found = await scimCall(app, conn, 'GET', `/Users?filter=${filter}`);
    if (!ok(found)) return this.fail(rec, `Automatic provisioning of user ${login} to app ${app.label} failed: Error while verifying if user exists: ${found.reason}`);
    const resources = Array.isArray(found.json?.Resources) ? (found.json?.Resources as Record<string, unknown>[]) : [];
    let scimId = typeof resources[0]?.id === 'string' ? (resources[0].id as string) : undefined;
    if (!scimId) {
      const created = await scimCall(app, conn, 'POST', '/Users', scimUserBody(user));
      if (!ok(created) || typeof created.json?.id !== 'string') {
        return this.fail(rec, `Automatic provisioning of user ${login} to app ${app.label} failed: Error while creating user ${login}: Errors reported by remote server: ${created.reason}`);
      }
      scimId = created.json.id;
    }
    rec.scimId = scimId;
    rec.remoteActive = true;
    rec.syncState = 'SYNCHRONIZED';
    delete rec.errorSummary;
    rec.lastSync = rec.lastUpdated = rec.statusChanged = this.host.now();
  }

  private async replaceUser(app: AppRec, conn: { baseUrl: string; token: string }, rec: AppUserRec, user: UserRec): Promise<void> {
    const r = await scimCall(app, conn, 'PUT', `/Users/${encodeURIComponent(rec.scimId ?? '')}`, { ...scimUserBody(user), id: rec.scimId });
    if (!ok(r)) return this.fail(rec, `Error while updating user ${String(user.profile.login ?? '')}: Errors reported by remote server: ${r.reason}`);
    delete rec.profileDirty;
    rec.syncState = 'SYNCHRONIZED';
    rec.lastSync = rec.lastUpdated = this.host.now();
  }

  private async setActive(app: AppRec, conn: { baseUrl: string; token: string }, rec: AppUserRec, active: boolean): Promise<void> {
    const r = await scimCall(app, conn, 'PATCH', `/Users/${encodeURIComponent(rec.scimId ?? '')}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: active }] });
    if (!ok(r)) return this.fail(rec, `Error while ${active ? 'reactivating' : 'deactivating'} user: Errors reported by remote server: ${r.reason}`);
    rec.remoteActive = active;
    rec.syncState = 'SYNCHRONIZED';
    rec.lastSync = rec.lastUpdated = this.host.now();
  }

  private async pushGroup(app: AppRec, conn: { baseUrl: string; token: string }, m: MappingRec): Promise<void> {
    const st = this.host.state();
    const source = st.groups[m.sourceGroupId];
    const target = app.targetGroups[m.targetGroupId];
    if (!source || !target) return;
    const fail = (msg: string): void => {
      m.status = 'ERROR';
      m.errorSummary = msg;
      m.lastUpdated = this.host.now();
    };
    if (!target.scimId) {
      const filter = encodeURIComponent(`displayName eq "${target.name.replace(/"/g, '\\"')}"`);
      const found = await scimCall(app, conn, 'GET', `/Groups?filter=${filter}`);
      if (!ok(found)) return fail(`Error while verifying if group exists: ${found.reason}`);
      const resources = Array.isArray(found.json?.Resources) ? (found.json?.Resources as Record<string, unknown>[]) : [];
      if (typeof resources[0]?.id === 'string') target.scimId = resources[0].id as string;
      else {
        const created = await scimCall(app, conn, 'POST', '/Groups', { schemas: [SCIM_GROUP], displayName: target.name, externalId: source.id, members: [] });
        if (!ok(created) || typeof created.json?.id !== 'string') return fail(`Error while creating group ${target.name}: Errors reported by remote server: ${created.reason}`);
        target.scimId = created.json.id;
      }
      m.pushedMembers = [];
    }
    const desired: string[] = [];
    for (const uid of source.members) {
      const rec = app.users[uid];
      if (rec !== undefined && !rec.removed && rec.scimId !== undefined && rec.remoteActive !== false) desired.push(rec.scimId);
    }
    const add = desired.filter((id) => !m.pushedMembers.includes(id));
    const remove = m.pushedMembers.filter((id) => !desired.includes(id));
    const ops: Record<string, unknown>[] = [];
    if (add.length > 0) ops.push({ op: 'add', path: 'members', value: add.map((id) => ({ value: id })) });
    for (const id of remove) ops.push({ op: 'remove', path: `members[value eq "${id}"]` });
    if (ops.length > 0) {
      const r = await scimCall(app, conn, 'PATCH', `/Groups/${encodeURIComponent(target.scimId)}`, { schemas: [PATCH_OP], Operations: ops });
      if (!ok(r)) return fail(`Error while pushing memberships of group ${target.name}: Errors reported by remote server: ${r.reason}`);
    }
    m.pushedMembers = desired;
    delete m.errorSummary;
    m.lastPush = m.lastUpdated = this.host.now();
  }
}
