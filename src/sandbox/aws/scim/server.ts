/**
 * The Identity Center SCIM endpoint (`/<tenantId>/scim/v2/...`), with AWS's documented limits:
 * eq-only filters (with `and`), one value per multi-valued attribute, required user attributes,
 * no /Bulk, /Me or /Search, PATCH group limits, and the characters < > ; : % refused.
 * Filter expressions are parsed by scimmy (SCIMMY.Types.Filter); GET of a group carries no members
 * (as on AWS: read them through identitystore). Users and groups are the
 * identity store's own records, so identitystore sees them immediately.
 */
import crypto from 'node:crypto';
import SCIMMY from 'scimmy';
import { isMutating } from '../../mutating.js';
import type { SandboxRequest } from '../../types.js';
import { nextPrincipalId, type AwsState, type GroupRec, type UserRec } from '../state.js';

const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const CORE_GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
const LIST = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
const PATCHOP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const UNPARSABLE = 'Request is unparsable, syntactically incorrect, or violates schema.';
const DUPLICATE = 'Refused to create a new, duplicate resource.';
const FORBIDDEN_CHARS = /[<>;:%]/;
const MAX_MEMBER_OPS = 100;

export interface ScimResult {
  status: number;
  body?: unknown;
  operation: string;
  mutating: boolean;
}

class ScimError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly scimType?: string,
  ) {
    super(message);
  }
}

export function scimErrorBody(status: number, detail: string, scimType?: string): Record<string, unknown> {
  const b: Record<string, unknown> = { schemas: [ERROR], status: String(status), detail };
  if (scimType) b.scimType = scimType;
  return b;
}

export function hashToken(token: string): string {
  return crypto.createHash('sha256').update(token).digest('hex');
}

const bad = (detail = UNPARSABLE, scimType = 'invalidValue') => new ScimError(400, detail, scimType);

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Every synced string value (not schema URNs or keys): non-empty and free of < > ; : %. */
function checkValues(v: unknown, key = ''): void {
  if (key === 'schemas') return;
  if (typeof v === 'string') {
    if (v.trim() === '') throw bad(`${UNPARSABLE} Attribute ${key} is an empty string.`);
    // URLs (profileUrl, a manager's $ref) carry ':' legitimately; everything else is a synced attribute.
    if (key !== 'profileUrl' && !key.endsWith('$ref') && FORBIDDEN_CHARS.test(v)) throw bad(`${UNPARSABLE} Attribute ${key} contains one of the characters < > ; : %.`);
    return;
  }
  if (Array.isArray(v)) {
    v.forEach((x) => checkValues(x, key));
    return;
  }
  if (isObj(v)) for (const [k, x] of Object.entries(v)) checkValues(x, k.startsWith('urn:') ? k : key ? `${key}.${k}` : k);
}

function str(v: unknown, name: string, required: boolean): string | undefined {
  if (v === undefined || v === null) {
    if (required) throw bad(`${UNPARSABLE} Missing required attribute ${name}.`);
    return undefined;
  }
  if (typeof v !== 'string') throw bad(`${UNPARSABLE} Attribute ${name} must be a string.`);
  return v;
}

function single<T>(v: unknown, name: string): T[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw bad(`${UNPARSABLE} Attribute ${name} must be a list.`);
  if (v.length > 1) throw bad(`${UNPARSABLE} Attribute ${name} accepts one value only.`);
  return v as T[];
}

const UNSUPPORTED_USER_ATTRS = ['password', 'photos', 'ims', 'entitlements', 'x509Certificates', 'groups'];

