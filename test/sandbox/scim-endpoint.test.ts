import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DescribeUserCommand,
  GetGroupIdCommand,
  GetGroupMembershipIdCommand,
  GetUserIdCommand,
  IsMemberInGroupsCommand,
  ListGroupMembershipsCommand,
  ListGroupMembershipsForMemberCommand,
  ListGroupsCommand,
  ListUsersCommand,
  DescribeGroupCommand,
} from '@aws-sdk/client-identitystore';
import { startAws, scim, scimUser, type AwsFixture } from './aws-helpers.js';
import type { AwsState } from '../../src/sandbox/aws/state.js';

const UNPARSABLE = 'Request is unparsable, syntactically incorrect, or violates schema';
const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

let fx: AwsFixture;
let token: string;
let storeId: string;

beforeAll(async () => {
  fx = await startAws();
  storeId = fx.emu.info().identityStoreId;
});
afterAll(async () => {
  await fx.close();
  expect(fx.outputViolations).toEqual([]);
});

const patch = (Operations: unknown[]) => ({ schemas: [PATCH_SCHEMA], Operations });

describe('SCIM endpoint: tokens', () => {
  it('answers 401 before automatic provisioning is enabled, then 200 with the token', async () => {
    const before = await scim(fx, 'anything', 'GET', '/ServiceProviderConfig');
    expect(before.status).toBe(401);
    expect(before.json.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error']);
    const r = fx.emu.console.enableAutomaticProvisioning();
    expect(r.answers?.['scim-endpoint']).toBe(fx.emu.info().scimEndpoint);
    expect(fx.emu.info().scimEndpoint).toMatch(new RegExp(`^${fx.url}/[0-9a-f-]+/scim/v2$`));
    token = r.secrets!['scim-token']!;
    expect(token.length).toBeGreaterThan(40);
    const ok = await scim(fx, token, 'GET', '/ServiceProviderConfig');
    expect(ok.status).toBe(200);
    expect(ok.json.patch).toEqual({ supported: true });
    expect((ok.json.bulk as { supported: boolean }).supported).toBe(false);
  });

  it('answers 401 for a missing or wrong token and for a wrong tenant id', async () => {
    expect((await scim(fx, undefined, 'GET', '/Users')).status).toBe(401);
    expect((await scim(fx, `${token}x`, 'GET', '/Users')).status).toBe(401);
    const wrongTenant = fx.emu.info().scimEndpoint.replace(/\/[^/]+\/scim\/v2$/, '/0000000000-wrong/scim/v2');
    const res = await fetch(`${wrongTenant}/Users`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(401);
  });

  it('keeps at most two live tokens: a third one retires the oldest', async () => {
    const second = fx.emu.console.enableAutomaticProvisioning().secrets!['scim-token']!;
    expect((await scim(fx, token, 'GET', '/Users')).status).toBe(200);
    expect((await scim(fx, second, 'GET', '/Users')).status).toBe(200);
    const third = fx.emu.console.enableAutomaticProvisioning().secrets!['scim-token']!;
    expect((await scim(fx, token, 'GET', '/Users')).status).toBe(401);
    expect((await scim(fx, second, 'GET', '/Users')).status).toBe(200);
    expect((await scim(fx, third, 'GET', '/Users')).status).toBe(200);
    token = third;
    const snap = fx.emu.snapshot() as AwsState;
    expect(snap.scim.tokens).toHaveLength(2);
    expect(JSON.stringify(snap)).not.toContain(third);
  });

  it('refuses a token past its one-year expiry', async () => {
    const snap = fx.emu.snapshot() as AwsState;
    const t = snap.scim.tokens[0]!;
    expect(t.expiresAt - t.createdAt).toBe(365 * 24 * 3600 * 1000);
    const expired = structuredClone(snap);
    for (const x of expired.scim.tokens) x.expiresAt = Date.now() - 1;
    fx.emu.restore(expired);
    expect((await scim(fx, token, 'GET', '/ServiceProviderConfig')).status).toBe(401);
    fx.emu.restore(snap);
    expect((await scim(fx, token, 'GET', '/ServiceProviderConfig')).status).toBe(200);
  });

  it('serves Schemas and ResourceTypes; no /Bulk, /Me or /.search', async () => {
    const schemas = await scim(fx, token, 'GET', '/Schemas');
    expect((schemas.json.Resources as { id: string }[]).map((s) => s.id)).toContain('urn:ietf:params:scim:schemas:core:2.0:User');
    const types = await scim(fx, token, 'GET', '/ResourceTypes');
    expect((types.json.Resources as { id: string }[]).map((s) => s.id)).toEqual(['User', 'Group']);
    expect((await scim(fx, token, 'POST', '/Bulk', { schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'], Operations: [] })).status).toBe(501);
    expect((await scim(fx, token, 'GET', '/Me')).status).toBe(501);
    expect((await scim(fx, token, 'POST', '/.search', {})).status).toBe(501);
    expect((await scim(fx, token, 'POST', '/Users/.search', {})).status).toBe(501);
  });
});

describe('SCIM users', () => {
  it('creates a user that identitystore finds by userName, email and ExternalId, with ExternalIds', async () => {
    const r = await scim(fx, token, 'POST', '/Users', scimUser('alice@example.com'));
    expect(r.status).toBe(201);
    const id = r.json.id as string;
    expect(id).toMatch(/^[0-9a-f]{10}-[0-9a-f-]{36}$/);
    const ids = fx.ids();
    const byName = await ids.send(new GetUserIdCommand({ IdentityStoreId: storeId, AlternateIdentifier: { UniqueAttribute: { AttributePath: 'userName', AttributeValue: 'alice@example.com' } } }));
    expect(byName.UserId).toBe(id);
    const byEmail = await ids.send(new GetUserIdCommand({ IdentityStoreId: storeId, AlternateIdentifier: { UniqueAttribute: { AttributePath: 'emails.value', AttributeValue: 'alice@example.com' } } }));
    expect(byEmail.UserId).toBe(id);
    const d = await ids.send(new DescribeUserCommand({ IdentityStoreId: storeId, UserId: id }));
    expect(d.ExternalIds).toHaveLength(1);
    expect(d.ExternalIds![0]!.Id).toBe('ext-alice@example.com');
    expect(d.Name).toMatchObject({ GivenName: 'Given', FamilyName: 'Family' });
    expect(d.UserStatus).toBe('ENABLED');
    const byExt = await ids.send(new GetUserIdCommand({ IdentityStoreId: storeId, AlternateIdentifier: { ExternalId: d.ExternalIds![0]! } }));
    expect(byExt.UserId).toBe(id);
    const missing = await ids
      .send(new GetUserIdCommand({ IdentityStoreId: storeId, AlternateIdentifier: { UniqueAttribute: { AttributePath: 'userName', AttributeValue: 'nobody' } } }))
      .catch((e: unknown) => e);
    expect(missing).toMatchObject({ name: 'ResourceNotFoundException', ResourceType: 'USER' });
    const listed = await ids.send(new ListUsersCommand({ IdentityStoreId: storeId, Filters: [{ AttributePath: 'UserName', AttributeValue: 'alice@example.com' }] }));
    expect(listed.Users?.map((u) => u.UserId)).toEqual([id]);
    const wrongStore = await ids.send(new ListUsersCommand({ IdentityStoreId: 'd-0000000000' })).catch((e: unknown) => e);
    expect(wrongStore).toMatchObject({ name: 'ResourceNotFoundException', ResourceType: 'IDENTITY_STORE' });
  });

  it.each([
    ['userName', { userName: undefined }],
    ['displayName', { displayName: undefined }],
    ['name.givenName', { name: { familyName: 'F' } }],
    ['name.familyName', { name: { givenName: 'G' } }],
  ])('refuses a user without %s (400 unparsable)', async (_attr, override) => {
    const body = scimUser('missing@example.com', override);
    const r = await scim(fx, token, 'POST', '/Users', JSON.parse(JSON.stringify(body)));
    expect(r.status).toBe(400);
    expect(r.json.detail).toContain(UNPARSABLE);
  });

  it('refuses two values of a multi-valued attribute, a non-primary email, and groups on create', async () => {
    const two = await scim(fx, token, 'POST', '/Users', scimUser('two@example.com', { emails: [{ value: 'a@example.com', primary: true }, { value: 'b@example.com' }] }));
    expect(two.status).toBe(400);
    const phones = await scim(fx, token, 'POST', '/Users', scimUser('p@example.com', { phoneNumbers: [{ value: '1' }, { value: '2' }] }));
    expect(phones.status).toBe(400);
    const notPrimary = await scim(fx, token, 'POST', '/Users', scimUser('np@example.com', { emails: [{ value: 'np@example.com', type: 'work' }] }));
    expect(notPrimary.status).toBe(400);
    const groups = await scim(fx, token, 'POST', '/Users', scimUser('g@example.com', { groups: [{ value: 'x' }] }));
    expect(groups.status).toBe(400);
  });

  it.each(['<', '>', ';', ':', '%'])('refuses the character %s in a synced attribute', async (ch) => {
    const r = await scim(fx, token, 'POST', '/Users', scimUser(`chars${ch.charCodeAt(0)}@example.com`, { displayName: `Bad ${ch} name` }));
    expect(r.status).toBe(400);
    expect(r.json.detail).toContain(UNPARSABLE);
  });

  it('accepts the enterprise extension with a manager reference URL', async () => {
    const ent = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
    const r = await scim(fx, token, 'POST', '/Users', {
      ...scimUser('ent@example.com'),
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ent],
      [ent]: { department: 'Platform', manager: { value: 'boss', $ref: 'https://example.com/Users/boss' } },
    });
    expect(r.status).toBe(201);
    expect(r.json[ent]).toMatchObject({ department: 'Platform' });
    expect((await scim(fx, token, 'DELETE', `/Users/${r.json.id as string}`)).status).toBe(204);
  });

  it('refuses empty strings', async () => {
    const r = await scim(fx, token, 'POST', '/Users', scimUser('empty@example.com', { title: '' }));
    expect(r.status).toBe(400);
    expect(r.json.detail).toContain(UNPARSABLE);
  });

  it('answers 409 for a duplicate userName or externalId', async () => {
    const dupName = await scim(fx, token, 'POST', '/Users', scimUser('alice@example.com', { externalId: 'another' }));
    expect(dupName.status).toBe(409);
    expect(dupName.json.detail).toContain('Refused to create a new, duplicate resource');
    const dupExt = await scim(fx, token, 'POST', '/Users', scimUser('alice2@example.com', { externalId: 'ext-alice@example.com' }));
    expect(dupExt.status).toBe(409);
  });

  it('filters with eq (and and), refuses other operators', async () => {
    await scim(fx, token, 'POST', '/Users', scimUser('bob@example.com'));
    const eq = await scim(fx, token, 'GET', `/Users?filter=${encodeURIComponent('userName eq "bob@example.com"')}`);
    expect(eq.status).toBe(200);
    expect(eq.json.totalResults).toBe(1);
    expect((eq.json.Resources as { userName: string }[])[0]!.userName).toBe('bob@example.com');
    const otherCase = await scim(fx, token, 'GET', `/Users?filter=${encodeURIComponent('userName eq "BOB@example.com"')}`);
    expect(otherCase.json.totalResults).toBe(1);
    const and = await scim(fx, token, 'GET', `/Users?filter=${encodeURIComponent('userName eq "bob@example.com" and externalId eq "ext-nope"')}`);
    expect(and.json.totalResults).toBe(0);
    const none = await scim(fx, token, 'GET', `/Users?filter=${encodeURIComponent('externalId eq "ext-bob@example.com"')}`);
    expect(none.json.totalResults).toBe(1);
    for (const f of ['userName co "bob"', 'userName sw "b"', 'userName eq "a" or userName eq "b"', 'userName pr', 'title eq "x"', 'not (userName eq "x")']) {
      const r = await scim(fx, token, 'GET', `/Users?filter=${encodeURIComponent(f)}`);
      expect(r.status, f).toBe(400);
    }
    const all = await scim(fx, token, 'GET', '/Users?startIndex=1&count=1');
    expect(all.json).toMatchObject({ totalResults: 2, itemsPerPage: 1, startIndex: 1 });
  });

  it('gets, replaces, patches (deactivate) and deletes a user', async () => {
    const created = await scim(fx, token, 'POST', '/Users', scimUser('carol@example.com'));
    const id = created.json.id as string;
    const got = await scim(fx, token, 'GET', `/Users/${id}`);
    expect(got.json.userName).toBe('carol@example.com');
    const put = await scim(fx, token, 'PUT', `/Users/${id}`, scimUser('carol@example.com', { displayName: 'Carol C', title: 'Engineer' }));
    expect(put.status).toBe(200);
    expect(put.json.title).toBe('Engineer');
    const deact = await scim(fx, token, 'PATCH', `/Users/${id}`, patch([{ op: 'replace', value: { active: false } }]));
    expect(deact.status).toBe(200);
    expect(deact.json.active).toBe(false);
    const d = await fx.ids().send(new DescribeUserCommand({ IdentityStoreId: storeId, UserId: id }));
    expect(d.UserStatus).toBe('DISABLED');
    const byPath = await scim(fx, token, 'PATCH', `/Users/${id}`, patch([{ op: 'replace', path: 'name.givenName', value: 'Caroline' }, { op: 'replace', path: 'emails[type eq "work"].value', value: 'caroline@example.com' }]));
    expect(byPath.status).toBe(200);
    expect(byPath.json.name).toMatchObject({ givenName: 'Caroline' });
    expect(byPath.json.emails).toEqual([{ value: 'caroline@example.com', type: 'work', primary: true }]);
    const badPatch = await scim(fx, token, 'PATCH', `/Users/${id}`, patch([{ op: 'remove', path: 'displayName' }]));
    expect(badPatch.status).toBe(400);
    expect((await scim(fx, token, 'DELETE', `/Users/${id}`)).status).toBe(204);
    expect((await scim(fx, token, 'GET', `/Users/${id}`)).status).toBe(404);
  });
});

describe('SCIM groups', () => {
  let groupId: string;
  let userIds: string[];

  beforeAll(async () => {
    userIds = [];
    for (const n of ['m1', 'm2', 'm3']) userIds.push((await scim(fx, token, 'POST', '/Users', scimUser(`${n}@example.com`))).json.id as string);
  });

  it('creates a group identitystore finds by displayName; 409 on a duplicate displayName', async () => {
    const r = await scim(fx, token, 'POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'awsssoPowerUsers', externalId: 'okta-00g1' });
    expect(r.status).toBe(201);
    groupId = r.json.id as string;
    const ids = fx.ids();
    const g = await ids.send(new GetGroupIdCommand({ IdentityStoreId: storeId, AlternateIdentifier: { UniqueAttribute: { AttributePath: 'displayName', AttributeValue: 'awsssoPowerUsers' } } }));
    expect(g.GroupId).toBe(groupId);
    const d = await ids.send(new DescribeGroupCommand({ IdentityStoreId: storeId, GroupId: groupId }));
    expect(d.ExternalIds?.[0]?.Id).toBe('okta-00g1');
    const lg = await ids.send(new ListGroupsCommand({ IdentityStoreId: storeId, Filters: [{ AttributePath: 'DisplayName', AttributeValue: 'awsssoPowerUsers' }] }));
    expect(lg.Groups?.map((x) => x.GroupId)).toEqual([groupId]);
    const dup = await scim(fx, token, 'POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'awsssoPowerUsers' });
    expect(dup.status).toBe(409);
    expect(dup.json.detail).toContain('Refused to create a new, duplicate resource');
    const byFilter = await scim(fx, token, 'GET', `/Groups?filter=${encodeURIComponent('displayName eq "awsssoPowerUsers"')}`);
    expect(byFilter.json.totalResults).toBe(1);
    expect((byFilter.json.Resources as Record<string, unknown>[])[0]!.members).toBeUndefined();
    expect((await scim(fx, token, 'POST', '/Groups', { schemas: [GROUP_SCHEMA] })).status).toBe(400);
  });

  it('adds and removes members with PATCH; identitystore sees the memberships', async () => {
    const add = await scim(fx, token, 'PATCH', `/Groups/${groupId}`, patch([{ op: 'add', path: 'members', value: userIds.map((value) => ({ value })) }]));
    expect(add.status).toBe(204);
    const ids = fx.ids();
    const ms = await ids.send(new ListGroupMembershipsCommand({ IdentityStoreId: storeId, GroupId: groupId }));
    expect(ms.GroupMemberships?.map((m) => m.MemberId && 'UserId' in m.MemberId ? m.MemberId.UserId : undefined).sort()).toEqual([...userIds].sort());
    const rm = await scim(fx, token, 'PATCH', `/Groups/${groupId}`, patch([{ op: 'remove', path: 'members', value: [{ value: userIds[0] }] }, { op: 'remove', path: `members[value eq "${userIds[1]}"]` }]));
    expect(rm.status).toBe(204);
    const forMember = await ids.send(new ListGroupMembershipsForMemberCommand({ IdentityStoreId: storeId, MemberId: { UserId: userIds[2]! } }));
    expect(forMember.GroupMemberships?.map((m) => m.GroupId)).toEqual([groupId]);
    const is = await ids.send(new IsMemberInGroupsCommand({ IdentityStoreId: storeId, MemberId: { UserId: userIds[0]! }, GroupIds: [groupId] }));
    expect(is.Results?.[0]?.MembershipExists).toBe(false);
    const mid = await ids.send(new GetGroupMembershipIdCommand({ IdentityStoreId: storeId, GroupId: groupId, MemberId: { UserId: userIds[2]! } }));
    expect(mid.MembershipId).toBe(forMember.GroupMemberships?.[0]?.MembershipId);
  });

  it('renames with PATCH and refuses other attributes, replace/remove-all members and more than 100 member changes', async () => {
    const rename = await scim(fx, token, 'PATCH', `/Groups/${groupId}`, patch([{ op: 'replace', path: 'displayName', value: 'awsssoPowerUsers2' }]));
    expect(rename.status).toBe(204);
    expect((await scim(fx, token, 'GET', `/Groups/${groupId}`)).json.displayName).toBe('awsssoPowerUsers2');
    const other = await scim(fx, token, 'PATCH', `/Groups/${groupId}`, patch([{ op: 'replace', path: 'description', value: 'x' }]));
    expect(other.status).toBe(400);
    const replaceAll = await scim(fx, token, 'PATCH', `/Groups/${groupId}`, patch([{ op: 'replace', path: 'members', value: [{ value: userIds[0] }] }]));
    expect(replaceAll.status).toBe(400);
    const removeAll = await scim(fx, token, 'PATCH', `/Groups/${groupId}`, patch([{ op: 'remove', path: 'members' }]));
    expect(removeAll.status).toBe(400);
    const many = Array.from({ length: 101 }, () => ({ op: 'add', path: 'members', value: [{ value: userIds[0] }] }));
    const tooMany = await scim(fx, token, 'PATCH', `/Groups/${groupId}`, patch(many));
    expect(tooMany.status).toBe(400);
    expect(tooMany.json.detail).toMatch(/100/);
    const badChar = await scim(fx, token, 'PATCH', `/Groups/${groupId}`, patch([{ op: 'replace', path: 'displayName', value: 'a;b' }]));
    expect(badChar.status).toBe(400);
    // The failed requests changed nothing.
    const ms = await fx.ids().send(new ListGroupMembershipsCommand({ IdentityStoreId: storeId, GroupId: groupId }));
    expect(ms.GroupMemberships).toHaveLength(1);
  });

  it('deletes a group and its memberships', async () => {
    expect((await scim(fx, token, 'DELETE', `/Groups/${groupId}`)).status).toBe(204);
    expect((await scim(fx, token, 'GET', `/Groups/${groupId}`)).status).toBe(404);
    const forMember = await fx.ids().send(new ListGroupMembershipsForMemberCommand({ IdentityStoreId: storeId, MemberId: { UserId: userIds[2]! } }));
    expect(forMember.GroupMemberships).toEqual([]);
  });
});
