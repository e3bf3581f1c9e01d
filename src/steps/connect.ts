/**
 * The questions behind the Okta and AWS connections, asked through Io, with the environment passed
 * in by the caller (the CLI context): the clients in src/okta and src/aws never prompt and never
 * read process.env.
 *
 * Okta credential sources, first match wins: answers (flags, OKTA_API_TOKEN / OKTA_CLIENT_*
 * environment, --okta-token-file, --config) > the Okta SDK's okta.yaml (~/.okta/okta.yaml, or the
 * file named by OKTA_AWS_SSO_OKTA_YAML) > a hidden prompt. A ./okta.yaml in the working directory is
 * never read silently (the SDK would): we say we ignore it.
 */
import { messageText } from '../messages.js';
import fs from 'node:fs';
import path from 'node:path';
import type { Io, SecretStore } from '../core/io.js';
import { UsageError, WizardError } from '../errors.js';
import type { OktaClient } from '../okta/client.js';
import { OKTA_POLICY_SCOPES, OKTA_SCOPES } from '../okta/scopes.js';
import {
  connectOkta,
  normaliseOrgUrl,
  oktaYamlPath,
  parseAuthMode,
  readOktaYaml,
  splitScopes,
  type ConnectOptions,
  type OktaConnection,
  type OktaCredentials,
} from '../okta/connect.js';
import type { AwsClients } from '../aws/clients.js';
import type { AwsConnection } from '../aws/connect.js';

export type Env = Record<string, string | undefined>;

/** The Okta org URL and credentials, from the answers, okta.yaml or prompts. */
export async function askOktaConnection(io: Io, secrets: SecretStore, env: Env, cwd: string): Promise<OktaConnection> {
  const stray = path.join(cwd, 'okta.yaml');
  const yamlFile = oktaYamlPath(env);
  if (fs.existsSync(stray) && path.resolve(stray) !== path.resolve(yamlFile)) io.warn('OKTA_YAML_IGNORED', { file: stray });
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
    io.info('OKTA_ORG_URL_FROM_YAML', { file: yamlName });
  }
  const { url: orgUrl, warnings } = normaliseOrgUrl(rawUrl);
  for (const w of warnings) io.notify(w);

  // ---- auth mode and credentials
  let mode: 'ssws' | 'oauth';
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

  let credentials: OktaCredentials;
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
    credentials = { mode: 'ssws', token, source };
  } else {
    const fromYaml = !io.hasAnswer('okta-client-id') && !!yaml?.clientId;
    const clientId = fromYaml && yaml?.clientId ? yaml.clientId : await io.ask({ key: 'okta-client-id', message: 'Client ID of the Okta OAuth service app' });
    let privateKey: string | undefined;
    const keyFromYaml = !io.hasAnswer('okta-private-key') && !!yaml?.privateKey;
    if (keyFromYaml && yaml?.privateKey) {
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
    // --require-mfa writes the app's sign-in policy: the token then needs the policy scopes too.
    const wantsPolicies = io.hasAnswer('require-mfa') && (await io.confirm({ key: 'require-mfa', message: 'Require two factors to sign in to AWS?', default: false }));
    const given = io.hasAnswer('okta-scopes') ? splitScopes(await io.ask({ key: 'okta-scopes', message: 'OAuth scopes' })) : yaml?.scopes && yaml.scopes.length > 0 ? yaml.scopes : undefined;
    const scopes = given ?? [...OKTA_SCOPES, ...(wantsPolicies ? OKTA_POLICY_SCOPES : [])];
    const lacking = wantsPolicies ? OKTA_POLICY_SCOPES.filter((s) => !scopes.includes(s)) : [];
    if (lacking.length > 0) {
      const data = { lacking: lacking.join(' and '), where: given && io.hasAnswer('okta-scopes') ? '--okta-scopes' : `the scopes in ${yamlName}` };
      throw new UsageError(messageText('OKTA_SCOPES_MISSING_POLICIES', data), { code: 'OKTA_SCOPES_MISSING_POLICIES', hint: messageText('OKTA_SCOPES_MISSING_POLICIES', data, 'hint') });
    }
    credentials = {
      mode: 'oauth',
      clientId,
      privateKey,
      ...(keyId ? { keyId } : {}),
      scopes,
      source: fromYaml || keyFromYaml ? yamlName : `service app key from ${io.answerSource('okta-private-key') ?? 'a hidden prompt'}`,
    };
  }
  return { orgUrl, credentials };
}

/** Ask for the Okta settings, then connect (one cheap authenticated call). */
export async function connectOktaThroughIo(io: Io, secrets: SecretStore, opts: { env: Env; cwd: string } & ConnectOptions): Promise<OktaClient> {
  const conn = await askOktaConnection(io, secrets, opts.env, opts.cwd);
  return connectOkta(conn, { ...(opts.retry ? { retry: opts.retry } : {}), debug: opts.debug ?? ((m) => io.debug('CLIENT_DEBUG', { message: m })) });
}

/** The AWS profile and region answers (none: the SDK's default chain and the environment's region). */
export async function askAwsConnection(io: Io, env: Env): Promise<AwsConnection> {
  const profile = io.hasAnswer('aws-profile') ? await io.ask({ key: 'aws-profile', message: 'AWS profile' }) : undefined;
  const region = io.hasAnswer('region') ? await io.ask({ key: 'region', message: 'Identity Center home region' }) : undefined;
  return { ...(profile ? { profile } : {}), ...(region ? { region } : {}), env, debug: (m) => io.debug('CLIENT_DEBUG', { message: m }) };
}

/**
 * Ask for the AWS settings, then connect. The AWS SDK (v3.98x core) calls process.emitWarning()
 * once per process on Node < 22 ("NodeVersionSupportWarning"); a wizard user cannot act on it
 * mid-run, so the SDK's own switch turns it off in the environment given, unless already set.
 */
export async function connectAwsThroughIo(io: Io, env: Env): Promise<AwsClients> {
  if (env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED === undefined) env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const { connectAws } = await import('../aws/connect.js');
  return connectAws(await askAwsConnection(io, env));
}
