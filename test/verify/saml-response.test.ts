/**
 * The SAML response checks (src/saml/response.ts) against responses signed the way the sandbox's
 * Okta signs them (real RSA key, xml-crypto): each failure mode breaks exactly its own check.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { checkSamlResponse, type SamlExpectations } from '../../src/saml/response.js';
import { newSigningKey, certDerBase64, type SigningKey } from '../../src/sandbox/okta/saml.js';
import { signedSamlResponse } from '../../src/sandbox/okta/sso.js';

const ACS = 'https://us-east-2.signin.aws.amazon.com/platform/saml/acs/5e54c8b7-1248-46d6-9bf4-b45369e70dcf';
const AUDIENCE = 'https://us-east-2.signin.aws.amazon.com/platform/saml/d-1234567890';
const ISSUER = 'http://www.okta.com/exk1234567890abcdef';
const USER = 'ada.lovelace@example.com';

let key: SigningKey;
let other: SigningKey;
const now = new Date();

function response(over: Partial<Parameters<typeof signedSamlResponse>[0]> = {}): string {
  return signedSamlResponse({
    issuer: ISSUER,
    destination: ACS,
    audience: AUDIENCE,
    nameId: USER,
    nameIdFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
    privateKey: key.privateKey,
    cert: key.cert,
    now,
    sessionIndex: 'id1',
    ...over,
  });
}

const b64 = (xml: string): string => Buffer.from(xml, 'utf8').toString('base64');

function expectations(over: Partial<SamlExpectations> = {}): SamlExpectations {
  return { idpEntityId: ISSUER, audience: AUDIENCE, acsUrls: [ACS], userName: USER, certificate: certDerBase64(key.cert), now, ...over };
}

/** The ids of the checks that failed. */
function failed(xml: string, over: Partial<SamlExpectations> = {}): string[] {
  return checkSamlResponse(b64(xml), expectations(over)).checks.filter((c) => !c.ok).map((c) => c.id);
}

beforeAll(async () => {
  key = await newSigningKey(10, 'sandbox-app');
  // Another certificate (same shared key pair in the sandbox, so make a real different key here).
  const crypto = await import('node:crypto');
  const kp = crypto.generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
  const { generate } = await import('selfsigned');
  const cert = (await generate([{ name: 'commonName', value: 'other' }], { keyPair: kp, algorithm: 'sha256' })).cert;
  other = { ...key, cert, privateKey: kp.privateKey, publicKey: kp.publicKey };
}, 60_000);

describe('checkSamlResponse', () => {
  it('passes every check on a response Okta would send', () => {
    const r = checkSamlResponse(b64(response()), expectations());
    expect(r.checks.map((c) => [c.id, c.ok])).toEqual([
      ['saml-signature', true],
      ['saml-status', true],
      ['saml-issuer', true],
      ['saml-audience', true],
      ['saml-recipient', true],
      ['saml-nameid', true],
      ['saml-validity', true],
    ]);
    expect(r.ok).toBe(true);
    expect(r.assertion?.nameId).toBe(USER);
  });

  it('wrong ACS URL: only the recipient/destination check fails, naming the fix', () => {
    const xml = response({ destination: 'https://us-east-2.signin.aws.amazon.com/platform/saml/acs/wrong' });
    expect(failed(xml)).toEqual(['saml-recipient']);
    const c = checkSamlResponse(b64(xml), expectations()).checks.find((x) => x.id === 'saml-recipient')!;
    expect(c.fix).toContain(ACS);
  });

  it('wrong audience: only the audience check fails', () => {
    expect(failed(response({ audience: 'https://example.com/not-identity-center' }))).toEqual(['saml-audience']);
  });

  it('NameID that is not the Identity Center user name: only the NameID check fails', () => {
    expect(failed(response({ nameId: 'Ada' }))).toEqual(['saml-nameid']);
  });

  it('wrong issuer (metadata of another app uploaded): only the issuer check fails', () => {
    expect(failed(response(), { idpEntityId: 'http://www.okta.com/exkOTHER' })).toEqual(['saml-issuer']);
  });

  it('expired assertion: only the validity check fails', () => {
    const later = new Date(now.getTime() + 20 * 60_000);
    expect(failed(response(), { now: later })).toEqual(['saml-validity']);
    const early = new Date(now.getTime() - 20 * 60_000);
    expect(failed(response(), { now: early })).toEqual(['saml-validity']);
  });

  it('signed with a key that is not the one of the uploaded metadata: only the signature check fails', () => {
    expect(failed(response(), { certificate: certDerBase64(other.cert) })).toEqual(['saml-signature']);
    expect(failed(response({ privateKey: other.privateKey, cert: other.cert }))).toEqual(['saml-signature']);
  });

  it('tampered signed content (NameID changed after signing): the signature check fails', () => {
    const xml = response().replace(`>${USER}</saml2:NameID>`, '>admin@example.com</saml2:NameID>');
    expect(xml).toContain('admin@example.com');
    expect(failed(xml, { userName: undefined })).toEqual(['saml-signature']);
  });

  it('tampered signature value: the signature check fails', () => {
    const xml = response().replace(/<ds:SignatureValue>([A-Za-z0-9+/])/, (_m, c: string) => `<ds:SignatureValue>${c === 'A' ? 'B' : 'A'}`);
    expect(failed(xml, { userName: undefined })).toEqual(['saml-signature']);
  });

  it('signature wrapping: an unsigned assertion next to the signed one is refused', () => {
    const good = response();
    const signed = /<saml2:Assertion[\s\S]*<\/saml2:Assertion>/.exec(good)![0];
    const evil = signed.replace(/ ID="[^"]+"/, ' ID="evil"').replace(/<ds:Signature[\s\S]*<\/ds:Signature>/, '').replace(USER, 'admin@example.com');
    // Classic XSW: the evil assertion where a reader looks first, the signed one hidden in Extensions.
    const wrapped = good.replace(signed, `${evil}<saml2p:Extensions>${signed}</saml2p:Extensions>`);
    const r = checkSamlResponse(b64(wrapped), expectations({ userName: 'admin@example.com' }));
    expect(r.ok).toBe(false);
    expect(r.checks.map((c) => c.id)).toEqual(['saml-parse']);
    expect(r.assertion).toBeUndefined();
  });

  it('signature wrapping: a signature moved onto a forged assertion with the same ID does not verify', () => {
    const good = response();
    const forged = good.replace(`>${USER}</saml2:NameID>`, '>admin@example.com</saml2:NameID>');
    const r = checkSamlResponse(b64(forged), expectations({ userName: 'admin@example.com' }));
    expect(r.checks.find((c) => c.id === 'saml-signature')?.ok).toBe(false);
    expect(r.ok).toBe(false);
  });

  it('refuses a DTD or entity declaration before parsing', () => {
    const xml = `<!DOCTYPE r [<!ENTITY x "y">]>${response()}`;
    const r = checkSamlResponse(b64(xml), expectations());
    expect(r.checks.map((c) => [c.id, c.ok])).toEqual([['saml-parse', false]]);
    expect(r.checks[0]!.detail).toMatch(/DTD or entity/);
  });

  it('refuses an unsigned response', () => {
    const xml = response().replace(/<ds:Signature[\s\S]*<\/ds:Signature>/, '');
    expect(failed(xml)).toEqual(['saml-signature']);
  });
});
