/**
 * Resolves the Okta org URL and credentials through the I/O layer, builds the SDK client (SSWS or
 * OAuth PrivateKey) with our retrying executor, and makes one cheap authenticated call up front so a
 * bad token or missing scope fails here (exit 4) instead of halfway through the run.
 *
 * Credential sources, first match wins: answers (flags, OKTA_API_TOKEN / OKTA_CLIENT_* environment,
 * --okta-token-file, --config) > the Okta SDK's okta.yaml (~/.okta/okta.yaml, or the file named by
 * OKTA_AWS_SSO_OKTA_YAML) > a hidden prompt. A ./okta.yaml in the working directory is never read
 * silently (the SDK would): we say we ignore it.
 */
import { READ_LIMITS, readBoundedSync } from '../safe/read.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLiteClient, type LiteClient, type LiteClientConfig } from './sdk-lite.js';
import { parse as parseYaml } from 'yaml';
import type { Io, SecretStore } from '../core/io.js';
import type { PreflightOutput } from '../core/outputs.js';
import { AuthError, UsageError, WizardError } from '../errors.js';
import { OktaAuthError, OktaClient, OktaUnreachableError, OKTA_PERMISSION_HINT, OKTA_SCOPES, type RawResponse, type Transport } from './client.js';
import { RetryingExecutor, type RetryOptions } from './retry.js';

// ------------------------------------------------------------------------------------------------
// Org URL
// ------------------------------------------------------------------------------------------------

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

