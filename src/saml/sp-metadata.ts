/**
 * Identity Center's service-provider values: the ACS URL(s) and the issuer (SP entity ID), read
 * from the metadata XML the console downloads or from pasted URLs, and validated against the
 * formats in the reference (aws-identity-center-api.md §1.3). There is no API for any of this.
 */
import { UsageError } from '../errors.js';
import { asArray, child, parseMetadataXml, type XmlNode } from './xml.js';

export type AcsVariant = 'classic' | 'ipv4' | 'dual-stack' | 'sandbox';

export interface AcsEntry {
  url: string;
  /** Region named in the host, undefined for a sandbox loopback URL. */
  region: string | undefined;
  variant: AcsVariant;
}

export interface SpMetadata {
  entityId: string;
  acs: AcsEntry[];
}

export interface UrlRules {
  /** Accept http://127.0.0.1 / localhost URLs (a --sandbox run only). */
  allowLoopback: boolean;
}

const ACS_RE = /^https:\/\/([a-z]{2}(?:-gov)?-[a-z]+-\d)\.(sso\.signin\.aws|signin\.aws|signin\.aws\.amazon\.com)\/platform\/saml\/acs\/[A-Za-z0-9-]+$/;
const ISSUER_RE = /^https:\/\/([a-z]{2}(?:-gov)?-[a-z]+-\d)\.signin\.aws\.amazon\.com\/platform\/saml\/(d-[0-9a-f]{10}|[0-9a-f-]{36})$/;

export function isLoopbackUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return u.protocol === 'http:' && (u.hostname === '127.0.0.1' || u.hostname === 'localhost' || u.hostname === '[::1]');
  } catch {
    return false;
  }
}

/** Classify an ACS URL, or undefined when it is not one. */
export function classifyAcs(url: string, rules: UrlRules): AcsEntry | undefined {
  const m = ACS_RE.exec(url);
  if (m) {
    const host = m[2];
    const variant: AcsVariant = host === 'sso.signin.aws' ? 'dual-stack' : host === 'signin.aws' ? 'ipv4' : 'classic';
    return { url, region: m[1], variant };
  }
  if (rules.allowLoopback && isLoopbackUrl(url)) {
    // A sandbox ACS keeps the region somewhere in the path when it can ("/us-east-2/..."); not required.
    const r = /\/([a-z]{2}-[a-z]+-\d)(\/|$)/.exec(new URL(url).pathname);
    const variant: AcsVariant = /dual|sso\./i.test(url) ? 'dual-stack' : 'sandbox';
    return { url, region: r?.[1], variant };
  }
  return undefined;
}

/** validate() for an ACS URL answer: true or the message naming the expected format. */
export function validateAcsUrl(value: string, rules: UrlRules, region?: string): true | string {
  const e = classifyAcs(value.trim(), rules);
  if (!e) {
    return 'an ACS URL looks like https://<region>.signin.aws/platform/saml/acs/<id> (or .sso.signin.aws for dual-stack, .signin.aws.amazon.com on older instances); copy it from IAM Identity Center > Settings > Identity source > Manage authentication';
  }
  if (region && e.region && e.region !== region) return `this ACS URL is for ${e.region}, but the Identity Center home region is ${region}; use the home region's ACS URL`;
  return true;
}

/** validate() for an issuer URL answer. */
export function validateIssuerUrl(value: string, rules: UrlRules, region?: string, identityStoreId?: string): true | string {
  const v = value.trim();
  const m = ISSUER_RE.exec(v);
  if (!m) {
    if (rules.allowLoopback && isLoopbackUrl(v)) return true;
    return 'an issuer URL looks like https://<region>.signin.aws.amazon.com/platform/saml/d-xxxxxxxxxx; copy "IAM Identity Center issuer URL" from Settings > Identity source > Manage authentication';
  }
  if (region && m[1] !== region) return `this issuer URL is for ${m[1]}, but the Identity Center home region is ${region}`;
  if (identityStoreId && m[2] !== identityStoreId) return `this issuer URL names the identity store ${m[2]}, but the instance's identity store is ${identityStoreId}; it belongs to another instance`;
  return true;
}

/** The issuer Identity Center uses, derived from region and identity store ID (proposed for confirmation). */
export function proposedIssuer(region: string, identityStoreId: string): string {
  return `https://${region}.signin.aws.amazon.com/platform/saml/${identityStoreId}`;
}

/** Parse the SP metadata XML (size-capped, DTD/entity refusing parser) into the entity ID and every ACS. */
export function parseSpMetadata(xml: string, rules: UrlRules, what = 'The SP metadata file'): SpMetadata {
  const doc = parseMetadataXml(xml, what);
  const ed = child(doc, 'EntityDescriptor') as XmlNode | undefined;
  if (!ed) {
    throw new UsageError(`${what} has no EntityDescriptor, so it is not SAML metadata.`, {
      code: 'SP_METADATA_INVALID',
      hint: 'Download it from IAM Identity Center > Settings > Identity source > Actions > Change identity source > External identity provider > "Download metadata file".',
    });
  }
  const entityId = typeof ed['@entityID'] === 'string' ? (ed['@entityID'] as string).trim() : '';
  if (!entityId) {
    throw new UsageError(`${what} has no entityID (the issuer URL).`, { code: 'SP_METADATA_INVALID', hint: 'Download the metadata file again from the console; do not edit it.' });
  }
  const sp = child(ed, 'SPSSODescriptor');
  const services = asArray(child(sp, 'AssertionConsumerService') as XmlNode[] | XmlNode | undefined);
  const acs: AcsEntry[] = [];
  const bad: string[] = [];
  for (const s of services) {
    const loc = typeof s['@Location'] === 'string' ? (s['@Location'] as string).trim() : '';
    if (!loc) continue;
    const entry = classifyAcs(loc, rules);
    if (entry) {
      if (!acs.some((a) => a.url === entry.url)) acs.push(entry);
    } else bad.push(loc);
  }
  if (acs.length === 0) {
    throw new UsageError(`${what} lists no Identity Center ACS URL${bad.length ? ` (found: ${bad.join(', ')})` : ''}.`, {
      code: 'SP_METADATA_NO_ACS',
      hint: 'Use the service-provider metadata of IAM Identity Center (not the IdP metadata from Okta), downloaded from Settings > Identity source.',
    });
  }
  return { entityId, acs };
}

/** The ACS entries usable in the home region, grouped by the choice the person has to make. */
export function acsChoicesForRegion(md: SpMetadata, region: string): { ipv4?: AcsEntry; dualStack?: AcsEntry; all: AcsEntry[] } {
  const inRegion = md.acs.filter((a) => a.region === undefined || a.region === region);
  // Instances created before Feb 2026 must keep the classic signin.aws.amazon.com ACS for the primary region.
  const ipv4 = inRegion.find((a) => a.variant === 'classic') ?? inRegion.find((a) => a.variant === 'ipv4') ?? inRegion.find((a) => a.variant === 'sandbox');
  const dualStack = inRegion.find((a) => a.variant === 'dual-stack');
  return { ipv4, dualStack, all: inRegion };
}
