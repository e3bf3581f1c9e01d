/**
 * The sign-in half of the sandbox's Okta org (see docs/sandbox-okta.md "Sign-in"):
 *
 *   GET  /.well-known/okta-organization       {pipeline: "v1"} (Classic) or "idx" (Identity Engine)
 *   POST /api/v1/authn                        primary authentication: SUCCESS + one-time sessionToken,
 *                                             MFA_REQUIRED when the sign-on policy asks for a factor,
 *                                             401 E0000004 for a wrong password
 *   GET  /login/sessionCookieRedirect         redeems the sessionToken once for an `sid` cookie, then
 *                                             redirects to redirectUrl
 *   GET  /home/{appName}/{appId}/{linkId}     the app's embed link: with a session of a user assigned
 *   GET  /app/{appName}/{externalKey}/sso/saml  to the app, an auto-submitting form that posts a
 *                                             SAMLResponse signed with the app's active key to the ACS URL
 *
 * Passwords are kept as scrypt hashes only (never the value).
 */
import crypto from 'node:crypto';
import { SignedXml } from 'xml-crypto';
import type { SandboxRequest } from '../types.js';
import type { AppRec, OktaState, UserRec } from './state.js';
import { appRequiresMfa } from './policies.js';

/**
 * The one TOTP code the sandbox's MFA challenge accepts (a sandbox-only value, documented in
 * docs/sandbox-okta.md): a real org checks the code of the user's authenticator.
 */
export const SANDBOX_MFA_CODE = '246810';

export type AuthnPolicy = 'password' | 'mfa' | 'identity-engine';

const SESSION_TOKEN_TTL_MS = 5 * 60_000;
const SESSION_TTL_MS = 2 * 3600_000;
/** Okta's default assertion lifetime: valid 5 minutes either side of issue. */
const ASSERTION_SKEW_MS = 5 * 60_000;

export interface SsoAnswer {
  status: number;
  json?: unknown;
  text?: string;
  headers?: Record<string, string>;
}

export function hashPassword(password: string): string {
  const salt = crypto.randomBytes(16);
  const hash = crypto.scryptSync(password, salt, 32, { N: 1024 });
  return `scrypt$${salt.toString('base64')}$${hash.toString('base64')}`;
}

export function passwordMatches(stored: string | undefined, password: string): boolean {
  const m = /^scrypt\$([^$]+)\$([^$]+)$/.exec(stored ?? '');
  if (!m) return false;
  const hash = crypto.scryptSync(password, Buffer.from(m[1]!, 'base64'), 32, { N: 1024 });
  return crypto.timingSafeEqual(hash, Buffer.from(m[2]!, 'base64'));
}

function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function samlId(): string {
  return `id${crypto.randomBytes(16).toString('hex')}`;
}

/** A SAML 2.0 Response with one Assertion, signed (enveloped, exc-c14n, RSA-SHA256) with the app key. */
export function signedSamlResponse(p: {
  issuer: string;
  destination: string;
  audience: string;
  nameId: string;
  nameIdFormat: string;
  privateKey: string;
  cert: string;
  now: Date;
  sessionIndex: string;
}): string {
  const t = p.now.getTime();
  const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, '.000Z');
  const aid = samlId();
  const xml =
    `<saml2p:Response xmlns:saml2p="urn:oasis:names:tc:SAML:2.0:protocol" Destination="${xmlEscape(p.destination)}" ID="${samlId()}" IssueInstant="${iso(t)}" Version="2.0">` +
    `<saml2:Issuer xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion" Format="urn:oasis:names:tc:SAML:2.0:nameid-format:entity">${xmlEscape(p.issuer)}</saml2:Issuer>` +
    `<saml2p:Status><saml2p:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></saml2p:Status>` +
    `<saml2:Assertion xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion" ID="${aid}" IssueInstant="${iso(t)}" Version="2.0">` +
    `<saml2:Issuer Format="urn:oasis:names:tc:SAML:2.0:nameid-format:entity">${xmlEscape(p.issuer)}</saml2:Issuer>` +
    `<saml2:Subject><saml2:NameID Format="${xmlEscape(p.nameIdFormat)}">${xmlEscape(p.nameId)}</saml2:NameID>` +
    `<saml2:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml2:SubjectConfirmationData NotOnOrAfter="${iso(t + ASSERTION_SKEW_MS)}" Recipient="${xmlEscape(p.destination)}"/></saml2:SubjectConfirmation></saml2:Subject>` +
    `<saml2:Conditions NotBefore="${iso(t - ASSERTION_SKEW_MS)}" NotOnOrAfter="${iso(t + ASSERTION_SKEW_MS)}"><saml2:AudienceRestriction><saml2:Audience>${xmlEscape(p.audience)}</saml2:Audience></saml2:AudienceRestriction></saml2:Conditions>` +
    `<saml2:AuthnStatement AuthnInstant="${iso(t)}" SessionIndex="${xmlEscape(p.sessionIndex)}"><saml2:AuthnContext><saml2:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml2:AuthnContextClassRef></saml2:AuthnContext></saml2:AuthnStatement>` +
    `</saml2:Assertion></saml2p:Response>`;
  const sig = new SignedXml({
    privateKey: p.privateKey,
    publicCert: p.cert,
    signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  });
  sig.addReference({
    xpath: "//*[local-name(.)='Assertion']",
    transforms: ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', 'http://www.w3.org/2001/10/xml-exc-c14n#'],
    digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
  });
  sig.computeSignature(xml, { prefix: 'ds', location: { reference: "//*[local-name(.)='Assertion']/*[local-name(.)='Issuer']", action: 'after' } });
  return sig.getSignedXml();
}

