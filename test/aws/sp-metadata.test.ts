import { describe, expect, it } from 'vitest';
import {
  acsChoicesForRegion,
  classifyAcs,
  parseSpMetadata,
  proposedIssuer,
  validateAcsUrl,
  validateIssuerUrl,
} from '../../src/saml/sp-metadata.js';
import { normaliseScimEndpoint, validateScimEndpoint, validateScimToken } from '../../src/scim/client.js';
import { UsageError } from '../../src/errors.js';

const real = { allowLoopback: false };
const sandbox = { allowLoopback: true };
const IS = 'd-9067a1b2c3';
const TENANT = '5a1b2c3d4e5f6a7b-1234-5678-9abc-def012345678';

function metadata(locations: string[], entityId = `https://us-east-2.signin.aws.amazon.com/platform/saml/${IS}`): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="${entityId}">
  <md:SPSSODescriptor AuthnRequestsSigned="false" WantAssertionsSigned="true" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>
${locations.map((l, i) => `    <md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${l}" index="${i}"/>`).join('\n')}
  </md:SPSSODescriptor>
</md:EntityDescriptor>`;
}

describe('SP metadata parsing', () => {
  it('reads the entity ID and every ACS of a multi-region file, classified by variant and region', () => {
    const md = parseSpMetadata(
      metadata([
        `https://us-east-2.signin.aws.amazon.com/platform/saml/acs/${TENANT}`,
        `https://us-east-2.signin.aws/platform/saml/acs/${TENANT}`,
        `https://us-east-2.sso.signin.aws/platform/saml/acs/${TENANT}`,
        `https://eu-west-1.signin.aws/platform/saml/acs/${TENANT}`,
      ]),
      real,
    );
    expect(md.entityId).toBe(`https://us-east-2.signin.aws.amazon.com/platform/saml/${IS}`);
    expect(md.acs.map((a) => [a.region, a.variant])).toEqual([
      ['us-east-2', 'classic'],
      ['us-east-2', 'ipv4'],
      ['us-east-2', 'dual-stack'],
      ['eu-west-1', 'ipv4'],
    ]);
    const home = acsChoicesForRegion(md, 'us-east-2');
    expect(home.ipv4?.variant).toBe('classic');
    expect(home.dualStack?.url).toContain('.sso.signin.aws/');
    const eu = acsChoicesForRegion(md, 'eu-west-1');
    expect(eu.ipv4?.url).toBe(`https://eu-west-1.signin.aws/platform/saml/acs/${TENANT}`);
    expect(eu.dualStack).toBeUndefined();
  });

  it('refuses a DTD / entity declaration (no expansion, no billion laughs)', () => {
    const evil = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="&lol2;"/>`;
    expect(() => parseSpMetadata(evil, real)).toThrow(/DTD or entity/);
    const external = `<?xml version="1.0"?><!DOCTYPE x SYSTEM "file:///etc/passwd"><x/>`;
    expect(() => parseSpMetadata(external, real)).toThrow(UsageError);
  });

  it('caps the input size', () => {
    const big = metadata([`https://us-east-2.signin.aws/platform/saml/acs/${TENANT}`]).replace('</md:EntityDescriptor>', `<!-- ${'x'.repeat(300 * 1024)} --></md:EntityDescriptor>`);
    expect(() => parseSpMetadata(big, real)).toThrow(/larger than 256 KB/);
  });

  it('says what is wrong with IdP metadata, malformed XML or a file without ACS', () => {
    expect(() => parseSpMetadata('<md:EntityDescriptor xmlns:md="x" entityID="a"><md:SPSSODescriptor>', real)).toThrow(/not well-formed/);
    expect(() => parseSpMetadata('<?xml version="1.0"?><Foo/>', real)).toThrow(/no EntityDescriptor/);
    expect(() => parseSpMetadata(metadata(['https://example.okta.com/app/sso/saml']), real)).toThrow(/lists no Identity Center ACS URL/);
  });

  it('accepts loopback ACS URLs only in a sandbox run', () => {
    const md = metadata(['http://127.0.0.1:4567/us-east-2/acs']);
    expect(() => parseSpMetadata(md, real)).toThrow(/no Identity Center ACS/);
    expect(parseSpMetadata(md, sandbox).acs[0]).toMatchObject({ region: 'us-east-2', variant: 'sandbox' });
  });
});

describe('URL validation', () => {
  it('ACS: the documented formats, region cross-check', () => {
    expect(validateAcsUrl(`https://us-east-2.signin.aws/platform/saml/acs/${TENANT}`, real, 'us-east-2')).toBe(true);
    expect(validateAcsUrl(`https://us-east-2.signin.aws/platform/saml/acs/${TENANT}`, real, 'eu-west-1')).toMatch(/home region is eu-west-1/);
    expect(validateAcsUrl(`http://us-east-2.signin.aws/platform/saml/acs/${TENANT}`, real)).toMatch(/looks like/);
    expect(validateAcsUrl('https://evil.example.com/platform/saml/acs/x', real)).toMatch(/looks like/);
    expect(classifyAcs('http://localhost:9/acs', real)).toBeUndefined();
  });

  it('issuer: format, region and identity store must match', () => {
    const iss = proposedIssuer('us-east-2', IS);
    expect(iss).toBe(`https://us-east-2.signin.aws.amazon.com/platform/saml/${IS}`);
    expect(validateIssuerUrl(iss, real, 'us-east-2', IS)).toBe(true);
    expect(validateIssuerUrl(iss, real, 'us-east-2', 'd-0000000000')).toMatch(/another instance/);
    expect(validateIssuerUrl(iss, real, 'us-west-2', IS)).toMatch(/home region is us-west-2/);
    expect(validateIssuerUrl('https://us-east-2.signin.aws.amazon.com/platform/saml/acs/x', real)).toMatch(/looks like/);
  });

  it('SCIM endpoint: trailing slash removed, format, home region only; token sanity', () => {
    const ep = `https://scim.us-east-2.amazonaws.com/Hw59fdecb43-083d-4a5c-9b1f-1234567890ab/scim/v2/`;
    expect(normaliseScimEndpoint(ep)).toBe(ep.slice(0, -1));
    expect(validateScimEndpoint(ep, real, 'us-east-2')).toBe(true);
    expect(validateScimEndpoint(ep, real, 'eu-west-1')).toMatch(/home region only/);
    expect(validateScimEndpoint('https://scim.us-east-2.amazonaws.com/x/scim', real)).toMatch(/looks like/);
    expect(validateScimEndpoint('http://127.0.0.1:5555/abc/scim/v2', real)).toMatch(/looks like/);
    expect(validateScimEndpoint('http://127.0.0.1:5555/abc/scim/v2', sandbox)).toBe(true);
    expect(validateScimToken('Bearer abcdefghijklmnop')).not.toBe(true);
    expect(validateScimToken('abc def ghi jkl')).not.toBe(true);
    expect(validateScimToken('a'.repeat(40))).toBe(true);
  });
});
