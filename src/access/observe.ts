/**
 * The live state an access plan is made against: permission sets (with every policy and tag),
 * assignments of the file's groups, the organization's accounts and OUs, and the groups in the
 * identity store and Okta. Reads only.
 */
import {
  DescribePermissionSetCommand,
  GetInlinePolicyForPermissionSetCommand,
  GetPermissionsBoundaryForPermissionSetCommand,
  ListAccountAssignmentsCommand,
  ListAccountAssignmentsForPrincipalCommand,
  ListCustomerManagedPolicyReferencesInPermissionSetCommand,
  ListPermissionSetsCommand,
  ListTagsForResourceCommand,
  type SSOAdminClient,
} from '@aws-sdk/client-sso-admin';
import { DescribeGroupCommand } from '@aws-sdk/client-identitystore';
import type { AwsClients } from '../aws/clients.js';
import { awsErrorName } from '../aws/clients.js';
import { awsCallError, unlessNotFound } from '../aws/errors.js';
import { getGroupId } from '../aws/identity-store.js';
import { listAccountsUnderOu, listAllAccounts, type OrgAccount } from '../aws/organization.js';
import { listAttachedPolicies, listProvisionedAccounts } from '../aws/permission-sets.js';
import { canonicalJson, sortRefs, type Boundary, type WantedPermissionSet } from './file.js';

/** A permission set as it is in Identity Center: the same fields as the file's, with its ARN and holders. */
export interface LivePermissionSet extends WantedPermissionSet {
  arn: string;
  /** Accounts the set is provisioned to (holding it). */
  provisionedAccounts: string[];
}

export interface LiveAssignment {
  permissionSetArn: string;
  accountId: string;
}

export interface LiveGroup {
  name: string;
  /** The identity store group (pushed), when it is there. */
  groupId?: string;
  assignments: LiveAssignment[];
}

export interface LiveState {
  instanceArn: string;
  accounts: OrgAccount[];
  /** Active accounts under each OU named (recursively). */
  ouAccounts: Record<string, string[]>;
  /** Every permission set of the instance (name -> set); details only for those asked. */
  permissionSets: LivePermissionSet[];
  groups: LiveGroup[];
}

export interface Where {
  instanceArn: string;
  identityStoreId: string;
  /** ListAccountAssignmentsForPrincipal is allowed (management account). */
  bulk: boolean;
}

/** Run `f` over items, `n` at a time. */
export async function pool<T, R>(items: readonly T[], n: number, f: (x: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await f(items[i]!);
      }
    }),
  );
  return out;
}

async function pages<T>(f: (token: string | undefined) => Promise<{ items: T[]; next: string | undefined }>): Promise<T[]> {
  const out: T[] = [];
  let token: string | undefined;
  do {
    const p = await f(token);
    out.push(...p.items);
    token = p.next;
  } while (token);
  return out;
}

/** Every permission set's ARN and name. */
export async function listPermissionSetNames(client: SSOAdminClient, instanceArn: string): Promise<{ arn: string; name: string; description?: string; sessionDuration: string; relayState?: string }[]> {
  try {
    const arns = await pages(async (t) => {
      const r = await client.send(new ListPermissionSetsCommand({ InstanceArn: instanceArn, NextToken: t, MaxResults: 100 }));
      return { items: r.PermissionSets ?? [], next: r.NextToken };
    });
    return await pool(arns, 5, async (arn) => {
      const ps = (await client.send(new DescribePermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: arn }))).PermissionSet ?? {};
      return {
        arn,
        name: ps.Name ?? arn,
        ...(ps.Description ? { description: ps.Description } : {}),
        sessionDuration: ps.SessionDuration ?? 'PT1H',
        ...(ps.RelayState ? { relayState: ps.RelayState } : {}),
      };
    });
  } catch (e) {
    throw awsCallError(e, 'listing the permission sets', 'sso:ListPermissionSets, sso:DescribePermissionSet');
  }
}

