import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AttachManagedPolicyToPermissionSetCommand,
  CreateAccountAssignmentCommand,
  CreatePermissionSetCommand,
  DeleteAccountAssignmentCommand,
  DescribeAccountAssignmentCreationStatusCommand,
  DescribeAccountAssignmentDeletionStatusCommand,
  DescribeInstanceCommand,
  DescribePermissionSetProvisioningStatusCommand,
  ListAccountAssignmentCreationStatusCommand,
  ListAccountAssignmentsCommand,
  ListAccountAssignmentsForPrincipalCommand,
  ListAccountsForProvisionedPermissionSetCommand,
  ListInstancesCommand,
  ListManagedPoliciesInPermissionSetCommand,
  ListPermissionSetsCommand,
  ListPermissionSetsProvisionedToAccountCommand,
  ProvisionPermissionSetCommand,
  UpdatePermissionSetCommand,
  paginateListPermissionSets,
} from '@aws-sdk/client-sso-admin';
import { DescribeOrganizationCommand, ListAccountsCommand, ListAWSServiceAccessForOrganizationCommand, ListChildrenCommand, ListDelegatedAdministratorsCommand, ListOrganizationalUnitsForParentCommand, ListRootsCommand, DescribeAccountCommand, ListAccountsForParentCommand } from '@aws-sdk/client-organizations';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { startAws, scim, scimUser, waitFor, type AwsFixture } from './aws-helpers.js';

let fx: AwsFixture;
let token: string;
let groupId: string;
let instanceArn: string;

