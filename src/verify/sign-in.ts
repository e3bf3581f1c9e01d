/**
 * `verify --sign-in`: prove the sign-in and the access without a browser (docs/verify.md).
 *
 *  1. SAML from Okta: primary authentication as the test user, the app's SSO link opened with the
 *     session token, the SAMLResponse taken from the form and checked (src/saml/response.ts).
 *  2. Identity Center accepts it: the SAMLResponse posted to the ACS URL; its answer reported.
 *  3. Access, like `aws sso login`: device authorization approved by the person (in the sandbox, by
 *     the sandbox's console action), the portal's accounts and roles, role credentials, STS.
 *
 * MFA, an Identity Engine org or a missing password skip parts 1-2 with the reason; part 3 remains.
 * The password is used once and never stored or printed.
 */
import fsp from 'node:fs/promises';
import type { Io, Services } from '../steps/contract.js';
import type { StepOutputs } from '../steps/outputs.js';
import { getUserId, describeUser } from '../aws/identity-store.js';
import { awsErrorMessage, awsErrorName } from '../aws/clients.js';
import { oktaPipeline, primaryAuthentication, samlFromSsoLink, verifyTotpFactor } from '../okta/authn.js';
import { checkSamlResponse } from '../saml/response.js';
import { fetchWithRetry } from '../retry/fetch.js';
import { InterruptedError, WaitingForConsoleError } from '../errors.js';
import { parseIdpMetadata } from '../saml/idp-metadata.js';
import { rowOf, type HealthRow } from './rows.js';
import { testUserPasswordOfThisRun } from './run-memory.js';

export interface SignInEnv {
  io: Io;
  services: Services;
  outputs: Readonly<Partial<StepOutputs>>;
  signal: AbortSignal;
  now(): Date;
  /** In the sandbox: where Identity Center's ACS URL is served (the sandbox's AWS endpoint). */
  acsBaseUrl?: string;
  /** Longest wait for the person to approve the device code (ms); default: the code's lifetime. */
  deviceWaitMs?: number;
}

const DEVICE_CLIENT_NAME = 'okta-aws-sso-verify';

async function password(env: SignInEnv, login: string): Promise<string | undefined> {
  const known = testUserPasswordOfThisRun(login);
  if (known) return known;
  const fromUser = await env.io.secret({ key: 'test-user-password', message: `Password of the test user ${login} (used once to sign in, never stored)`, optional: !env.io.interactive });
  return fromUser === '' ? undefined : fromUser;
}

/** The ACS URL as reachable from here: in the sandbox, the same path on the sandbox's AWS endpoint. */
function reachable(acsUrl: string, base?: string): string {
  if (!base) return acsUrl;
  const u = new URL(acsUrl);
  return `${base.replace(/\/+$/, '')}${u.pathname}${u.search}`;
}

