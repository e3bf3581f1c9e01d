/**
 * Reads and checks a SAML 2.0 Response (the SAMLResponse Okta posts to Identity Center's ACS URL):
 * issuer, audience, recipient/destination, NameID, signature and validity window, one check each.
 *
 * Safety: the XML is size-capped, a DTD or entity declaration is refused before parsing
 * (`@xmldom/xmldom` never fetches or expands external entities, but we do not even let it see
 * one), and the signature is verified with `xml-crypto` against the certificate of the metadata
 * that was uploaded to Identity Center, never against a certificate carried in the message
 * (KeyInfo is ignored). Against signature wrapping, exactly one Assertion is accepted, its
 * Signature must be its own child and reference it by ID, and every value checked is read from
 * the XML that xml-crypto reports as signed (getSignedReferences), not from the original document.
 */
import crypto from 'node:crypto';
import { DOMParser } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';

export const SAML_PROTOCOL_NS = 'urn:oasis:names:tc:SAML:2.0:protocol';
export const SAML_ASSERTION_NS = 'urn:oasis:names:tc:SAML:2.0:assertion';
export const XMLDSIG_NS = 'http://www.w3.org/2000/09/xmldsig#';
export const NAMEID_EMAIL = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress';
export const STATUS_SUCCESS = 'urn:oasis:names:tc:SAML:2.0:status:Success';
/** A SAMLResponse is a few KB; refuse anything far larger. */
export const MAX_SAML_RESPONSE_BYTES = 256 * 1024;
/** Clock skew allowed on NotBefore / NotOnOrAfter. */
export const DEFAULT_SKEW_MS = 3 * 60_000;

export type SamlCheckId = 'saml-parse' | 'saml-signature' | 'saml-issuer' | 'saml-audience' | 'saml-recipient' | 'saml-nameid' | 'saml-validity' | 'saml-status';

export interface SamlCheck {
  id: SamlCheckId;
  title: string;
  ok: boolean;
  /** What was found (never a secret: the assertion holds none). */
  detail: string;
  /** One line: what to do when it failed. */
  fix?: string;
}

export interface SamlExpectations {
  /** The IdP entity ID (Okta: http://www.okta.com/<externalKey>), from the uploaded IdP metadata. */
  idpEntityId: string;
  /** Identity Center's issuer URL (the SP entity ID), the audience Okta must name. */
  audience: string;
  /** The ACS URL(s) Identity Center accepts; recipient and destination must be one of them. */
  acsUrls: readonly string[];
  /** Identity Center user name the NameID must equal; omitted: only the format is checked. */
  userName?: string;
  /** Base64 DER (or PEM) of the signing certificate in the IdP metadata uploaded to Identity Center. */
  certificate: string;
  now: Date;
  skewMs?: number;
}

export interface SamlAssertionInfo {
  responseId?: string;
  assertionId: string;
  issuer?: string;
  destination?: string;
  recipient?: string;
  audiences: string[];
  nameId?: string;
  nameIdFormat?: string;
  notBefore?: string;
  notOnOrAfter?: string;
  subjectNotOnOrAfter?: string;
  statusCode?: string;
}

export interface SamlResult {
  checks: SamlCheck[];
  /** Values read from the signed XML (when the signature verified), else from the document. */
  assertion?: SamlAssertionInfo;
  /** True when every check passed. */
  ok: boolean;
}

class SamlParseError extends Error {}

function pemOf(cert: string): string {
  if (cert.includes('BEGIN CERTIFICATE')) return cert;
  const b64 = cert.replace(/\s+/g, '');
  return `-----BEGIN CERTIFICATE-----\n${b64.replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`;
}

/** Parses XML refusing DTDs, entities and any parser error. */
export function parseSafeXml(xml: string, what: string): Document {
  if (Buffer.byteLength(xml, 'utf8') > MAX_SAML_RESPONSE_BYTES) throw new SamlParseError(`${what} is larger than ${MAX_SAML_RESPONSE_BYTES / 1024} KB`);
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw new SamlParseError(`${what} contains a DTD or entity declaration, which SAML never needs`);
  const problems: string[] = [];
  const doc = new DOMParser({
    locator: {},
    errorHandler: {
      warning: () => undefined,
      error: (m: string) => problems.push(m),
      fatalError: (m: string) => problems.push(m),
    },
  }).parseFromString(xml, 'text/xml');
  if (problems.length > 0 || !doc || !doc.documentElement) throw new SamlParseError(`${what} is not well-formed XML${problems[0] ? ` (${problems[0].split('\n')[0]})` : ''}`);
  return doc as unknown as Document;
}