/** The HTML page Okta returns: a form that posts itself to the ACS URL. */
export function autoSubmitForm(acsUrl: string, samlResponseB64: string, relayState = ''): string {
  return [
    '<!DOCTYPE html>',
    '<html><head><meta charset="utf-8"><title>Signing in</title></head>',
    '<body onload="document.forms[0].submit()">',
    `<form id="appForm" action="${xmlEscape(acsUrl)}" method="POST">`,
    `<input name="SAMLResponse" type="hidden" value="${xmlEscape(samlResponseB64)}"/>`,
    `<input name="RelayState" type="hidden" value="${xmlEscape(relayState)}"/>`,
    '</form></body></html>',
  ].join('\n');
}

function errorJson(status: number, code: string, summary: string): SsoAnswer {
  return { status, json: { errorCode: code, errorSummary: summary, errorLink: code, errorId: `oae${crypto.randomBytes(8).toString('hex')}`, errorCauses: [] } };
}

function html(status: number, title: string, body: string): SsoAnswer {
  return { status, text: `<!DOCTYPE html><html><head><title>${xmlEscape(title)}</title></head><body><h1>${xmlEscape(title)}</h1><p>${xmlEscape(body)}</p></body></html>`, headers: { 'content-type': 'text/html; charset=utf-8' } };
}

function cookie(req: SandboxRequest, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}

export interface SsoDeps {
  state(): OktaState;
  orgUrl(): string;
  policy(): AuthnPolicy;
  /** Test hook (okta.sessionTokensSpent): every token arrives spent at its first redirect. */
  tokensSpent?(): boolean;
}