async function samlPart(env: SignInEnv, rows: HealthRow[], userName: string | undefined): Promise<void> {
  const o = env.outputs;
  const user = o['test-user']!;
  const app = o['okta-app'];
  const idp = o['idp-metadata'];
  const sp = o['sp-metadata'];
  if (!app || !idp || !sp) {
    rows.push(rowOf('okta-authn', 'Sign in to Okta as the test user', 'skipped', 'the Okta app, IdP metadata or SP metadata step is not done'));
    return;
  }
  const okta = await env.services.okta();
  const orgUrl = okta.orgUrl;
  if ((await oktaPipeline(orgUrl, env.signal)) === 'idx') {
    rows.push(
      rowOf(
        'okta-authn',
        'Sign in to Okta as the test user',
        'skipped',
        'this is an Okta Identity Engine org: a session token from the authentication API does not open a SAML app there, so the SAML part cannot run without a browser',
        'Sign in once in a private window to check the SAML part; the access part below still runs.',
      ),
    );
    return;
  }
  const pw = await password(env, user.login);
  if (!pw) {
    rows.push(
      rowOf('okta-authn', 'Sign in to Okta as the test user', 'skipped', 'no password for the test user was given', 'Set OKTA_AWS_SSO_TEST_USER_PASSWORD or pass --test-user-password-file <file> to check the SAML part.'),
    );
    return;
  }
  env.io.registerSecret(pw);
  let authn = await primaryAuthentication(orgUrl, user.login, pw, env.signal);
  let factorNote = '';
  if (authn.kind === 'mfa-required' && authn.totpVerifyUrl && authn.stateToken) {
    // The sign-on policy asks for a factor (e.g. --require-mfa): a TOTP code answers it, when one is given.
    const code = await env.io.secret({ key: 'okta-mfa-code', message: `Code from the authenticator app of ${user.login} (Okta asks for a second factor)`, optional: true });
    if (code) {
      env.io.registerSecret(code);
      const factors = authn.factors;
      authn = await verifyTotpFactor(authn.totpVerifyUrl, authn.stateToken, code, env.signal);
      if (authn.kind !== 'success') {
        rows.push(rowOf('okta-authn', 'Sign in to Okta as the test user', 'failed', `Okta asked for a second factor (${factors.join(', ')}) and refused the code given: ${authn.kind === 'failed' ? authn.summary : authn.kind}`, 'Give a current code from the authenticator app (OKTA_AWS_SSO_MFA_CODE, or type it when asked), then run `okta-aws-sso verify --sign-in` again.'));
        return;
      }
      factorNote = ' and its second factor (TOTP)';
    }
  }
  if (authn.kind === 'mfa-required') {
    rows.push(
      rowOf(
        'okta-authn',
        'Sign in to Okta as the test user',
        'skipped',
        `Okta's sign-on policy requires a second factor (${authn.factors.join(', ') || 'MFA'}), which cannot be answered without a person: the SAML part is skipped`,
        'Sign in once in a private window to check the SAML part; the access part below still runs.',
      ),
    );
    return;
  }
  if (authn.kind !== 'success') {
    const detail =
      authn.kind === 'failed'
        ? `Okta refused the sign-in: ${authn.summary}${authn.errorCode ? ` (${authn.errorCode})` : ''}`
        : authn.kind === 'password-expired'
          ? 'the password of the test user has expired (or must be changed at first sign-in)'
          : 'the test user is locked out';
    rows.push(
      rowOf('okta-authn', 'Sign in to Okta as the test user', 'failed', detail, `Check the password given for ${user.login} (Okta Admin Console > Directory > People > ${user.login} > Reset password), then run again.`),
    );
    return;
  }
  rows.push(rowOf('okta-authn', 'Sign in to Okta as the test user', 'passed', `primary authentication of ${user.login}${factorNote} succeeded`));

  // Verify read the app (live) just before: its SSO link is taken from that read when nothing was written since.
  const raw = await okta.getAppAsJustRead(app.appId);
  const links = (raw?._links as { appLinks?: { href?: string }[] } | undefined)?.appLinks;
  const appLink = links?.find((l) => typeof l.href === 'string')?.href ?? idp.ssoUrl;
  let form = await samlFromSsoLink(orgUrl, authn.sessionToken, appLink, env.signal);
  // A session token is good for one use: when the answer to its first redirect was lost and the hop
  // was sent again, Okta asks for a sign-in. A fresh primary authentication (no second factor to
  // answer again) gets a new token; a token refused every time is still reported below.
  for (let again = 0; again < 2 && form.kind === 'not-signed-in' && factorNote === ''; again++) {
    const fresh = await primaryAuthentication(orgUrl, user.login, pw, env.signal);
    if (fresh.kind !== 'success') break;
    form = await samlFromSsoLink(orgUrl, fresh.sessionToken, appLink, env.signal);
  }
  if (form.kind !== 'form') {
    const detail =
      form.kind === 'not-assigned'
        ? `Okta does not let ${user.login} use the app "${app.label}": ${form.message}`
        : form.kind === 'not-signed-in'
          ? 'Okta asked for a sign-in again instead of opening the app (the session token was not accepted)'
          : `the app's SSO link gave no SAML response: HTTP ${form.status} ${form.message}`;
    rows.push(
      rowOf(
        'saml-response',
        'The app gives a SAML response',
        'failed',
        detail,
        form.kind === 'not-assigned' ? `Assign ${user.login} to "${app.label}" in Okta (through the assignment group), then run again.` : 'Open the app as the test user in a private window to see what Okta shows.',
      ),
    );
    return;
  }
  rows.push(rowOf('saml-response', 'The app gives a SAML response', 'passed', `a signed SAMLResponse for ${form.action}`));

  let certificate: string;
  try {
    certificate = parseIdpMetadata(await fsp.readFile(idp.path, 'utf8')).cert.base64;
  } catch (e) {
    rows.push(
      rowOf('saml-signature', 'Signature verifies against the uploaded IdP certificate', 'failed', `the uploaded IdP metadata ${idp.path} cannot be read (${e instanceof Error ? e.message : String(e)})`, 'Run the idp-metadata step again (okta-aws-sso resume) so the file exists.'),
    );
    return;
  }
  const result = checkSamlResponse(form.samlResponse, {
    idpEntityId: idp.entityId,
    audience: sp.issuerUrl,
    acsUrls: sp.acsUrls.length > 0 ? sp.acsUrls : [sp.acsUrl],
    ...(userName ? { userName } : {}),
    certificate,
    now: env.now(),
  });
  for (const c of result.checks) rows.push(rowOf(c.id, c.title, c.ok ? 'passed' : 'failed', c.detail, c.fix));
  if (!userName) {
    rows.push(rowOf('saml-nameid-user', 'NameID names a provisioned user', 'failed', `${user.login} is not in the identity store, so no Identity Center user name can match the NameID`, 'Wait for SCIM to provision the test user (or fix provisioning), then run again.'));
  }

  // 2. Identity Center accepts it.
  const acs = reachable(form.action, env.acsBaseUrl);
  try {
    // 5xx, 429 and dropped connections are retried on the one policy (src/retry/fetch.ts); a refusal is not.
    const res = await fetchWithRetry(
      acs,
      {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
        body: new URLSearchParams({ SAMLResponse: form.samlResponse, ...(form.relayState ? { RelayState: form.relayState } : {}) }).toString(),
      },
      { signal: env.signal, attemptTimeoutMs: 30_000 },
    );
    const text = await res.text();
    const location = res.headers.get('location') ?? '';
    const reason = /<p id="error">([^<]*)<\/p>/.exec(text)?.[1] ?? /<title>([^<]*)<\/title>/i.exec(text)?.[1] ?? `HTTP ${res.status}`;
    if (res.status >= 300 && res.status < 400 && location && !/error|fail/i.test(location)) {
      rows.push(rowOf('acs', 'Identity Center accepts the assertion', 'passed', `the ACS URL answered ${res.status}, into ${location.replace(/[?#].*$/, '')}`));
    } else if (res.ok) {
      rows.push(rowOf('acs', 'Identity Center accepts the assertion', 'warning', `the ACS URL answered ${res.status} without a redirect: ${reason}`, 'Sign in once in a private window to confirm the portal opens.'));
    } else {
      rows.push(
        rowOf(
          'acs',
          'Identity Center accepts the assertion',
          'failed',
          `the ACS URL answered ${res.status}: ${reason}`,
          'Check the identity source is "External identity provider" with the current Okta IdP metadata uploaded (Settings > Identity source), then run again.',
        ),
      );
    }
  } catch (e) {
    if (e instanceof InterruptedError) throw e;
    rows.push(rowOf('acs', 'Identity Center accepts the assertion', 'failed', `posting to ${acs} failed: ${e instanceof Error ? e.message : String(e)}`, 'Check the network path to the ACS URL, then run again.'));
  }
}