beforeAll(async () => {
  fx = await startAws();
  instanceArn = fx.emu.info().instanceArn;
  token = fx.emu.console.enableAutomaticProvisioning().secrets!['scim-token']!;
  const g = await scim(fx, token, 'POST', '/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'awsssoPowerUsers', externalId: 'okta-g1' });
  expect(g.status).toBe(201);
  groupId = g.json.id as string;
});
afterAll(async () => {
  await fx.close();
  expect(fx.outputViolations).toEqual([]);
});

/** Every account of the organization (ListAccounts pages: 20 at most per page). */
async function activeAccounts(f: AwsFixture = fx): Promise<{ Id?: string; State?: string }[]> {
  const out: { Id?: string; State?: string }[] = [];
  let token: string | undefined;
  do {
    const r = await f.org().send(new ListAccountsCommand({ NextToken: token }));
    out.push(...(r.Accounts ?? []));
    token = r.NextToken;
  } while (token);
  return out;
}

describe('instance and region', () => {
  it('ListInstances answers the ACTIVE instance in the home region and nothing in another region', async () => {
    const home = await fx.sso().send(new ListInstancesCommand({}));
    expect(home.Instances).toHaveLength(1);
    const ins = home.Instances![0]!;
    expect(ins.Status).toBe('ACTIVE');
    expect(ins.PrimaryRegion).toBe('us-east-2');
    expect(ins.IdentityStoreId).toMatch(/^d-[0-9a-f]{10}$/);
    expect(ins.InstanceArn).toMatch(/^arn:aws:sso:::instance\/ssoins-[0-9a-f]{16}$/);
    const other = await fx.sso('eu-west-1').send(new ListInstancesCommand({}));
    expect(other.Instances ?? []).toEqual([]);
    const d = await fx.sso().send(new DescribeInstanceCommand({ InstanceArn: instanceArn }));
    expect(d.IdentityStoreId).toBe(ins.IdentityStoreId);
    await expect(fx.sso('eu-west-1').send(new DescribeInstanceCommand({ InstanceArn: instanceArn }))).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(fx.sso().send(new DescribeInstanceCommand({ InstanceArn: 'arn:aws:sso:::instance/ssoins-0000000000000000' }))).rejects.toMatchObject({ name: 'ValidationException' });
  });

  it('STS GetCallerIdentity (AWS Query protocol) names the management account', async () => {
    const r = await fx.sts().send(new GetCallerIdentityCommand({}));
    expect(r.Account).toBe(fx.emu.info().managementAccountId);
    expect(r.Arn).toContain(`arn:aws:iam::${r.Account}:`);
  });
});

describe('organizations', () => {
  it('describes the organization and lists 1 management + 26 active + 1 suspended accounts with State and Status', async () => {
    const o = await fx.org().send(new DescribeOrganizationCommand({}));
    expect(o.Organization?.FeatureSet).toBe('ALL');
    expect(o.Organization?.MasterAccountId).toBe(fx.emu.info().managementAccountId);
    expect(o.Organization?.Id).toMatch(/^o-[a-z0-9]{10}$/);
    const accounts = await activeAccounts();
    expect(accounts).toHaveLength(28);
    expect(accounts.filter((a) => a.State === 'ACTIVE')).toHaveLength(27);
    const suspended = accounts.filter((a) => a.State === 'SUSPENDED');
    expect(suspended).toHaveLength(1);
    expect((suspended[0] as { Status?: string }).Status).toBe('SUSPENDED');
    const one = await fx.org().send(new DescribeAccountCommand({ AccountId: accounts[1]!.Id! }));
    expect(one.Account?.Id).toBe(accounts[1]!.Id);
  });

  it('accounts are deterministic from the seed', async () => {
    const again = await startAws({}, 'test-seed');
    const other = await startAws({}, 'another-seed');
    try {
      const ids = async (f: AwsFixture) => (await activeAccounts(f)).map((a) => a.Id);
      expect(await ids(again)).toEqual((await activeAccounts()).map((a) => a.Id));
      expect(await ids(other)).not.toEqual(await ids(again));
    } finally {
      await again.close();
      await other.close();
    }
  });

  it('walks root > OUs > nested OUs three deep and their accounts; the suspended account in its own OU; a delegated admin; sso trusted access enabled', async () => {
    const roots = await fx.org().send(new ListRootsCommand({}));
    const rootId = roots.Roots![0]!.Id!;
    const ous = await fx.org().send(new ListOrganizationalUnitsForParentCommand({ ParentId: rootId }));
    expect(ous.OrganizationalUnits?.map((o) => o.Name).sort()).toEqual(['Infrastructure', 'Sandbox', 'Security', 'Suspended', 'Workloads']);
    const workloads = ous.OrganizationalUnits!.find((o) => o.Name === 'Workloads')!.Id!;
    const nested = await fx.org().send(new ListOrganizationalUnitsForParentCommand({ ParentId: workloads }));
    expect(nested.OrganizationalUnits?.map((o) => o.Name).sort()).toEqual(['Non-Production', 'Production']);
    const prod = nested.OrganizationalUnits!.find((o) => o.Name === 'Production')!.Id!;
    const deeper = await fx.org().send(new ListChildrenCommand({ ParentId: prod, ChildType: 'ORGANIZATIONAL_UNIT' }));
    expect(deeper.Children).toHaveLength(1);
    const inDeepest = await fx.org().send(new ListAccountsForParentCommand({ ParentId: deeper.Children![0]!.Id! }));
    expect(inDeepest.Accounts!.length).toBeGreaterThan(0);
    const suspendedOu = ous.OrganizationalUnits!.find((o) => o.Name === 'Suspended')!.Id!;
    const parked = await fx.org().send(new ListAccountsForParentCommand({ ParentId: suspendedOu }));
    expect(parked.Accounts?.map((a) => a.State)).toEqual(['SUSPENDED']);
    const admins = await fx.org().send(new ListDelegatedAdministratorsCommand({ ServicePrincipal: 'sso.amazonaws.com' }));
    expect(admins.DelegatedAdministrators?.map((a) => a.Name)).toEqual(['Security']);
    const access = await fx.org().send(new ListAWSServiceAccessForOrganizationCommand({}));
    expect(access.EnabledServicePrincipals?.map((p) => p.ServicePrincipal)).toContain('sso.amazonaws.com');
  });

  it('pages ListAccounts by MaxResults with NextToken (max 20 per the model)', async () => {
    const p1 = await fx.org().send(new ListAccountsCommand({ MaxResults: 10 }));
    expect(p1.Accounts).toHaveLength(10);
    expect(p1.NextToken).toBeTruthy();
    const p2 = await fx.org().send(new ListAccountsCommand({ MaxResults: 10, NextToken: p1.NextToken }));
    const p3 = await fx.org().send(new ListAccountsCommand({ MaxResults: 10, NextToken: p2.NextToken }));
    expect(p3.Accounts).toHaveLength(8);
    expect(p3.NextToken).toBeUndefined();
    await expect(fx.org().send(new ListAccountsCommand({ MaxResults: 21 }))).rejects.toMatchObject({ name: 'InvalidInputException' });
  });
});

describe('validation against the service model', () => {
  it('rejects a 40-character permission set name with ValidationException', async () => {
    const err = await fx
      .sso()
      .send(new CreatePermissionSetCommand({ InstanceArn: instanceArn, Name: 'x'.repeat(40) }))
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'ValidationException', $metadata: { httpStatusCode: 400 } });
    expect((err as Error).message).toMatch(/length less than or equal to 32/);
  });

  it('rejects a 12-character TargetId with a letter (the pattern is anchored to the whole value)', async () => {
    const err = await fx
      .sso()
      .send(
        new CreateAccountAssignmentCommand({
          InstanceArn: instanceArn,
          TargetId: '12345678901a',
          TargetType: 'AWS_ACCOUNT',
          PermissionSetArn: `arn:aws:sso:::permissionSet/${instanceArn.split('/')[1]}/ps-0123456789abcdef`,
          PrincipalType: 'GROUP',
          PrincipalId: groupId,
        }),
      )
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'ValidationException' });
    expect((err as Error).message).toMatch(/TargetId/);
  });

  it('rejects a missing required member and a bad enum value, over raw HTTP with __type', async () => {
    const post = (target: string, body: unknown) =>
      fetch(fx.url, { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target }, body: JSON.stringify(body) });
    const r1 = await post('SWBExternalService.CreatePermissionSet', { Name: 'ok' });
    expect(r1.status).toBe(400);
    const b1 = (await r1.json()) as { __type: string; message: string };
    expect(b1.__type).toBe('com.amazonaws.swbexternalservice#ValidationException');
    expect(b1.message).toMatch(/InstanceArn/);
    const r2 = await post('SWBExternalService.ProvisionPermissionSet', { InstanceArn: instanceArn, PermissionSetArn: 'arn:aws:sso:::permissionSet/ssoins-0123456789abcdef/ps-0123456789abcdef', TargetType: 'EVERYWHERE' });
    const b2 = (await r2.json()) as { __type: string; message: string };
    expect(b2.__type).toMatch(/#ValidationException$/);
    expect(b2.message).toMatch(/enum/);
    const r3 = await post('AWSIdentityStore.ListUsers', { IdentityStoreId: 'not-an-id' });
    expect(((await r3.json()) as { __type: string }).__type).toBe('com.amazonaws.awsidentitystore#ValidationException');
  });
});