/** Sign-in endpoints; `handle` answers undefined for any other path. */
export function createSso(deps: SsoDeps): { handle(req: SandboxRequest, path: string): SsoAnswer | undefined; reset(): void } {
  const sessionTokens = new Map<string, { userId: string; expiresAt: number }>();
  /** MFA_REQUIRED transactions: stateToken -> the user and the factor offered. */
  const transactions = new Map<string, { userId: string; factorId: string; expiresAt: number }>();

  /** The sign-on policy asks for a factor: the org option, or an app the user is assigned to requires it. */
  function needsMfa(u: UserRec): boolean {
    if (deps.policy() === 'mfa') return true;
    const s = deps.state();
    return Object.values(s.apps).some((a) => a.users[u.id] !== undefined && !a.users[u.id]!.removed && appRequiresMfa(s, a));
  }

  function issueSession(u: UserRec, expiresAt: string, user: unknown): SsoAnswer {
    const token = `20111${crypto.randomBytes(24).toString('base64url')}`;
    sessionTokens.set(token, { userId: u.id, expiresAt: Date.now() + SESSION_TOKEN_TTL_MS });
    return { status: 200, json: { expiresAt, status: 'SUCCESS', sessionToken: token, _embedded: { user } } };
  }

  function userView(u: UserRec): Record<string, unknown> {
    return { id: u.id, passwordChanged: u.passwordChanged, profile: { login: u.profile.login, firstName: u.profile.firstName, lastName: u.profile.lastName, locale: 'en', timeZone: 'America/Los_Angeles' } };
  }

  /** The JSON body of an Authentication API POST, or Okta's answer to another method or a malformed body. */
  function postedJson(req: SandboxRequest): { body: Record<string, unknown> } | { refused: SsoAnswer } {
    if (req.method !== 'POST') return { refused: errorJson(405, 'E0000022', 'The endpoint does not support the provided HTTP method') };
    try {
      return { body: JSON.parse(req.body.toString('utf8') || '{}') as Record<string, unknown> };
    } catch {
      return { refused: errorJson(400, 'E0000003', 'The request body was not well-formed.') };
    }
  }

  /** POST /api/v1/authn/factors/{factorId}/verify {stateToken, passCode}: the TOTP answer to MFA_REQUIRED. */
  function verifyFactor(req: SandboxRequest, factorId: string): SsoAnswer {
    const posted = postedJson(req);
    if ('refused' in posted) return posted.refused;
    const body = posted.body;
    const t = transactions.get(typeof body.stateToken === 'string' ? body.stateToken : '');
    if (!t || t.expiresAt < Date.now() || t.factorId !== factorId) return errorJson(401, 'E0000011', 'Invalid token provided');
    const u = deps.state().users[t.userId];
    if (!u) return errorJson(401, 'E0000011', 'Invalid token provided');
    if (body.passCode !== SANDBOX_MFA_CODE) return errorJson(403, 'E0000068', 'Invalid Passcode/Answer');
    transactions.delete(body.stateToken as string);
    return issueSession(u, new Date(Date.now() + SESSION_TOKEN_TTL_MS).toISOString(), userView(u));
  }
  const sessions = new Map<string, { userId: string; expiresAt: number }>();

  function userByLogin(login: string): UserRec | undefined {
    const l = login.toLowerCase();
    return Object.values(deps.state().users).find((u) => String(u.profile.login).toLowerCase() === l || String(u.profile.login).toLowerCase().split('@')[0] === l);
  }

  function authn(req: SandboxRequest): SsoAnswer {
    const posted = postedJson(req);
    if ('refused' in posted) return posted.refused;
    const body = posted.body;
    const username = typeof body.username === 'string' ? body.username : '';
    const password = typeof body.password === 'string' ? body.password : '';
    const u = userByLogin(username);
    // Okta answers the same for an unknown user and a wrong password.
    if (!u || !passwordMatches(u.passwordHash, password) || u.status === 'DEPROVISIONED' || u.status === 'STAGED' || u.status === 'PROVISIONED') {
      return errorJson(401, 'E0000004', 'Authentication failed');
    }
    if (u.status === 'SUSPENDED') return errorJson(401, 'E0000004', 'Authentication failed');
    const user = { id: u.id, passwordChanged: u.passwordChanged, profile: { login: u.profile.login, firstName: u.profile.firstName, lastName: u.profile.lastName, locale: 'en', timeZone: 'America/Los_Angeles' } };
    const expiresAt = new Date(Date.now() + SESSION_TOKEN_TTL_MS).toISOString();
    if (u.status === 'PASSWORD_EXPIRED') {
      return { status: 200, json: { stateToken: `00${crypto.randomBytes(20).toString('base64url')}`, expiresAt, status: 'PASSWORD_EXPIRED', _embedded: { user, policy: { complexity: { minLength: 8 } } } } };
    }
    if (needsMfa(u)) {
      const stateToken = `00${crypto.randomBytes(20).toString('base64url')}`;
      const factorId = `uft${crypto.createHash('sha256').update(u.id).digest('hex').slice(0, 17)}`;
      transactions.set(stateToken, { userId: u.id, factorId, expiresAt: Date.now() + SESSION_TOKEN_TTL_MS });
      return {
        status: 200,
        json: {
          stateToken,
          expiresAt,
          status: 'MFA_REQUIRED',
          _embedded: {
            user,
            factors: [
              {
                id: factorId,
                factorType: 'token:software:totp',
                provider: 'GOOGLE',
                vendorName: 'GOOGLE',
                profile: { credentialId: String(u.profile.login) },
                _links: { verify: { href: `${deps.orgUrl()}/api/v1/authn/factors/${factorId}/verify`, hints: { allow: ['POST'] } } },
              },
            ],
          },
        },
      };
    }
    return issueSession(u, expiresAt, user);
  }

  function sessionCookieRedirect(req: SandboxRequest): SsoAnswer {
    const token = req.query.get('token') ?? '';
    const redirectUrl = req.query.get('redirectUrl') ?? `${deps.orgUrl()}/app/UserHome`;
    const t = sessionTokens.get(token);
    sessionTokens.delete(token); // one use only
    if (!t || t.expiresAt < Date.now() || deps.policy() === 'identity-engine' || deps.tokensSpent?.() === true) {
      return { status: 302, headers: { location: `${deps.orgUrl()}/login/default?error=invalid_session_token` } };
    }
    const sid = `102${crypto.randomBytes(24).toString('base64url')}`;
    sessions.set(sid, { userId: t.userId, expiresAt: Date.now() + SESSION_TTL_MS });
    return { status: 302, headers: { location: redirectUrl, 'set-cookie': `sid=${sid}; Path=/; HttpOnly; Secure; SameSite=None` } };
  }

  function appSso(req: SandboxRequest, a: AppRec | undefined, path: string): SsoAnswer {
    if (!a || a.status !== 'ACTIVE') return html(404, 'Not found', 'This app does not exist or is not active.');
    const sid = cookie(req, 'sid');
    const s = sid ? sessions.get(sid) : undefined;
    if (!s || s.expiresAt < Date.now()) {
      return { status: 302, headers: { location: `${deps.orgUrl()}/login/login.htm?fromURI=${encodeURIComponent(path)}` } };
    }
    const u = deps.state().users[s.userId];
    const assigned = u && a.users[u.id] && !a.users[u.id]!.removed;
    if (!u || !assigned) return html(403, '403 - You do not have permission to access this app', 'You are not assigned to this application. Contact your administrator.');
    if (a.signOnMode !== 'SAML_2_0') return html(400, 'Not a SAML app', 'This app does not sign in with SAML 2.0.');
    const settings = (a.writable.settings as Record<string, unknown> | undefined)?.app as Record<string, unknown> | undefined;
    const acs = typeof settings?.acsURL === 'string' ? settings.acsURL : '';
    const audience = typeof settings?.entityID === 'string' ? settings.entityID : '';
    if (!acs || !audience) return html(400, 'App not configured', 'The app has no ACS URL or entity ID: set them under Sign On > Advanced Sign-on Settings.');
    const key = a.keys.find((k) => k.kid === a.activeKid) ?? a.keys[0];
    if (!key) return html(500, 'No signing key', 'The app has no signing certificate.');
    const creds = a.writable.credentials as { userNameTemplate?: { template?: string } } | undefined;
    const template = creds?.userNameTemplate?.template ?? '${source.login}';
    const field = /\$\{source\.(\w+)\}/.exec(template)?.[1] ?? 'login';
    const nameId = String(u.profile[field] ?? u.profile.login);
    const xml = signedSamlResponse({
      issuer: `http://www.okta.com/${a.externalKey}`,
      destination: acs,
      audience,
      nameId,
      nameIdFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
      privateKey: key.privateKey,
      cert: key.cert,
      now: new Date(),
      sessionIndex: samlId(),
    });
    return { status: 200, text: autoSubmitForm(acs, Buffer.from(xml, 'utf8').toString('base64')), headers: { 'content-type': 'text/html; charset=utf-8' } };
  }

  return {
    reset() {
      sessionTokens.clear();
      transactions.clear();
      sessions.clear();
    },
    handle(req, path) {
      if (path === '/.well-known/okta-organization' && req.method === 'GET') {
        const id = `00o${crypto.createHash('sha256').update(deps.orgUrl()).digest('hex').slice(0, 17)}`;
        return { status: 200, json: { id, pipeline: deps.policy() === 'identity-engine' ? 'idx' : 'v1', _links: { organization: { href: deps.orgUrl() } } } };
      }
      if (path === '/api/v1/authn') return authn(req);
      const f = /^\/api\/v1\/authn\/factors\/([^/]+)\/verify$/.exec(path);
      if (f) return verifyFactor(req, f[1]!);
      if (path === '/login/sessionCookieRedirect' && req.method === 'GET') return sessionCookieRedirect(req);
      let m = /^\/home\/([^/]+)\/([^/]+)\/[^/]+$/.exec(path);
      if (m && req.method === 'GET') {
        const a = deps.state().apps[m[2]!];
        return appSso(req, a && a.name === m[1] ? a : undefined, path);
      }
      m = /^\/app\/([^/]+)\/([^/]+)\/sso\/saml$/.exec(path);
      if (m && req.method === 'GET') {
        const a = Object.values(deps.state().apps).find((x) => x.externalKey === m![2] && x.name === m![1]);
        return appSso(req, a, path);
      }
      return undefined;
    },
  };
}