/** Validates a SCIM user body and turns it into the stored fields. */
function parseUser(body: unknown): Omit<UserRec, 'id' | 'createdAt' | 'updatedAt' | 'createdBy'> {
  if (!isObj(body)) throw bad();
  for (const a of UNSUPPORTED_USER_ATTRS) if (body[a] !== undefined) throw bad(`${UNPARSABLE} Attribute ${a} is not supported.`);
  checkValues(body);
  const name = body.name;
  if (!isObj(name)) throw bad(`${UNPARSABLE} Missing required attribute name.`);
  const emails = single<Record<string, unknown>>(body.emails, 'emails');
  for (const e of emails) {
    if (!isObj(e) || typeof e.value !== 'string') throw bad(`${UNPARSABLE} emails.value is required.`);
    if (e.primary !== true) throw bad(`${UNPARSABLE} The email must be marked primary.`);
  }
  const phones = single<Record<string, unknown>>(body.phoneNumbers, 'phoneNumbers');
  const addresses = single<Record<string, unknown>>(body.addresses, 'addresses');
  single(body.roles, 'roles');
  const active = body.active === undefined ? true : body.active;
  if (typeof active !== 'boolean') throw bad(`${UNPARSABLE} Attribute active must be a boolean.`);
  const ent = body[ENTERPRISE];
  return {
    userName: str(body.userName, 'userName', true)!,
    displayName: str(body.displayName, 'displayName', true)!,
    name: {
      givenName: str(name.givenName, 'name.givenName', true),
      familyName: str(name.familyName, 'name.familyName', true),
      formatted: str(name.formatted, 'name.formatted', false),
      middleName: str(name.middleName, 'name.middleName', false),
      honorificPrefix: str(name.honorificPrefix, 'name.honorificPrefix', false),
      honorificSuffix: str(name.honorificSuffix, 'name.honorificSuffix', false),
    },
    emails: emails.map((e) => ({ value: e.value as string, type: e.type as string | undefined, primary: true })),
    phoneNumbers: phones.map((p) => ({ value: String(p.value), type: p.type as string | undefined, primary: p.primary as boolean | undefined })),
    addresses,
    externalId: str(body.externalId, 'externalId', false),
    active,
    title: str(body.title, 'title', false),
    userType: str(body.userType, 'userType', false),
    nickName: str(body.nickName, 'nickName', false),
    profileUrl: str(body.profileUrl, 'profileUrl', false),
    preferredLanguage: str(body.preferredLanguage, 'preferredLanguage', false),
    locale: str(body.locale, 'locale', false),
    timezone: str(body.timezone, 'timezone', false),
    ...(isObj(ent) ? { enterprise: ent } : {}),
  };
}

function strip<T extends Record<string, unknown>>(o: T): T {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o;
}

type ScimHandler = (req: SandboxRequest, now: number, id: string) => { status: number; body?: unknown };

export class ScimServer {
  constructor(
    private readonly state: () => AwsState,
    private readonly baseUrl: () => string,
  ) {}

  /** The methods on /Users and /Groups (`collection`) and on one user or group (`resource`, by id). */
  private readonly routes: Record<'Users' | 'Groups', Record<'collection' | 'resource', Partial<Record<string, ScimHandler>>>> = {
    Users: {
      collection: { POST: (req, now) => this.createUser(req, now), GET: (req) => this.list('Users', req) },
      resource: {
        GET: (_req, _now, id) => ({ status: 200, body: this.userResource(this.findUser(id)) }),
        PUT: (req, now, id) => this.putUser(id, req, now),
        PATCH: (req, now, id) => this.patchUser(id, req, now),
        DELETE: (_req, _now, id) => this.deleteUser(id),
      },
    },
    Groups: {
      collection: { POST: (req, now) => this.createGroup(req, now), GET: (req) => this.list('Groups', req) },
      resource: {
        GET: (_req, _now, id) => ({ status: 200, body: this.groupResource(this.findGroup(id)) }),
        PATCH: (req, now, id) => this.patchGroup(id, req, now),
        DELETE: (_req, _now, id) => this.deleteGroup(id),
        PUT: () => {
          throw new ScimError(501, 'PUT on Groups is not supported: use PATCH.');
        },
      },
    },
  };

  private endpoint(): string {
    return `${this.baseUrl()}/${this.state().scim.tenantId}/scim/v2`;
  }