async function accessPart(env: SignInEnv, rows: HealthRow[], userName: string | undefined): Promise<void> {
  const o = env.outputs;
  const pf = o.preflight?.aws;
  const ps = o['permission-set'];
  const a = o['account-assignments'];
  const user = o['test-user']!;
  if (!pf || !ps || !a) {
    rows.push(rowOf('device-authorization', 'Device authorization as the test user', 'skipped', 'the preflight, permission-set or account-assignments step is not done'));
    return;
  }
  const startUrl = o.verify?.portalUrl ?? `https://${pf.identityStoreId}.awsapps.com/start`;
  const { deviceAuthorization, listPortalAccounts, callerWithRole, DeviceAuthorizationError } = await import('../aws/portal.js');
  let token: string;
  try {
    token = await deviceAuthorization({
      region: pf.region,
      startUrl,
      clientName: DEVICE_CLIENT_NAME,
      signal: env.signal,
      ...(env.deviceWaitMs !== undefined ? { maxWaitMs: env.deviceWaitMs } : {}),
      onCode: async (code) => {
        const where = code.verificationUriComplete ?? code.verificationUri;
        if (env.services.sandbox) {
          await env.io.consoleAction({
            id: 'sign-in-check',
            title: 'Approve the device code as the test user',
            where: `A private browser window: ${where}`,
            instructions: [`Open ${where} in a private window.`, `Sign in as ${user.login}.`, `Check the code ${code.userCode} and choose "Confirm and continue", then "Allow".`],
            values: [{ label: 'Code', value: code.userCode }],
            sandboxPayload: { userName: userName ?? user.login, userCode: code.userCode },
            optional: true,
          });
        } else {
          env.io.info('SIGN_IN_DEVICE_CODE', { where, login: user.login, code: code.userCode, minutes: Math.round(code.expiresIn / 60) });
        }
      },
    });
  } catch (e) {
    if (e instanceof InterruptedError) throw e;
    if (e instanceof WaitingForConsoleError) {
      // A non-interactive run against a --manual-console sandbox: nobody can approve a device code
      // that lives for minutes from a later command, so this part waits for a person at a terminal.
      rows.push(
        rowOf(
          'device-authorization',
          'Device authorization as the test user',
          'skipped',
          'approving the device code needs a person (a non-interactive run, and the sandbox does not approve it: --manual-console)',
          `Run \`okta-aws-sso verify --sign-in\` in a terminal and approve the code as ${user.login}.`,
        ),
      );
      return;
    }
    const detail = e instanceof DeviceAuthorizationError ? e.message : `${awsErrorName(e) || 'error'}: ${awsErrorMessage(e)}`;
    rows.push(rowOf('device-authorization', 'Device authorization as the test user', 'failed', detail, `Run \`okta-aws-sso verify --sign-in\` again and approve the code as ${user.login} in a private window.`));
    return;
  }
  rows.push(rowOf('device-authorization', 'Device authorization as the test user', 'passed', `an access token for the portal of ${startUrl}`));

  const targets = a.results.filter((r) => r.status === 'SUCCEEDED' || r.status === 'EXISTING').map((r) => r.accountId);
  let accounts;
  try {
    accounts = await listPortalAccounts(pf.region, token);
  } catch (e) {
    rows.push(rowOf('portal-accounts', "The test user's accounts and roles", 'failed', `${awsErrorName(e)}: ${awsErrorMessage(e)}`, 'Run again; if it persists, sign in to the portal in a private window to see the error.'));
    return;
  }
  const mine = accounts.filter((x) => targets.includes(x.accountId));
  if (mine.length === 0) {
    rows.push(
      rowOf(
        'portal-accounts',
        "The test user's accounts and roles",
        'failed',
        `the portal lists ${accounts.length} account(s) for ${user.login}, none of the ${targets.length} assigned to "${a.groupName}"`,
        `The test user is not assigned: check it is a member of "${a.groupName}" in Identity Center (group push) and that the group holds "${ps.name}" on the accounts; then run again.`,
      ),
    );
    return;
  }
  const withRole = mine.find((x) => x.roles.includes(ps.name));
  if (!withRole) {
    rows.push(
      rowOf(
        'portal-accounts',
        "The test user's accounts and roles",
        'failed',
        `the portal lists ${mine.map((x) => x.accountId).join(', ')} but not the role "${ps.name}" on any of them: the permission set is not provisioned on the account`,
        `Provision "${ps.name}" to the accounts (okta-aws-sso resume re-provisions; or IAM Identity Center > Permission sets > ${ps.name} > Accounts > Update), then run again.`,
      ),
    );
    return;
  }
  rows.push(rowOf('portal-accounts', "The test user's accounts and roles", 'passed', `${mine.length} account(s); "${ps.name}" on ${withRole.accountId}${withRole.accountName ? ` (${withRole.accountName})` : ''}`));
  try {
    const id = await callerWithRole(pf.region, token, withRole.accountId, ps.name);
    const ok = id.account === withRole.accountId && new RegExp(`:assumed-role/AWSReservedSSO_${ps.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}_[0-9a-f]+/`).test(id.arn);
    rows.push(
      rowOf(
        'role-credentials',
        'Role credentials work (STS GetCallerIdentity)',
        ok ? 'passed' : 'failed',
        ok ? id.arn : `GetCallerIdentity answered ${id.arn} in ${id.account}, not the AWSReservedSSO_${ps.name}_... role in ${withRole.accountId}`,
        'Re-provision the permission set on the account, then run again.',
      ),
    );
  } catch (e) {
    rows.push(
      rowOf('role-credentials', 'Role credentials work (STS GetCallerIdentity)', 'failed', `${awsErrorName(e) || 'error'}: ${awsErrorMessage(e)}`, `Re-provision "${ps.name}" on ${withRole.accountId} (okta-aws-sso resume), then run again.`),
    );
  }
}

