/**
 * Pure logic of the Okta side: org URL rules, okta.yaml reading, retry timing maths, IdP metadata
 * parsing and certificate checks, name and profile validation, password generation.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { generate } from 'selfsigned';
import { normaliseOrgUrl, readOktaYaml } from '../../src/okta/connect.js';
import { backoffMs, rateLimitDelayMs } from '../../src/okta/retry.js';
import { likelyPushErrorCause } from '../../src/okta/client.js';
import { checkCertValidity, parseIdpMetadata } from '../../src/saml/idp-metadata.js';
import { checkGroupRoles, parseGroupList, validateGroupName } from '../../src/steps/07-groups.js';
import { generatePassword, validateEmail, validatePassword, validateProfileValue } from '../../src/steps/11-test-user.js';
import { scimBaseUrl, featureFlags } from '../../src/steps/06-okta-provisioning.js';
import { samlDrift } from '../../src/steps/03-okta-app.js';
import { UsageError, WizardError } from '../../src/errors.js';

describe('normaliseOrgUrl', () => {
  it('keeps an https org URL and drops a trailing slash', () => {
    expect(normaliseOrgUrl('https://example.okta.com/')).toEqual({ url: 'https://example.okta.com', warning: undefined });
  });
  it('corrects a -admin host with a warning', () => {
    const r = normaliseOrgUrl('https://dev-123-admin.okta.com');
    expect(r.url).toBe('https://dev-123.okta.com');
    expect(r.warning).toMatch(/Admin Console/);
  });
  it('refuses plain http except on loopback', () => {
    expect(() => normaliseOrgUrl('http://example.okta.com')).toThrow(UsageError);
    expect(normaliseOrgUrl('http://127.0.0.1:8080').url).toBe('http://127.0.0.1:8080');
  });
  it('refuses something that is not a URL, naming the fix', () => {
    try {
      normaliseOrgUrl('example.okta.com');
      expect.unreachable();
    } catch (e) {
      expect((e as UsageError).hint).toMatch(/--okta-org-url https:\/\//);
    }
  });
});

describe('readOktaYaml', () => {
  it('reads the client section and a private key given as a path', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oas-yaml-'));
    fs.writeFileSync(path.join(dir, 'key.pem'), '-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----\n');
    const file = path.join(dir, 'okta.yaml');
    fs.writeFileSync(file, 'okta:\n  client:\n    orgUrl: https://x.okta.com\n    authorizationMode: PrivateKey\n    clientId: 0oa1\n    scopes:\n      - okta.apps.read\n      - okta.users.read\n    privateKey: key.pem\n    keyId: kid1\n');
    const y = readOktaYaml(file);
    expect(y).toMatchObject({ orgUrl: 'https://x.okta.com', authorizationMode: 'PrivateKey', clientId: '0oa1', keyId: 'kid1', scopes: ['okta.apps.read', 'okta.users.read'] });
    expect(y?.privateKey).toContain('BEGIN PRIVATE KEY');
  });
  it('returns undefined for a missing file and refuses broken YAML', () => {
    expect(readOktaYaml('/nonexistent/okta.yaml')).toBeUndefined();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oas-yaml-'));
    fs.writeFileSync(path.join(dir, 'okta.yaml'), 'okta: [unclosed');
    expect(() => readOktaYaml(path.join(dir, 'okta.yaml'))).toThrow(/not valid YAML/);
  });
});

describe('retry timing', () => {
  it('waits until X-Rate-Limit-Reset (+1 s) relative to the Date header, refined within its second by the local clock, capped', () => {
    const date = new Date('2026-01-01T00:00:00Z');
    const reset = String(date.getTime() / 1000 + 5);
    expect(rateLimitDelayMs(reset, date.toUTCString(), 0, 60_000)).toBe(6000);
    expect(rateLimitDelayMs(reset, date.toUTCString(), 0, 2000)).toBe(2000);
    expect(rateLimitDelayMs('1,2', null, 0, 1000)).toBeUndefined();
    // Date is whole seconds: a local clock inside that second places the answer within it...
    const t = date.getTime();
    expect(rateLimitDelayMs(reset, date.toUTCString(), t + 600, 60_000)).toBe(5400);
    // ...a local clock outside it (skewed, or read late) is bounded by it: never before Reset on the server's clock.
    expect(rateLimitDelayMs(reset, date.toUTCString(), t + 30_000, 60_000)).toBe(5001);
    expect(rateLimitDelayMs(reset, date.toUTCString(), t - 30_000, 60_000)).toBe(6000);
    // No Date header: the local clock.
    expect(rateLimitDelayMs(reset, null, t + 2000, 60_000)).toBe(4000);
    expect(rateLimitDelayMs(null, null, 0, 1000)).toBeUndefined();
  });
  it('backs off exponentially with jitter inside [exp/2, exp]', () => {
    expect(backoffMs(0, 100, 10_000, () => 0)).toBe(50);
    expect(backoffMs(3, 100, 10_000, () => 1)).toBe(800);
    expect(backoffMs(20, 100, 1000, () => 1)).toBe(1000);
  });
});

async function metadataXml(notBefore: Date, notAfter: Date): Promise<string> {
  const pems = await generate([{ name: 'commonName', value: 'dev-1' }, { name: 'organizationName', value: 'Okta' }], { notBeforeDate: notBefore, notAfterDate: notAfter, keySize: 1024 });
  const b64 = pems.cert.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
  return `<?xml version="1.0" encoding="UTF-8"?><md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="http://www.okta.com/exk1"><md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>${b64}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor><md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat><md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://x.okta.com/app/amazon_aws_sso/exk1/sso/saml"/><md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://x.okta.com/app/amazon_aws_sso/exk1/sso/saml/post"/></md:IDPSSODescriptor></md:EntityDescriptor>`;
}

describe('IdP metadata', () => {
  const now = new Date('2026-06-01T00:00:00Z');
  it('reads entityID, the POST SSO URL and the certificate', async () => {
    const md = parseIdpMetadata(await metadataXml(new Date('2026-01-01T00:00:00Z'), new Date('2036-01-01T00:00:00Z')));
    expect(md.entityId).toBe('http://www.okta.com/exk1');
    expect(md.ssoUrl).toBe('https://x.okta.com/app/amazon_aws_sso/exk1/sso/saml/post');
    expect(md.ssoUrls).toHaveLength(2);
    expect(md.cert.subject).toContain('CN=dev-1');
    expect(md.cert.sha256Fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(md.cert.notAfter).toBe('2036-01-01T00:00:00.000Z');
    expect(checkCertValidity(md, now)).toEqual({});
  });
  it('refuses an expired certificate', async () => {
    const md = parseIdpMetadata(await metadataXml(new Date('2025-01-01T00:00:00Z'), new Date('2026-05-01T00:00:00Z')));
    expect(() => checkCertValidity(md, now)).toThrow(expect.objectContaining({ code: 'IDP_CERT_EXPIRED' }));
  });
  it('warns when the certificate expires within 30 days', async () => {
    const md = parseIdpMetadata(await metadataXml(new Date('2025-01-01T00:00:00Z'), new Date('2026-06-11T00:00:00Z')));
    expect(checkCertValidity(md, now).warning).toMatch(/expires in 10 days/);
  });
  it('refuses metadata without a signing certificate or with a DTD', () => {
    expect(() => parseIdpMetadata('<EntityDescriptor entityID="x"><IDPSSODescriptor><SingleSignOnService Binding="b" Location="https://l"/></IDPSSODescriptor></EntityDescriptor>')).toThrow(/signing certificate/);
    expect(() => parseIdpMetadata('<!DOCTYPE x [<!ENTITY a "b">]><x/>')).toThrow(/DTD/);
  });
});

describe('groups', () => {
  it('rejects names Identity Center refuses', () => {
    expect(validateGroupName('AWS Users')).toBe(true);
    expect(validateGroupName('')).toMatch(/empty/);
    expect(validateGroupName('a:b')).toMatch(/< > ; : %/);
    expect(validateGroupName('a\u200bb')).toMatch(/invisible/);
  });
  it('refuses one group for both assignment and push, also through the prefix', () => {
    expect(() => checkGroupRoles({ assignment: 'AWS Users', push: ['aws users'], prefix: 'awssso' })).toThrow(expect.objectContaining({ code: 'GROUP_BOTH_ASSIGNED_AND_PUSHED' }));
    expect(() => checkGroupRoles({ assignment: 'awsssoAll', push: ['awsssoPowerUsers'], prefix: 'awssso' })).toThrow(/push prefix/);
    expect(() => checkGroupRoles({ assignment: 'AWS Users', push: ['awsssoPowerUsers'], prefix: 'awssso' })).not.toThrow();
    expect(parseGroupList(' a, b ,a,, ')).toEqual(['a', 'b']);
  });
});

describe('test user values', () => {
  it('rejects empty values and < > ; : %', () => {
    expect(validateProfileValue('first name', '  ')).toMatch(/cannot be empty/);
    for (const c of ['<', '>', ';', ':', '%']) expect(validateProfileValue('last name', `Do${c}e`)).toMatch(/refuses/);
    expect(validateProfileValue('first name', 'Ada')).toBe(true);
    expect(validateEmail('not-an-email')).toMatch(/not an email/);
    expect(validateEmail('ada@example.com')).toBe(true);
  });
  it('generates strong, different passwords that pass the checks', () => {
    const a = generatePassword();
    const b = generatePassword();
    expect(a).toHaveLength(20);
    expect(a).not.toBe(b);
    expect(validatePassword(a)).toBe(true);
    expect(validatePassword('short')).not.toBe(true);
  });
});

describe('small helpers', () => {
  it('strips the trailing slash of the SCIM endpoint', () => {
    expect(scimBaseUrl('https://scim.us-east-2.amazonaws.com/abc/scim/v2/')).toBe('https://scim.us-east-2.amazonaws.com/abc/scim/v2');
  });
  it('reads the provisioning features', () => {
    expect(featureFlags({ name: 'USER_PROVISIONING', capabilities: { create: { lifecycleCreate: { status: 'ENABLED' } }, update: { profile: { status: 'ENABLED' }, lifecycleDeactivate: { status: 'DISABLED' }, password: { status: 'DISABLED' } } } })).toEqual({ create: true, update: true, deactivate: false, passwordSync: false });
  });
  it('describes SAML drift', () => {
    const app = { id: '0oa1', name: 'amazon_aws_sso', label: 'x', status: 'ACTIVE', settings: { app: { acsURL: 'https://a', entityID: 'https://e' } } };
    expect(samlDrift(app, { acsUrl: 'https://a', issuerUrl: 'https://e' })).toEqual([]);
    expect(samlDrift(app, { acsUrl: 'https://b', issuerUrl: 'https://e' })[0]).toMatch(/acsURL is https:\/\/a/);
  });
  it('names a likely cause for push errors', () => {
    expect(likelyPushErrorCause('Refused to create a new, duplicate resource')).toMatch(/already exists/);
    expect(likelyPushErrorCause('Unauthorized')).toMatch(/token/);
    expect(new WizardError('x')).toBeInstanceOf(Error);
  });
});