  userResource(u: UserRec): Record<string, unknown> {
    return strip({
      schemas: u.enterprise ? [CORE_USER, ENTERPRISE] : [CORE_USER],
      id: u.id,
      externalId: u.externalId,
      userName: u.userName,
      name: strip({ ...u.name }),
      displayName: u.displayName,
      nickName: u.nickName,
      profileUrl: u.profileUrl,
      title: u.title,
      userType: u.userType,
      preferredLanguage: u.preferredLanguage,
      locale: u.locale,
      timezone: u.timezone,
      active: u.active,
      emails: u.emails.length ? u.emails.map((e) => strip({ ...e })) : undefined,
      phoneNumbers: u.phoneNumbers.length ? u.phoneNumbers.map((e) => strip({ ...e })) : undefined,
      addresses: u.addresses.length ? u.addresses : undefined,
      [ENTERPRISE]: u.enterprise,
      meta: { resourceType: 'User', created: new Date(u.createdAt).toISOString(), lastModified: new Date(u.updatedAt).toISOString(), location: `${this.endpoint()}/Users/${u.id}` },
    });
  }

  groupResource(g: GroupRec): Record<string, unknown> {
    return strip({
      schemas: [CORE_GROUP],
      id: g.id,
      externalId: g.externalId,
      displayName: g.displayName,
      meta: { resourceType: 'Group', created: new Date(g.createdAt).toISOString(), lastModified: new Date(g.updatedAt).toISOString(), location: `${this.endpoint()}/Groups/${g.id}` },
    });
  }

  /** True when the request's bearer token is one of the live tokens. */
  private authorized(req: SandboxRequest, now: number): boolean {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    if (!m) return false;
    const h = hashToken(m[1]!);
    return this.state().scim.tokens.some((t) => t.sha256 === h && t.expiresAt > now);
  }

  handle(req: SandboxRequest, rest: string, now: number): ScimResult {
    const op = `SCIM ${req.method} ${rest.replace(/^\/(Users|Groups)\/[^/]+/, '/$1/{id}') || '/'}`;
    const mutating = isMutating('scim', req.method, op);
    if (!this.state().scim.enabled || !this.authorized(req, now)) {
      return { status: 401, body: scimErrorBody(401, 'The bearer token is missing, invalid or expired, or the tenant id is wrong.'), operation: op, mutating };
    }
    try {
      const r = this.route(req, rest, now);
      return { ...r, operation: op, mutating };
    } catch (e) {
      if (e instanceof ScimError) return { status: e.status, body: scimErrorBody(e.status, e.message, e.scimType), operation: op, mutating };
      throw e;
    }
  }

  private body(req: SandboxRequest): unknown {
    try {
      return JSON.parse(req.body.toString('utf8') || 'null');
    } catch {
      throw bad(UNPARSABLE, 'invalidSyntax');
    }
  }

  private route(req: SandboxRequest, rest: string, now: number): { status: number; body?: unknown } {
    const parts = rest.split('/').filter(Boolean);
    const [res, id, extra] = parts;
    if (extra !== undefined) throw new ScimError(404, `No resource at ${rest}.`);
    const m = req.method;
    switch (res) {
      case 'ServiceProviderConfig':
        if (m !== 'GET' || id) break;
        return { status: 200, body: serviceProviderConfig(this.endpoint()) };
      case 'Schemas':
        if (m !== 'GET') break;
        return { status: 200, body: schemas(id) };
      case 'ResourceTypes':
        if (m !== 'GET') break;
        return { status: 200, body: resourceTypes(this.endpoint(), id) };
      case 'Users':
      case 'Groups': {
        const methods = this.routes[res][id ? 'resource' : 'collection'];
        const handler = Object.hasOwn(methods, m) ? methods[m] : undefined;
        if (handler) return handler(req, now, id ?? '');
        break;
      }
      case 'Bulk':
      case 'Me':
      case '.search':
        throw new ScimError(501, `/${res} is not supported by the Identity Center SCIM endpoint.`);
      default:
        if (id === '.search') throw new ScimError(501, '/.search is not supported by the Identity Center SCIM endpoint.');
        throw new ScimError(404, `No resource at ${rest}.`);
    }
    if (id === '.search') throw new ScimError(501, '/.search is not supported by the Identity Center SCIM endpoint.');
    throw new ScimError(405, `${m} is not allowed on ${rest}.`);
  }

