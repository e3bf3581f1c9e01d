/**
 * App signing keys (real RSA key pairs with real self-signed X.509 certificates) and the SAML IdP
 * metadata document Okta serves for a SAML app.
 */
import crypto from 'node:crypto';
import { promisify } from 'node:util';
import { generate } from 'selfsigned';

const generateKeyPair = promisify(crypto.generateKeyPair);

export interface SigningKey {
  kid: string;
  created: string;
  lastUpdated: string;
  expiresAt: string;
  /** PEM certificate. */
  cert: string;
  /** PEM PKCS#8 private key (sandbox state only, never served). */
  privateKey: string;
  publicKey: string;
}

function base64url(buf: Buffer): string {
  return buf.toString('base64url');
}

async function makeCert(keys: { privateKey: string; publicKey: string }, notBefore: Date, notAfter: Date, cn: string): Promise<string> {
  const r = await generate([{ name: 'commonName', value: cn }, { name: 'organizationName', value: 'Okta' }], {
    keyPair: keys,
    algorithm: 'sha256',
    notBeforeDate: notBefore,
    notAfterDate: notAfter,
  });
  return r.cert;
}

let sharedPair: Promise<{ privateKey: string; publicKey: string }> | undefined;

/**
 * RSA key generation costs about a second on a busy 2-core machine, so one key pair per process is
 * shared by all signing keys; each key still gets its own kid and its own self-signed certificate
 * (serial, validity, fingerprint differ).
 */
function keyPair(): Promise<{ privateKey: string; publicKey: string }> {
  sharedPair ??= generateKeyPair('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
  return sharedPair;
}

/** Starts generating the shared key pair in the background. */
export function warmUpKeys(): void {
  void keyPair();
}

/** A key pair of its own (about a second of CPU): for keys generated through the API (rotation). */
function freshKeyPair(): Promise<{ privateKey: string; publicKey: string }> {
  return generateKeyPair('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
}

/**
 * A new key with a certificate valid from now for `validityYears` years. `ownPair`: a new RSA key pair
 * (keys generated for a rotation), so that a response signed with it does not verify against the
 * certificate of another key, as on a real org.
 */
export async function newSigningKey(validityYears: number, cn: string, now = new Date(), ownPair = false): Promise<SigningKey> {
  const kp = ownPair ? await freshKeyPair() : await keyPair();
  const notAfter = new Date(now.getTime());
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + validityYears);
  const notBefore = new Date(now.getTime() - 60_000);
  const cert = await makeCert({ privateKey: kp.privateKey, publicKey: kp.publicKey }, notBefore, notAfter, cn);
  const iso = now.toISOString();
  return { kid: base64url(crypto.randomBytes(32)), created: iso, lastUpdated: iso, expiresAt: certExpiry(cert), cert, privateKey: kp.privateKey, publicKey: kp.publicKey };
}

function certExpiry(pem: string): string {
  return new Date(new crypto.X509Certificate(pem).validTo).toISOString();
}

/** Re-issues the key's certificate so that it expires at `expiresAt` (for tests of expiry handling). */
export async function reissueWithExpiry(key: SigningKey, expiresAt: Date, cn: string): Promise<SigningKey> {
  const notBefore = new Date(Math.min(Date.now(), expiresAt.getTime()) - 365 * 86_400_000);
  const cert = await makeCert({ privateKey: key.privateKey, publicKey: key.publicKey }, notBefore, expiresAt, cn);
  return { ...key, cert, expiresAt: certExpiry(cert), lastUpdated: new Date().toISOString() };
}

/** Base64 DER of the PEM certificate (the x5c / X509Certificate value). */
export function certDerBase64(pem: string): string {
  return pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
}

/** The key as Okta's JsonWebKey (public parts only). */
export function toJwk(key: SigningKey): Record<string, unknown> {
  const jwk = crypto.createPublicKey(key.publicKey).export({ format: 'jwk' });
  const der = Buffer.from(certDerBase64(key.cert), 'base64');
  return {
    created: key.created,
    lastUpdated: key.lastUpdated,
    expiresAt: key.expiresAt,
    x5c: [der.toString('base64')],
    e: jwk.e,
    n: jwk.n,
    kid: key.kid,
    kty: 'RSA',
    use: 'sig',
    'x5t#S256': base64url(crypto.createHash('sha256').update(der).digest()),
  };
}

function wrap76(s: string): string {
  return s.replace(/(.{76})/g, '$1\n');
}

function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** SAML 2.0 IdP metadata for an app (entityID http://www.okta.com/{externalKey}). */
export function idpMetadataXml(p: { orgUrl: string; appName: string; externalKey: string; key: SigningKey }): string {
  const sso = `${p.orgUrl}/app/${p.appName}/${p.externalKey}/sso/saml`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="http://www.okta.com/${xmlEscape(p.externalKey)}">`,
    '<md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">',
    '<md:KeyDescriptor use="signing">',
    '<ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#">',
    '<ds:X509Data>',
    `<ds:X509Certificate>${wrap76(certDerBase64(p.key.cert))}</ds:X509Certificate>`,
    '</ds:X509Data>',
    '</ds:KeyInfo>',
    '</md:KeyDescriptor>',
    '<md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified</md:NameIDFormat>',
    '<md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>',
    `<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${xmlEscape(sso)}"/>`,
    `<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${xmlEscape(sso)}"/>`,
    '</md:IDPSSODescriptor>',
    '</md:EntityDescriptor>',
    '',
  ].join('\n');
}