/** The Identity Center user name the NameID must equal (GetUserId by the Okta login). */
async function identityCenterUserName(env: SignInEnv, login: string): Promise<string | undefined> {
  const pf = env.outputs.preflight?.aws;
  if (!pf) return undefined;
  const aws = await env.services.aws();
  aws.setHomeRegion(pf.region);
  const store = aws.identityStore();
  const id = await getUserId(store, pf.identityStoreId, login);
  return id ? (await describeUser(store, pf.identityStoreId, id)).UserName : undefined;
}

/**
 * The SAML part only (Okta signs in the test user, the app's SAMLResponse verifies against the IdP
 * metadata in `outputs['idp-metadata'].path`, Identity Center's ACS accepts it): `rotate saml-cert`
 * proves the switch of the signing key with it.
 */
export async function proveSamlSignIn(env: SignInEnv): Promise<HealthRow[]> {
  const user = env.outputs['test-user'];
  if (!user) return [rowOf('okta-authn', 'Sign in to Okta as the test user', 'skipped', 'there is no test user (--skip-test-user)')];
  const rows: HealthRow[] = [];
  await samlPart(env, rows, await identityCenterUserName(env, user.login));
  return rows;
}

/** Every row of the sign-in proof. Throws only on interruption or an unexpected error. */
export async function proveSignIn(env: SignInEnv): Promise<HealthRow[]> {
  const rows: HealthRow[] = [];
  const user = env.outputs['test-user'];
  if (!user) {
    return [rowOf('okta-authn', 'Sign in to Okta as the test user', 'skipped', 'there is no test user (--skip-test-user)', 'Run the wizard without --skip-test-user to create one.')];
  }
  const userName = await identityCenterUserName(env, user.login);
  await samlPart(env, rows, userName);
  await accessPart(env, rows, userName);
  return rows;
}
