/**
 * The Okta client: org URL rules, okta.yaml reading, and connectOkta(), which builds the SDK client
 * (SSWS or OAuth PrivateKey) with our retrying executor for settings already resolved, and makes one
 * cheap authenticated call up front so a bad token or missing scope fails here (exit 4) instead of
 * halfway through the run. The questions (org URL, auth mode, credentials) are asked by the steps
 * layer (src/steps/connect.ts); this file never prompts and never reads process.env.
 */
import { ioMessage, type IoMessage } from '../messages.js';
import { READ_LIMITS, readBoundedSync } from '../safe/read.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLiteClient, type LiteClient, type LiteClientConfig } from './sdk-lite.js';
import { parse as parseYaml } from 'yaml';
import type { PreflightOutput } from '../core/outputs.js';
import { AuthError, UsageError, WizardError } from '../errors.js';
import { OktaAuthError, OktaClient, OktaUnreachableError, OKTA_PERMISSION_HINT, type RawResponse, type Transport } from './client.js';
import { OKTA_SCOPES } from './scopes.js';
import { RetryingExecutor, type RetryOptions } from './retry.js';

// ------------------------------------------------------------------------------------------------
// Org URL
// ------------------------------------------------------------------------------------------------

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

export interface OrgUrlResult {
  url: string;
  /** OKTA_ORG_URL_ADMIN / OKTA_ORG_URL_PATH: what was corrected. */
  warnings: IoMessage[];
}

/** Validates and normalises an org URL. Throws UsageError naming the fix. */
export function normaliseOrgUrl(raw: string): OrgUrlResult {
  const value = raw.trim();
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw new UsageError(`The Okta org URL "${value}" is not a URL.`, {
      code: 'OKTA_ORG_URL_INVALID',
      hint: 'Give the full address of your org, e.g. --okta-org-url https://example.okta.com',
    });
  }
  const loopback = LOOPBACK.has(u.hostname);
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && loopback)) {
    throw new UsageError(`The Okta org URL must use https, not ${u.protocol.replace(':', '')} ("${value}").`, {
      code: 'OKTA_ORG_URL_INSECURE',
      hint: 'Use https://<your-org>.okta.com (plain http is only accepted for a local sandbox on 127.0.0.1).',
    });
  }
  if (u.username || u.password) {
    throw new UsageError('The Okta org URL must not contain a user name or password.', { code: 'OKTA_ORG_URL_INVALID', hint: 'Give just https://<your-org>.okta.com' });
  }
  const warnings: IoMessage[] = [];
  const labels = u.hostname.split('.');
  if (labels[0]?.endsWith('-admin') && labels.length > 1) {
    const fixed = `${labels[0].slice(0, -'-admin'.length)}.${labels.slice(1).join('.')}`;
    warnings.push(ioMessage('OKTA_ORG_URL_ADMIN', { host: u.hostname, fixed }));
    u.hostname = fixed;
  }
  if (u.pathname !== '/' && u.pathname !== '') {
    warnings.push(ioMessage('OKTA_ORG_URL_PATH', { path: u.pathname }));
  }
  return { url: `${u.protocol}//${u.host}`, warnings };
}

// ------------------------------------------------------------------------------------------------
// okta.yaml (as `okta login` and the SDKs write it)
// ------------------------------------------------------------------------------------------------

export interface OktaYamlClient {
  orgUrl?: string;
  token?: string;
  authorizationMode?: string;
  clientId?: string;
  scopes?: string[];
  privateKey?: string;
  keyId?: string;
}

export function oktaYamlPath(env: Record<string, string | undefined>): string {
  return env.OKTA_AWS_SSO_OKTA_YAML || path.join(os.homedir(), '.okta', 'okta.yaml');
}

