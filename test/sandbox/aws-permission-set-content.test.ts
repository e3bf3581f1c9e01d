/**
 * The sandbox's permission set content (access as code): customer managed policy references, the
 * inline policy, the permissions boundary, tags and DeletePermissionSet, through the SDK; every answer
 * is checked against the service model's output shapes (startAws).
 */
import {
  AttachCustomerManagedPolicyReferenceToPermissionSetCommand,
  CreateAccountAssignmentCommand,
  CreatePermissionSetCommand,
  DeleteAccountAssignmentCommand,
  DeleteInlinePolicyFromPermissionSetCommand,
  DeletePermissionSetCommand,
  DetachCustomerManagedPolicyReferenceFromPermissionSetCommand,
  GetInlinePolicyForPermissionSetCommand,
  GetPermissionsBoundaryForPermissionSetCommand,
  ListAccountsForProvisionedPermissionSetCommand,
  ListCustomerManagedPolicyReferencesInPermissionSetCommand,
  ListInstancesCommand,
  ListTagsForResourceCommand,
  PutInlinePolicyToPermissionSetCommand,
  PutPermissionsBoundaryToPermissionSetCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-sso-admin';
import { ListAccountsCommand } from '@aws-sdk/client-organizations';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scim, startAws, type AwsFixture } from './aws-helpers.js';

let f: AwsFixture;
beforeAll(async () => {
  f = await startAws();
});
afterAll(async () => {
  expect(f.outputViolations).toEqual([]);
  await f.close();
});

describe('sandbox permission set content', () => {
  it('customer managed references, inline policy, boundary and tags: set, read back, removed; a change outdates the accounts holding the set', async () => {
    const sso = f.sso();
    const inst = (await sso.send(new ListInstancesCommand({}))).Instances![0]!;
    const InstanceArn = inst.InstanceArn!;
    const ps = (await sso.send(new CreatePermissionSetCommand({ InstanceArn, Name: 'Content', Tags: [{ Key: 'a', Value: '1' }] }))).PermissionSet!;
    const q = { InstanceArn, PermissionSetArn: ps.PermissionSetArn! };

    await sso.send(new AttachCustomerManagedPolicyReferenceToPermissionSetCommand({ ...q, CustomerManagedPolicyReference: { Name: 'team', Path: '/x/' } }));
    await expect(sso.send(new AttachCustomerManagedPolicyReferenceToPermissionSetCommand({ ...q, CustomerManagedPolicyReference: { Name: 'team', Path: '/x/' } }))).rejects.toMatchObject({ name: 'ConflictException' });
    expect((await sso.send(new ListCustomerManagedPolicyReferencesInPermissionSetCommand(q))).CustomerManagedPolicyReferences).toEqual([{ Name: 'team', Path: '/x/' }]);
    await sso.send(new DetachCustomerManagedPolicyReferenceFromPermissionSetCommand({ ...q, CustomerManagedPolicyReference: { Name: 'team', Path: '/x/' } }));
    expect((await sso.send(new ListCustomerManagedPolicyReferencesInPermissionSetCommand(q))).CustomerManagedPolicyReferences).toEqual([]);

    expect((await sso.send(new GetInlinePolicyForPermissionSetCommand(q))).InlinePolicy ?? '').toBe('');
    await expect(sso.send(new PutInlinePolicyToPermissionSetCommand({ ...q, InlinePolicy: '{"not":"a policy"}' }))).rejects.toMatchObject({ name: 'ValidationException' });
    const doc = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"}]}';
    await sso.send(new PutInlinePolicyToPermissionSetCommand({ ...q, InlinePolicy: doc }));
    expect((await sso.send(new GetInlinePolicyForPermissionSetCommand(q))).InlinePolicy).toBe(doc);
    await sso.send(new DeleteInlinePolicyFromPermissionSetCommand(q));

    await expect(sso.send(new GetPermissionsBoundaryForPermissionSetCommand(q))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await sso.send(new PutPermissionsBoundaryToPermissionSetCommand({ ...q, PermissionsBoundary: { ManagedPolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' } }));
    expect((await sso.send(new GetPermissionsBoundaryForPermissionSetCommand(q))).PermissionsBoundary).toEqual({ ManagedPolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' });

    await sso.send(new TagResourceCommand({ InstanceArn, ResourceArn: q.PermissionSetArn, Tags: [{ Key: 'b', Value: '2' }, { Key: 'a', Value: '3' }] }));
    await sso.send(new UntagResourceCommand({ InstanceArn, ResourceArn: q.PermissionSetArn, TagKeys: ['b'] }));
    expect((await sso.send(new ListTagsForResourceCommand({ InstanceArn, ResourceArn: q.PermissionSetArn }))).Tags).toEqual([{ Key: 'a', Value: '3' }]);

    // Assigned: DeletePermissionSet is refused until the last assignment is gone (which also removes the set from the account).
    const account = (await f.org().send(new ListAccountsCommand({}))).Accounts!.find((a) => a.Status === 'ACTIVE' || a.State === 'ACTIVE')!.Id!;
    const token = f.emu.console.enableAutomaticProvisioning().secrets!['scim-token']!;
    const group = (await scim(f, token, 'POST', '/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'content-group', externalId: 'okta-c1' })).json.id as string;
    const tuple = { ...q, TargetId: account, TargetType: 'AWS_ACCOUNT' as const, PrincipalType: 'GROUP' as const, PrincipalId: group };
    await sso.send(new CreateAccountAssignmentCommand(tuple));
    await expect.poll(async () => (await sso.send(new ListAccountsForProvisionedPermissionSetCommand(q))).AccountIds, { timeout: 5000 }).toEqual([account]);
    await sso.send(new PutPermissionsBoundaryToPermissionSetCommand({ ...q, PermissionsBoundary: { CustomerManagedPolicyReference: { Name: 'boundary' } } }));
    expect((await sso.send(new ListAccountsForProvisionedPermissionSetCommand({ ...q, ProvisioningStatus: 'LATEST_PERMISSION_SET_NOT_PROVISIONED' }))).AccountIds).toEqual([account]);
    await expect(sso.send(new DeletePermissionSetCommand(q))).rejects.toMatchObject({ name: 'ConflictException' });
    await sso.send(new DeleteAccountAssignmentCommand(tuple));
    await expect.poll(async () => (await sso.send(new ListAccountsForProvisionedPermissionSetCommand(q))).AccountIds, { timeout: 5000 }).toEqual([]);
    await sso.send(new DeletePermissionSetCommand(q));
    await expect(sso.send(new ListTagsForResourceCommand({ InstanceArn, ResourceArn: q.PermissionSetArn }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });
});
