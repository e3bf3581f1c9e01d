/**
 * The sign-in half of the sandbox's AWS (see docs/sandbox-aws.md "Sign-in and access"):
 *
 *   POST /platform/saml/acs/{tenant}      Identity Center's ACS: the SAMLResponse is checked against the
 *                                         IdP metadata uploaded in the console action (signature, issuer,
 *                                         audience, recipient/destination, validity) and its NameID must
 *                                         be a user of the identity store; 302 into the access portal, or
 *                                         400 with the reason
 *   POST /client/register, /device_authorization, /token   SSO OIDC (rest-json), device code grant
 *   GET  /assignment/accounts, /assignment/roles, /federation/credentials   the portal API (sso)
 *
 * Role credentials are remembered so that STS GetCallerIdentity signed with them answers the
 * AWSReservedSSO_<set>_<hex> assumed role (index.ts asks callerFor()).
 *
 * Sign-in state (clients, device codes, tokens, role credentials) lives in memory only, like a session.
 */
import crypto from 'node:crypto';
import { checkSamlResponse } from '../../saml/response.js';
import type { HandledResponse, SandboxRequest } from '../types.js';
import { acsUrls, issuerUrl } from './console.js';
import type { AwsState, UserRec } from './state.js';

const DEVICE_TTL_S = 600;
const TOKEN_TTL_S = 8 * 3600;
const ROLE_TTL_MS = 3600_000;
const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

interface DeviceRec {
  clientId: string;
  deviceCode: string;
  userCode: string;
  expiresAt: number;
  approvedUserId?: string;
}

export interface RoleCaller {
  Account: string;
  Arn: string;
  UserId: string;
}

export interface AwsSignIn {
  handle(req: SandboxRequest): HandledResponse | undefined;
  /** The console "sign in as the user and approve the code" a person does in a private window. */
  approveDevice(p: { userName: string; userCode?: string }): { message: string };
  /** STS identity for credentials issued by GetRoleCredentials. */
  callerFor(accessKeyId: string): RoleCaller | undefined;
  reset(): void;
}

function json(status: number, body: unknown, operation: string, extra: Record<string, string> = {}): HandledResponse {
  return { status, headers: { 'content-type': 'application/json', 'x-amzn-requestid': crypto.randomUUID(), ...extra }, body: JSON.stringify(body), service: 'aws', operation, mutating: false };
}

function oidcError(status: number, type: string, error: string, description: string, operation: string): HandledResponse {
  return json(status, { error, error_description: description }, operation, { 'x-amzn-errortype': type });
}

function portalError(status: number, type: string, message: string, operation: string): HandledResponse {
  return json(status, { message }, operation, { 'x-amzn-errortype': type });
}

function htmlPage(status: number, title: string, text: string, operation: string, extra: Record<string, string> = {}): HandledResponse {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return {
    status,
    headers: { 'content-type': 'text/html; charset=utf-8', ...extra },
    body: `<!DOCTYPE html><html><head><title>${esc(title)}</title></head><body><h1>${esc(title)}</h1><p id="error">${esc(text)}</p></body></html>`,
    service: 'aws',
    operation,
    mutating: false,
  };
}

function body(req: SandboxRequest): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(req.body.toString('utf8') || '{}');
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** The role name Identity Center creates in an account for a permission set. */
export function reservedRoleName(s: AwsState, permissionSetArn: string, name: string): string {
  const hex = crypto.createHash('sha256').update(`${s.seed}:${permissionSetArn}`).digest('hex').slice(0, 16);
  return `AWSReservedSSO_${name}_${hex}`;
}