/** Reads okta.yaml; undefined when absent. A private key given as a path is read from that file. */
export function readOktaYaml(file: string): OktaYamlClient | undefined {
  if (!fs.existsSync(file)) return undefined;
  const text = readBoundedSync(file, { maxBytes: READ_LIMITS.oktaYaml, what: 'The Okta settings file', code: 'OKTA_YAML_UNREADABLE', hint: 'Fix or remove the file, or give the Okta settings with --okta-org-url and OKTA_API_TOKEN.' });
  let doc: unknown;
  try {
    doc = parseYaml(text, { maxAliasCount: 100 });
  } catch (e) {
    throw new UsageError(`${file} is not valid YAML (${(e as Error).message.split('\n')[0]}).`, {
      code: 'OKTA_YAML_INVALID',
      hint: 'Fix or remove the file, or give the Okta settings with --okta-org-url and OKTA_API_TOKEN.',
    });
  }
  const c = (doc as { okta?: { client?: Record<string, unknown> } } | null)?.okta?.client;
  if (!c || typeof c !== 'object') return undefined;
  const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);
  let privateKey = str(c.privateKey);
  if (privateKey && !privateKey.includes('-----BEGIN') && !privateKey.startsWith('{')) {
    const p = privateKey.startsWith('~') ? path.join(os.homedir(), privateKey.slice(1)) : path.resolve(path.dirname(file), privateKey);
    if (fs.existsSync(p)) privateKey = readBoundedSync(p, { maxBytes: READ_LIMITS.secret, what: `The private key file named in ${file}`, code: 'OKTA_KEY_UNREADABLE', hint: 'Check the privateKey path in okta.yaml, or pass --okta-private-key-file.' }).trim();
  }
  const scopes = Array.isArray(c.scopes) ? c.scopes.map(String) : str(c.scopes)?.split(/[\s,]+/).filter(Boolean);
  return {
    orgUrl: str(c.orgUrl),
    token: str(c.token),
    authorizationMode: str(c.authorizationMode),
    clientId: str(c.clientId),
    scopes,
    privateKey,
    keyId: str(c.keyId),
  };
}

// ------------------------------------------------------------------------------------------------
// Connect
// ------------------------------------------------------------------------------------------------

/** Where the Okta settings come from, resolved by the caller (answers, okta.yaml, prompts). */
export type OktaCredentials =
  | { mode: 'ssws'; token: string; source: string }
  | { mode: 'oauth'; clientId: string; privateKey: string; keyId?: string; scopes: string[]; source: string };

export interface OktaConnection {
  /** Normalised (normaliseOrgUrl). */
  orgUrl: string;
  credentials: OktaCredentials;
}

export interface ConnectOptions {
  /** Retry tuning (tests use short delays). */
  retry?: RetryOptions;
  /** Details for --verbose (retries). */
  debug?: (message: string) => void;
}

export function parseAuthMode(v: string): 'ssws' | 'oauth' {
  const s = v.trim().toLowerCase();
  if (s === 'ssws' || s === 'token' || s === 'api-token') return 'ssws';
  if (s === 'oauth' || s === 'privatekey' || s === 'private-key') return 'oauth';
  throw new UsageError(`Unknown Okta authentication mode "${v}".`, { code: 'OKTA_AUTH_MODE', hint: 'Use --okta-auth ssws (API token) or --okta-auth oauth (service app with a private key).' });
}

export function splitScopes(v: string): string[] {
  return v.split(/[\s,]+/).map((s) => s.trim()).filter(Boolean);
}

/**
 * Builds the SDK client for settings already resolved (no question, no environment read) and makes
 * one cheap authenticated call, so a bad token or a missing scope fails here (exit 4).
 */
export async function connectOkta(conn: OktaConnection, opts: ConnectOptions = {}): Promise<OktaClient> {
  const { orgUrl, credentials: cred } = conn;
  const debug = opts.debug ?? (() => undefined);
  const executor = new RetryingExecutor({
    ...opts.retry,
    onRetry: (i) => {
      debug(`Okta ${i.method} ${new URL(i.url).pathname}: ${i.reason}, retry ${i.attempt} in ${Math.round(i.delayMs / 100) / 10} s`);
      opts.retry?.onRetry?.(i);
    },
  });
  let describe: PreflightOutput['okta'];
  let client: LiteClient;
  if (cred.mode === 'ssws') {
    client = buildClient({ orgUrl, authorizationMode: 'SSWS', token: cred.token, requestExecutor: executor, cacheMiddleware: null });
    describe = { orgUrl, authMode: 'ssws', credentialSource: cred.source };
  } else {
    client = buildClient({
      orgUrl,
      authorizationMode: 'PrivateKey',
      clientId: cred.clientId,
      scopes: cred.scopes,
      privateKey: cred.privateKey,
      keyId: cred.keyId ?? '',
      requestExecutor: executor,
      cacheMiddleware: null,
    });
    describe = { orgUrl, authMode: 'oauth', credentialSource: cred.source, clientId: cred.clientId, keyId: cred.keyId || undefined, scopes: cred.scopes };
  }

  const okta = new OktaClient({ orgUrl, transport: sdkTransport(client, describe.authMode), describe, ...(opts.retry?.policy ? { retryPolicy: opts.retry.policy } : {}), onCreateRetry: debug });
  debug(`Okta: ${describe.authMode === 'ssws' ? 'API token' : 'OAuth service app'} from ${describe.credentialSource}.`);

  // ---- one cheap authenticated call
  try {
    await okta.getJson('/api/v1/apps', { limit: 1 });
  } catch (e) {
    if (e instanceof OktaAuthError && e.status === 403) {
      throw new OktaAuthError(e.details, `${OKTA_PERMISSION_HINT}${describe.authMode === 'oauth' ? ` Requested scopes: ${(describe.scopes ?? []).join(' ')}.` : ''}`);
    }
    throw e;
  }
  return okta;
}