function children(el: Element, ns: string, local: string): Element[] {
  const out: Element[] = [];
  for (let n = el.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 1 && (n as Element).namespaceURI === ns && (n as Element).localName === local) out.push(n as Element);
  }
  return out;
}

function first(el: Element | undefined, ns: string, ...path: string[]): Element | undefined {
  let cur = el;
  for (const p of path) {
    if (!cur) return undefined;
    cur = children(cur, ns, p)[0];
  }
  return cur;
}

function textOf(el: Element | undefined): string | undefined {
  const t = el?.textContent?.trim();
  return t === undefined || t === '' ? undefined : t;
}

function attr(el: Element | undefined, name: string): string | undefined {
  const v = el?.getAttribute(name);
  return v === null || v === undefined || v === '' ? undefined : v;
}

function all(doc: Document | Element, ns: string, local: string): Element[] {
  return Array.from(doc.getElementsByTagNameNS(ns, local) as unknown as ArrayLike<Element>);
}

function readAssertion(assertion: Element, response: Element | undefined): SamlAssertionInfo {
  const subject = first(assertion, SAML_ASSERTION_NS, 'Subject');
  const nameId = first(subject, SAML_ASSERTION_NS, 'NameID');
  const scd = first(subject, SAML_ASSERTION_NS, 'SubjectConfirmation', 'SubjectConfirmationData');
  const conditions = first(assertion, SAML_ASSERTION_NS, 'Conditions');
  const audiences = conditions
    ? children(conditions, SAML_ASSERTION_NS, 'AudienceRestriction').flatMap((r) => children(r, SAML_ASSERTION_NS, 'Audience').map((a) => textOf(a) ?? ''))
    : [];
  const info: SamlAssertionInfo = { assertionId: attr(assertion, 'ID') ?? '', audiences };
  const set = <K extends keyof SamlAssertionInfo>(k: K, v: SamlAssertionInfo[K] | undefined): void => {
    if (v !== undefined) info[k] = v;
  };
  set('responseId', attr(response, 'ID'));
  set('issuer', textOf(first(assertion, SAML_ASSERTION_NS, 'Issuer')));
  set('destination', attr(response, 'Destination'));
  set('recipient', attr(scd, 'Recipient'));
  set('nameId', textOf(nameId));
  set('nameIdFormat', attr(nameId, 'Format'));
  set('notBefore', attr(conditions, 'NotBefore'));
  set('notOnOrAfter', attr(conditions, 'NotOnOrAfter'));
  set('subjectNotOnOrAfter', attr(scd, 'NotOnOrAfter'));
  set('statusCode', attr(first(response, SAML_PROTOCOL_NS, 'Status', 'StatusCode'), 'Value'));
  return info;
}

/**
 * Verifies the signature over the single Assertion (or over the Response that holds it) and returns
 * the Assertion element re-read from the signed XML, or a reason.
 */
