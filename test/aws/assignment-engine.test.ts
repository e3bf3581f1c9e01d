/**
 * The assignment engine against the sandbox: status in bulk (no per-request describe unless a
 * request FAILED), deletions (resumable), adaptive pacing within the outstanding limit, and no
 * knowledge of the sandbox's latency in the engine. No timing assertions: request logs, results and
 * what the emulator observed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { assignAccounts, unassignAccounts, type AccountUnassignmentResult, type AssignmentTarget } from '../../src/aws/assignments.js';
import { ensurePermissionSet } from '../../src/aws/permission-sets.js';
import { DEFAULT_TUNING } from '../../src/aws/tuning.js';
import { SANDBOX_TUNING } from '../../src/aws/session.js';
import { InterruptedError } from '../../src/errors.js';
import { applyStep } from '../helpers/step-harness.js';
import { preflightStep } from '../../src/steps/01-preflight.js';
import type { PreflightOutput } from '../../src/steps/outputs.js';
import { readRequestLog } from '../helpers/sandbox.js';
import { scimCall, startAwsStepFixture, type AwsStepFixture } from './step-fixture.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

let fx: AwsStepFixture;
let pf: PreflightOutput['aws'];
let client: SSOAdminClient;
let psArn: string;
let token: string;
let targets: AssignmentTarget[];

interface Snap {
  accounts: { id: string; state: string }[];
  assignments: { accountId: string; principalId: string; permissionSetArn: string }[];
}
const snap = (): Snap => fx.sb.aws.snapshot() as Snap;

async function newGroup(name: string): Promise<string> {
  const g = await scimCall(fx.sb.aws.info().scimEndpoint, token, 'POST', '/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: name });
  expect(g.status).toBe(201);
  return g.json.id as string;
}

const ops = async (cursor: number): Promise<string[]> => (await readRequestLog(fx.sb)).slice(cursor).map((e) => e.operation.split('.').pop()!);
const count = (list: string[], op: string): number => list.filter((o) => o === op).length;

beforeAll(async () => {
  fx = await startAwsStepFixture({ aws: { memberAccounts: 41, assignmentDelayMs: 40, assignmentDelayMaxMs: 260 } });
  pf = (await applyStep(preflightStep, fx.harness().ctx)).aws;
  const aws = await fx.harness().ctx.services.aws();
  aws.setHomeRegion(pf.region);
  client = aws.ssoAdminEngine();
  psArn = (await ensurePermissionSet(aws.ssoAdmin(), pf.instanceArn, { name: 'EngineSet', managedPolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess', sessionDuration: 'PT1H', description: 'engine test' })).arn!;
  token = fx.sb.aws.console.enableAutomaticProvisioning().secrets!['scim-token']!;
  targets = snap()
    .accounts.filter((a) => a.state === 'ACTIVE' && a.id !== pf.managementAccountId)
    .map((a) => ({ accountId: a.id }));
  expect(targets).toHaveLength(40);
});
afterAll(async () => fx?.close());

const engine = (principalId: string, t: AssignmentTarget[], extra: Partial<Parameters<typeof assignAccounts>[0]> = {}) =>
  assignAccounts({ client, instanceArn: pf.instanceArn, permissionSetArn: psArn, principalId, principalType: 'GROUP', targets: t, bulkExisting: true, ...extra });

describe('status in bulk', () => {
  it('tracks creations with ListAccountAssignmentCreationStatus and never exceeds 10 outstanding; describes nothing when all succeed', async () => {
    const group = await newGroup('engine-bulk');
    const before = fx.sb.aws.observed();
    expect(before.maxOutstanding.create).toBe(0);
    const cursor = (await readRequestLog(fx.sb)).length;
    const { results, stats } = await engine(group, targets);
    expect(results.map((r) => r.status)).toEqual(targets.map(() => 'SUCCEEDED'));
    const log = await ops(cursor);
    expect(count(log, 'CreateAccountAssignment')).toBe(40);
    expect(count(log, 'ListAccountAssignmentCreationStatus')).toBeGreaterThan(0);
    expect(count(log, 'DescribeAccountAssignmentCreationStatus')).toBe(0);
    expect(count(log, 'ListAccountAssignmentsForPrincipal')).toBeGreaterThanOrEqual(2); // existing + confirmation
    expect(stats).toMatchObject({ writes: 40, describes: 0, bulkUsed: true });
    expect(stats.requests).toBe(log.length);
    // The emulator counts every creation that arrived while others were IN_PROGRESS (the new one included).
    const seen = fx.sb.aws.observed();
    expect(seen.maxOutstanding.create).toBeGreaterThan(1);
    expect(seen.maxOutstanding.create).toBeLessThanOrEqual(10);
    expect(seen.outstandingThrottles.create).toBe(0);
    const assigned = new Set(snap().assignments.filter((a) => a.principalId === group && a.permissionSetArn === psArn).map((a) => a.accountId));
    expect([...assigned].sort()).toEqual(targets.map((x) => x.accountId).sort());

    // Again: everything EXISTING from one bulk listing, no write.
    const c2 = (await readRequestLog(fx.sb)).length;
    const again = await engine(group, targets);
    expect(again.results.every((r) => r.status === 'EXISTING')).toBe(true);
    expect(await ops(c2)).toEqual(['ListAccountAssignmentsForPrincipal']);
  });

  it('describes a FAILED creation once, for its reason', async () => {
    const group = await newGroup('engine-failed');
    const failing = targets[3]!.accountId;
    fx.sb.aws.setOptions({ failingAccounts: [failing] });
    try {
      const cursor = (await readRequestLog(fx.sb)).length;
      const { results } = await engine(group, targets.slice(0, 12));
      const bad = results.filter((r) => r.status === 'FAILED');
      expect(bad).toEqual([expect.objectContaining({ accountId: failing, failureReason: expect.stringMatching(/Unable to provision the permission set/), requestId: expect.any(String) })]);
      expect(results.filter((r) => r.status === 'SUCCEEDED')).toHaveLength(11);
      const log = await ops(cursor);
      expect(count(log, 'ListAccountAssignmentCreationStatus')).toBeGreaterThan(1); // IN_PROGRESS, then FAILED
      expect(count(log, 'DescribeAccountAssignmentCreationStatus')).toBe(1);
    } finally {
      fx.sb.aws.setOptions({ failingAccounts: [] });
    }
  });

  it('without ListAccountAssignmentsForPrincipal (a delegated administrator) checks and confirms account by account', async () => {
    const group = await newGroup('engine-delegated');
    const cursor = (await readRequestLog(fx.sb)).length;
    const { results, stats } = await engine(group, targets.slice(0, 5), { bulkExisting: false });
    expect(results.map((r) => r.status)).toEqual(Array(5).fill('SUCCEEDED'));
    const log = await ops(cursor);
    expect(count(log, 'ListAccountAssignmentsForPrincipal')).toBe(0);
    expect(count(log, 'ListAccountAssignments')).toBe(10); // one check and one confirmation per account
    expect(stats.bulkUsed).toBe(false);
  });
});

describe('deletions', () => {
  it('delete with ListAccountAssignmentDeletionStatus, resumable after an interruption', async () => {
    const group = await newGroup('engine-delete');
    const some = targets.slice(0, 15);
    expect((await engine(group, some)).results.every((r) => r.status === 'SUCCEEDED')).toBe(true);
    const del = (extra: Partial<Parameters<typeof unassignAccounts>[0]> = {}) =>
      unassignAccounts({ client, instanceArn: pf.instanceArn, permissionSetArn: psArn, principalId: group, principalType: 'GROUP', targets: some, bulkExisting: true, ...extra });

    // Interrupted after the first result: what was reported is DELETED, nothing is FAILED.
    const ac = new AbortController();
    const first: AccountUnassignmentResult[] = [];
    const err = await del({
      signal: ac.signal,
      onResult: (r) => {
        first.push(r);
        ac.abort();
      },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InterruptedError);
    expect(first.length).toBeGreaterThanOrEqual(1);
    expect(first.every((r) => r.status === 'DELETED')).toBe(true);

    // The resumed run finishes: the accounts done before are ABSENT, the rest DELETED.
    const cursor = (await readRequestLog(fx.sb)).length;
    const { results } = await del();
    const log = await ops(cursor);
    for (const r of first) expect(results.find((x) => x.accountId === r.accountId)?.status).toBe('ABSENT');
    expect(results.every((r) => r.status === 'ABSENT' || r.status === 'DELETED')).toBe(true);
    expect(results.filter((r) => r.status === 'DELETED').length).toBe(count(log, 'DeleteAccountAssignment'));
    expect(count(log, 'DescribeAccountAssignmentDeletionStatus')).toBe(0);
    if (count(log, 'DeleteAccountAssignment') > 0) expect(count(log, 'ListAccountAssignmentDeletionStatus')).toBeGreaterThan(0);
    expect(snap().assignments.filter((a) => a.principalId === group)).toEqual([]);
    expect(fx.sb.aws.observed().maxOutstanding.delete).toBeLessThanOrEqual(10);

    // Nothing left: one listing, no write.
    const c2 = (await readRequestLog(fx.sb)).length;
    expect((await del()).results.every((r) => r.status === 'ABSENT')).toBe(true);
    expect(await ops(c2)).toEqual(['ListAccountAssignmentsForPrincipal']);
  });
});

describe('no knowledge of the latency', () => {
  it('no tuning value or engine source refers to the sandbox delay; the engine learns it', async () => {
    expect(Object.keys(SANDBOX_TUNING)).toEqual(['scimPollMs']);
    expect(Object.keys(DEFAULT_TUNING).filter((k) => /assignmentPoll|delay|latency/i.test(k))).toEqual([]);
    for (const f of ['src/aws/assignments.ts', 'src/aws/tuning.ts', 'src/aws/session.ts', 'src/steps/10-account-assignments.ts']) {
      const src = fs.readFileSync(path.join(root, f), 'utf8');
      expect(src, f).not.toMatch(/sandbox\/|assignmentDelay/);
    }
    // Two latencies the engine is not told: what it learned follows them.
    const learned: number[] = [];
    for (const [lo, hi] of [
      [10, 30],
      [400, 500],
    ] as const) {
      fx.sb.aws.setOptions({ assignmentDelayMs: lo, assignmentDelayMaxMs: hi });
      const { results, stats } = await engine(await newGroup(`engine-learn-${lo}`), targets.slice(20, 32));
      expect(results.every((r) => r.status === 'SUCCEEDED')).toBe(true);
      learned.push(stats.learnedMeanMs!);
    }
    fx.sb.aws.setOptions({ assignmentDelayMs: 40, assignmentDelayMaxMs: 260 });
    expect(learned[1]).toBeGreaterThan(learned[0]!);
    expect(learned[1]).toBeGreaterThanOrEqual(300);
    expect(fx.sb.aws.observed().outstandingThrottles.create).toBe(0);
  });
});

describe('permission-set provisioning', () => {
  it('waits with ListPermissionSetProvisioningStatus; a FAILED provisioning is described once, for its reason', async () => {
    const { reprovisionAll } = await import('../../src/aws/permission-sets.js');
    const { WizardError } = await import('../../src/errors.js');
    const group = await newGroup('engine-provision');
    expect((await engine(group, targets.slice(0, 2))).results.every((r) => r.status === 'SUCCEEDED')).toBe(true);

    let cursor = (await readRequestLog(fx.sb)).length;
    await reprovisionAll(client, pf.instanceArn, psArn);
    let log = await ops(cursor);
    expect(count(log, 'ProvisionPermissionSet')).toBe(1);
    expect(count(log, 'ListPermissionSetProvisioningStatus')).toBeGreaterThanOrEqual(2); // IN_PROGRESS, then FAILED
    expect(count(log, 'DescribePermissionSetProvisioningStatus')).toBe(0);

    fx.sb.aws.setOptions({ failingAccounts: [targets[1]!.accountId] });
    try {
      cursor = (await readRequestLog(fx.sb)).length;
      const err = await reprovisionAll(client, pf.instanceArn, psArn).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WizardError);
      expect((err as InstanceType<typeof WizardError>).code).toBe('AWS_PROVISION_FAILED');
      expect((err as Error).message).toMatch(new RegExp(`Unable to provision the permission set in account ${targets[1]!.accountId}`));
      log = await ops(cursor);
      expect(count(log, 'DescribePermissionSetProvisioningStatus')).toBe(1);
    } finally {
      fx.sb.aws.setOptions({ failingAccounts: [] });
    }
  });
});
