/**
 * Reads the Okta IdP metadata (what Identity Center receives as "IdP SAML metadata"): entityID, the
 * SSO URLs, and the signing certificate (subject, SHA-256 fingerprint, expiry). An expired certificate
 * is refused; one that expires within 30 days gives a warning.
 */
import { ioMessage, type IoMessage } from '../messages.js';
import { isLoopbackUrl } from './sp-metadata.js';
import { excerpt } from '../safe/text.js';
import { X509Certificate } from 'node:crypto';
import { WizardError } from '../errors.js';
import { asArray, child, parseMetadataXml, text } from './xml.js';

export interface IdpSsoUrl {
  binding: string;
  location: string;
}

export interface IdpMetadata {
  entityId: string;
  ssoUrls: IdpSsoUrl[];
  /** The HTTP-POST SSO URL, else the first one. */
  ssoUrl: string;
  nameIdFormats: string[];
  cert: {
    subject: string;
    /** "AB:CD:..." as Node prints it. */
    sha256Fingerprint: string;
    notBefore: string;
    notAfter: string;
    /** Base64 DER, one line. */
    base64: string;
  };
}

export const CERT_WARN_DAYS = 30;

/** A sign-in URL people may be sent to: https://, or http:// on this machine (the sandbox). Never javascript:, data:, file:. */
export function isSafeSignInUrl(value: string): boolean {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return false;
  }
  if (u.protocol === 'https:') return u.hostname !== '';
  return isLoopbackUrl(value);
}

function bad(message: string): WizardError {
  return new WizardError(`The IdP metadata from Okta ${message}.`, {
    code: 'IDP_METADATA_INVALID',
    hint: 'Check the app in the Okta Admin Console (Sign On tab > SAML Signing Certificates: one must be Active), then run again.',
  });
}

export function parseIdpMetadata(xml: string): IdpMetadata {
  const doc = parseMetadataXml(xml, 'The IdP metadata from Okta');
  const ed = child(doc, 'EntityDescriptor');
  if (!ed || typeof ed !== 'object') throw bad('has no EntityDescriptor');
  const entityId = (ed as Record<string, unknown>)['@entityID'];
  if (typeof entityId !== 'string' || entityId.trim() === '') throw bad('has no entityID');
  const idp = child(ed, 'IDPSSODescriptor');
  if (!idp || typeof idp !== 'object') throw bad('has no IDPSSODescriptor');
  const ssoUrls: IdpSsoUrl[] = asArray(child(idp, 'SingleSignOnService') as unknown[] | undefined)
    .map((s) => ({ binding: String((s as Record<string, unknown>)['@Binding'] ?? ''), location: String((s as Record<string, unknown>)['@Location'] ?? '') }))
    .filter((s) => s.location !== '');
  if (ssoUrls.length === 0) throw bad('has no SingleSignOnService URL');
  for (const s of ssoUrls) {
    if (!isSafeSignInUrl(s.location)) {
      throw new WizardError(`The IdP metadata from Okta names the sign-in URL "${excerpt(s.location)}", which is not an https:// address; Identity Center would send people there to sign in.`, {
        code: 'IDP_METADATA_UNSAFE',
        hint: 'Check the --okta-org-url (it must be your Okta org, over https) and the app in the Okta Admin Console (Sign On tab), then run again.',
      });
    }
  }
  const post = ssoUrls.find((s) => s.binding.endsWith('HTTP-POST')) ?? ssoUrls[0]!;
  const keys = asArray(child(idp, 'KeyDescriptor') as unknown[] | undefined);
  const signing = keys.find((k) => {
    const use = (k as Record<string, unknown>)['@use'];
    return use === undefined || use === 'signing';
  });
  const b64 = text(child(signing, 'KeyInfo', 'X509Data', 'X509Certificate'))?.replace(/\s+/g, '');
  if (!b64) throw bad('has no signing certificate (KeyDescriptor use="signing")');
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(Buffer.from(b64, 'base64'));
  } catch {
    throw bad('has a signing certificate that cannot be read');
  }
  const nameIdFormats = asArray(child(idp, 'NameIDFormat') as unknown[] | undefined)
    .map((n) => text(n))
    .filter((n): n is string => typeof n === 'string');
  return {
    entityId: entityId.trim(),
    ssoUrls,
    ssoUrl: post.location,
    nameIdFormats,
    cert: {
      subject: cert.subject.replace(/\n/g, ', '),
      sha256Fingerprint: cert.fingerprint256,
      notBefore: new Date(cert.validFrom).toISOString(),
      notAfter: new Date(cert.validTo).toISOString(),
      base64: b64,
    },
  };
}

/** Refuses an expired (or not yet valid) certificate; returns a warning when it expires within 30 days. */
export function checkCertValidity(md: IdpMetadata, now: Date): { warning?: IoMessage; daysLeft?: number } {
  const notAfter = new Date(md.cert.notAfter);
  const notBefore = new Date(md.cert.notBefore);
  if (notAfter.getTime() <= now.getTime()) {
    throw new WizardError(`The Okta signing certificate (${md.cert.sha256Fingerprint}) expired on ${md.cert.notAfter}; Identity Center would reject every sign-in.`, {
      code: 'IDP_CERT_EXPIRED',
      hint: 'In the Okta Admin Console open the app > Sign On > SAML Signing Certificates, generate a new certificate and make it active, then run again.',
    });
  }
  if (notBefore.getTime() > now.getTime()) {
    throw new WizardError(`The Okta signing certificate is not valid before ${md.cert.notBefore}.`, {
      code: 'IDP_CERT_NOT_YET_VALID',
      hint: 'Check the clock of this machine, or activate a certificate that is already valid (Sign On > SAML Signing Certificates).',
    });
  }
  const days = Math.floor((notAfter.getTime() - now.getTime()) / 86_400_000);
  if (days < CERT_WARN_DAYS) {
    return {
      daysLeft: days,
      warning: ioMessage('IDP_CERT_EXPIRES_SOON', { days, s: days === 1 ? '' : 's', notAfter: md.cert.notAfter }),
    };
  }
  return {};
}
