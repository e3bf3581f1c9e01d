/**
 * Identity store reads: the pushed group and the test user arrive through SCIM, on the IdP's
 * schedule, so the wizard waits for them (GetGroupId / GetUserId) with a visible timer.
 */
import {
  DescribeGroupCommand,
  DescribeUserCommand,
  GetGroupIdCommand,
  GetUserIdCommand,
  IsMemberInGroupsCommand,
  type DescribeUserCommandOutput,
  type IdentitystoreClient,
} from '@aws-sdk/client-identitystore';
import { awsCallError, unlessNotFound } from './errors.js';
import { sleep } from './retry.js';

/** GetGroupId / GetUserId's request: the one resource whose unique attribute has this value. */
function byUniqueAttribute(identityStoreId: string, attributePath: 'displayName' | 'userName', value: string) {
  return { IdentityStoreId: identityStoreId, AlternateIdentifier: { UniqueAttribute: { AttributePath: attributePath, AttributeValue: value } } };
}

export async function getGroupId(client: IdentitystoreClient, identityStoreId: string, displayName: string): Promise<string | undefined> {
  const send = (): Promise<string | undefined> => client.send(new GetGroupIdCommand(byUniqueAttribute(identityStoreId, 'displayName', displayName))).then((r) => r.GroupId);
  return unlessNotFound(send, undefined, `looking for the group "${displayName}" in the identity store`, 'identitystore:GetGroupId');
}

export async function getUserId(client: IdentitystoreClient, identityStoreId: string, userName: string): Promise<string | undefined> {
  const send = (): Promise<string | undefined> => client.send(new GetUserIdCommand(byUniqueAttribute(identityStoreId, 'userName', userName))).then((r) => r.UserId);
  return unlessNotFound(send, undefined, `looking for the user "${userName}" in the identity store`, 'identitystore:GetUserId');
}

export async function describeUser(client: IdentitystoreClient, identityStoreId: string, userId: string): Promise<DescribeUserCommandOutput> {
  try {
    return await client.send(new DescribeUserCommand({ IdentityStoreId: identityStoreId, UserId: userId }));
  } catch (e) {
    throw awsCallError(e, 'reading the user from the identity store', 'identitystore:DescribeUser');
  }
}

export async function groupExists(client: IdentitystoreClient, identityStoreId: string, groupId: string): Promise<boolean> {
  const send = (): Promise<true> => client.send(new DescribeGroupCommand({ IdentityStoreId: identityStoreId, GroupId: groupId })).then(() => true);
  return unlessNotFound(send, false, 'reading the group from the identity store', 'identitystore:DescribeGroup');
}

export async function isMember(client: IdentitystoreClient, identityStoreId: string, userId: string, groupId: string): Promise<boolean> {
  try {
    const r = await client.send(new IsMemberInGroupsCommand({ IdentityStoreId: identityStoreId, MemberId: { UserId: userId }, GroupIds: [groupId] }));
    return (r.Results ?? []).some((x) => x.GroupId === groupId && x.MembershipExists === true);
  } catch (e) {
    throw awsCallError(e, 'checking the group membership', 'identitystore:IsMemberInGroups');
  }
}

export interface WaitOptions {
  timeoutMs: number;
  pollMs: number;
  signal?: AbortSignal;
  /** Called with the seconds waited so far, before each wait. */
  onWait?: (seconds: number) => void;
}

/** Poll `probe` until it returns a value or the timeout passes (then undefined). */
export async function waitFor<T>(probe: () => Promise<T | undefined>, opts: WaitOptions): Promise<T | undefined> {
  const started = Date.now();
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    const waited = Date.now() - started;
    if (waited >= opts.timeoutMs) return undefined;
    opts.onWait?.(Math.round(waited / 1000));
    await sleep(Math.min(opts.pollMs, Math.max(1, opts.timeoutMs - waited)), opts.signal);
  }
}