describe('permission sets', () => {
  it('creates, refuses a duplicate name with ConflictException, lists with page sizes, updates', async () => {
    const sso = fx.sso();
    const created = await sso.send(new CreatePermissionSetCommand({ InstanceArn: instanceArn, Name: 'PowerUsers', SessionDuration: 'PT4H' }));
    expect(created.PermissionSet?.PermissionSetArn).toMatch(/^arn:aws:sso:::permissionSet\/ssoins-[0-9a-f]{16}\/ps-[0-9a-f]{16}$/);
    const dup = await sso.send(new CreatePermissionSetCommand({ InstanceArn: instanceArn, Name: 'PowerUsers' })).catch((e: unknown) => e);
    expect(dup).toMatchObject({ name: 'ConflictException', message: 'PermissionSet with name PowerUsers already exists.' });
    for (const n of ['A1', 'A2', 'A3', 'A4']) await sso.send(new CreatePermissionSetCommand({ InstanceArn: instanceArn, Name: n }));
    const first = await sso.send(new ListPermissionSetsCommand({ InstanceArn: instanceArn, MaxResults: 2 }));
    expect(first.PermissionSets).toHaveLength(2);
    expect(first.NextToken).toBeTruthy();
    const all: string[] = [];
    for await (const p of paginateListPermissionSets({ client: sso, pageSize: 2 }, { InstanceArn: instanceArn })) all.push(...(p.PermissionSets ?? []));
    expect(all).toHaveLength(5);
    expect(new Set(all).size).toBe(5);
    await sso.send(new UpdatePermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: created.PermissionSet!.PermissionSetArn!, Description: 'Power users' }));
    const bad = await sso.send(new ListPermissionSetsCommand({ InstanceArn: instanceArn, NextToken: 'garbage' })).catch((e: unknown) => e);
    expect(bad).toMatchObject({ name: 'ValidationException' });
  });

  it('answers ConflictException to a write that overlaps another write on the same permission set', async () => {
    // A long lock (400 ms) so that two requests sent together surely overlap on a loaded machine.
    const slow = await startAws({}, 'test-seed', 400);
    const sso = slow.sso();
    const ps = await sso.send(new CreatePermissionSetCommand({ InstanceArn: instanceArn, Name: 'Concurrent' }));
    const arn = ps.PermissionSet!.PermissionSetArn!;
    const results = await Promise.allSettled([
      sso.send(new AttachManagedPolicyToPermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: arn, ManagedPolicyArn: 'arn:aws:iam::aws:policy/PowerUserAccess' })),
      sso.send(new AttachManagedPolicyToPermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: arn, ManagedPolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' })),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(rejected.reason).toMatchObject({ name: 'ConflictException' });
    // Sequential writes after the first completes succeed.
    await sso.send(new AttachManagedPolicyToPermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: arn, ManagedPolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }));
    const listed = await sso.send(new ListManagedPoliciesInPermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: arn }));
    expect(listed.AttachedManagedPolicies?.map((p) => p.Name).sort()).toEqual(['PowerUserAccess', 'ReadOnlyAccess']);
    await slow.close();
  });
});

