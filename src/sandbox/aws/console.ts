/** The three console actions of Identity Center that have no API, done by the sandbox. */
import crypto from 'node:crypto';
import { UsageError } from '../../errors.js';
import { asArray, child, parseMetadataXml, text } from '../../saml/xml.js';
import type { ConsoleActionResult } from '../types.js';
import { hashToken } from './scim/server.js';
import type { AwsState } from './state.js';

export const TOKEN_LIFETIME_MS = 365 * 24 * 3600 * 1000;
export const MAX_LIVE_TOKENS = 2;
/** AWS's quota on an uploaded IdP certificate. */
const MAX_CERT_CHARS = 2500;

export function issuerUrl(s: AwsState): string {
  return `https://${s.region}.signin.aws.amazon.com/platform/saml/${s.instance.identityStoreId}`;
}

/** The ACS URL variants of the home region: classic, IPv4 (signin.aws) and dual-stack. */
export function acsUrls(s: AwsState): string[] {
  return [
    `https://${s.region}.signin.aws.amazon.com/platform/saml/acs/${s.acsTenantId}`,
    `https://${s.region}.signin.aws/platform/saml/acs/${s.acsTenantId}`,
    `https://${s.region}.sso.signin.aws/platform/saml/acs/${s.acsTenantId}`,
  ];
}

