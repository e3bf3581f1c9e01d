/**
 * The rest of a permission set's content, for access as code: customer managed policy references,
 * the inline policy, the permissions boundary, tags, detaching, updating and deleting. Conflicts
 * ("another operation is in progress") are retried; "already attached" / "not attached" are the
 * wanted end state and pass.
 */
import {
  AttachCustomerManagedPolicyReferenceToPermissionSetCommand,
  CreatePermissionSetCommand,
  DeleteInlinePolicyFromPermissionSetCommand,
  DeletePermissionSetCommand,
  DeletePermissionsBoundaryFromPermissionSetCommand,
  DetachCustomerManagedPolicyReferenceFromPermissionSetCommand,
  DetachManagedPolicyFromPermissionSetCommand,
  PutInlinePolicyToPermissionSetCommand,
  PutPermissionsBoundaryToPermissionSetCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdatePermissionSetCommand,
  type PermissionSet,
  type SSOAdminClient,
} from '@aws-sdk/client-sso-admin';
import { awsErrorMessage, awsErrorName } from './clients.js';
import { awsCallError } from './errors.js';
import { isRetryableConflict, withRetry } from './retry.js';
import { awsTuning } from './tuning.js';

export interface PolicyReference {
  name: string;
  path: string;
}
export type PermissionsBoundaryRef = { managedPolicyArn: string } | { customerManagedPolicy: PolicyReference };

const retryOpts = (signal?: AbortSignal) => {
  const t = awsTuning();
  // Deleting a set right after its last assignment: AWS answers ConflictException until the set has left the accounts.
  return { baseMs: t.retryBaseMs, capMs: t.retryCapMs, maxAttempts: Math.max(t.retryMaxAttempts, 8), signal, isRetryable: isRetryableConflict };
};

async function call<T>(what: string, action: string, f: () => Promise<T>, signal?: AbortSignal, okWhen?: (e: unknown) => boolean): Promise<T | undefined> {
  try {
    return await withRetry(f, retryOpts(signal));
  } catch (e) {
    if (okWhen?.(e)) return undefined;
    throw awsCallError(e, what, action);
  }
}

const already = (e: unknown) => awsErrorName(e) === 'ConflictException' && /already/i.test(awsErrorMessage(e));
const notThere = (e: unknown) => awsErrorName(e) === 'ResourceNotFoundException' && !/PermissionSet with arn/i.test(awsErrorMessage(e)) && !/Could not find PermissionSet/i.test(awsErrorMessage(e));

export interface NewPermissionSet {
  name: string;
  description?: string;
  sessionDuration: string;
  relayState?: string;
  tags: Record<string, string>;
}

/** CreatePermissionSet with its tags; "already exists" gives undefined (the caller adopts). */
export async function createPermissionSet(client: SSOAdminClient, instanceArn: string, ps: NewPermissionSet, signal?: AbortSignal): Promise<PermissionSet | undefined> {
  const r = await call(
    `creating the permission set "${ps.name}"`,
    'sso:CreatePermissionSet, sso:TagResource',
    () =>
      client.send(
        new CreatePermissionSetCommand({
          InstanceArn: instanceArn,
          Name: ps.name,
          Description: ps.description,
          SessionDuration: ps.sessionDuration,
          RelayState: ps.relayState,
          Tags: Object.entries(ps.tags).map(([Key, Value]) => ({ Key, Value })),
        }),
      ),
    signal,
    (e) => awsErrorName(e) === 'ConflictException' && /already exists/i.test(awsErrorMessage(e)),
  );
  return r?.PermissionSet;
}

/** UpdatePermissionSet with every field (it clears what it is not given). */
export async function updatePermissionSet(client: SSOAdminClient, instanceArn: string, arn: string, f: { description?: string; sessionDuration: string; relayState?: string }, signal?: AbortSignal): Promise<void> {
  await call('updating the permission set', 'sso:UpdatePermissionSet', () =>
    client.send(new UpdatePermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: arn, Description: f.description, SessionDuration: f.sessionDuration, RelayState: f.relayState })),
  signal);
}

export async function detachManagedPolicy(client: SSOAdminClient, instanceArn: string, arn: string, policyArn: string, signal?: AbortSignal): Promise<void> {
  await call(`detaching ${policyArn}`, 'sso:DetachManagedPolicyFromPermissionSet', () => client.send(new DetachManagedPolicyFromPermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: arn, ManagedPolicyArn: policyArn })), signal, notThere);
}