describe('account assignments', () => {
  it('goes IN_PROGRESS then SUCCEEDED; provisions the set; a later policy change leaves the account NOT_PROVISIONED until ProvisionPermissionSet', async () => {
    const sso = fx.sso();
    const ps = await sso.send(new CreatePermissionSetCommand({ InstanceArn: instanceArn, Name: 'Assign1' }));
    const arn = ps.PermissionSet!.PermissionSetArn!;
    const account = (await activeAccounts()).find((a) => a.State === 'ACTIVE' && a.Id !== fx.emu.info().managementAccountId)!.Id!;
    const c = await sso.send(
      new CreateAccountAssignmentCommand({ InstanceArn: instanceArn, TargetId: account, TargetType: 'AWS_ACCOUNT', PermissionSetArn: arn, PrincipalType: 'GROUP', PrincipalId: groupId }),
    );
    expect(c.AccountAssignmentCreationStatus?.Status).toBe('IN_PROGRESS');
    const reqId = c.AccountAssignmentCreationStatus!.RequestId!;
    const done = await waitFor(
      () => sso.send(new DescribeAccountAssignmentCreationStatusCommand({ InstanceArn: instanceArn, AccountAssignmentCreationRequestId: reqId })),
      (r) => r.AccountAssignmentCreationStatus?.Status !== 'IN_PROGRESS',
    );
    expect(done.AccountAssignmentCreationStatus?.Status).toBe('SUCCEEDED');
    const listed = await sso.send(new ListAccountAssignmentsCommand({ InstanceArn: instanceArn, AccountId: account, PermissionSetArn: arn }));
    expect(listed.AccountAssignments).toEqual([{ AccountId: account, PermissionSetArn: arn, PrincipalType: 'GROUP', PrincipalId: groupId }]);
    const forPrincipal = await sso.send(new ListAccountAssignmentsForPrincipalCommand({ InstanceArn: instanceArn, PrincipalId: groupId, PrincipalType: 'GROUP' }));
    expect(forPrincipal.AccountAssignments?.some((a) => a.AccountId === account && a.PermissionSetArn === arn)).toBe(true);
    const toAccount = await sso.send(new ListPermissionSetsProvisionedToAccountCommand({ InstanceArn: instanceArn, AccountId: account }));
    expect(toAccount.PermissionSets).toContain(arn);
    const statusList = await sso.send(new ListAccountAssignmentCreationStatusCommand({ InstanceArn: instanceArn, Filter: { Status: 'SUCCEEDED' } }));
    expect(statusList.AccountAssignmentsCreationStatus?.some((s) => s.RequestId === reqId)).toBe(true);

    const provisioned = (status?: 'LATEST_PERMISSION_SET_PROVISIONED' | 'LATEST_PERMISSION_SET_NOT_PROVISIONED') =>
      sso.send(new ListAccountsForProvisionedPermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: arn, ProvisioningStatus: status })).then((r) => r.AccountIds ?? []);
    expect(await provisioned('LATEST_PERMISSION_SET_PROVISIONED')).toEqual([account]);
    await sso.send(new AttachManagedPolicyToPermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: arn, ManagedPolicyArn: 'arn:aws:iam::aws:policy/PowerUserAccess' }));
    expect(await provisioned('LATEST_PERMISSION_SET_NOT_PROVISIONED')).toEqual([account]);
    expect(await provisioned('LATEST_PERMISSION_SET_PROVISIONED')).toEqual([]);
    const p = await sso.send(new ProvisionPermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: arn, TargetType: 'ALL_PROVISIONED_ACCOUNTS' }));
    expect(p.PermissionSetProvisioningStatus?.Status).toBe('IN_PROGRESS');
    const pdone = await waitFor(
      () => sso.send(new DescribePermissionSetProvisioningStatusCommand({ InstanceArn: instanceArn, ProvisionPermissionSetRequestId: p.PermissionSetProvisioningStatus!.RequestId! })),
      (r) => r.PermissionSetProvisioningStatus?.Status !== 'IN_PROGRESS',
    );
    expect(pdone.PermissionSetProvisioningStatus?.Status).toBe('SUCCEEDED');
    expect(await provisioned('LATEST_PERMISSION_SET_PROVISIONED')).toEqual([account]);

    const del = await sso.send(
      new DeleteAccountAssignmentCommand({ InstanceArn: instanceArn, TargetId: account, TargetType: 'AWS_ACCOUNT', PermissionSetArn: arn, PrincipalType: 'GROUP', PrincipalId: groupId }),
    );
    const ddone = await waitFor(
      () => sso.send(new DescribeAccountAssignmentDeletionStatusCommand({ InstanceArn: instanceArn, AccountAssignmentDeletionRequestId: del.AccountAssignmentDeletionStatus!.RequestId! })),
      (r) => r.AccountAssignmentDeletionStatus?.Status !== 'IN_PROGRESS',
    );
    expect(ddone.AccountAssignmentDeletionStatus?.Status).toBe('SUCCEEDED');
    const after = await sso.send(new ListAccountAssignmentsCommand({ InstanceArn: instanceArn, AccountId: account, PermissionSetArn: arn }));
    expect(after.AccountAssignments).toEqual([]);
  });

  it('ends FAILED with a FailureReason for the suspended account', async () => {
    const sso = fx.sso();
    const ps = await sso.send(new CreatePermissionSetCommand({ InstanceArn: instanceArn, Name: 'Assign2' }));
    const suspended = (await activeAccounts()).find((a) => a.State === 'SUSPENDED')!.Id!;
    const c = await sso.send(
      new CreateAccountAssignmentCommand({ InstanceArn: instanceArn, TargetId: suspended, TargetType: 'AWS_ACCOUNT', PermissionSetArn: ps.PermissionSet!.PermissionSetArn!, PrincipalType: 'GROUP', PrincipalId: groupId }),
    );
    expect(c.AccountAssignmentCreationStatus?.Status).toBe('IN_PROGRESS');
    const done = await waitFor(
      () => sso.send(new DescribeAccountAssignmentCreationStatusCommand({ InstanceArn: instanceArn, AccountAssignmentCreationRequestId: c.AccountAssignmentCreationStatus!.RequestId! })),
      (r) => r.AccountAssignmentCreationStatus?.Status !== 'IN_PROGRESS',
    );
    expect(done.AccountAssignmentCreationStatus?.Status).toBe('FAILED');
    expect(done.AccountAssignmentCreationStatus?.FailureReason).toMatch(/SUSPENDED/);
  });

  it('deletes the leftover assignment of a user deleted through SCIM', async () => {
    const sso = fx.sso();
    const ps = await sso.send(new CreatePermissionSetCommand({ InstanceArn: instanceArn, Name: 'Leftover' }));
    const arn = ps.PermissionSet!.PermissionSetArn!;
    const account = (await activeAccounts())[1]!.Id!;
    const user = await scim(fx, token, 'POST', '/Users', scimUser('leaver@example.com'));
    const userId = user.json.id as string;
    const tuple = { InstanceArn: instanceArn, TargetId: account, TargetType: 'AWS_ACCOUNT' as const, PermissionSetArn: arn, PrincipalType: 'USER' as const, PrincipalId: userId };
    const c = await sso.send(new CreateAccountAssignmentCommand(tuple));
    await waitFor(
      () => sso.send(new DescribeAccountAssignmentCreationStatusCommand({ InstanceArn: instanceArn, AccountAssignmentCreationRequestId: c.AccountAssignmentCreationStatus!.RequestId! })),
      (r) => r.AccountAssignmentCreationStatus?.Status !== 'IN_PROGRESS',
    );
    expect((await scim(fx, token, 'DELETE', `/Users/${userId}`)).status).toBe(204);
    const d = await sso.send(new DeleteAccountAssignmentCommand(tuple));
    const done = await waitFor(
      () => sso.send(new DescribeAccountAssignmentDeletionStatusCommand({ InstanceArn: instanceArn, AccountAssignmentDeletionRequestId: d.AccountAssignmentDeletionStatus!.RequestId! })),
      (r) => r.AccountAssignmentDeletionStatus?.Status !== 'IN_PROGRESS',
    );
    expect(done.AccountAssignmentDeletionStatus?.Status).toBe('SUCCEEDED');
    // A new assignment for the deleted user is refused.
    await expect(sso.send(new CreateAccountAssignmentCommand(tuple))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('refuses an unknown principal with ResourceNotFoundException', async () => {
    const sso = fx.sso();
    const ps = await sso.send(new CreatePermissionSetCommand({ InstanceArn: instanceArn, Name: 'Assign3' }));
    const account = (await activeAccounts())[1]!.Id!;
    const err = await sso
      .send(
        new CreateAccountAssignmentCommand({
          InstanceArn: instanceArn,
          TargetId: account,
          TargetType: 'AWS_ACCOUNT',
          PermissionSetArn: ps.PermissionSet!.PermissionSetArn!,
          PrincipalType: 'GROUP',
          PrincipalId: '0123456789-01234567-89ab-4def-8123-456789abcdef',
        }),
      )
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'ResourceNotFoundException' });
  });
});
