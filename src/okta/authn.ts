/**
 * Headless sign-in to Okta, the way saml2aws and gimme-aws-creds obtain SAML assertions:
 * primary authentication (POST /api/v1/authn) gives a one-time sessionToken, which
 * /login/sessionCookieRedirect turns into a session cookie while redirecting to the app's embed
 * link; the embed link answers an auto-submitting HTML form that carries the SAMLResponse.
 *
 * Identity Engine orgs (GET /.well-known/okta-organization says pipeline "idx") no longer take the
 * sessionToken for a SAML app (gimme-aws-creds PR #392): that is reported, not worked around.
 *
 * The password is sent to Okta (again only when a try met a 5xx, a 429 or a dropped connection)
 * and never kept, logged or put in a message.
 *
 * Every call here retries transient faults on the one retry policy (src/retry/fetch.ts, a budget
 * per call) and never a definite answer (401, 403, MFA_REQUIRED...). Callers do not retry again.
 */
import { fetchWithRetry } from '../retry/fetch.js';

export type AuthnOutcome =
  | { kind: 'success'; sessionToken: string; userId?: string }
  | { kind: 'mfa-required'; factors: string[]; stateToken?: string; totpVerifyUrl?: string }
  | { kind: 'password-expired' }
  | { kind: 'locked-out' }
  | { kind: 'failed'; status: number; errorCode?: string; summary: string };

export type SamlFormOutcome =
  | { kind: 'form'; action: string; samlResponse: string; relayState?: string }
  | { kind: 'not-assigned'; status: number; message: string }
  | { kind: 'not-signed-in'; location: string }
  | { kind: 'error'; status: number; message: string };

const TIMEOUT_MS = 30_000;

function retrying(signal?: AbortSignal): { signal?: AbortSignal; attemptTimeoutMs: number } {
  return { ...(signal ? { signal } : {}), attemptTimeoutMs: TIMEOUT_MS };
}

/** "v1" (Classic Engine), "idx" (Identity Engine) or undefined when the org does not say. */
export async function oktaPipeline(orgUrl: string, signal?: AbortSignal): Promise<'v1' | 'idx' | undefined> {
  try {
    const res = await fetchWithRetry(`${orgUrl}/.well-known/okta-organization`, { headers: { accept: 'application/json' } }, retrying(signal));
    if (!res.ok) return undefined;
    const body = (await res.json()) as { pipeline?: unknown };
    return body.pipeline === 'idx' ? 'idx' : body.pipeline === 'v1' ? 'v1' : undefined;
  } catch {
    return undefined;
  }
}

export async function primaryAuthentication(orgUrl: string, username: string, password: string, signal?: AbortSignal): Promise<AuthnOutcome> {
  // Safe to send again after a 5xx, 429 or dropped connection: at worst Okta issues another session token.
  const res = await fetchWithRetry(
    `${orgUrl}/api/v1/authn`,
    {
      method: 'POST',
      headers: { accept: 'application/json', 'content-type': 'application/json' },
      body: JSON.stringify({ username, password, options: { multiOptionalFactorEnroll: false, warnBeforePasswordExpired: false } }),
    },
    retrying(signal),
  );
  let body: Record<string, unknown> = {};
  try {
    body = (await res.json()) as Record<string, unknown>;
  } catch {
    // not JSON: handled below
  }
  if (!res.ok) {
    return { kind: 'failed', status: res.status, ...(typeof body.errorCode === 'string' ? { errorCode: body.errorCode } : {}), summary: typeof body.errorSummary === 'string' ? body.errorSummary : `HTTP ${res.status}` };
  }
  const status = body.status;
  if (status === 'SUCCESS' && typeof body.sessionToken === 'string') {
    const user = (body._embedded as { user?: { id?: unknown } } | undefined)?.user;
    return { kind: 'success', sessionToken: body.sessionToken, ...(typeof user?.id === 'string' ? { userId: user.id } : {}) };
  }
  if (status === 'MFA_REQUIRED' || status === 'MFA_ENROLL' || status === 'MFA_CHALLENGE') {
    const listed = (body._embedded as { factors?: { factorType?: unknown; _links?: { verify?: { href?: unknown } } }[] } | undefined)?.factors ?? [];
    const factors = listed.map((f) => String(f.factorType ?? 'factor'));
    // A TOTP factor (Okta Verify / Google Authenticator code) can be answered with a code: its verify link.
    const totp = status === 'MFA_REQUIRED' ? listed.find((f) => f.factorType === 'token:software:totp' && typeof f._links?.verify?.href === 'string') : undefined;
    return {
      kind: 'mfa-required',
      factors,
      ...(typeof body.stateToken === 'string' ? { stateToken: body.stateToken } : {}),
      ...(totp ? { totpVerifyUrl: totp._links!.verify!.href as string } : {}),
    };
  }
  if (status === 'PASSWORD_EXPIRED' || status === 'PASSWORD_WARN' || status === 'PASSWORD_RESET') return { kind: 'password-expired' };
  if (status === 'LOCKED_OUT') return { kind: 'locked-out' };
  return { kind: 'failed', status: res.status, summary: `unexpected authentication status ${String(status)}` };
}

