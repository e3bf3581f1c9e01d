/** AWSIdentityStore: the read operations over the users and groups SCIM provisioning creates. */
import { AwsError, notFound, validation } from './errors.js';
import { epoch, scimIssuer, type Input, type OpContext, type Output } from './context.js';
import { page } from './paging.js';
import type { AwsState, GroupRec, MembershipRec, UserRec } from './state.js';

const MAX = 100;

const clean = <T extends Record<string, unknown>>(o: T): T => {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o;
};

export function userOut(s: AwsState, u: UserRec): Output {
  const n = u.name;
  return clean({
    IdentityStoreId: s.instance.identityStoreId,
    UserId: u.id,
    UserName: u.userName,
    ExternalIds: u.externalId ? [{ Issuer: scimIssuer(s), Id: u.externalId }] : undefined,
    Name: clean({
      Formatted: n.formatted,
      FamilyName: n.familyName,
      GivenName: n.givenName,
      MiddleName: n.middleName,
      HonorificPrefix: n.honorificPrefix,
      HonorificSuffix: n.honorificSuffix,
    }),
    DisplayName: u.displayName,
    NickName: u.nickName,
    ProfileUrl: u.profileUrl,
    Emails: u.emails.length ? u.emails.map((e) => clean({ Value: e.value, Type: e.type, Primary: e.primary })) : undefined,
    PhoneNumbers: u.phoneNumbers.length ? u.phoneNumbers.map((e) => clean({ Value: e.value, Type: e.type, Primary: e.primary })) : undefined,
    UserType: u.userType,
    Title: u.title,
    PreferredLanguage: u.preferredLanguage,
    Locale: u.locale,
    Timezone: u.timezone,
    UserStatus: u.active ? 'ENABLED' : 'DISABLED',
    CreatedAt: epoch(u.createdAt),
    UpdatedAt: epoch(u.updatedAt),
    CreatedBy: u.createdBy,
    UpdatedBy: u.createdBy,
  });
}

export function groupOut(s: AwsState, g: GroupRec): Output {
  return clean({
    IdentityStoreId: s.instance.identityStoreId,
    GroupId: g.id,
    DisplayName: g.displayName,
    Description: g.description,
    ExternalIds: g.externalId ? [{ Issuer: scimIssuer(s), Id: g.externalId }] : undefined,
    CreatedAt: epoch(g.createdAt),
    UpdatedAt: epoch(g.updatedAt),
    CreatedBy: g.createdBy,
    UpdatedBy: g.createdBy,
  });
}

function membershipOut(s: AwsState, m: MembershipRec): Output {
  return { IdentityStoreId: s.instance.identityStoreId, MembershipId: m.id, GroupId: m.groupId, MemberId: { UserId: m.userId }, CreatedAt: epoch(m.createdAt) };
}

function user(s: AwsState, id: unknown): UserRec {
  const u = s.users.find((x) => x.id === id);
  if (!u) throw notFound(`USER not found.`, { ResourceType: 'USER', ResourceId: String(id) });
  return u;
}
function group(s: AwsState, id: unknown): GroupRec {
  const g = s.groups.find((x) => x.id === id);
  if (!g) throw notFound(`GROUP not found.`, { ResourceType: 'GROUP', ResourceId: String(id) });
  return g;
}

type Alt = { UniqueAttribute?: { AttributePath: string; AttributeValue: unknown }; ExternalId?: { Issuer: string; Id: string } };

function findByAlt<T extends { externalId?: string }>(s: AwsState, alt: Alt, items: T[], paths: Record<string, (x: T) => string[]>, kind: 'USER' | 'GROUP'): T {
  let found: T | undefined;
  if (alt.ExternalId) {
    const { Issuer, Id } = alt.ExternalId;
    found = Issuer === scimIssuer(s) ? items.find((x) => x.externalId === Id) : undefined;
  } else if (alt.UniqueAttribute) {
    const path = alt.UniqueAttribute.AttributePath;
    const getter = Object.entries(paths).find(([k]) => k.toLowerCase() === path.toLowerCase())?.[1];
    if (!getter) throw validation(`Invalid AttributePath ${path}: use one of ${Object.keys(paths).join(', ')}.`);
    const value = alt.UniqueAttribute.AttributeValue;
    if (typeof value !== 'string') throw validation('AttributeValue must be a string.');
    found = items.find((x) => getter(x).some((v) => v.toLowerCase() === value.toLowerCase()));
  }
  if (!found) throw notFound(`${kind} not found.`, { ResourceType: kind });
  return found;
}