function verifySignature(doc: Document, response: Element, assertion: Element, certificate: string): { signed: Element } | { problem: string } {
  const own = children(assertion, XMLDSIG_NS, 'Signature');
  const onResponse = children(response, XMLDSIG_NS, 'Signature');
  const target = own.length > 0 ? assertion : onResponse.length > 0 ? response : undefined;
  const sigs = own.length > 0 ? own : onResponse;
  if (!target) return { problem: 'the response carries no signature (neither on the Assertion nor on the Response)' };
  if (sigs.length > 1) return { problem: 'the signed element carries more than one Signature' };
  const id = attr(target, 'ID');
  if (!id) return { problem: `the signed ${target.localName} has no ID` };
  const refs = all(sigs[0]!, XMLDSIG_NS, 'Reference');
  if (refs.length !== 1 || attr(refs[0], 'URI') !== `#${id}`) return { problem: `the signature does not reference the ${target.localName} it sits in (ID ${id})` };
  let pem: string;
  try {
    pem = new crypto.X509Certificate(pemOf(certificate)).toString();
  } catch {
    return { problem: 'the certificate of the uploaded IdP metadata cannot be read' };
  }
  const sig = new SignedXml({ publicCert: pem, getCertFromKeyInfo: () => null });
  try {
    sig.loadSignature(sigs[0]!);
    const xml = doc.documentElement!.toString();
    if (!sig.checkSignature(xml)) return { problem: 'the signature does not verify against the certificate of the uploaded IdP metadata' };
  } catch (e) {
    return { problem: `the signature does not verify against the certificate of the uploaded IdP metadata (${e instanceof Error ? e.message.split('\n')[0] : String(e)})` };
  }
  const signedRefs = sig.getSignedReferences();
  if (signedRefs.length !== 1) return { problem: 'the signature covers more than one element' };
  let signedDoc: Document;
  try {
    signedDoc = parseSafeXml(signedRefs[0]!, 'The signed part of the SAML response');
  } catch (e) {
    return { problem: e instanceof Error ? e.message : String(e) };
  }
  const root = signedDoc.documentElement!;
  if (root.namespaceURI !== target.namespaceURI || root.localName !== target.localName || attr(root, 'ID') !== id) {
    return { problem: 'what was signed is not the element that was read (signature wrapping?)' };
  }
  const signedAssertion = target === assertion ? root : children(root, SAML_ASSERTION_NS, 'Assertion');
  if (Array.isArray(signedAssertion)) {
    if (signedAssertion.length !== 1 || attr(signedAssertion[0], 'ID') !== attr(assertion, 'ID')) return { problem: 'the signed Response does not hold exactly the Assertion that was read (signature wrapping?)' };
    return { signed: signedAssertion[0]! };
  }
  return { signed: signedAssertion };
}

function within(now: number, skew: number, notBefore?: string, notOnOrAfter?: string): string | undefined {
  if (notBefore && Number.isFinite(Date.parse(notBefore)) && now + skew < Date.parse(notBefore)) return `not valid before ${notBefore}`;
  if (notOnOrAfter && Number.isFinite(Date.parse(notOnOrAfter)) && now - skew >= Date.parse(notOnOrAfter)) return `expired at ${notOnOrAfter}`;
  return undefined;
}