/**
 * Answers MFA_REQUIRED with a TOTP code (POST {factor verify link} {stateToken, passCode}, Okta
 * Authentication API "Verify TOTP Factor"): SUCCESS gives the session token. Not retried after a
 * definite answer (a code is good once).
 */
export async function verifyTotpFactor(verifyUrl: string, stateToken: string, passCode: string, signal?: AbortSignal): Promise<AuthnOutcome> {
  const res = await fetchWithRetry(verifyUrl, { method: 'POST', headers: { accept: 'application/json', 'content-type': 'application/json' }, body: JSON.stringify({ stateToken, passCode }) }, retrying(signal));
  let body: Record<string, unknown> = {};
  try {
    body = (await res.json()) as Record<string, unknown>;
  } catch {
    // not JSON
  }
  if (res.ok && body.status === 'SUCCESS' && typeof body.sessionToken === 'string') return { kind: 'success', sessionToken: body.sessionToken };
  return { kind: 'failed', status: res.status, ...(typeof body.errorCode === 'string' ? { errorCode: body.errorCode } : {}), summary: typeof body.errorSummary === 'string' ? body.errorSummary : `the factor was not accepted (HTTP ${res.status})` };
}

function decodeHtml(s: string): string {
  return s
    .replace(/&#x([0-9a-f]+);/gi, (_m, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_m, d: string) => String.fromCodePoint(parseInt(d, 10)))
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function attrOf(tag: string, name: string): string | undefined {
  const m = new RegExp(`\\s${name}\\s*=\\s*("([^"]*)"|'([^']*)')`, 'i').exec(tag);
  return m ? decodeHtml(m[2] ?? m[3] ?? '') : undefined;
}

/** The SAMLResponse form in an Okta HTML page, or undefined. */
export function parseSamlForm(html: string): { action: string; samlResponse: string; relayState?: string } | undefined {
  const form = /<form\b[^>]*>/i.exec(html)?.[0];
  const action = form ? attrOf(form, 'action') : undefined;
  let saml: string | undefined;
  let relay: string | undefined;
  for (const input of html.match(/<input\b[^>]*>/gi) ?? []) {
    const name = attrOf(input, 'name');
    if (name === 'SAMLResponse') saml = attrOf(input, 'value');
    else if (name === 'RelayState') relay = attrOf(input, 'value');
  }
  if (!action || !saml) return undefined;
  return { action, samlResponse: saml, ...(relay ? { relayState: relay } : {}) };
}

function pageText(html: string): string {
  const title = /<title>([^<]*)<\/title>/i.exec(html)?.[1];
  const text = html
    .replace(/<script[\s\S]*?<\/script>/gi, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return decodeHtml((title ? `${title}: ` : '') + text.slice(0, 200));
}

/**
 * Redeems the session token for a session cookie and follows the redirects to the app's SSO link,
 * returning the SAMLResponse form (the session token is good once).
 */
export async function samlFromSsoLink(orgUrl: string, sessionToken: string, appLink: string, signal?: AbortSignal): Promise<SamlFormOutcome> {
  const cookies = new Map<string, string>();
  let url = `${orgUrl}/login/sessionCookieRedirect?${new URLSearchParams({ checkAccountSetupComplete: 'true', token: sessionToken, redirectUrl: appLink }).toString()}`;
  for (let hop = 0; hop < 10; hop++) {
    // Each hop has its own budget; a retried hop resends the same URL and cookies.
    const res = await fetchWithRetry(
      url,
      {
        redirect: 'manual',
        headers: { accept: 'text/html', ...(cookies.size > 0 ? { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') } : {}) },
      },
      retrying(signal),
    );
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair?.indexOf('=') ?? -1;
      if (pair && i > 0) cookies.set(pair.slice(0, i).trim(), pair.slice(i + 1).trim());
    }
    if (res.status >= 300 && res.status < 400) {
      const loc = res.headers.get('location');
      await res.arrayBuffer().catch(() => undefined);
      if (!loc) return { kind: 'error', status: res.status, message: 'a redirect without a location' };
      const next = new URL(loc, url).toString();
      if (/\/login\/(login\.htm|default)|\/signin\b/.test(new URL(next).pathname)) return { kind: 'not-signed-in', location: next };
      url = next;
      continue;
    }
    const html = await res.text();
    if (res.status === 403) return { kind: 'not-assigned', status: 403, message: pageText(html) };
    if (!res.ok) return { kind: 'error', status: res.status, message: pageText(html) };
    const form = parseSamlForm(html);
    if (!form) return { kind: 'error', status: res.status, message: `the page holds no SAMLResponse form (${pageText(html)})` };
    return { kind: 'form', ...form };
  }
  return { kind: 'error', status: 0, message: 'too many redirects' };
}
