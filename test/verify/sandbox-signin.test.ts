/**
 * The sandbox's sign-in emulation, at the emulator level: Okta primary authentication (SUCCESS,
 * wrong password, MFA_REQUIRED, Identity Engine), the app's SSO link (signed SAMLResponse form; 403
 * for a user not assigned), Identity Center's ACS (metadata not uploaded, wrong upload, expired,
 * tampered, unknown NameID, accepted), SSO OIDC device authorization, the portal API (user not
 * assigned, permission set not provisioned) and STS with the role credentials.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createAwsEmulator, type AwsEmulator } from '../../src/sandbox/aws/index.js';
import type { AwsState } from '../../src/sandbox/aws/state.js';
import { acsUrls, issuerUrl } from '../../src/sandbox/aws/console.js';
import { idpMetadataXml, newSigningKey, type SigningKey } from '../../src/sandbox/okta/saml.js';
import { signedSamlResponse } from '../../src/sandbox/okta/sso.js';
import { parseSamlForm } from '../../src/okta/authn.js';
import type { SandboxRequest } from '../../src/sandbox/types.js';
import { withSandbox, type TestSandbox } from '../helpers/sandbox.js';

function req(method: string, path: string, body: string | object = '', headers: Record<string, string> = {}, query = ''): SandboxRequest {
  return { method, path, query: new URLSearchParams(query), headers, body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)) };
}

const EXTERNAL_KEY = 'exkSandboxTest000001';
const USER = 'grace.hopper@example.com';

describe('AWS emulator: ACS, device authorization, portal, STS', () => {
  let aws: AwsEmulator;
  let key: SigningKey;
  let s: AwsState;
  let account: string;

  function saml(over: Partial<Parameters<typeof signedSamlResponse>[0]> = {}): string {
    const xml = signedSamlResponse({
      issuer: `http://www.okta.com/${EXTERNAL_KEY}`,
      destination: acsUrls(s)[0]!,
      audience: issuerUrl(s),
      nameId: USER,
      nameIdFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
      privateKey: key.privateKey,
      cert: key.cert,
      now: new Date(),
      sessionIndex: 'id1',
      ...over,
    });
    return `SAMLResponse=${encodeURIComponent(Buffer.from(xml).toString('base64'))}`;
  }
  const acs = (body: string) => aws.handle(req('POST', `/platform/saml/acs/${s.acsTenantId}`, body, { 'content-type': 'application/x-www-form-urlencoded' }));

  beforeAll(async () => {
    key = await newSigningKey(5, 'sandbox-test');
    aws = createAwsEmulator({ seed: 'signin-test' });
    s = aws.snapshot() as AwsState;
    account = s.accounts.find((a) => a.state === 'ACTIVE' && a.id !== s.org.managementAccountId)!.id;
    const t = Date.now();
    s.users.push({ id: 'u-1', userName: USER, displayName: 'Grace Hopper', name: { givenName: 'Grace', familyName: 'Hopper' }, emails: [{ value: USER, primary: true }], phoneNumbers: [], addresses: [], externalId: '00u1', active: true, createdAt: t, updatedAt: t, createdBy: 'SCIM' });
    s.groups.push({ id: 'g-1', displayName: 'awsssoPowerUsers', createdAt: t, updatedAt: t, createdBy: 'SCIM' });
    s.memberships.push({ id: 'm-1', groupId: 'g-1', userId: 'u-1', createdAt: t });
    const arn = `${s.instance.arn.replace(':instance/', ':permissionSet/')}/ps-0000000000000001`;
    s.permissionSets.push({ arn, name: 'AWSPowerUserAccess', sessionDuration: 'PT1H', createdDate: t / 1000, managedPolicies: [], provisioned: {}, tags: [] });
    s.assignments.push({ accountId: account, permissionSetArn: arn, principalType: 'GROUP', principalId: 'g-1' });
    aws.restore(s);
    s = aws.snapshot() as AwsState;
  }, 60_000);

  it('ACS: refuses every assertion while the IdP metadata was never uploaded', async () => {
    const r = await acs(saml());
    expect(r.status).toBe(400);
    expect(String(r.body)).toMatch(/IdP metadata was never uploaded/);
  });

  it("ACS: a wrong upload (another app's metadata) refuses the assertion; the right upload accepts and redirects into the portal", async () => {
    // Metadata of another app: other entity ID -> the issuer check refuses.
    aws.console.uploadIdpMetadata({ xml: idpMetadataXml({ orgUrl: 'https://other.okta.com', appName: 'amazon_aws_sso', externalKey: 'exkOtherApp000000001', key }) });
    let r = await acs(saml());
    expect(r.status).toBe(400);
    expect(String(r.body)).toMatch(/issuer/i);
    aws.console.uploadIdpMetadata({ xml: idpMetadataXml({ orgUrl: 'https://example.okta.com', appName: 'amazon_aws_sso', externalKey: EXTERNAL_KEY, key }) });
    r = await acs(saml());
    expect(r.status).toBe(302);
    expect(r.headers?.location).toBe(`https://${s.instance.identityStoreId}.awsapps.com/start/`);
  });

  it('ACS: refuses an expired assertion, a tampered one, a wrong audience or ACS, and a NameID that is no user', async () => {
    const expired = await acs(saml({ now: new Date(Date.now() - 30 * 60_000) }));
    expect(expired.status).toBe(400);
    expect(String(expired.body)).toMatch(/validity window.*expired/i);
    const good = decodeURIComponent(saml().slice('SAMLResponse='.length));
    const tampered = Buffer.from(Buffer.from(good, 'base64').toString('utf8').replace(USER, 'root@example.com')).toString('base64');
    const t = await acs(`SAMLResponse=${encodeURIComponent(tampered)}`);
    expect(t.status).toBe(400);
    expect(String(t.body)).toMatch(/signature/i);
    expect(String((await acs(saml({ audience: 'https://wrong.example.com' }))).body)).toMatch(/audience/i);
    expect(String((await acs(saml({ destination: 'https://us-east-2.signin.aws/platform/saml/acs/nope' }))).body)).toMatch(/recipient/i);
    const nobody = await acs(saml({ nameId: 'nobody@example.com' }));
    expect(nobody.status).toBe(400);
    expect(String(nobody.body)).toMatch(/No active user with the user name "nobody@example.com"/);
  });

  it('device authorization, portal and STS: not provisioned -> no role; provisioned -> the AWSReservedSSO role; not assigned -> no account', async () => {
    const reg = JSON.parse(String((await aws.handle(req('POST', '/client/register', { clientName: 't', clientType: 'public' }))).body)) as { clientId: string; clientSecret: string };
    const start = JSON.parse(String((await aws.handle(req('POST', '/device_authorization', { ...reg, startUrl: `https://${s.instance.identityStoreId}.awsapps.com/start` }))).body)) as { deviceCode: string; userCode: string };
    const tokenReq = () => aws.handle(req('POST', '/token', { ...reg, grantType: 'urn:ietf:params:oauth:grant-type:device_code', deviceCode: start.deviceCode }));
    const pending = await tokenReq();
    expect(pending.status).toBe(400);
    expect(pending.headers?.['x-amzn-errortype']).toBe('AuthorizationPendingException');
    expect(() => aws.console.approveDevice({ userName: 'nobody@example.com', userCode: start.userCode })).toThrow(/no active user/);
    aws.console.approveDevice({ userName: USER, userCode: start.userCode });
    const tok = JSON.parse(String((await tokenReq()).body)) as { accessToken: string };
    const bearer = { 'x-amz-sso_bearer_token': tok.accessToken };

    const accounts = JSON.parse(String((await aws.handle(req('GET', '/assignment/accounts', '', bearer))).body)) as { accountList: { accountId: string }[] };
    expect(accounts.accountList.map((a) => a.accountId)).toEqual([account]);
    const roles = () => aws.handle(req('GET', '/assignment/roles', '', bearer, `account_id=${account}`));
    expect(JSON.parse(String((await roles()).body))).toEqual({ roleList: [] });
    const creds = () => aws.handle(req('GET', '/federation/credentials', '', bearer, `account_id=${account}&role_name=AWSPowerUserAccess`));
    expect((await creds()).headers?.['x-amzn-errortype']).toBe('ForbiddenException');

    const st = aws.snapshot() as AwsState;
    st.permissionSets[0]!.provisioned[account] = 'LATEST';
    aws.restore(st);
    // restore() ends every sign-in session, as a sandbox reset does: sign in again.
    const reg2 = JSON.parse(String((await aws.handle(req('POST', '/client/register', { clientName: 't', clientType: 'public' }))).body)) as { clientId: string; clientSecret: string };
    const start2 = JSON.parse(String((await aws.handle(req('POST', '/device_authorization', { ...reg2, startUrl: `https://${s.instance.identityStoreId}.awsapps.com/start` }))).body)) as { deviceCode: string; userCode: string };
    aws.console.approveDevice({ userName: USER });
    const tok2 = JSON.parse(String((await aws.handle(req('POST', '/token', { ...reg2, grantType: 'urn:ietf:params:oauth:grant-type:device_code', deviceCode: start2.deviceCode }))).body)) as { accessToken: string };
    const bearer2 = { 'x-amz-sso_bearer_token': tok2.accessToken };
    expect(JSON.parse(String((await aws.handle(req('GET', '/assignment/roles', '', bearer2, `account_id=${account}`))).body))).toEqual({ roleList: [{ roleName: 'AWSPowerUserAccess', accountId: account }] });
    const rc = JSON.parse(String((await aws.handle(req('GET', '/federation/credentials', '', bearer2, `account_id=${account}&role_name=AWSPowerUserAccess`))).body)) as { roleCredentials: { accessKeyId: string } };
    const sts = await aws.handle(req('POST', '/', 'Action=GetCallerIdentity&Version=2011-06-15', { authorization: `AWS4-HMAC-SHA256 Credential=${rc.roleCredentials.accessKeyId}/20260101/us-east-2/sts/aws4_request, SignedHeaders=host, Signature=x` }));
    expect(String(sts.body)).toMatch(new RegExp(`<Arn>arn:aws:sts::${account}:assumed-role/AWSReservedSSO_AWSPowerUserAccess_[0-9a-f]{16}/${USER}</Arn>`));

    // The user leaves the pushed group: the portal lists no account any more (user not assigned).
    const st2 = aws.snapshot() as AwsState;
    st2.memberships = [];
    aws.restore(st2);
    const reg3 = JSON.parse(String((await aws.handle(req('POST', '/client/register', { clientName: 't', clientType: 'public' }))).body)) as { clientId: string; clientSecret: string };
    const start3 = JSON.parse(String((await aws.handle(req('POST', '/device_authorization', { ...reg3, startUrl: `https://${s.instance.identityStoreId}.awsapps.com/start` }))).body)) as { deviceCode: string };
    aws.console.approveDevice({ userName: USER });
    const tok3 = JSON.parse(String((await aws.handle(req('POST', '/token', { ...reg3, grantType: 'urn:ietf:params:oauth:grant-type:device_code', deviceCode: start3.deviceCode }))).body)) as { accessToken: string };
    const none = JSON.parse(String((await aws.handle(req('GET', '/assignment/accounts', '', { 'x-amz-sso_bearer_token': tok3.accessToken }))).body)) as { accountList: unknown[] };
    expect(none.accountList).toEqual([]);
  });
});

describe('Okta emulator: primary authentication and the app SSO link', () => {
  let sb: TestSandbox;
  const PASSWORD = 'Sandbox-Passw0rd-42';
  let appId = '';
  let appLink = '';
  let userId = '';
  let groupId = '';

  const okta = async (method: string, path: string, body?: unknown): Promise<Response> =>
    fetch(`${sb.info.oktaUrl}${path}`, { method, headers: { authorization: `SSWS ${sb.info.oktaApiToken}`, 'content-type': 'application/json', accept: 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
  const authn = (username: string, password: string) => fetch(`${sb.info.oktaUrl}/api/v1/authn`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });

  async function ssoPage(): Promise<Response> {
    const a = (await (await authn(USER, PASSWORD)).json()) as { sessionToken: string };
    const r = await fetch(`${sb.info.oktaUrl}/login/sessionCookieRedirect?token=${a.sessionToken}&redirectUrl=${encodeURIComponent(appLink)}`, { redirect: 'manual' });
    expect(r.status).toBe(302);
    const sid = r.headers.getSetCookie()[0]!.split(';')[0]!;
    return fetch(r.headers.get('location')!, { headers: { cookie: sid }, redirect: 'manual' });
  }

  beforeAll(async () => {
    sb = await withSandbox();
    const app = (await (await okta('POST', '/api/v1/apps', { name: 'amazon_aws_sso', label: 'AWS IAM Identity Center', signOnMode: 'SAML_2_0', settings: { app: { acsURL: 'https://us-east-2.signin.aws.amazon.com/platform/saml/acs/abc', entityID: 'https://us-east-2.signin.aws.amazon.com/platform/saml/d-1234567890' } } })).json()) as { id: string; _links: { appLinks: { href: string }[] } };
    appId = app.id;
    appLink = app._links.appLinks[0]!.href;
    const u = (await (await okta('POST', '/api/v1/users?activate=true', { profile: { firstName: 'Grace', lastName: 'Hopper', email: USER, login: USER }, credentials: { password: { value: PASSWORD } } })).json()) as { id: string };
    userId = u.id;
    const g = (await (await okta('POST', '/api/v1/groups', { profile: { name: 'AWS Users' } })).json()) as { id: string };
    groupId = g.id;
    expect((await okta('PUT', `/api/v1/apps/${appId}/groups/${groupId}`, {})).status).toBe(200);
  }, 60_000);

  it('authn: SUCCESS with a one-time session token; a wrong password is 401 E0000004 and says nothing more', async () => {
    const ok = (await (await authn(USER, PASSWORD)).json()) as { status: string; sessionToken: string };
    expect(ok.status).toBe('SUCCESS');
    expect(ok.sessionToken).toMatch(/^\S{20,}$/);
    const bad = await authn(USER, 'wrong-password');
    expect(bad.status).toBe(401);
    expect(await bad.json()).toMatchObject({ errorCode: 'E0000004', errorSummary: 'Authentication failed' });
  });

  it('the SSO link of a user not assigned to the app is 403; once assigned (group) it is a form posting a signed SAMLResponse to the ACS URL', async () => {
    let page = await ssoPage();
    expect(page.status).toBe(403);
    expect((await okta('PUT', `/api/v1/groups/${groupId}/users/${userId}`)).status).toBe(204);
    page = await ssoPage();
    expect(page.status).toBe(200);
    const form = parseSamlForm(await page.text());
    expect(form?.action).toBe('https://us-east-2.signin.aws.amazon.com/platform/saml/acs/abc');
    const xml = Buffer.from(form!.samlResponse, 'base64').toString('utf8');
    expect(xml).toContain(`>${USER}</saml2:NameID>`);
    expect(xml).toContain('<ds:SignatureValue>');
  });

  it('a session token is good once', async () => {
    const a = (await (await authn(USER, PASSWORD)).json()) as { sessionToken: string };
    const first = await fetch(`${sb.info.oktaUrl}/login/sessionCookieRedirect?token=${a.sessionToken}&redirectUrl=${encodeURIComponent(appLink)}`, { redirect: 'manual' });
    expect(first.headers.get('location')).toBe(appLink);
    const again = await fetch(`${sb.info.oktaUrl}/login/sessionCookieRedirect?token=${a.sessionToken}&redirectUrl=${encodeURIComponent(appLink)}`, { redirect: 'manual' });
    expect(again.headers.get('location')).toMatch(/\/login\/default/);
  });

  it('okta.sessionTokensSpent: every token arrives spent at its first redirect (the sign-in page); off again, a token opens the app', async () => {
    const redirect = async (): Promise<string | null> => {
      const a = (await (await authn(USER, PASSWORD)).json()) as { sessionToken: string };
      return (await fetch(`${sb.info.oktaUrl}/login/sessionCookieRedirect?token=${a.sessionToken}&redirectUrl=${encodeURIComponent(appLink)}`, { redirect: 'manual' })).headers.get('location');
    };
    sb.okta.setOptions({ sessionTokensSpent: true });
    try {
      expect(await redirect()).toMatch(/\/login\/default\?error=invalid_session_token$/);
      expect(await redirect()).toMatch(/\/login\/default/);
    } finally {
      sb.okta.setOptions({ sessionTokensSpent: false });
    }
    expect(await redirect()).toBe(appLink);
  });

  it('MFA policy: MFA_REQUIRED with the factors and no session token; Identity Engine: pipeline idx', async () => {
    sb.okta.setOptions({ authnPolicy: 'mfa' });
    const mfa = (await (await authn(USER, PASSWORD)).json()) as { status: string; sessionToken?: string; _embedded: { factors: { factorType: string }[] } };
    expect(mfa.status).toBe('MFA_REQUIRED');
    expect(mfa.sessionToken).toBeUndefined();
    expect(mfa._embedded.factors[0]!.factorType).toBe('token:software:totp');
    sb.okta.setOptions({ authnPolicy: 'identity-engine' });
    const org = (await (await fetch(`${sb.info.oktaUrl}/.well-known/okta-organization`)).json()) as { pipeline: string };
    expect(org.pipeline).toBe('idx');
    sb.okta.setOptions({ authnPolicy: 'password' });
    await sb.close();
  });
});