/** Policies, boundary, tags and provisioned accounts of one permission set. */
export async function describePermissionSetFully(
  client: SSOAdminClient,
  instanceArn: string,
  base: { arn: string; name: string; description?: string; sessionDuration: string; relayState?: string },
): Promise<LivePermissionSet> {
  const arn = base.arn;
  const q = { InstanceArn: instanceArn, PermissionSetArn: arn };
  try {
    const [managed, cmp, inline, boundary, tags, provisioned] = await Promise.all([
      listAttachedPolicies(client, instanceArn, arn),
      pages(async (t) => {
        const r = await client.send(new ListCustomerManagedPolicyReferencesInPermissionSetCommand({ ...q, NextToken: t }));
        return { items: (r.CustomerManagedPolicyReferences ?? []).map((x) => ({ name: x.Name ?? '', path: x.Path ?? '/' })), next: r.NextToken };
      }),
      client.send(new GetInlinePolicyForPermissionSetCommand(q)).then((r) => r.InlinePolicy ?? ''),
      client.send(new GetPermissionsBoundaryForPermissionSetCommand(q)).then(
        (r) => r.PermissionsBoundary,
        (e: unknown) => {
          if (awsErrorName(e) === 'ResourceNotFoundException') return undefined;
          throw e;
        },
      ),
      pages(async (t) => {
        const r = await client.send(new ListTagsForResourceCommand({ InstanceArn: instanceArn, ResourceArn: arn, NextToken: t }));
        return { items: r.Tags ?? [], next: r.NextToken };
      }),
      listProvisionedAccounts(client, instanceArn, arn),
    ]);
    let inlinePolicy: string | undefined;
    if (inline) {
      try {
        inlinePolicy = canonicalJson(JSON.parse(inline));
      } catch {
        inlinePolicy = inline;
      }
    }
    const b: Boundary | undefined = boundary?.ManagedPolicyArn
      ? { managedPolicyArn: boundary.ManagedPolicyArn }
      : boundary?.CustomerManagedPolicyReference?.Name
        ? { customerManagedPolicy: { name: boundary.CustomerManagedPolicyReference.Name, path: boundary.CustomerManagedPolicyReference.Path ?? '/' } }
        : undefined;
    return {
      ...base,
      managedPolicies: [...managed].sort(),
      customerManagedPolicies: sortRefs(cmp),
      ...(inlinePolicy !== undefined ? { inlinePolicy } : {}),
      ...(b ? { permissionsBoundary: b } : {}),
      tags: Object.fromEntries(tags.map((t) => [t.Key ?? '', t.Value ?? ''])),
      provisionedAccounts: provisioned.sort(),
    };
  } catch (e) {
    throw awsCallError(
      e,
      `reading the permission set "${base.name}"`,
      'sso:ListManagedPoliciesInPermissionSet, sso:ListCustomerManagedPolicyReferencesInPermissionSet, sso:GetInlinePolicyForPermissionSet, sso:GetPermissionsBoundaryForPermissionSet, sso:ListTagsForResource, sso:ListAccountsForProvisionedPermissionSet',
    );
  }
}

/** The group's assignments: in bulk (management account), else account by account over the sets' accounts. */
async function groupAssignments(client: SSOAdminClient, w: Where, groupId: string, sets: readonly LivePermissionSet[]): Promise<LiveAssignment[]> {
  if (w.bulk) {
    try {
      return await pages(async (t) => {
        const r = await client.send(new ListAccountAssignmentsForPrincipalCommand({ InstanceArn: w.instanceArn, PrincipalId: groupId, PrincipalType: 'GROUP', NextToken: t, MaxResults: 100 }));
        return { items: (r.AccountAssignments ?? []).map((a) => ({ permissionSetArn: a.PermissionSetArn ?? '', accountId: a.AccountId ?? '' })), next: r.NextToken };
      });
    } catch (e) {
      if (awsErrorName(e) !== 'AccessDeniedException') throw awsCallError(e, 'listing the group\'s assignments', 'sso:ListAccountAssignmentsForPrincipal');
    }
  }
  const out: LiveAssignment[] = [];
  for (const ps of sets) {
    const lists = await pool(ps.provisionedAccounts, 5, (accountId) => accountAssignments(client, w.instanceArn, accountId, ps.arn));
    ps.provisionedAccounts.forEach((accountId, i) => {
      if (lists[i]!.some((a) => a.principalType === 'GROUP' && a.principalId === groupId)) out.push({ permissionSetArn: ps.arn, accountId });
    });
  }
  return out;
}