  private findUser(id: string): UserRec {
    const u = this.state().users.find((x) => x.id === id);
    if (!u) throw new ScimError(404, `User ${id} not found.`);
    return u;
  }
  private findGroup(id: string): GroupRec {
    const g = this.state().groups.find((x) => x.id === id);
    if (!g) throw new ScimError(404, `Group ${id} not found.`);
    return g;
  }

  private duplicateUser(fields: { userName: string; externalId?: string }, exceptId?: string): void {
    const s = this.state();
    const dup = s.users.some(
      (u) => u.id !== exceptId && (u.userName.toLowerCase() === fields.userName.toLowerCase() || (fields.externalId !== undefined && u.externalId === fields.externalId)),
    );
    if (dup) throw new ScimError(409, DUPLICATE, 'uniqueness');
  }

  private createUser(req: SandboxRequest, now: number): { status: number; body: unknown } {
    const fields = parseUser(this.body(req));
    this.duplicateUser(fields);
    const s = this.state();
    const u: UserRec = { ...fields, id: nextPrincipalId(s), createdAt: now, updatedAt: now, createdBy: 'SCIM' };
    s.users.push(u);
    return { status: 201, body: this.userResource(u) };
  }

  private putUser(id: string, req: SandboxRequest, now: number): { status: number; body: unknown } {
    const u = this.findUser(id);
    const fields = parseUser(this.body(req));
    this.duplicateUser(fields, id);
    Object.assign(u, { phoneNumbers: [], addresses: [], emails: [] }, fields, { updatedAt: now });
    if (!('enterprise' in fields)) delete u.enterprise;
    return { status: 200, body: this.userResource(u) };
  }

  private patchOps(req: SandboxRequest): { op: string; path?: string; value?: unknown }[] {
    const b = this.body(req);
    if (!isObj(b) || !Array.isArray(b.schemas) || !b.schemas.includes(PATCHOP) || !Array.isArray(b.Operations) || b.Operations.length === 0) throw bad();
    return b.Operations.map((o: unknown) => {
      if (!isObj(o) || typeof o.op !== 'string' || !['add', 'replace', 'remove'].includes(o.op.toLowerCase())) throw bad();
      if (o.path !== undefined && typeof o.path !== 'string') throw bad();
      return { op: o.op.toLowerCase(), path: o.path as string | undefined, value: o.value };
    });
  }

  private patchUser(id: string, req: SandboxRequest, now: number): { status: number; body: unknown } {
    const u = this.findUser(id);
    const ops = this.patchOps(req);
    const doc = this.userResource(u);
    delete doc.meta;
    for (const o of ops) applyPatch(doc, o);
    const fields = parseUser(doc);
    this.duplicateUser(fields, id);
    Object.assign(u, { phoneNumbers: [], addresses: [], emails: [] }, fields, { updatedAt: now });
    return { status: 200, body: this.userResource(u) };
  }

  private deleteUser(id: string): { status: number } {
    const s = this.state();
    this.findUser(id);
    s.users = s.users.filter((u) => u.id !== id);
    s.memberships = s.memberships.filter((m) => m.userId !== id);
    return { status: 204 };
  }

  private memberIds(value: unknown): string[] {
    const list = Array.isArray(value) ? value : [value];
    return list.map((v) => {
      if (!isObj(v) || typeof v.value !== 'string' || v.value === '') throw bad(`${UNPARSABLE} A member needs a value (the user id).`);
      this.findUser(v.value);
      return v.value;
    });
  }

