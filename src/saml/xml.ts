/**
 * One safe way to read SAML metadata XML: size-capped, no DTD, no entity expansion, namespace
 * prefixes removed so "md:EntityDescriptor" and "EntityDescriptor" read the same.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { UsageError } from '../errors.js';

/** Metadata files are a few KB; anything near this is not metadata. */
export const MAX_METADATA_BYTES = 256 * 1024;

export type XmlNode = Record<string, unknown>;

export function parseMetadataXml(xml: string, what: string): XmlNode {
  if (Buffer.byteLength(xml, 'utf8') > MAX_METADATA_BYTES) {
    throw new UsageError(`${what} is larger than ${MAX_METADATA_BYTES / 1024} KB, so it is not SAML metadata.`, {
      code: 'XML_TOO_LARGE',
      hint: 'Download the metadata file again from the console and pass that file.',
    });
  }
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) {
    throw new UsageError(`${what} contains a DTD or entity declaration, which SAML metadata never needs; refusing to read it.`, {
      code: 'XML_DTD',
      hint: 'Use the metadata file exactly as the console downloads it.',
    });
  }
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    throw new UsageError(`${what} is not well-formed XML (line ${valid.err.line}: ${valid.err.msg}).`, {
      code: 'XML_INVALID',
      hint: 'Download the metadata file again; a copy-paste may have cut it.',
    });
  }
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@',
    removeNSPrefix: true,
    processEntities: false,
    htmlEntities: false,
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: true,
    isArray: (name) => ['AssertionConsumerService', 'SingleSignOnService', 'KeyDescriptor', 'NameIDFormat'].includes(name),
  });
  return parser.parse(xml) as XmlNode;
}

/** Follow a path of element names; returns undefined when any is missing. */
export function child(node: unknown, ...path: string[]): unknown {
  let cur: unknown = node;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as XmlNode)[p];
  }
  return cur;
}

export function asArray<T>(v: T | T[] | undefined): T[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

/** Text content of an element that may carry attributes ({"#text": ...}) or be a plain string. */
export function text(node: unknown): string | undefined {
  if (typeof node === 'string') return node;
  if (node && typeof node === 'object' && '#text' in node) {
    const t = (node as XmlNode)['#text'];
    return typeof t === 'string' ? t : undefined;
  }
  return undefined;
}