/** Attach's and detach's request: the set and the customer managed policy it names. */
function customerPolicyInput(instanceArn: string, arn: string, ref: PolicyReference) {
  return { InstanceArn: instanceArn, PermissionSetArn: arn, CustomerManagedPolicyReference: { Name: ref.name, Path: ref.path } };
}

export async function attachCustomerManagedPolicy(client: SSOAdminClient, instanceArn: string, arn: string, ref: PolicyReference, signal?: AbortSignal): Promise<void> {
  const send = () => client.send(new AttachCustomerManagedPolicyReferenceToPermissionSetCommand(customerPolicyInput(instanceArn, arn, ref)));
  await call(`attaching the customer managed policy ${ref.path}${ref.name}`, 'sso:AttachCustomerManagedPolicyReferenceToPermissionSet', send, signal, already);
}

export async function detachCustomerManagedPolicy(client: SSOAdminClient, instanceArn: string, arn: string, ref: PolicyReference, signal?: AbortSignal): Promise<void> {
  const send = () => client.send(new DetachCustomerManagedPolicyReferenceFromPermissionSetCommand(customerPolicyInput(instanceArn, arn, ref)));
  await call(`detaching the customer managed policy ${ref.path}${ref.name}`, 'sso:DetachCustomerManagedPolicyReferenceFromPermissionSet', send, signal, notThere);
}

export async function putInlinePolicy(client: SSOAdminClient, instanceArn: string, arn: string, doc: string, signal?: AbortSignal): Promise<void> {
  await call('putting the inline policy', 'sso:PutInlinePolicyToPermissionSet', () => client.send(new PutInlinePolicyToPermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: arn, InlinePolicy: doc })), signal);
}

export async function deleteInlinePolicy(client: SSOAdminClient, instanceArn: string, arn: string, signal?: AbortSignal): Promise<void> {
  await call('deleting the inline policy', 'sso:DeleteInlinePolicyFromPermissionSet', () => client.send(new DeleteInlinePolicyFromPermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: arn })), signal, notThere);
}

export async function putPermissionsBoundary(client: SSOAdminClient, instanceArn: string, arn: string, b: PermissionsBoundaryRef, signal?: AbortSignal): Promise<void> {
  const PermissionsBoundary = 'managedPolicyArn' in b ? { ManagedPolicyArn: b.managedPolicyArn } : { CustomerManagedPolicyReference: { Name: b.customerManagedPolicy.name, Path: b.customerManagedPolicy.path } };
  await call('putting the permissions boundary', 'sso:PutPermissionsBoundaryToPermissionSet', () => client.send(new PutPermissionsBoundaryToPermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: arn, PermissionsBoundary })), signal);
}

export async function deletePermissionsBoundary(client: SSOAdminClient, instanceArn: string, arn: string, signal?: AbortSignal): Promise<void> {
  await call('deleting the permissions boundary', 'sso:DeletePermissionsBoundaryFromPermissionSet', () => client.send(new DeletePermissionsBoundaryFromPermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: arn })), signal, notThere);
}

export async function tagPermissionSet(client: SSOAdminClient, instanceArn: string, arn: string, tags: Record<string, string>, signal?: AbortSignal): Promise<void> {
  if (Object.keys(tags).length === 0) return;
  await call('tagging the permission set', 'sso:TagResource', () => client.send(new TagResourceCommand({ InstanceArn: instanceArn, ResourceArn: arn, Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) })), signal);
}

export async function untagPermissionSet(client: SSOAdminClient, instanceArn: string, arn: string, keys: string[], signal?: AbortSignal): Promise<void> {
  if (keys.length === 0) return;
  await call('untagging the permission set', 'sso:UntagResource', () => client.send(new UntagResourceCommand({ InstanceArn: instanceArn, ResourceArn: arn, TagKeys: keys })), signal);
}

/** DeletePermissionSet; already gone is fine. Conflicts (still leaving its accounts) are retried. */
export async function deletePermissionSet(client: SSOAdminClient, instanceArn: string, arn: string, signal?: AbortSignal): Promise<void> {
  await call('deleting the permission set', 'sso:DeletePermissionSet', () => client.send(new DeletePermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: arn })), signal, (e) => awsErrorName(e) === 'ResourceNotFoundException');
}
