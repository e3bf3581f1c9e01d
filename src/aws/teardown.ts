/**
 * What `destroy` needs from Identity Center beyond the assignment engine: every assignment of a
 * permission set (to delete them before the set), the deletion of the set, and of a user the
 * identity store holds. Each read answers "gone" for ResourceNotFoundException, each delete answers
 * false when there was nothing to delete: a re-run is a no-op.
 */
import {
  DeletePermissionSetCommand,
  DescribePermissionSetCommand,
  ListAccountAssignmentsCommand,
  type SSOAdminClient,
} from '@aws-sdk/client-sso-admin';
import { DeleteUserCommand, type IdentitystoreClient } from '@aws-sdk/client-identitystore';
import { awsCallError, unlessNotFound } from './errors.js';
import { listProvisionedAccounts } from './permission-sets.js';
import { withRetry } from './retry.js';

export interface AssignmentTuple {
  accountId: string;
  principalType: 'USER' | 'GROUP';
  principalId: string;
}

/** The set's name, or undefined when it no longer exists. */
export async function permissionSetName(client: SSOAdminClient, instanceArn: string, arn: string): Promise<string | undefined> {
  const send = (): Promise<string> => client.send(new DescribePermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: arn })).then((r) => r.PermissionSet?.Name ?? arn);
  return unlessNotFound(send, undefined, 'reading the permission set', 'sso:DescribePermissionSet');
}

/** Every account assignment that uses the set (any principal): the accounts it is provisioned to, one listing each. */
export async function assignmentsOfSet(client: SSOAdminClient, instanceArn: string, arn: string): Promise<AssignmentTuple[]> {
  const out: AssignmentTuple[] = [];
  for (const accountId of await listProvisionedAccounts(client, instanceArn, arn)) {
    let token: string | undefined;
    try {
      do {
        const page = await client.send(new ListAccountAssignmentsCommand({ InstanceArn: instanceArn, AccountId: accountId, PermissionSetArn: arn, NextToken: token }));
        for (const a of page.AccountAssignments ?? []) {
          if (a.PrincipalId && (a.PrincipalType === 'USER' || a.PrincipalType === 'GROUP')) out.push({ accountId, principalType: a.PrincipalType, principalId: a.PrincipalId });
        }
        token = page.NextToken;
      } while (token);
    } catch (e) {
      throw awsCallError(e, 'listing the account assignments of the permission set', 'sso:ListAccountAssignments');
    }
  }
  return out;
}

/** DeletePermissionSet (its assignments must be gone first); false when it was already gone. */
export async function deletePermissionSet(client: SSOAdminClient, instanceArn: string, arn: string, signal?: AbortSignal): Promise<boolean> {
  const send = (): Promise<true> => withRetry(() => client.send(new DeletePermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: arn })), { signal }).then(() => true);
  return unlessNotFound(send, false, 'deleting the permission set', 'sso:DeletePermissionSet');
}

/** identitystore DeleteUser; false when the user was already gone. */
export async function deleteIdentityStoreUser(client: IdentitystoreClient, identityStoreId: string, userId: string): Promise<boolean> {
  const send = (): Promise<true> => client.send(new DeleteUserCommand({ IdentityStoreId: identityStoreId, UserId: userId })).then(() => true);
  return unlessNotFound(send, false, 'deleting the user from the identity store', 'identitystore:DeleteUser');
}