  private createGroup(req: SandboxRequest, now: number): { status: number; body: unknown } {
    const b = this.body(req);
    if (!isObj(b)) throw bad();
    checkValues(b);
    const displayName = str(b.displayName, 'displayName', true)!;
    const externalId = str(b.externalId, 'externalId', false);
    const members = b.members === undefined ? [] : this.memberIds(b.members);
    if (members.length > MAX_MEMBER_OPS) throw bad(`${UNPARSABLE} At most ${MAX_MEMBER_OPS} members per request.`);
    const s = this.state();
    if (s.groups.some((g) => g.displayName.toLowerCase() === displayName.toLowerCase() || (externalId !== undefined && g.externalId === externalId))) {
      throw new ScimError(409, DUPLICATE, 'uniqueness');
    }
    const g: GroupRec = { id: nextPrincipalId(s), displayName, externalId, createdAt: now, updatedAt: now, createdBy: 'SCIM' };
    if (externalId === undefined) delete g.externalId;
    s.groups.push(g);
    for (const uid of members) s.memberships.push({ id: nextPrincipalId(s), groupId: g.id, userId: uid, createdAt: now });
    return { status: 201, body: this.groupResource(g) };
  }

  private patchGroup(id: string, req: SandboxRequest, now: number): { status: number } {
    const g = this.findGroup(id);
    const ops = this.patchOps(req);
    const s = this.state();
    let memberOps = 0;
    const next = { displayName: g.displayName, externalId: g.externalId };
    const add: string[] = [];
    const remove: string[] = [];
    for (const o of ops) {
      let path = o.path;
      let value = o.value;
      if (path === undefined) {
        // No path: the value is an object of attributes to set.
        if (!isObj(value)) throw bad();
        const keys = Object.keys(value);
        if (keys.length !== 1) throw bad(`${UNPARSABLE} Give one attribute per operation.`);
        path = keys[0]!;
        value = value[path];
      }
      const filt = /^members\[(.+)\]$/.exec(path);
      if (filt) {
        if (o.op !== 'remove') throw bad();
        const f = parseFilter(filt[1]!);
        const want = f[0]?.value;
        if (f.length !== 1 || !want || want[0] !== 'eq' || typeof want[1] !== 'string') throw bad();
        remove.push(want[1]);
        memberOps++;
        continue;
      }
      if (path === 'members') {
        if (o.op === 'replace') throw bad(`${UNPARSABLE} Replacing all members is not supported.`);
        if (o.op === 'remove' && (value === undefined || (Array.isArray(value) && value.length === 0))) throw bad(`${UNPARSABLE} Removing all members is not supported.`);
        const ids = this.memberIds(value);
        memberOps += ids.length;
        (o.op === 'add' ? add : remove).push(...ids);
        continue;
      }
      if (path === 'displayName' || path === 'externalId') {
        if (o.op === 'remove') throw bad(`${UNPARSABLE} ${path} cannot be removed.`);
        checkValues(value, path);
        if (typeof value !== 'string') throw bad();
        next[path] = value;
        continue;
      }
      throw bad(`${UNPARSABLE} PATCH on a group may change only displayName, externalId and members.`);
    }
    if (memberOps > MAX_MEMBER_OPS) throw bad(`${UNPARSABLE} At most ${MAX_MEMBER_OPS} membership changes per request.`);
    if (s.groups.some((x) => x.id !== id && (x.displayName.toLowerCase() === next.displayName.toLowerCase() || (next.externalId !== undefined && x.externalId === next.externalId)))) {
      throw new ScimError(409, DUPLICATE, 'uniqueness');
    }
    g.displayName = next.displayName;
    if (next.externalId !== undefined) g.externalId = next.externalId;
    for (const uid of add) {
      if (!s.memberships.some((m) => m.groupId === id && m.userId === uid)) s.memberships.push({ id: nextPrincipalId(s), groupId: id, userId: uid, createdAt: now });
    }
    s.memberships = s.memberships.filter((m) => !(m.groupId === id && remove.includes(m.userId)));
    g.updatedAt = now;
    return { status: 204 };
  }

