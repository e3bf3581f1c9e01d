/**
 * The access file (access.yaml): parsed with `yaml` (positions kept by a LineCounter), validated
 * against ACCESS_FILE_SCHEMA with ajv, then checked for what a schema cannot say (names declared,
 * inline policy files readable JSON). Every problem names file:line:column and the fix; nothing is
 * sent before the file is valid.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { UsageError } from '../errors.js';
import { ACCESS_FILE_SCHEMA } from './schema.js';

export const MANAGED_TAG_KEY = 'okta-aws-sso:managed';
export const DEFAULT_SESSION = 'PT1H';

export interface PolicyRef {
  name: string;
  path: string;
}
export type Boundary = { managedPolicyArn: string } | { customerManagedPolicy: PolicyRef };

/** A permission set as the file wants it (normalised: sorted lists, canonical inline JSON). */
export interface WantedPermissionSet {
  name: string;
  description?: string;
  sessionDuration: string;
  relayState?: string;
  managedPolicies: string[];
  customerManagedPolicies: PolicyRef[];
  /** Canonical JSON text (keys sorted) of the inline policy. */
  inlinePolicy?: string;
  permissionsBoundary?: Boundary;
  tags: Record<string, string>;
}

export interface WantedTargets {
  all: boolean;
  accounts: string[];
  ous: string[];
  exclude: string[];
}

export interface WantedAssignment {
  group: string;
  permissionSets: string[];
  targets: WantedTargets;
  /** Where the entry starts ("access.yaml:12:5"), for messages. */
  at: string;
}

export interface AccessFile {
  file: string;
  permissionSets: WantedPermissionSet[];
  assignments: WantedAssignment[];
}

export interface FileProblem {
  line: number;
  column: number;
  message: string;
  fix: string;
}

/** JSON with object keys sorted, arrays kept: two equal policies give the same text. */
export function canonicalJson(v: unknown): string {
  const sort = (x: unknown): unknown =>
    Array.isArray(x) ? x.map(sort) : x && typeof x === 'object' ? Object.fromEntries(Object.keys(x).sort().map((k) => [k, sort((x as Record<string, unknown>)[k])])) : x;
  return JSON.stringify(sort(v));
}

export const sortRefs = (xs: readonly PolicyRef[]): PolicyRef[] => [...xs].sort((a, b) => `${a.path}${a.name}`.localeCompare(`${b.path}${b.name}`));

let validator: ReturnType<Ajv['compile']> | undefined;
function validate(data: unknown): ErrorObject[] {
  validator ??= new Ajv({ allErrors: true, strict: false }).compile(ACCESS_FILE_SCHEMA);
  return validator(data) ? [] : (validator.errors ?? []);
}

function jsonPointerPath(p: string): (string | number)[] {
  if (p === '') return [];
  return p
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/** The YAML node at a path (or its key node), falling back to the nearest ancestor. */
function nodeAt(doc: Document, p: (string | number)[], key?: string): Node | undefined {
  let cur: unknown = doc.contents;
  let last: Node | undefined = doc.contents ?? undefined;
  const steps = key === undefined ? p : [...p, key];
  for (let i = 0; i < steps.length; i++) {
    const s = steps[i]!;
    if (isMap(cur)) {
      const pair = cur.items.find((it) => isScalar(it.key) && String(it.key.value) === String(s));
      if (!pair) break;
      // The key itself for an unknown property (the last step), else the value.
      if (key !== undefined && i === steps.length - 1) return pair.key as Node;
      cur = pair.value;
    } else if (isSeq(cur) && typeof s === 'number') {
      cur = cur.items[s];
    } else break;
    if (cur && typeof cur === 'object' && 'range' in (cur as object)) last = cur as Node;
  }
  return last;
}

function describe(e: ErrorObject, where: string): { message: string; fix: string } {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties':
      return { message: `unknown key "${String(p['additionalProperty'])}" in ${where}`, fix: 'Remove it or fix its spelling (see docs/access.md for the keys).' };
    case 'required':
      return { message: `${where} lacks "${String(p['missingProperty'])}"`, fix: `Add ${String(p['missingProperty'])}: (see docs/access.md).` };
    case 'pattern':
    case 'format':
      return { message: `${where} is not valid (${e.message ?? 'bad format'})`, fix: fixFor(where) };
    case 'const':
      return { message: `${where} must be ${JSON.stringify(p['allowedValue'])}`, fix: `Write ${where.split('.').pop() ?? where}: ${JSON.stringify(p['allowedValue'])}.` };
    case 'type':
      return { message: `${where} must be ${String(p['type'])}`, fix: `Give ${where} as ${String(p['type'])} (see docs/access.md).` };
    case 'oneOf':
      return { message: `${where} must be a file path or a policy document with "Statement"`, fix: 'Give inlinePolicy: ./policy.json, or the policy document itself as a mapping.' };
    case 'uniqueItems':
      return { message: `${where} lists an item twice`, fix: 'Remove the duplicate.' };
    case 'minItems':
    case 'minProperties':
    case 'minLength':
      return { message: `${where} is empty`, fix: 'Give at least one value, or remove the key.' };
    case 'maxProperties':
      return { message: `${where} has too many entries (${e.message ?? ''})`, fix: where.endsWith('permissionsBoundary') ? 'Give one of managedPolicyArn or customerManagedPolicy.' : 'Remove some.' };
    default:
      return { message: `${where} ${e.message ?? 'is not valid'}`, fix: 'See docs/access.md and docs/schemas/access-file.schema.json.' };
  }
}