export function spMetadataXml(s: AwsState): string {
  const acs = acsUrls(s)
    .map(
      (url, i) =>
        `    <md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${url}" index="${i}"${i === 0 ? ' isDefault="true"' : ''}/>`,
    )
    .join('\n');
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="${issuerUrl(s)}">`,
    '  <md:SPSSODescriptor AuthnRequestsSigned="false" WantAssertionsSigned="true" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">',
    '    <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>',
    acs,
    '  </md:SPSSODescriptor>',
    '</md:EntityDescriptor>',
    '',
  ].join('\n');
}

const idpError = (message: string) =>
  new UsageError(message, { code: 'IDP_METADATA_INVALID', hint: 'Download the IdP metadata again from the Okta app (Sign On tab > SAML 2.0 > Metadata details) and upload that file.' });

/** "Change identity source > External identity provider": the checks the console makes on IdP metadata. */
export function uploadIdpMetadata(s: AwsState, xml: string, now: number): ConsoleActionResult {
  const doc = parseMetadataXml(xml, 'The IdP metadata');
  const ed = child(doc, 'EntityDescriptor');
  const entityId = child(ed, '@entityID');
  if (typeof entityId !== 'string' || entityId === '') throw idpError('The IdP metadata has no EntityDescriptor with an entityID.');
  const idp = child(ed, 'IDPSSODescriptor');
  if (!idp) throw idpError('The IdP metadata has no IDPSSODescriptor: it is not identity-provider metadata.');
  const sso = asArray(child(idp, 'SingleSignOnService') as unknown[] | undefined).find((x) => typeof child(x, '@Location') === 'string');
  const ssoUrl = child(sso, '@Location') as string | undefined;
  if (!ssoUrl || !/^https?:\/\//.test(ssoUrl)) throw idpError('The IdP metadata has no SingleSignOnService with an http(s) Location.');
  const kd = asArray(child(idp, 'KeyDescriptor') as unknown[] | undefined).find((k) => {
    const use = child(k, '@use');
    return use === undefined || use === 'signing';
  });
  const certText = text(child(kd, 'KeyInfo', 'X509Data', 'X509Certificate'))?.replace(/\s+/g, '');
  if (!certText) throw idpError('The IdP metadata has no signing certificate (KeyDescriptor > X509Certificate).');
  if (certText.length > MAX_CERT_CHARS) throw idpError(`The IdP signing certificate is longer than ${MAX_CERT_CHARS} characters, which Identity Center refuses.`);
  try {
    const cert = new crypto.X509Certificate(Buffer.from(certText, 'base64'));
    if (Date.parse(cert.validTo) < now) throw idpError(`The IdP signing certificate expired on ${cert.validTo}.`);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw idpError('The IdP signing certificate is not a valid X.509 certificate.');
  }
  s.idp = { entityId, ssoUrl, certificate: certText, uploadedAt: now };
  return { message: `Identity source changed to External identity provider (IdP issuer ${entityId}).` };
}

/** "Automatic provisioning > Enable" (later: "Generate token"): a new token, at most two live. */
export function enableAutomaticProvisioning(s: AwsState, scimEndpoint: string, now: number): ConsoleActionResult {
  s.scim.enabled = true;
  s.scim.tokens = s.scim.tokens.filter((t) => t.expiresAt > now);
  let note = '';
  if (s.scim.tokens.length >= MAX_LIVE_TOKENS) {
    s.scim.tokens.sort((a, b) => a.createdAt - b.createdAt);
    s.scim.tokens.shift();
    note = ' The oldest of the two live tokens was deleted first, as the console requires before a third.';
  }
  const token = crypto.randomBytes(48).toString('base64url');
  s.scim.tokens.push({ sha256: hashToken(token), id: crypto.randomUUID(), createdAt: now, expiresAt: now + TOKEN_LIFETIME_MS });
  return {
    answers: { 'scim-endpoint': scimEndpoint },
    secrets: { 'scim-token': token },
    message: `Automatic provisioning is enabled; the access token expires on ${new Date(now + TOKEN_LIFETIME_MS).toISOString().slice(0, 10)}.${note}`,
  };
}

/** "Automatic provisioning > Access tokens > Delete" (each token), then "Disable automatic provisioning". */
export function deleteScimTokens(s: AwsState): ConsoleActionResult {
  const n = s.scim.tokens.length;
  s.scim.tokens = [];
  s.scim.enabled = false;
  return { message: `Deleted ${n} SCIM access token(s) and disabled automatic provisioning.` };
}

/**
 * "Change identity source > Identity Center directory" (type ACCEPT): the external IdP's metadata is
 * removed, sign-in through Okta stops. Users and groups stay in the identity store (docs/sandbox-aws.md).
 */
export function revertIdentitySource(s: AwsState): ConsoleActionResult {
  const had = s.idp !== undefined;
  delete s.idp;
  return { message: had ? 'Identity source changed back to the Identity Center directory.' : 'The identity source already was the Identity Center directory.' };
}

/**
 * "Manage provisioning > Access tokens > Generate token": a new token while automatic provisioning is
 * on. "An IAM Identity Center directory supports up to two access tokens at a time" (expired ones
 * count until deleted): a third is refused until one is deleted, as the console does.
 */
export function createScimToken(s: AwsState, scimEndpoint: string, now: number): ConsoleActionResult {
  if (!s.scim.enabled) {
    throw new UsageError('Automatic provisioning is not enabled, so there is no access token to add.', { code: 'SCIM_NOT_ENABLED', hint: 'Enable automatic provisioning first (Settings > Identity source > Automatic provisioning > Enable).' });
  }
  if (s.scim.tokens.length >= MAX_LIVE_TOKENS) {
    throw new UsageError(`You can have up to ${MAX_LIVE_TOKENS} access tokens; this directory already has ${s.scim.tokens.length}.`, {
      code: 'SCIM_TOKEN_LIMIT',
      hint: 'Delete an expired or unused access token first (Manage provisioning > Access tokens > Delete), then generate a new one.',
    });
  }
  const token = crypto.randomBytes(48).toString('base64url');
  const id = crypto.randomUUID();
  s.scim.tokens.push({ sha256: hashToken(token), id, createdAt: now, expiresAt: now + TOKEN_LIFETIME_MS });
  return {
    answers: { 'scim-endpoint': scimEndpoint },
    secrets: { 'scim-token': token },
    message: `Access token ${id} generated (${s.scim.tokens.length} of ${MAX_LIVE_TOKENS}); it expires on ${new Date(now + TOKEN_LIFETIME_MS).toISOString().slice(0, 10)}.`,
  };
}

/**
 * "Manage provisioning > Access tokens > Delete": by token ID, or every token created before a time
 * (the tokens a rotation replaces), or else the oldest of two. A deleted token stops working at once.
 */
export function deleteScimToken(s: AwsState, p: { tokenId?: string; createdBefore?: number }): ConsoleActionResult {
  const sorted = [...s.scim.tokens].sort((a, b) => a.createdAt - b.createdAt);
  let doomed: typeof sorted;
  if (p.tokenId !== undefined) {
    doomed = sorted.filter((t) => t.id === p.tokenId);
    if (doomed.length === 0) throw new UsageError(`No access token with the ID ${p.tokenId} exists.`, { code: 'SCIM_TOKEN_UNKNOWN', hint: 'Pick a token ID from Manage provisioning > Access tokens.' });
  } else if (p.createdBefore !== undefined) {
    const before = p.createdBefore;
    doomed = sorted.filter((t) => t.createdAt < before);
    if (doomed.length === sorted.length) {
      throw new UsageError('Every access token was created before the new one was: the new token is not there, so none is deleted.', { code: 'SCIM_TOKEN_UNKNOWN', hint: 'Generate the new token first.' });
    }
  } else {
    if (sorted.length < 2) throw new UsageError('Only one access token exists: deleting it would stop provisioning.', { code: 'SCIM_TOKEN_LAST', hint: 'Generate a new token and give it to Okta first.' });
    doomed = [sorted[0]!];
  }
  const gone = new Set(doomed);
  s.scim.tokens = s.scim.tokens.filter((t) => !gone.has(t));
  const ids = doomed.map((t) => t.id ?? `created ${new Date(t.createdAt).toISOString().slice(0, 10)}`);
  return { message: `Deleted ${doomed.length} access token(s) (${ids.join(', ')}); ${s.scim.tokens.length} left.` };
}