  private deleteGroup(id: string): { status: number } {
    const s = this.state();
    this.findGroup(id);
    s.groups = s.groups.filter((g) => g.id !== id);
    s.memberships = s.memberships.filter((m) => m.groupId !== id);
    return { status: 204 };
  }

  private list(kind: 'Users' | 'Groups', req: SandboxRequest): { status: number; body: unknown } {
    const s = this.state();
    const resources = kind === 'Users' ? s.users.map((u) => this.userResource(u)) : s.groups.map((g) => this.groupResource(g));
    const filterText = req.query.get('filter');
    let matched = resources;
    if (filterText !== null) {
      const allowed = kind === 'Users' ? ['id', 'userName', 'externalId', 'displayName'] : ['id', 'displayName', 'externalId'];
      const f = parseFilter(filterText);
      for (const term of f) {
        if (!allowed.includes(term.attr) || !term.value || term.value[0] !== 'eq' || term.value.length !== 2) {
          throw bad(`${UNPARSABLE} Only 'eq' filters on ${allowed.join(', ')} (joined with 'and') are supported.`, 'invalidFilter');
        }
      }
      // userName and displayName are caseExact=false in RFC 7643; id and externalId are exact.
      const exact = (attr: string) => attr === 'id' || attr === 'externalId';
      matched = resources.filter((r) =>
        f.every((term) => {
          const have = r[term.attr];
          const want = term.value![1];
          if (typeof have !== 'string' || typeof want !== 'string') return false;
          return exact(term.attr) ? have === want : have.toLowerCase() === want.toLowerCase();
        }),
      );
    }
    const startIndex = Math.max(1, Number(req.query.get('startIndex') ?? 1) || 1);
    const count = Math.min(100, Math.max(0, Number(req.query.get('count') ?? 100) || 0));
    const slice = matched.slice(startIndex - 1, startIndex - 1 + count);
    return { status: 200, body: { schemas: [LIST], totalResults: matched.length, itemsPerPage: slice.length, startIndex, Resources: slice } };
  }
}

interface FilterTerm {
  attr: string;
  value?: unknown[];
}

/** scimmy's parse of a filter, flattened; `or` (several expressions) and nesting are refused. */
function parseFilter(text: string): FilterTerm[] {
  let parsed: Record<string, unknown>[];
  try {
    parsed = [...new SCIMMY.Types.Filter(text)] as Record<string, unknown>[];
  } catch {
    throw bad(`${UNPARSABLE} The filter could not be parsed.`, 'invalidFilter');
  }
  if (parsed.length !== 1) throw bad(`${UNPARSABLE} Only 'eq' filters (joined with 'and') are supported.`, 'invalidFilter');
  return Object.entries(parsed[0]!).map(([attr, v]) => (Array.isArray(v) ? { attr, value: v } : { attr }));
}