export function createAwsSignIn(state: () => AwsState): AwsSignIn {
  const clients = new Map<string, { secret: string; expiresAt: number }>();
  const devices = new Map<string, DeviceRec>();
  const tokens = new Map<string, { userId: string; expiresAt: number }>();
  const roleCreds = new Map<string, RoleCaller>();

  const userByName = (name: string): UserRec | undefined => state().users.find((u) => u.userName.toLowerCase() === name.toLowerCase());

  function acs(req: SandboxRequest, tenant: string): HandledResponse {
    const op = 'SignIn.SAML ACS';
    const s = state();
    if (tenant !== s.acsTenantId) return htmlPage(404, 'Not found', 'No Identity Center instance has this ACS URL.', op);
    if (!s.idp) {
      return htmlPage(400, 'Sign-in failed', 'This Identity Center instance does not use an external identity provider: the IdP metadata was never uploaded (Settings > Identity source).', op);
    }
    const form = new URLSearchParams(req.body.toString('utf8'));
    const saml = form.get('SAMLResponse');
    if (!saml) return htmlPage(400, 'Sign-in failed', 'The request carries no SAMLResponse.', op);
    const r = checkSamlResponse(saml, { idpEntityId: s.idp.entityId, audience: issuerUrl(s), acsUrls: acsUrls(s), certificate: s.idp.certificate, now: new Date() });
    const bad = r.checks.find((c) => !c.ok);
    if (bad) return htmlPage(400, 'Sign-in failed', `The SAML response was refused: ${bad.title.toLowerCase()}: ${bad.detail}.`, op);
    const u = r.assertion?.nameId ? userByName(r.assertion.nameId) : undefined;
    if (!u || !u.active) {
      return htmlPage(400, 'Sign-in failed', `No active user with the user name "${r.assertion?.nameId ?? ''}" exists in the identity store (the NameID must equal a provisioned user name).`, op);
    }
    const portal = `https://${s.instance.identityStoreId}.awsapps.com/start/`;
    return htmlPage(302, 'Redirecting', `Signed in as ${u.userName}.`, op, { location: portal });
  }

  function register(req: SandboxRequest): HandledResponse {
    const op = 'SSOOIDC.RegisterClient';
    const b = body(req);
    if (typeof b.clientName !== 'string' || b.clientName === '' || b.clientType !== 'public') {
      return oidcError(400, 'InvalidRequestException', 'invalid_request', 'clientName and clientType "public" are required.', op);
    }
    const clientId = crypto.randomBytes(16).toString('base64url');
    const secret = crypto.randomBytes(48).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    clients.set(clientId, { secret, expiresAt: now + 90 * 86400 });
    return json(200, { clientId, clientSecret: secret, clientIdIssuedAt: now, clientSecretExpiresAt: now + 90 * 86400 }, op);
  }

  function client(b: Record<string, unknown>): boolean {
    const c = typeof b.clientId === 'string' ? clients.get(b.clientId) : undefined;
    return !!c && c.secret === b.clientSecret && c.expiresAt * 1000 > Date.now();
  }

  function deviceAuthorization(req: SandboxRequest): HandledResponse {
    const op = 'SSOOIDC.StartDeviceAuthorization';
    const b = body(req);
    if (!client(b)) return oidcError(401, 'InvalidClientException', 'invalid_client', 'The client is not registered or its secret is wrong.', op);
    const s = state();
    if (typeof b.startUrl !== 'string' || !b.startUrl.startsWith(`https://${s.instance.identityStoreId}.awsapps.com/start`)) {
      return oidcError(400, 'InvalidRequestException', 'invalid_request', `startUrl must be the access portal URL https://${s.instance.identityStoreId}.awsapps.com/start.`, op);
    }
    const deviceCode = crypto.randomBytes(32).toString('base64url');
    const raw = crypto.randomBytes(8).toString('hex').toUpperCase().replace(/[^A-Z0-9]/g, '');
    const userCode = `${raw.slice(0, 4)}-${raw.slice(4, 8)}`;
    devices.set(deviceCode, { clientId: String(b.clientId), deviceCode, userCode, expiresAt: Date.now() + DEVICE_TTL_S * 1000 });
    const verificationUri = `https://${s.instance.identityStoreId}.awsapps.com/start/#/device`;
    return json(200, { deviceCode, userCode, verificationUri, verificationUriComplete: `${verificationUri}?user_code=${userCode}`, expiresIn: DEVICE_TTL_S, interval: 1 }, op);
  }

  function token(req: SandboxRequest): HandledResponse {
    const op = 'SSOOIDC.CreateToken';
    const b = body(req);
    if (!client(b)) return oidcError(401, 'InvalidClientException', 'invalid_client', 'The client is not registered or its secret is wrong.', op);
    if (b.grantType !== DEVICE_GRANT) return oidcError(400, 'UnsupportedGrantTypeException', 'unsupported_grant_type', 'Only the device code grant is served by the sandbox.', op);
    const d = typeof b.deviceCode === 'string' ? devices.get(b.deviceCode) : undefined;
    if (!d || d.clientId !== b.clientId) return oidcError(400, 'InvalidGrantException', 'invalid_grant', 'Invalid device code provided.', op);
    if (d.expiresAt < Date.now()) return oidcError(400, 'ExpiredTokenException', 'expired_token', 'The device code has expired.', op);
    if (!d.approvedUserId) return oidcError(400, 'AuthorizationPendingException', 'authorization_pending', 'Authorization is still pending.', op);
    devices.delete(d.deviceCode);
    const accessToken = crypto.randomBytes(48).toString('base64url');
    tokens.set(accessToken, { userId: d.approvedUserId, expiresAt: Date.now() + TOKEN_TTL_S * 1000 });
    return json(200, { accessToken, tokenType: 'Bearer', expiresIn: TOKEN_TTL_S }, op);
  }

  /** What the portal user may use: account -> permission sets, from assignments to the user or a group of theirs. */
  function entitlements(userId: string): Map<string, Set<string>> {
    const s = state();
    const groups = new Set(s.memberships.filter((m) => m.userId === userId).map((m) => m.groupId));
    const out = new Map<string, Set<string>>();
    for (const a of s.assignments) {
      const mine = (a.principalType === 'USER' && a.principalId === userId) || (a.principalType === 'GROUP' && groups.has(a.principalId));
      if (!mine) continue;
      const acct = s.accounts.find((x) => x.id === a.accountId);
      if (!acct || acct.state !== 'ACTIVE') continue;
      let set = out.get(a.accountId);
      if (!set) out.set(a.accountId, (set = new Set()));
      set.add(a.permissionSetArn);
    }
    return out;
  }

  function portal(req: SandboxRequest, path: string): HandledResponse {
    const op = path === '/assignment/accounts' ? 'SSO.ListAccounts' : path === '/assignment/roles' ? 'SSO.ListAccountRoles' : 'SSO.GetRoleCredentials';
    const t = tokens.get(req.headers['x-amz-sso_bearer_token'] ?? '');
    if (!t || t.expiresAt < Date.now()) return portalError(401, 'UnauthorizedException', 'Session token not found or invalid', op);
    const s = state();
    const user = s.users.find((u) => u.id === t.userId);
    if (!user || !user.active) return portalError(401, 'UnauthorizedException', 'Session token not found or invalid', op);
    const ent = entitlements(user.id);
    if (path === '/assignment/accounts') {
      const accountList = [...ent.keys()].map((id) => {
        const a = s.accounts.find((x) => x.id === id)!;
        return { accountId: a.id, accountName: a.name, emailAddress: a.email };
      });
      return json(200, { accountList }, op);
    }
    const accountId = req.query.get('account_id') ?? '';
    if (!/^\d{12}$/.test(accountId)) return portalError(400, 'InvalidRequestException', 'account_id must be a 12-digit account ID.', op);
    // A role exists in the account only once its permission set is provisioned there.
    const roles = [...(ent.get(accountId) ?? [])]
      .map((arn) => s.permissionSets.find((p) => p.arn === arn))
      .filter((p) => p !== undefined && p.provisioned[accountId] !== undefined);
    if (path === '/assignment/roles') return json(200, { roleList: roles.map((p) => ({ roleName: p!.name, accountId })) }, op);
    const roleName = req.query.get('role_name') ?? '';
    const ps = roles.find((p) => p!.name === roleName);
    if (!ps) return portalError(403, 'ForbiddenException', 'No access', op);
    const accessKeyId = `ASIA${crypto.randomBytes(8).toString('hex').toUpperCase()}`;
    const role = reservedRoleName(s, ps.arn, ps.name);
    const roleId = `AROA${crypto.createHash('sha256').update(`${accountId}:${role}`).digest('hex').slice(0, 17).toUpperCase()}`;
    roleCreds.set(accessKeyId, { Account: accountId, Arn: `arn:aws:sts::${accountId}:assumed-role/${role}/${user.userName}`, UserId: `${roleId}:${user.userName}` });
    return json(200, { roleCredentials: { accessKeyId, secretAccessKey: crypto.randomBytes(30).toString('base64'), sessionToken: crypto.randomBytes(96).toString('base64'), expiration: Date.now() + ROLE_TTL_MS } }, op);
  }

  return {
    handle(req) {
      const m = /^\/platform\/saml\/acs\/([^/]+)$/.exec(req.path);
      if (m && req.method === 'POST') return acs(req, m[1]!);
      if (req.method === 'POST' && req.path === '/client/register') return register(req);
      if (req.method === 'POST' && req.path === '/device_authorization') return deviceAuthorization(req);
      if (req.method === 'POST' && req.path === '/token') return token(req);
      if (req.method === 'GET' && ['/assignment/accounts', '/assignment/roles', '/federation/credentials'].includes(req.path)) return portal(req, req.path);
      return undefined;
    },
    approveDevice(p) {
      const s = state();
      if (!s.idp) throw new Error('Nobody can sign in to the access portal: the identity source is not the external IdP yet (upload the IdP metadata first).');
      const u = userByName(p.userName);
      if (!u || !u.active) throw new Error(`Signing in as "${p.userName}" fails: no active user with this user name is in the identity store (has Okta provisioned it?).`);
      let n = 0;
      for (const d of devices.values()) {
        if (d.expiresAt < Date.now() || d.approvedUserId) continue;
        if (p.userCode && d.userCode !== p.userCode) continue;
        d.approvedUserId = u.id;
        n++;
      }
      if (n === 0) throw new Error(`No pending device authorization${p.userCode ? ` with the code ${p.userCode}` : ''} to approve.`);
      return { message: `signed in to the access portal as ${u.userName} and approved ${n} device authorization(s)` };
    },
    callerFor(accessKeyId) {
      return roleCreds.get(accessKeyId);
    },
    reset() {
      clients.clear();
      devices.clear();
      tokens.clear();
      roleCreds.clear();
    },
  };
}
