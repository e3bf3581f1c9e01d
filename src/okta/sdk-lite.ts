/**
 * The parts of @okta/okta-sdk-nodejs the wizard uses, without the rest. The package's entry (its
 * `Client`) loads every generated API and model (about 2,000 modules, ~2 s of CPU at each start of a
 * process that talks to Okta), while the wizard only sends raw requests through the SDK's `Http`
 * (SSWS header, OAuth access token with private-key JWT and DPoP) and its request executor. This
 * module loads those few modules directly (the package declares no "exports", so its files are
 * public paths) and assembles a client the way the SDK's `Client` constructor does: the same
 * configuration loader (okta.yaml, OKTA_CLIENT_* environment), the same checks and messages, the same
 * `Http` and `OAuth` objects.
 *
 * The SDK version is pinned in package.json; test/sandbox/okta-oauth.test.ts and the end-to-end tests
 * run both authorization modes through it.
 */
import { createRequire } from 'node:module';
import os from 'node:os';
import type { RequestExecutor as SdkRequestExecutor } from '@okta/okta-sdk-nodejs';

const require = createRequire(import.meta.url);
const SDK = '@okta/okta-sdk-nodejs';

/** The SDK's RequestExecutor class (src/request-executor.js). */
export const RequestExecutor = require(`${SDK}/src/request-executor.js`) as typeof SdkRequestExecutor;

export interface LiteClientConfig {
  orgUrl: string;
  authorizationMode: 'SSWS' | 'PrivateKey';
  token?: string;
  clientId?: string;
  scopes?: string[];
  privateKey?: string;
  keyId?: string;
  requestExecutor: InstanceType<typeof SdkRequestExecutor>;
  cacheMiddleware?: null;
}

/** What the wizard reads of a client: its Http (auth, default headers) and its executor. */
export interface LiteClient {
  http: unknown;
  requestExecutor: InstanceType<typeof SdkRequestExecutor>;
  authorizationMode: string;
  baseUrl: string;
}

interface ParsedConfig {
  client: { orgUrl?: string; token?: string; authorizationMode?: string; clientId?: string; scopes?: string; privateKey?: string; keyId?: string; userAgent?: string };
}

/**
 * A client as `new Client(config)` builds it, for raw requests. Throws the SDK's own error on a bad
 * configuration (e.g. a broken okta.yaml).
 */
export function createLiteClient(config: LiteClientConfig): LiteClient {
  const { ConfigLoader } = require(`${SDK}/src/config-loader.js`) as { ConfigLoader: new () => { applyDefaults(): void; apply(c: unknown): void; config: ParsedConfig } };
  const { Http } = require(`${SDK}/src/http.js`) as { Http: new (o: Record<string, unknown>) => { defaultHeaders: Record<string, string> } };
  const pkg = require(`${SDK}/package.json`) as { name: string; version: string };

  const clientConfig: Record<string, unknown> = { ...config };
  const loader = new ConfigLoader();
  loader.applyDefaults();
  loader.apply({ client: clientConfig });
  const parsed = loader.config.client;

  const errors: string[] = [];
  if (!parsed.orgUrl) errors.push('Okta Org URL not provided');
  if (!parsed.token && parsed.authorizationMode !== 'PrivateKey') errors.push('Okta API token not provided');
  if (parsed.authorizationMode === 'PrivateKey') {
    if (!parsed.clientId) errors.push('Okta Client ID not provided');
    if (!parsed.scopes) errors.push('Scopes not provided');
    if (!parsed.privateKey) errors.push('Private Key not provided');
  } else if (parsed.authorizationMode !== 'SSWS') {
    errors.push('Unknown Authorization Mode');
  }
  if (errors.length) throw new Error(`Found ${errors.length} errors:\n${errors.join('\n')}\nSee https://github.com/okta/okta-sdk-nodejs for usage.`);

  const client: LiteClient & Record<string, unknown> = {
    http: undefined,
    requestExecutor: config.requestExecutor,
    authorizationMode: parsed.authorizationMode!,
    baseUrl: parsed.orgUrl!.replace(/\/$/, ''),
    apiToken: parsed.token,
  };
  if (client.authorizationMode === 'PrivateKey') {
    const { OAuth } = require(`${SDK}/src/oauth.js`) as { OAuth: new (c: unknown) => unknown };
    client['clientId'] = parsed.clientId;
    client['scopes'] = parsed.scopes!.split(' ');
    client['privateKey'] = parsed.privateKey;
    client['keyId'] = parsed.keyId;
    client['oauth'] = new OAuth(client);
  }
  const http = new Http({ cacheMiddleware: config.cacheMiddleware, requestExecutor: config.requestExecutor, oauth: client['oauth'] });
  if (client.authorizationMode === 'SSWS') http.defaultHeaders['Authorization'] = `SSWS ${parsed.token}`;
  const agent = `${pkg.name}/${pkg.version} node/${process.versions.node} ${os.platform()}/${os.release()}`;
  http.defaultHeaders['User-Agent'] = parsed.userAgent ? `${parsed.userAgent} ${agent}` : agent;
  client.http = http;
  return client;
}