/** A PatchOp operation on a plain SCIM document (simple paths, `a.b` and `emails[type eq "work"].value`). */
function applyPatch(doc: Record<string, unknown>, o: { op: string; path?: string; value?: unknown }): void {
  if (o.path === undefined) {
    if (o.op === 'remove' || !isObj(o.value)) throw bad();
    for (const [k, v] of Object.entries(o.value)) applyPatch(doc, { op: o.op, path: k, value: v });
    return;
  }
  const m = /^([A-Za-z][\w]*)\[(.+)\](?:\.(\w+))?$/.exec(o.path);
  if (m) {
    const [, attr, filter, sub] = m;
    const list = (Array.isArray(doc[attr!]) ? doc[attr!] : []) as Record<string, unknown>[];
    let hits: Record<string, unknown>[];
    try {
      hits = new SCIMMY.Types.Filter(filter!).match(list) as Record<string, unknown>[];
    } catch {
      throw bad();
    }
    if (o.op === 'remove' && !sub) {
      doc[attr!] = list.filter((x) => !hits.includes(x));
      return;
    }
    if (hits.length === 0) {
      if (o.op === 'remove') return;
      // Okta adds e.g. emails[type eq "work"].value on a user without that email: create the item.
      const fm = /^(\w+)\s+eq\s+"([^"]*)"$/.exec(filter!.trim());
      const item: Record<string, unknown> = fm ? { [fm[1]!]: fm[2] } : {};
      if (attr === 'emails') item.primary = true;
      list.push(item);
      hits = [item];
      doc[attr!] = list;
    }
    for (const h of hits) {
      if (sub) {
        if (o.op === 'remove') delete h[sub];
        else h[sub] = o.value;
      } else if (isObj(o.value)) Object.assign(h, o.value);
    }
    return;
  }
  const urn = o.path.startsWith('urn:') ? /^(urn:.+):([^:]+)$/.exec(o.path) : null;
  const segments = urn ? [urn[1]!, urn[2]!] : o.path.split('.');
  let cur: Record<string, unknown> = doc;
  for (const seg of segments.slice(0, -1)) {
    if (!isObj(cur[seg])) {
      if (o.op === 'remove') return;
      cur[seg] = {};
    }
    cur = cur[seg] as Record<string, unknown>;
  }
  const last = segments[segments.length - 1]!;
  if (o.op === 'remove') delete cur[last];
  else if (o.op === 'add' && Array.isArray(cur[last]) && Array.isArray(o.value)) cur[last] = [...(cur[last] as unknown[]), ...o.value];
  else cur[last] = o.value;
}

function serviceProviderConfig(endpoint: string): Record<string, unknown> {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
    documentationUri: 'https://docs.aws.amazon.com/singlesignon/latest/developerguide/what-is-scim.html',
    authenticationSchemes: [
      { type: 'oauthbearertoken', name: 'OAuth Bearer Token', description: 'Authentication scheme using the OAuth Bearer Token Standard', specUri: 'https://www.rfc-editor.org/info/rfc6750', primary: true },
    ],
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 1, maxPayloadSize: 1048576 },
    filter: { supported: true, maxResults: 100 },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: false },
    meta: { resourceType: 'ServiceProviderConfig', location: `${endpoint}/ServiceProviderConfig` },
  };
}

function schemaDefinitions(): Record<string, unknown>[] {
  const strip = (d: Record<string, unknown>) => d;
  return [
    strip(SCIMMY.Schemas.User.definition.describe() as unknown as Record<string, unknown>),
    strip(SCIMMY.Schemas.Group.definition.describe() as unknown as Record<string, unknown>),
    strip(SCIMMY.Schemas.EnterpriseUser.definition.describe() as unknown as Record<string, unknown>),
  ];
}

function schemas(id: string | undefined): Record<string, unknown> {
  const all = schemaDefinitions();
  if (id) {
    const one = all.find((d) => d.id === id);
    if (!one) throw new ScimError(404, `Schema ${id} not found.`);
    return one;
  }
  return { schemas: [LIST], totalResults: all.length, itemsPerPage: all.length, startIndex: 1, Resources: all };
}

function resourceTypes(endpoint: string, id: string | undefined): Record<string, unknown> {
  const all = [
    {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'],
      id: 'User',
      name: 'User',
      endpoint: '/Users',
      description: 'User Account',
      schema: CORE_USER,
      schemaExtensions: [{ schema: ENTERPRISE, required: false }],
      meta: { resourceType: 'ResourceType', location: `${endpoint}/ResourceTypes/User` },
    },
    {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'],
      id: 'Group',
      name: 'Group',
      endpoint: '/Groups',
      description: 'Group',
      schema: CORE_GROUP,
      meta: { resourceType: 'ResourceType', location: `${endpoint}/ResourceTypes/Group` },
    },
  ];
  if (id) {
    const one = all.find((d) => d.id === id);
    if (!one) throw new ScimError(404, `Resource type ${id} not found.`);
    return one;
  }
  return { schemas: [LIST], totalResults: all.length, itemsPerPage: all.length, startIndex: 1, Resources: all };
}