/** The SDK's configuration loader also reads ./okta.yaml and OKTA_CLIENT_*; a broken file there must not crash the run. */
function buildClient(config: LiteClientConfig): LiteClient {
  try {
    return createLiteClient(config);
  } catch (e) {
    const first = (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? '';
    throw new UsageError(`The Okta SDK could not start: ${first}`, {
      code: 'OKTA_SDK_CONFIG',
      hint: 'Check ./okta.yaml and ~/.okta/okta.yaml (remove or fix them), and the OKTA_CLIENT_* environment variables.',
    });
  }
}

type SdkRequest = { url: string; method: string; headers: Record<string, string>; body?: string };
interface SdkHttpInternals {
  defaultHeaders: Record<string, unknown>;
  oauth?: { clearCachedAccessToken(): void } | null;
  prepareRequest(r: SdkRequest): Promise<unknown>;
}

/** Raw exchanges through the SDK: its auth (SSWS header, OAuth token + DPoP) and our executor, no error filter. */
export function sdkTransport(client: LiteClient, mode: 'ssws' | 'oauth'): Transport {
  const http = client.http as unknown as SdkHttpInternals;
  const executor = client.requestExecutor as unknown as { fetch(r: SdkRequest): Promise<RawResponse> };
  return async (url, init) => {
    let retriedAuth = false;
    for (;;) {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(http.defaultHeaders)) if (typeof v === 'string') headers[k] = v;
      Object.assign(headers, init.headers);
      const req: SdkRequest = { url, method: init.method.toLowerCase(), headers, body: init.body };
      try {
        await http.prepareRequest(req);
      } catch (e) {
        throw tokenRequestError(e, mode);
      }
      const res = await executor.fetch(req).catch((e: unknown) => {
        const code = (e as { code?: string }).code ?? (e as Error).name;
        throw new OktaUnreachableError(new URL(url).origin, code);
      });
      if (res.status === 401 && http.oauth && !retriedAuth) {
        retriedAuth = true;
        http.oauth.clearCachedAccessToken();
        await res.text().catch(() => undefined);
        continue;
      }
      return res;
    }
  };
}

function tokenRequestError(e: unknown, mode: 'ssws' | 'oauth'): WizardError {
  if (e instanceof WizardError) return e;
  const status = (e as { status?: number }).status;
  if (mode === 'oauth' && typeof status === 'number') {
    return new AuthError(`Okta refused the OAuth token request for the service app (HTTP ${status}).`, {
      code: status === 400 ? 'OKTA_OAUTH_REJECTED' : 'OKTA_UNAUTHORIZED',
      hint:
        'Check --okta-client-id, that the public key matching --okta-private-key-file is on the service app (General > Public keys) with --okta-key-id as its kid, ' +
        `that the app uses "Public key / Private key" client authentication, and that every requested scope is granted (Okta API Scopes tab): ${OKTA_SCOPES.join(', ')}.`,
    });
  }
  const code = (e as { code?: string }).code;
  if (code) {
    return new WizardError(`Could not reach Okta for an OAuth token (${code}).`, { code: 'OKTA_UNREACHABLE', hint: 'Check --okta-org-url and your network, then run again.' });
  }
  return new UsageError(`The Okta service app's private key could not be used (${(e as Error).message?.split('\n')[0] ?? 'unknown problem'}).`, {
    code: 'OKTA_KEY_INVALID',
    hint: 'Give an RSA or EC private key as PEM (-----BEGIN PRIVATE KEY-----) or as a JWK with its private members, through --okta-private-key-file.',
  });
}