function legacyFilter<T>(input: Input, paths: Record<string, (x: T) => string>): (x: T) => boolean {
  const filters = input.Filters as { AttributePath: string; AttributeValue: string }[] | undefined;
  if (!filters || filters.length === 0) return () => true;
  const f = filters[0]!;
  const getter = Object.entries(paths).find(([k]) => k.toLowerCase() === f.AttributePath.toLowerCase())?.[1];
  if (!getter) throw validation(`Filtering by ${f.AttributePath} is not supported: use ${Object.keys(paths).join(' or ')}.`);
  return (x: T) => getter(x) === f.AttributeValue;
}

export function identityStore(op: string, input: Input, ctx: OpContext): Output {
  const s = ctx.state;
  if (input.IdentityStoreId !== s.instance.identityStoreId) {
    throw new AwsError(400, 'ResourceNotFoundException', `Identity store ${String(input.IdentityStoreId)} not found.`, {
      ResourceType: 'IDENTITY_STORE',
      ResourceId: String(input.IdentityStoreId),
    });
  }
  const pg = <T>(items: T[]) => page(items, input, { operation: op, max: MAX });
  switch (op) {
    case 'DescribeUser':
      return userOut(s, user(s, input.UserId));
    case 'DeleteUser': {
      const u = user(s, input.UserId);
      s.users = s.users.filter((x) => x.id !== u.id);
      s.memberships = s.memberships.filter((m) => m.userId !== u.id);
      return {};
    }
    case 'DescribeGroup':
      return groupOut(s, group(s, input.GroupId));
    case 'GetUserId': {
      const u = findByAlt(s, input.AlternateIdentifier as Alt, s.users, { userName: (x) => [x.userName], 'emails.value': (x) => x.emails.map((e) => e.value) }, 'USER');
      return { UserId: u.id, IdentityStoreId: s.instance.identityStoreId };
    }
    case 'GetGroupId': {
      const g = findByAlt(s, input.AlternateIdentifier as Alt, s.groups, { displayName: (x) => [x.displayName] }, 'GROUP');
      return { GroupId: g.id, IdentityStoreId: s.instance.identityStoreId };
    }
    case 'ListUsers': {
      const p = pg(s.users.filter(legacyFilter<UserRec>(input, { UserName: (u) => u.userName })));
      return { Users: p.items.map((u) => userOut(s, u)), NextToken: p.nextToken };
    }
    case 'ListGroups': {
      const p = pg(s.groups.filter(legacyFilter<GroupRec>(input, { DisplayName: (g) => g.displayName })));
      return { Groups: p.items.map((g) => groupOut(s, g)), NextToken: p.nextToken };
    }
    case 'ListGroupMemberships': {
      group(s, input.GroupId);
      const p = pg(s.memberships.filter((m) => m.groupId === input.GroupId));
      return { GroupMemberships: p.items.map((m) => membershipOut(s, m)), NextToken: p.nextToken };
    }
    case 'ListGroupMembershipsForMember': {
      const uid = (input.MemberId as { UserId?: string }).UserId;
      user(s, uid);
      const p = pg(s.memberships.filter((m) => m.userId === uid));
      return { GroupMemberships: p.items.map((m) => membershipOut(s, m)), NextToken: p.nextToken };
    }
    case 'GetGroupMembershipId': {
      const uid = (input.MemberId as { UserId?: string }).UserId;
      const m = s.memberships.find((x) => x.groupId === input.GroupId && x.userId === uid);
      if (!m) throw notFound('GROUP_MEMBERSHIP not found.', { ResourceType: 'GROUP_MEMBERSHIP' });
      return { MembershipId: m.id, IdentityStoreId: s.instance.identityStoreId };
    }
    case 'IsMemberInGroups': {
      const uid = (input.MemberId as { UserId?: string }).UserId;
      user(s, uid);
      const ids = input.GroupIds as string[];
      return {
        Results: ids.map((gid) => ({ GroupId: gid, MemberId: { UserId: uid }, MembershipExists: s.memberships.some((m) => m.groupId === gid && m.userId === uid) })),
      };
    }
    default:
      throw validation(`Operation ${op} is not supported by the sandbox.`);
  }
}