function fixFor(where: string): string {
  if (/sessionDuration$/.test(where)) return 'Give an ISO 8601 duration from PT1H to PT12H, e.g. PT4H.';
  if (/\.name$/.test(where) && where.startsWith('permissionSets')) return 'A permission set name has 1-32 letters, digits or +=,.@_-.';
  if (/managedPolicies|managedPolicyArn/.test(where)) return 'Give an AWS managed policy ARN like arn:aws:iam::aws:policy/ReadOnlyAccess.';
  if (/accounts/.test(where)) return 'An account ID has 12 digits (quote it in YAML: "123456789012").';
  if (/ous/.test(where)) return 'An OU ID looks like ou-ab12-cdef3456 (or r-ab12 for the root).';
  if (/exclude/.test(where)) return 'Give account IDs (12 digits) or OU IDs (ou-ab12-cdef3456).';
  if (/tags/.test(where)) return 'Tag keys have 1-128 letters, digits, spaces or _.:/=+-@ (the okta-aws-sso: prefix is reserved).';
  if (/path$/.test(where)) return 'An IAM path starts and ends with "/", e.g. /team/.';
  return 'See docs/access.md.';
}

function wherePath(p: (string | number)[]): string {
  return p.reduce<string>((acc, s) => (typeof s === 'number' ? `${acc}[${s}]` : acc ? `${acc}.${s}` : s), '') || 'the file';
}

function problemsText(file: string, problems: FileProblem[]): string {
  return problems
    .slice(0, 10)
    .map((p) => `  ${file}:${p.line}:${p.column}: ${p.message}. ${p.fix}`)
    .join('\n') + (problems.length > 10 ? `\n  ... and ${problems.length - 10} more` : '');
}

export class AccessFileError extends UsageError {
  constructor(
    readonly file: string,
    readonly problems: FileProblem[],
  ) {
    super(`The access file ${file} is not valid (nothing was sent):\n${problemsText(file, problems)}`, {
      code: 'ACCESS_FILE_INVALID',
      hint: `Fix each line named above, then run again (the format: docs/access.md).`,
    });
  }
}

const MAX_FILE_BYTES = 4 * 1024 * 1024;