export async function accountAssignments(client: SSOAdminClient, instanceArn: string, accountId: string, permissionSetArn: string): Promise<{ principalType: string; principalId: string }[]> {
  try {
    return await pages(async (t) => {
      const r = await client.send(new ListAccountAssignmentsCommand({ InstanceArn: instanceArn, AccountId: accountId, PermissionSetArn: permissionSetArn, NextToken: t, MaxResults: 100 }));
      return { items: (r.AccountAssignments ?? []).map((a) => ({ principalType: a.PrincipalType ?? '', principalId: a.PrincipalId ?? '' })), next: r.NextToken };
    });
  } catch (e) {
    throw awsCallError(e, `listing the assignments in ${accountId}`, 'sso:ListAccountAssignments');
  }
}

export async function groupDisplayName(aws: AwsClients, identityStoreId: string, groupId: string): Promise<string | undefined> {
  const send = (): Promise<string | undefined> => aws.identityStore().send(new DescribeGroupCommand({ IdentityStoreId: identityStoreId, GroupId: groupId })).then((r) => r.DisplayName);
  return unlessNotFound(send, undefined, 'reading a group of the identity store', 'identitystore:DescribeGroup');
}

export interface ObserveInput {
  /** Permission sets to read fully (by name, case-insensitive), besides those of `arns`. */
  setNames: readonly string[];
  setArns: readonly string[];
  groups: readonly string[];
  ous: readonly string[];
  /** Read every permission set fully (export). */
  allSets?: boolean;
}

export async function observeAccess(aws: AwsClients, w: Where, want: ObserveInput, debug?: (m: string) => void): Promise<LiveState> {
  const client = aws.ssoAdmin();
  const [accounts, names] = await Promise.all([listAllAccounts(aws), listPermissionSetNames(client, w.instanceArn)]);
  const ouAccounts: Record<string, string[]> = {};
  for (const ou of new Set(want.ous)) ouAccounts[ou] = (await listAccountsUnderOu(aws, ou)).filter((a) => a.state === 'ACTIVE').map((a) => a.id);
  const wantNames = new Set(want.setNames.map((n) => n.toLowerCase()));
  const wantArns = new Set(want.setArns);
  const detailed = await pool(
    names.filter((n) => want.allSets || wantNames.has(n.name.toLowerCase()) || wantArns.has(n.arn)),
    3,
    (n) => describePermissionSetFully(client, w.instanceArn, n),
  );
  const byArn = new Map(detailed.map((d) => [d.arn, d]));
  const permissionSets: LivePermissionSet[] = names.map((n) => byArn.get(n.arn) ?? { ...n, managedPolicies: [], customerManagedPolicies: [], tags: {}, provisionedAccounts: [] });
  const groups: LiveGroup[] = [];
  for (const name of new Set(want.groups)) {
    const groupId = await getGroupId(aws.identityStore(), w.identityStoreId, name);
    groups.push({ name, ...(groupId ? { groupId } : {}), assignments: groupId ? await groupAssignments(client, w, groupId, detailed) : [] });
  }
  debug?.(`access: ${accounts.length} accounts, ${names.length} permission sets (${detailed.length} read fully), ${groups.length} groups`);
  return { instanceArn: w.instanceArn, accounts, ouAccounts, permissionSets, groups };
}

/** Every group assignment of the given sets (for export): the sets' accounts, listed account by account. */
export async function observeAllGroupAssignments(aws: AwsClients, w: Where, sets: readonly LivePermissionSet[]): Promise<{ group: string; permissionSet: string; accounts: string[] }[]> {
  const client = aws.ssoAdmin();
  const names = new Map<string, string | undefined>();
  const out = new Map<string, { group: string; permissionSet: string; accounts: string[] }>();
  for (const ps of sets) {
    const lists = await pool(ps.provisionedAccounts, 5, (accountId) => accountAssignments(client, w.instanceArn, accountId, ps.arn));
    for (let i = 0; i < lists.length; i++) {
      for (const a of lists[i]!) {
        if (a.principalType !== 'GROUP') continue;
        if (!names.has(a.principalId)) names.set(a.principalId, await groupDisplayName(aws, w.identityStoreId, a.principalId));
        const group = names.get(a.principalId);
        if (!group) continue;
        const k = `${group}\u0000${ps.name}`;
        const e = out.get(k) ?? { group, permissionSet: ps.name, accounts: [] };
        e.accounts.push(ps.provisionedAccounts[i]!);
        out.set(k, e);
      }
    }
  }
  return [...out.values()];
}
