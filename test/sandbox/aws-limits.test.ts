import { afterEach, describe, expect, it } from 'vitest';
import { CreateAccountAssignmentCommand, CreatePermissionSetCommand, DescribeAccountAssignmentCreationStatusCommand, ListInstancesCommand, ListPermissionSetsCommand } from '@aws-sdk/client-sso-admin';
import { ListAccountsCommand } from '@aws-sdk/client-organizations';
import { GetGroupIdCommand, ListGroupsCommand, ListUsersCommand } from '@aws-sdk/client-identitystore';
import { startAws, scim, waitFor, type AwsFixture } from './aws-helpers.js';
import { createAwsEmulator } from '../../src/sandbox/aws/index.js';
import type { SandboxRequest } from '../../src/sandbox/types.js';

let fx: AwsFixture | undefined;
afterEach(async () => {
  await fx?.close();
  expect(fx?.outputViolations ?? []).toEqual([]);
  fx = undefined;
});

async function groups(f: AwsFixture, n: number): Promise<string[]> {
  const token = f.emu.console.enableAutomaticProvisioning().secrets!['scim-token']!;
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = await scim(f, token, 'POST', '/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: `g${i}` });
    ids.push(r.json.id as string);
  }
  return ids;
}

describe('throttling', () => {
  it('answers ThrottlingException above requestsPerSecond on sso-admin', async () => {
    fx = await startAws({ requestsPerSecond: 3 });
    const sso = fx.sso();
    const results = await Promise.allSettled(Array.from({ length: 30 }, () => sso.send(new ListInstancesCommand({}))));
    const throttled = results.filter((r) => r.status === 'rejected');
    expect(results.filter((r) => r.status === 'fulfilled').length).toBeGreaterThanOrEqual(3);
    expect(throttled.length).toBeGreaterThan(0);
    expect((throttled[0] as PromiseRejectedResult).reason).toMatchObject({ name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
    // Organizations is not in the sso-admin bucket.
    await expect(fx.org().send(new ListAccountsCommand({}))).resolves.toBeDefined();
  });

  it('answers ThrottlingException when more than maxOutstandingAssignments creations are IN_PROGRESS', async () => {
    fx = await startAws({ assignmentDelayMs: 60_000, maxOutstandingAssignments: 3 });
    const instanceArn = fx.emu.info().instanceArn;
    const sso = fx.sso();
    const ps = await sso.send(new CreatePermissionSetCommand({ InstanceArn: instanceArn, Name: 'Many' }));
    const ids = await groups(fx, 4);
    const account = ((await fx.org().send(new ListAccountsCommand({}))).Accounts ?? [])[1]!.Id!;
    const create = (gid: string) =>
      sso.send(new CreateAccountAssignmentCommand({ InstanceArn: instanceArn, TargetId: account, TargetType: 'AWS_ACCOUNT', PermissionSetArn: ps.PermissionSet!.PermissionSetArn!, PrincipalType: 'GROUP', PrincipalId: gid }));
    for (const gid of ids.slice(0, 3)) expect((await create(gid)).AccountAssignmentCreationStatus?.Status).toBe('IN_PROGRESS');
    await expect(create(ids[3]!)).rejects.toMatchObject({ name: 'ThrottlingException' });
    // The same tuple again while its creation is in progress is a conflict.
    await expect(create(ids[0]!)).rejects.toMatchObject({ name: 'ConflictException' });
  });

  it('has the default of 10 outstanding creations', async () => {
    fx = await startAws({ assignmentDelayMs: 60_000 });
    const instanceArn = fx.emu.info().instanceArn;
    const sso = fx.sso();
    const ps = await sso.send(new CreatePermissionSetCommand({ InstanceArn: instanceArn, Name: 'Ten' }));
    const ids = await groups(fx, 11);
    const account = ((await fx.org().send(new ListAccountsCommand({}))).Accounts ?? [])[1]!.Id!;
    const outcomes = [];
    for (const gid of ids) {
      outcomes.push(
        await sso
          .send(new CreateAccountAssignmentCommand({ InstanceArn: instanceArn, TargetId: account, TargetType: 'AWS_ACCOUNT', PermissionSetArn: ps.PermissionSet!.PermissionSetArn!, PrincipalType: 'GROUP', PrincipalId: gid }))
          .then(() => 'ok', (e: Error) => e.name),
      );
    }
    expect(outcomes.filter((o) => o === 'ok')).toHaveLength(10);
    expect(outcomes[10]).toBe('ThrottlingException');
  });
});

describe('page sizes', () => {
  it('identitystore and sso-admin honour MaxResults up to the model maximum (100) and page with NextToken', async () => {
    fx = await startAws();
    await groups(fx, 3);
    const storeId = fx.emu.info().identityStoreId;
    const ids = fx.ids();
    const seen: string[] = [];
    let next: string | undefined;
    let pages = 0;
    do {
      const r = await ids.send(new ListGroupsCommand({ IdentityStoreId: storeId, MaxResults: 2, NextToken: next }));
      expect(r.Groups!.length).toBeLessThanOrEqual(2);
      seen.push(...r.Groups!.map((g) => g.DisplayName!));
      next = r.NextToken;
      pages++;
    } while (next);
    expect(pages).toBe(2);
    expect(seen.sort()).toEqual(['g0', 'g1', 'g2']);
    await expect(ids.send(new ListGroupsCommand({ IdentityStoreId: storeId, MaxResults: 101 }))).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(fx.sso().send(new ListPermissionSetsCommand({ InstanceArn: fx.emu.info().instanceArn, MaxResults: 101 }))).rejects.toMatchObject({ name: 'ValidationException' });
    const token = (await ids.send(new ListGroupsCommand({ IdentityStoreId: storeId, MaxResults: 1 }))).NextToken;
    // A NextToken only works for the operation that issued it.
    await expect(ids.send(new ListUsersCommand({ IdentityStoreId: storeId, NextToken: token }))).rejects.toMatchObject({ name: 'ValidationException' });
  });
});

describe('options and fault answers', () => {
  it('failingAccounts end FAILED; a different home region moves the instance', async () => {
    fx = await startAws({ region: 'eu-central-1', memberAccounts: 3 });
    expect(fx.emu.info().region).toBe('eu-central-1');
    expect((await fx.sso('eu-central-1').send(new ListInstancesCommand({}))).Instances).toHaveLength(1);
    expect((await fx.sso('us-east-2').send(new ListInstancesCommand({}))).Instances ?? []).toEqual([]);
    const accounts = (await fx.org().send(new ListAccountsCommand({}))).Accounts ?? [];
    expect(accounts).toHaveLength(4);
    const failing = accounts.find((a) => a.State === 'ACTIVE' && a.Id !== fx!.emu.info().managementAccountId)!.Id!;
    fx.emu.setOptions({ failingAccounts: [failing] });
    const instanceArn = fx.emu.info().instanceArn;
    const sso = fx.sso('eu-central-1');
    const ps = await sso.send(new CreatePermissionSetCommand({ InstanceArn: instanceArn, Name: 'Failing' }));
    const [gid] = await groups(fx, 1);
    const c = await sso.send(
      new CreateAccountAssignmentCommand({ InstanceArn: instanceArn, TargetId: failing, TargetType: 'AWS_ACCOUNT', PermissionSetArn: ps.PermissionSet!.PermissionSetArn!, PrincipalType: 'GROUP', PrincipalId: gid! }),
    );
    const done = await waitFor(
      () => sso.send(new DescribeAccountAssignmentCreationStatusCommand({ InstanceArn: instanceArn, AccountAssignmentCreationRequestId: c.AccountAssignmentCreationStatus!.RequestId! })),
      (r) => r.AccountAssignmentCreationStatus?.Status !== 'IN_PROGRESS',
    );
    expect(done.AccountAssignmentCreationStatus).toMatchObject({ Status: 'FAILED', FailureReason: expect.stringContaining(failing) });
  });

  it('faultResponse gives each protocol its own throttle and error answers', () => {
    const emu = createAwsEmulator({ seed: "faults" });
    const json = (target: string): SandboxRequest => ({ method: 'POST', path: '/', query: new URLSearchParams(), headers: { 'x-amz-target': target }, body: Buffer.from('{}') });
    const t = emu.faultResponse('throttle', json('SWBExternalService.ListInstances'));
    expect(t.status).toBe(400);
    expect(JSON.parse(String(t.body)).__type).toBe('com.amazonaws.swbexternalservice#ThrottlingException');
    const e = emu.faultResponse('error', json('AWSIdentityStore.ListUsers'));
    expect(e.status).toBe(500);
    expect(JSON.parse(String(e.body)).__type).toBe('com.amazonaws.awsidentitystore#InternalServerException');
    const o = emu.faultResponse('throttle', json('AWSOrganizationsV20161128.ListAccounts'));
    expect(JSON.parse(String(o.body)).__type).toMatch(/#TooManyRequestsException$/);
    const tenant = emu.info().scimEndpoint.split('/')[3];
    const s = emu.faultResponse('throttle', { method: 'GET', path: `/${tenant}/scim/v2/Users`, query: new URLSearchParams(), headers: {}, body: Buffer.alloc(0) });
    expect(s).toMatchObject({ status: 429, service: 'scim' });
  });
});

describe('snapshot and restore', () => {
  it('restores the full state into a fresh emulator, and refuses a foreign snapshot', async () => {
    fx = await startAws();
    const instanceArn = fx.emu.info().instanceArn;
    await fx.sso().send(new CreatePermissionSetCommand({ InstanceArn: instanceArn, Name: 'Persisted' }));
    const ids = await groups(fx, 1);
    const snap = JSON.parse(JSON.stringify(fx.emu.snapshot())) as unknown;
    expect(JSON.stringify(snap)).not.toMatch(/"token"/);
    const fresh = await startAws({}, 'other-seed');
    try {
      expect(fresh.emu.info().instanceArn).not.toBe(instanceArn);
      fresh.emu.restore(snap);
      expect(fresh.emu.info().instanceArn).toBe(instanceArn);
      const ps = await fresh.sso().send(new ListPermissionSetsCommand({ InstanceArn: instanceArn }));
      expect(ps.PermissionSets).toHaveLength(1);
      const g = await fresh.ids().send(new GetGroupIdCommand({ IdentityStoreId: fresh.emu.info().identityStoreId, AlternateIdentifier: { UniqueAttribute: { AttributePath: 'displayName', AttributeValue: 'g0' } } }));
      expect(g.GroupId).toBe(ids[0]);
      expect(() => fresh.emu.restore({ hello: 1 })).toThrow(/version-1/);
    } finally {
      await fresh.close();
    }
  });
});

