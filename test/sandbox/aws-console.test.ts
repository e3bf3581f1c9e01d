import { describe, expect, it } from 'vitest';
import { generate } from 'selfsigned';
import { createAwsEmulator } from '../../src/sandbox/aws/index.js';
import { asArray, child, parseMetadataXml } from '../../src/saml/xml.js';
import type { AwsState } from '../../src/sandbox/aws/state.js';

function idpXml(opts: { cert?: string; ssoUrl?: string; entityId?: string } = {}): string {
  const kd = opts.cert === undefined ? '' : `<md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>${opts.cert}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`;
  const sso = opts.ssoUrl === undefined ? '' : `<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${opts.ssoUrl}"/>`;
  return `<?xml version="1.0"?><md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="${opts.entityId ?? 'http://www.okta.com/exk123'}"><md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">${kd}${sso}</md:IDPSSODescriptor></md:EntityDescriptor>`;
}

let cached: Promise<string> | undefined;
function certBase64(): Promise<string> {
  cached ??= makeCert();
  return cached;
}
async function makeCert(): Promise<string> {
  const pems = await generate([{ name: 'commonName', value: 'okta-sandbox' }], { keySize: 1024 });
  return pems.cert.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
}

describe('AWS console actions', () => {
  it('downloadSpMetadata: entityID is the issuer of the identity store, one ACS per region variant', () => {
    const emu = createAwsEmulator({ seed: 'console' });
    const r = emu.console.downloadSpMetadata();
    expect(r.answers).toEqual({ 'sp-metadata': 'sp-metadata.xml' });
    const xml = r.files!['sp-metadata.xml']!;
    const doc = parseMetadataXml(xml, 'SP metadata');
    const ed = child(doc, 'EntityDescriptor');
    const { identityStoreId, region } = emu.info();
    expect(child(ed, '@entityID')).toBe(`https://${region}.signin.aws.amazon.com/platform/saml/${identityStoreId}`);
    const acs = asArray(child(ed, 'SPSSODescriptor', 'AssertionConsumerService') as unknown[]).map((a) => child(a, '@Location') as string);
    expect(acs).toHaveLength(3);
    for (const url of acs) expect(url).toMatch(/^https:\/\/[a-z0-9-]+\.(sso\.)?signin\.aws(\.amazon\.com)?\/platform\/saml\/acs\/[A-Za-z0-9-]+$/);
    expect(new Set(acs.map((u) => u.split('/').pop())).size).toBe(1);
  });

  it('uploadIdpMetadata stores entityID, SSO URL and signing certificate', async () => {
    const emu = createAwsEmulator({ seed: 'console' });
    const cert = await certBase64();
    const r = emu.console.uploadIdpMetadata({ xml: idpXml({ cert, ssoUrl: 'https://dev-1.okta.com/app/amazon_aws_sso/exk123/sso/saml' }) });
    expect(r.message).toMatch(/External identity provider/);
    const s = emu.snapshot() as AwsState;
    expect(s.idp).toMatchObject({ entityId: 'http://www.okta.com/exk123', ssoUrl: 'https://dev-1.okta.com/app/amazon_aws_sso/exk123/sso/saml', certificate: cert });
  });

  it('uploadIdpMetadata refuses metadata without a certificate, without an SSO URL, with a broken certificate, or not XML', async () => {
    const emu = createAwsEmulator({ seed: 'console' });
    const cert = await certBase64();
    expect(() => emu.console.uploadIdpMetadata({ xml: idpXml({ ssoUrl: 'https://x.okta.com/sso' }) })).toThrow(/signing certificate/);
    expect(() => emu.console.uploadIdpMetadata({ xml: idpXml({ cert }) })).toThrow(/SingleSignOnService/);
    expect(() => emu.console.uploadIdpMetadata({ xml: idpXml({ cert: 'bm90IGEgY2VydA==', ssoUrl: 'https://x.okta.com/sso' }) })).toThrow(/not a valid X.509/);
    expect(() => emu.console.uploadIdpMetadata({ xml: idpXml({ cert: 'A'.repeat(2600), ssoUrl: 'https://x.okta.com/sso' }) })).toThrow(/2500/);
    expect(() => emu.console.uploadIdpMetadata({ xml: '<md:EntityDescriptor' })).toThrow(/well-formed/);
    let err: unknown;
    try {
      emu.console.uploadIdpMetadata({ xml: idpXml({ ssoUrl: 'https://x.okta.com/sso' }) });
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'IDP_METADATA_INVALID', hint: expect.stringMatching(/metadata/i) });
    expect((emu.snapshot() as AwsState).idp).toBeUndefined();
  });

  it('enableAutomaticProvisioning returns the endpoint as an answer and the token only as a secret', () => {
    const emu = createAwsEmulator({ seed: 'console' });
    emu.setBaseUrl('http://127.0.0.1:4567/');
    const r = emu.console.enableAutomaticProvisioning();
    expect(r.answers).toEqual({ 'scim-endpoint': emu.info().scimEndpoint });
    expect(emu.info().scimEndpoint).toMatch(/^http:\/\/127\.0\.0\.1:4567\/[0-9a-f-]+\/scim\/v2$/);
    expect(Object.keys(r.secrets ?? {})).toEqual(['scim-token']);
    expect(r.message).not.toContain(r.secrets!['scim-token']!);
    expect(emu.info().portalUrl).toBe(`https://${emu.info().identityStoreId}.awsapps.com/start`);
  });

  it('createScimToken: at most two tokens, a third refused until one is deleted; deleteScimToken by ID, by date, or the oldest of two', () => {
    const emu = createAwsEmulator({ seed: 'tokens' });
    emu.setBaseUrl('http://127.0.0.1:4567/');
    expect(() => emu.console.createScimToken()).toThrow(/not enabled/);
    emu.console.enableAutomaticProvisioning();
    const second = emu.console.createScimToken();
    expect(second.message).toMatch(/Access token [0-9a-f-]{36} generated \(2 of 2\)/);
    expect(second.message).not.toContain(second.secrets!['scim-token']!);
    expect(() => emu.console.createScimToken()).toThrow(/up to 2 access tokens/);
    expect(emu.console.lastScimToken()).toBe(second.secrets!['scim-token']);

    // No payload: the older of the two goes, the new one stays live.
    expect(emu.console.deleteScimToken({}).message).toMatch(/Deleted 1 access token\(s\).*1 left/);
    expect(emu.console.lastScimToken()).toBe(second.secrets!['scim-token']);
    expect(() => emu.console.deleteScimToken({})).toThrow(/Only one access token/);

    const third = emu.console.createScimToken();
    const id = /Access token ([0-9a-f-]{36})/.exec(third.message!)![1]!;
    expect(() => emu.console.deleteScimToken({ tokenId: 'nope' })).toThrow(/No access token with the ID/);
    expect(() => emu.console.deleteScimToken({ createdBefore: Date.now() + 60_000 })).toThrow(/none is deleted/);
    emu.console.deleteScimToken({ tokenId: id });
    expect(emu.console.lastScimToken()).toBeUndefined();
    // The slot is free again.
    expect(emu.console.createScimToken().message).toMatch(/\(2 of 2\)/);
  });
});
