/**
 * AWS creates survive a lost answer: the sandbox carries out a share of the requests and then drops
 * the connection (lostAnswerRate); the SDK sends the create again (the one retry policy), meets
 * ConflictException "already exists" / "already attached", and the wizard looks the object up and
 * adopts it (src/aws/retry.ts createOrAdoptAws): each permission set exists once, each policy is
 * attached, and no run fails.
 */
import { ListInstancesCommand, ListPermissionSetsCommand, SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sdkRetrySettings } from '../../src/aws/retry-strategy.js';
import { attachManagedPolicy, createOrAdopt, listAttachedPolicies, madeBySend } from '../../src/aws/permission-sets.js';
import { createOrAdoptAws } from '../../src/aws/retry.js';
import { readRequestLog, withSandbox, type TestSandbox } from '../helpers/sandbox.js';

let sb: TestSandbox;
let sso: SSOAdminClient;
let instanceArn: string;

beforeAll(async () => {
  sb = await withSandbox();
  // Short waits, but long enough for the sandbox's request rate (a token bucket) to refill between
  // throttled attempts: 5-20 ms ran out of attempts while the lookup's concurrent describes waited.
  sso = new SSOAdminClient({ endpoint: sb.info.awsUrl, region: sb.info.region, credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' }, ...sdkRetrySettings({ baseMs: 25, capMs: 400 }) });
  instanceArn = (await sso.send(new ListInstancesCommand({}))).Instances?.[0]?.InstanceArn as string;
});
afterAll(async () => {
  sso.destroy();
  await sb.close();
});

describe('AWS creates after a lost answer', () => {
  it('adopts the permission set and the attached policy the lost attempt made, never duplicates', async () => {
    const since = sb.log.since(0).entries.length;
    const names: string[] = [];
    let lostCreates = 0;
    // Until a CreatePermissionSet answer has been lost (each has a 40% chance).
    for (let i = 0; i < 30 && lostCreates < 1; i++) {
      const name = `FaultSet${i}`;
      names.push(name);
      // Only the two creates lose answers: the lookups and listings around them are not what is tested.
      sb.faults.apply({ aws: { lostAnswerRate: 0.4, operations: ['SWBExternalService.CreatePermissionSet', 'SWBExternalService.AttachManagedPolicyToPermissionSet'] } });
      const r = await createOrAdopt(sso, instanceArn, { name, description: 'fault test', sessionDuration: 'PT1H', managedPolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' } as never);
      expect(r.ps.Name).toBe(name);
      // Made by this create (also when its first answer was lost and the resend met "already exists"):
      // the wizard's own set, never taken for someone else's.
      expect(r.created).toBe(true);
      await attachManagedPolicy(sso, instanceArn, r.ps.PermissionSetArn as string, 'arn:aws:iam::aws:policy/ReadOnlyAccess');
      sb.faults.clear();
      expect(await listAttachedPolicies(sso, instanceArn, r.ps.PermissionSetArn as string)).toEqual(['arn:aws:iam::aws:policy/ReadOnlyAccess']);
      lostCreates = (await readRequestLog(sb, { since })).filter((e) => e.fault === 'lost' && /CreatePermissionSet/.test(e.operation)).length;
    }
    expect(lostCreates).toBeGreaterThanOrEqual(1);
    // Every set exists exactly once.
    const arns = (await sso.send(new ListPermissionSetsCommand({ InstanceArn: instanceArn, MaxResults: 100 }))).PermissionSets ?? [];
    expect(arns).toHaveLength(names.length);
  });

  it("a set someone else made before the create is adopted, not counted as the wizard's", async () => {
    const want = { name: 'MadeBefore', description: 'fault test', sessionDuration: 'PT1H', managedPolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' };
    const first = await createOrAdopt(sso, instanceArn, want);
    expect(first.created).toBe(true);
    const again = await createOrAdopt(sso, instanceArn, want);
    expect(again.ps.PermissionSetArn).toBe(first.ps.PermissionSetArn);
    // Same values, but it existed before this create was sent (more than the clock skew SigV4 allows).
    expect(madeBySend(again.ps, want, Date.now() + 6 * 60_000)).toBe(false);
    // Made after the send, but with other values: not what this create sent.
    expect(madeBySend(again.ps, { ...want, description: 'other' }, Date.now() - 1000)).toBe(false);
    expect(madeBySend(again.ps, want, Date.now() - 1000)).toBe(true);
  });

  it('a conflict with nothing to adopt stands (the lookup finds nothing)', async () => {
    const conflict = Object.assign(new Error('PermissionSet with name X already exists.'), { name: 'ConflictException' });
    await expect(createOrAdoptAws(async () => Promise.reject(conflict), async () => undefined)).rejects.toBe(conflict);
    const other = Object.assign(new Error('bad'), { name: 'ValidationException' });
    let looked = false;
    await expect(createOrAdoptAws(async () => Promise.reject(other), async () => ((looked = true), 'x'))).rejects.toBe(other);
    expect(looked).toBe(false);
  });
});