/** Checks a base64 SAMLResponse (as posted in the form) against what Identity Center expects. */
export function checkSamlResponse(samlResponseB64: string, exp: SamlExpectations): SamlResult {
  const checks: SamlCheck[] = [];
  const fail = (c: Omit<SamlCheck, 'ok'>): SamlResult => ({ checks: [...checks, { ...c, ok: false }], ok: false });
  let doc: Document;
  try {
    const xml = Buffer.from(samlResponseB64.replace(/\s+/g, ''), 'base64').toString('utf8');
    doc = parseSafeXml(xml, 'The SAML response');
  } catch (e) {
    return fail({ id: 'saml-parse', title: 'SAML response readable', detail: e instanceof Error ? e.message : String(e), fix: 'Check the Okta app is the "AWS IAM Identity Center" SAML app and is active; then run again.' });
  }
  const response = doc.documentElement!;
  if (response.namespaceURI !== SAML_PROTOCOL_NS || response.localName !== 'Response') {
    return fail({ id: 'saml-parse', title: 'SAML response readable', detail: `the document is a ${response.localName}, not a samlp:Response`, fix: 'The SSO link did not return a SAML response: check the app in Okta.' });
  }
  const assertions = all(doc, SAML_ASSERTION_NS, 'Assertion');
  if (all(doc, SAML_ASSERTION_NS, 'EncryptedAssertion').length > 0) {
    return fail({ id: 'saml-parse', title: 'SAML response readable', detail: 'the assertion is encrypted; Identity Center does not take encrypted assertions', fix: 'Turn off assertion encryption in the Okta app (Sign On > Advanced).' });
  }
  if (assertions.length !== 1 || assertions[0]!.parentNode !== (response as unknown as Node)) {
    return fail({ id: 'saml-parse', title: 'SAML response readable', detail: `the response holds ${assertions.length} Assertion elements (exactly one, directly in the Response, is accepted)`, fix: 'This is not a response Okta sends; do not trust it.' });
  }
  const assertion = assertions[0]!;
  const v = verifySignature(doc, response, assertion, exp.certificate);
  const signed = 'signed' in v;
  checks.push(
    signed
      ? { id: 'saml-signature', title: 'Signature verifies against the uploaded IdP certificate', ok: true, detail: 'signed by the key of the certificate in the uploaded IdP metadata' }
      : {
          id: 'saml-signature',
          title: 'Signature verifies against the uploaded IdP certificate',
          ok: false,
          detail: v.problem,
          fix: 'Upload the current IdP metadata of the Okta app to Identity Center (Settings > Identity source > Manage authentication), or make the matching Okta signing certificate active.',
        },
  );
  // Values come from the signed XML when the signature verified; otherwise from the document, for the report only.
  const info = readAssertion(signed ? v.signed : assertion, response);
  const ok = (id: SamlCheckId, title: string, pass: boolean, detail: string, fix: string): void => {
    checks.push(pass ? { id, title, ok: true, detail } : { id, title, ok: false, detail, fix });
  };
  ok('saml-status', 'Okta answered Success', info.statusCode === undefined || info.statusCode === STATUS_SUCCESS, `status ${info.statusCode ?? '(none)'}`, 'Read the Okta System Log for this sign-in.');
  ok(
    'saml-issuer',
    'Issuer is the IdP entity ID',
    info.issuer === exp.idpEntityId,
    `issuer ${info.issuer ?? '(none)'}${info.issuer === exp.idpEntityId ? '' : `, expected ${exp.idpEntityId}`}`,
    'Upload the IdP metadata of this Okta app to Identity Center (its entityID must be the assertion issuer).',
  );
  ok(
    'saml-audience',
    "Audience is Identity Center's issuer URL",
    info.audiences.includes(exp.audience),
    `audience ${info.audiences.join(', ') || '(none)'}${info.audiences.includes(exp.audience) ? '' : `, expected ${exp.audience}`}`,
    `Set "IAM Identity Center issuer URL" of the Okta app (Sign On > Advanced Sign-on Settings) to ${exp.audience}.`,
  );
  const acsOk = (u?: string): boolean => u !== undefined && exp.acsUrls.includes(u);
  ok(
    'saml-recipient',
    'Recipient and destination are the ACS URL',
    acsOk(info.recipient) && acsOk(info.destination),
    `recipient ${info.recipient ?? '(none)'}, destination ${info.destination ?? '(none)'}${acsOk(info.recipient) && acsOk(info.destination) ? '' : `, expected ${exp.acsUrls[0] ?? '(the ACS URL)'}`}`,
    `Set "IAM Identity Center ACS URL" of the Okta app (Sign On > Advanced Sign-on Settings) to ${exp.acsUrls[0] ?? "Identity Center's ACS URL"}.`,
  );
  const formatOk = info.nameIdFormat === NAMEID_EMAIL || info.nameIdFormat === 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified' || info.nameIdFormat === undefined;
  const valueOk = exp.userName === undefined || (info.nameId !== undefined && info.nameId.toLowerCase() === exp.userName.toLowerCase());
  ok(
    'saml-nameid',
    'NameID is the Identity Center user name',
    formatOk && valueOk && info.nameId !== undefined,
    `NameID ${info.nameId ?? '(none)'} (${info.nameIdFormat ?? 'no format'})${valueOk ? '' : `, Identity Center user name ${exp.userName}`}`,
    'Make the Okta app username (Sign On > Credentials details > Application username format) give the same value as the user name Okta provisions over SCIM (the Okta login, by default).',
  );
  const skew = exp.skewMs ?? DEFAULT_SKEW_MS;
  const n = exp.now.getTime();
  const late = within(n, skew, info.notBefore, info.notOnOrAfter) ?? within(n, skew, undefined, info.subjectNotOnOrAfter);
  ok(
    'saml-validity',
    'Validity window is current',
    late === undefined && info.notOnOrAfter !== undefined,
    late ?? (info.notOnOrAfter ? `valid ${info.notBefore ?? '?'} to ${info.notOnOrAfter}` : 'no NotOnOrAfter condition'),
    "Check this machine's clock (and Okta's assertion lifetime); an old assertion cannot be replayed.",
  );
  return { checks, assertion: info, ok: checks.every((c) => c.ok) };
}