export interface OrgUrlResult {
  url: string;
  warning?: string;
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
  let warning: string | undefined;
  const labels = u.hostname.split('.');
  if (labels[0]?.endsWith('-admin') && labels.length > 1) {
    const fixed = `${labels[0].slice(0, -'-admin'.length)}.${labels.slice(1).join('.')}`;
    warning = `The Okta org URL "${u.hostname}" is the Admin Console address; the API lives at "${fixed}", so that is used instead.`;
    u.hostname = fixed;
  }
  if (u.pathname !== '/' && u.pathname !== '') {
    warning = (warning ? `${warning} ` : '') + `The path "${u.pathname}" in the Okta org URL is ignored.`;
  }
  return { url: `${u.protocol}//${u.host}`, warning };
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

export function oktaYamlPath(env: NodeJS.ProcessEnv = process.env): string {
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

export interface ConnectOptions {
  /** Retry tuning (tests use short delays). */
  retry?: RetryOptions;
  /** Environment for OKTA_AWS_SSO_OKTA_YAML (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Directory checked for a stray okta.yaml (default process.cwd()). */
  cwd?: string;
}

function parseAuthMode(v: string): 'ssws' | 'oauth' {
  const s = v.trim().toLowerCase();
  if (s === 'ssws' || s === 'token' || s === 'api-token') return 'ssws';
  if (s === 'oauth' || s === 'privatekey' || s === 'private-key') return 'oauth';
  throw new UsageError(`Unknown Okta authentication mode "${v}".`, { code: 'OKTA_AUTH_MODE', hint: 'Use --okta-auth ssws (API token) or --okta-auth oauth (service app with a private key).' });
}

function splitScopes(v: string): string[] {
  return v.split(/[\s,]+/).map((s) => s.trim()).filter(Boolean);
}

export async function connectOkta(io: Io, secrets: SecretStore, opts: ConnectOptions = {}): Promise<OktaClient> {
  const env = opts.env ?? process.env;
  const stray = path.join(opts.cwd ?? process.cwd(), 'okta.yaml');
  const yamlFile = oktaYamlPath(env);
  if (fs.existsSync(stray) && path.resolve(stray) !== path.resolve(yamlFile)) {
    io.warn(`Found ${stray}: the Okta SDK would read it silently; okta-aws-sso ignores it. Use ~/.okta/okta.yaml, flags or environment variables instead.`);
  }
  const yaml = readOktaYaml(yamlFile);
  const yamlName = env.OKTA_AWS_SSO_OKTA_YAML ? yamlFile : '~/.okta/okta.yaml';

  // ---- org URL
  let rawUrl: string;
  if (io.hasAnswer('okta-org-url') || !yaml?.orgUrl) {
    rawUrl = await io.ask({
      key: 'okta-org-url',
      message: 'Okta org URL (https://<your-org>.okta.com)',
      validate: (v) => {
        try {
          normaliseOrgUrl(v);
          return true;
        } catch (e) {
          return e instanceof WizardError ? `${e.message} ${e.hint ?? ''}`.trim() : String(e);
        }
      },
    });
  } else {
    rawUrl = yaml.orgUrl;
    io.info(`Okta org URL from ${yamlName}.`);
  }
  const { url: orgUrl, warning } = normaliseOrgUrl(rawUrl);
  if (warning) io.warn(warning);

  // ---- auth mode and credentials
  let mode: 'ssws' | 'oauth' | undefined;
  if (io.hasAnswer('okta-auth')) mode = parseAuthMode(await io.ask({ key: 'okta-auth', message: 'Okta authentication (ssws or oauth)' }));
  else if (io.hasAnswer('okta-api-token')) mode = 'ssws';
  else if (io.hasAnswer('okta-client-id') || io.hasAnswer('okta-private-key')) mode = 'oauth';
  else if (yaml?.authorizationMode) mode = parseAuthMode(yaml.authorizationMode);
  else if (yaml?.token) mode = 'ssws';
  else if (yaml?.clientId && yaml.privateKey) mode = 'oauth';
  else if (io.interactive) {
    mode = await io.select<'ssws' | 'oauth'>({
      key: 'okta-auth',
      message: 'How should okta-aws-sso sign in to Okta?',
      choices: [
        { value: 'ssws', name: 'API token (SSWS)', description: 'Admin Console > Security > API > Tokens' },
        { value: 'oauth', name: 'OAuth service app (private key JWT)', description: 'recommended by Okta; needs the scopes granted and an admin role' },
      ],
      default: 'ssws',
    });
  } else mode = 'ssws';

  let describe: PreflightOutput['okta'];
  let client: LiteClient;
  const executor = new RetryingExecutor({
    ...opts.retry,
    onRetry: (i) => {
      io.debug(`Okta ${i.method} ${new URL(i.url).pathname}: ${i.reason}, retry ${i.attempt} in ${Math.round(i.delayMs / 100) / 10} s`);
      opts.retry?.onRetry?.(i);
    },
  });

  if (mode === 'ssws') {
    let token: string | undefined;
    let source: string;
    if (io.hasAnswer('okta-api-token') || !yaml?.token) {
      const given = io.answerSource('okta-api-token');
      token = await io.secret({
        key: 'okta-api-token',
        message: 'Okta API token (Admin Console > Security > API > Tokens)',
        validate: (v) => (v.trim().length >= 10 ? true : 'An Okta API token is a long string (about 42 characters); paste the whole value.'),
      });
      source = given ?? 'hidden prompt';
    } else {
      token = yaml.token;
      io.registerSecret(token);
      source = yamlName;
    }
    if (!token) throw new UsageError('No Okta API token was given.', { code: 'OKTA_TOKEN_MISSING', hint: 'Set OKTA_API_TOKEN or pass --okta-token-file <file>.' });
    secrets.set('okta-api-token', token);
    client = buildClient({ orgUrl, authorizationMode: 'SSWS', token, requestExecutor: executor, cacheMiddleware: null });
    describe = { orgUrl, authMode: 'ssws', credentialSource: source };
  } else {
    const fromYaml = !io.hasAnswer('okta-client-id') && !!yaml?.clientId;
    const clientId = fromYaml && yaml?.clientId ? yaml.clientId : await io.ask({ key: 'okta-client-id', message: 'Client ID of the Okta OAuth service app' });
    let privateKey: string | undefined;
    if (!io.hasAnswer('okta-private-key') && yaml?.privateKey) {
      privateKey = yaml.privateKey;
      io.registerSecret(privateKey);
    } else {
      privateKey = await io.secret({
        key: 'okta-private-key',
        message: 'Private key of the service app (PEM or JWK)',
        validate: (v) => (v.includes('-----BEGIN') || v.trim().startsWith('{') ? true : 'Paste a PEM private key (-----BEGIN PRIVATE KEY-----) or a JWK JSON object.'),
      });
    }
    if (!privateKey) throw new UsageError('No private key for the Okta service app was given.', { code: 'OKTA_KEY_MISSING', hint: 'Pass --okta-private-key-file <file> or set OKTA_CLIENT_PRIVATEKEY.' });
    secrets.set('okta-private-key', privateKey);
    const keyId = io.hasAnswer('okta-key-id') ? await io.ask({ key: 'okta-key-id', message: 'Key ID (kid)' }) : yaml?.keyId;
    const scopes = io.hasAnswer('okta-scopes')
      ? splitScopes(await io.ask({ key: 'okta-scopes', message: 'OAuth scopes' }))
      : yaml?.scopes && yaml.scopes.length > 0
        ? yaml.scopes
        : [...OKTA_SCOPES];
    client = buildClient({
      orgUrl,
      authorizationMode: 'PrivateKey',
      clientId,
      scopes,
      privateKey,
      keyId: keyId ?? '',
      requestExecutor: executor,
      cacheMiddleware: null,
    });
    describe = {
      orgUrl,
      authMode: 'oauth',
      credentialSource: fromYaml || (!io.hasAnswer('okta-private-key') && yaml?.privateKey) ? yamlName : `service app key from ${io.answerSource('okta-private-key') ?? 'a hidden prompt'}`,
      clientId,
      keyId: keyId || undefined,
      scopes,
    };
  }

  const okta = new OktaClient({ orgUrl, transport: sdkTransport(client, describe.authMode), describe, ...(opts.retry?.policy ? { retryPolicy: opts.retry.policy } : {}), onCreateRetry: (m) => io.debug(m) });
  io.debug(`Okta: ${describe.authMode === 'ssws' ? 'API token' : 'OAuth service app'} from ${describe.credentialSource}.`);

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