/** Parse and validate the text of an access file; `file` names it in messages, `baseDir` resolves inline policy paths. */
export function parseAccessText(text: string, file: string, baseDir: string): AccessFile {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  const problems: FileProblem[] = [];
  const pos = (offset: number | undefined): { line: number; column: number } => {
    const lp = offset === undefined ? undefined : lc.linePos(offset);
    return lp ? { line: lp.line, column: lp.col } : { line: 1, column: 1 };
  };
  for (const e of doc.errors) {
    const at = pos(e.pos[0]);
    problems.push({ ...at, message: `YAML: ${e.message.split('\n')[0]!}`, fix: 'Fix the YAML syntax at this place (indentation, a missing ":" or quote).' });
  }
  if (problems.length > 0) throw new AccessFileError(file, problems);
  const data = doc.toJS({ maxAliasCount: 100 }) as unknown;
  if (data === null || data === undefined) throw new AccessFileError(file, [{ line: 1, column: 1, message: 'the file is empty', fix: 'Start it with `version: 1` (see docs/access.md).' }]);
  const at = (p: (string | number)[], key?: string) => pos(nodeAt(doc, p, key)?.range?.[0]);

  for (const e of validate(data)) {
    // Errors of a oneOf's branches are summed up by the oneOf itself.
    if (e.schemaPath.includes('/oneOf/')) continue;
    const p = jsonPointerPath(e.instancePath);
    const key = e.keyword === 'additionalProperties' ? String((e.params as Record<string, unknown>)['additionalProperty']) : undefined;
    problems.push({ ...at(p, key), ...describe(e, wherePath(p)) });
  }
  if (problems.length > 0) throw new AccessFileError(file, dedupe(problems));

  const raw = data as {
    permissionSets?: {
      name: string;
      description?: string;
      sessionDuration?: string;
      relayState?: string;
      managedPolicies?: string[];
      customerManagedPolicies?: { name: string; path?: string }[];
      inlinePolicy?: string | Record<string, unknown>;
      permissionsBoundary?: { managedPolicyArn?: string; customerManagedPolicy?: { name: string; path?: string } };
      tags?: Record<string, string>;
    }[];
    assignments?: { group: string; permissionSets: string[]; targets: { all?: boolean; accounts?: string[]; ous?: string[]; exclude?: string[] } }[];
  };
  const sets: WantedPermissionSet[] = [];
  const seen = new Map<string, number>();
  (raw.permissionSets ?? []).forEach((ps, i) => {
    const lower = ps.name.toLowerCase();
    if (seen.has(lower)) {
      problems.push({ ...at(['permissionSets', i, 'name']), message: `the permission set "${ps.name}" is declared twice (first as permissionSets[${seen.get(lower)!}]; names are case-insensitive in Identity Center)`, fix: 'Keep one declaration.' });
      return;
    }
    seen.set(lower, i);
    let inline: string | undefined;
    if (typeof ps.inlinePolicy === 'string') {
      const f = path.resolve(baseDir, ps.inlinePolicy);
      try {
        const st = fs.statSync(f);
        if (!st.isFile() || st.size > 64 * 1024) throw new Error(!st.isFile() ? 'not a file' : 'larger than 64 KiB');
        inline = canonicalJson(JSON.parse(fs.readFileSync(f, 'utf8')));
      } catch (e) {
        problems.push({ ...at(['permissionSets', i, 'inlinePolicy']), message: `the inline policy file ${ps.inlinePolicy} cannot be used: ${(e as Error).message}`, fix: 'Give the path (relative to the access file) of a JSON policy document.' });
      }
    } else if (ps.inlinePolicy) inline = canonicalJson(ps.inlinePolicy);
    if (inline !== undefined && inline.length > 32768) {
      problems.push({ ...at(['permissionSets', i, 'inlinePolicy']), message: 'the inline policy is longer than 32,768 characters (the Identity Center limit)', fix: 'Shorten it, or move statements into customer managed policies.' });
    }
    const b = ps.permissionsBoundary;
    sets.push({
      name: ps.name,
      ...(ps.description !== undefined ? { description: ps.description } : {}),
      sessionDuration: ps.sessionDuration ?? DEFAULT_SESSION,
      ...(ps.relayState !== undefined ? { relayState: ps.relayState } : {}),
      managedPolicies: [...(ps.managedPolicies ?? [])].sort(),
      customerManagedPolicies: sortRefs((ps.customerManagedPolicies ?? []).map((r) => ({ name: r.name, path: r.path ?? '/' }))),
      ...(inline !== undefined ? { inlinePolicy: inline } : {}),
      ...(b?.managedPolicyArn ? { permissionsBoundary: { managedPolicyArn: b.managedPolicyArn } } : b?.customerManagedPolicy ? { permissionsBoundary: { customerManagedPolicy: { name: b.customerManagedPolicy.name, path: b.customerManagedPolicy.path ?? '/' } } } : {}),
      tags: { ...(ps.tags ?? {}) },
    });
  });
  const declared = new Set(sets.map((s) => s.name));
  const pairs = new Map<string, string>();
  const assignments: WantedAssignment[] = [];
  (raw.assignments ?? []).forEach((a, i) => {
    a.permissionSets.forEach((name, j) => {
      if (!declared.has(name)) {
        const near = [...declared].find((d) => d.toLowerCase() === name.toLowerCase());
        problems.push({
          ...at(['assignments', i, 'permissionSets', j]),
          message: `the permission set "${name}" is not declared in permissionSets`,
          fix: near ? `Did you mean "${near}"?` : 'Declare it under permissionSets (or `access export` one that exists).',
        });
      }
      const key = `${a.group}\u0000${name}`;
      if (pairs.has(key)) problems.push({ ...at(['assignments', i, 'permissionSets', j]), message: `the group "${a.group}" gets "${name}" in ${pairs.get(key)!} already`, fix: 'Merge the targets into one entry.' });
      else pairs.set(key, `assignments[${i}]`);
    });
    const t = a.targets;
    if (!t.all && !(t.accounts?.length || t.ous?.length)) {
      problems.push({ ...at(['assignments', i, 'targets']), message: `assignments[${i}].targets names no account`, fix: 'Give all: true, accounts: [...] or ous: [...].' });
    }
    const start = at(['assignments', i]);
    assignments.push({
      group: a.group,
      permissionSets: [...a.permissionSets],
      targets: { all: t.all === true, accounts: [...(t.accounts ?? [])], ous: [...(t.ous ?? [])], exclude: [...(t.exclude ?? [])] },
      at: `${file}:${start.line}:${start.column}`,
    });
  });
  if (problems.length > 0) throw new AccessFileError(file, problems);
  return { file, permissionSets: sets, assignments };
}

function dedupe(ps: FileProblem[]): FileProblem[] {
  const seen = new Set<string>();
  return ps.filter((p) => {
    const k = `${p.line}:${p.column}:${p.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Read, parse and validate an access file (exit 2 with every problem on a bad file). */
export function readAccessFile(file: string): AccessFile {
  let text: string;
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) throw new Error('not a regular file');
    if (st.size > MAX_FILE_BYTES) throw new Error('larger than 4 MiB');
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`Cannot read the access file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}.`, {
      code: 'ACCESS_FILE_UNREADABLE',
      hint: 'Check the path given to -f (write one with `okta-aws-sso access export -f <file>`).',
    });
  }
  return parseAccessText(text, file, path.dirname(path.resolve(file)));
}
