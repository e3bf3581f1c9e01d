/**
 * Provisioning verified by its effect (issue 8 §1, issue 10): on the default sandbox, where Okta's
 * API cannot read the provisioning of amazon_aws_sso, the waits of the later steps name the likely
 * console mistake, re-push a mapping in ERROR and re-assign a test user in ERROR (four times), then
 * stop as soon as the ERROR stays; a new SCIM token reaches Okta.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { preflightStep } from '../../src/steps/01-preflight.js';
import { oktaProvisioningStep } from '../../src/steps/06-okta-provisioning.js';
import { groupPushStep } from '../../src/steps/08-group-push.js';
import { permissionSetStep } from '../../src/steps/09-permission-set.js';
import { waitForPushedGroup } from '../../src/steps/10-account-assignments.js';
import { canReassign } from '../../src/steps/provisioning-effect.js';
import { verifyStep } from '../../src/steps/12-verify.js';
import { homeAws } from '../../src/aws/session.js';
import { getGroupId } from '../../src/aws/identity-store.js';
import { WizardError } from '../../src/errors.js';
import type { AnyStep } from '../../src/steps/contract.js';
import { applyStep, planChanges, stepDrift } from '../helpers/step-harness.js';
import type { StepOutputs } from '../../src/steps/outputs.js';
import type { SandboxOptions } from '../../src/sandbox/types.js';
import { readRequestLog } from '../helpers/sandbox.js';
import { startAwsStepFixture, type AwsStepFixture } from '../aws/step-fixture.js';
import { awsUpstream, OKTA_STEPS, oktaGet, runOktaHalf, TEST_USER_FLAGS } from './okta-fixture.js';

let fx: AwsStepFixture | undefined;
beforeAll(() => {
  vi.stubEnv('OKTA_AWS_SSO_OKTA_YAML', '/nonexistent/okta.yaml');
});
afterAll(() => {
  vi.unstubAllEnvs();
});
afterEach(async () => {
  await fx?.close();
  fx = undefined;
});

/** A sandbox, the AWS outputs up to the permission set, and the Okta half (or its first steps). */
async function setup(options: SandboxOptions, steps: AnyStep[] = OKTA_STEPS, flags: Record<string, string | boolean> = { ...TEST_USER_FLAGS }) {
  fx = await startAwsStepFixture(options);
  const preflight = await applyStep(preflightStep, fx.harness().ctx);
  const ps = await applyStep(permissionSetStep, fx.harness({ outputs: { preflight } }).ctx);
  const up = awsUpstream(fx.sb);
  const okta = await runOktaHalf(fx.sb, up, { flags }, { steps });
  const outputs: Partial<StepOutputs> = { ...okta.outputs, preflight, 'permission-set': ps };
  return { sb: fx.sb, up, outputs, okta };
}

const idle = async (sb: AwsStepFixture['sb']): Promise<void> => {
  await fetch(`${sb.info.adminUrl}/__sandbox/idle`);
};

/** Verify, once the pushed group has arrived in Identity Center (its id), with this wait timeout: its error. */
async function verifyWithPushedGroup(outputs: Partial<StepOutputs>, waitTimeout: number): Promise<{ err: unknown; h: ReturnType<NonNullable<typeof fx>['harness']> }> {
  const { aws, pf } = await homeAws(fx!.harness({ outputs }).ctx);
  const groupId = await getGroupId(aws.identityStore(), pf.identityStoreId, 'awsssoPowerUsers');
  expect(groupId).toBeDefined();
  const h = fx!.harness({
    outputs: { ...outputs, 'account-assignments': { groupId: groupId!, groupName: 'awsssoPowerUsers', permissionSetArn: outputs['permission-set']!.arn, results: [] } },
    flags: { 'wait-timeout': waitTimeout },
  });
  return { err: await applyStep(verifyStep, h.ctx).catch((e: unknown) => e), h };
}

describe('provisioning verified by its effect', () => {
  it('the console action done without "Create Users": the test user never arrives and verify names the console mistake', async () => {
    const { sb, outputs } = await setup({ okta: { consoleProvisioning: { createUsers: false } } });
    expect(outputs['okta-provisioning']).toMatchObject({ via: 'console', featuresSource: 'person' });
    await idle(sb);
    // The pushed group arrives (Group Push works), but without members: no user was created.
    const { err } = await verifyWithPushedGroup(outputs, 1);
    expect(err).toBeInstanceOf(WizardError);
    expect((err as WizardError).code).toBe('VERIFY_FAILED');
    expect((err as WizardError).message).toMatch(/The test user "ada.lovelace@example.com" has not arrived in Identity Center/);
    expect((err as WizardError).message).toMatch(/"Create Users" off/);
    expect((err as WizardError).message).toMatch(/wrong SCIM base URL/);
    expect((err as WizardError).message).toMatch(/taken as confirmed/);
  });

  it('a push mapping in ERROR: the wait stops as soon as Okta reports it after four re-pushes, and the next run pushes again and the group arrives', async () => {
    const steps = OKTA_STEPS.filter((s) => s.id !== 'group-push' && s.id !== 'test-user');
    const { sb, outputs } = await setup({}, steps, { 'skip-test-user': true });
    // Every SCIM call fails while the group is pushed: Okta sets the mapping to ERROR.
    sb.faults.apply({ scim: { errorRate: 1 } });
    const h = fx!.harness({ outputs, flags: { 'wait-timeout': 600 } });
    const push = await applyStep(groupPushStep, h.ctx);
    outputs['group-push'] = push;
    await idle(sb);
    const appId = outputs['okta-provisioning']!.appId;
    const mapping = push.mappings[0]!;
    expect((await oktaGet<{ status: string }>(sb, `/api/v1/apps/${appId}/group-push/mappings/${mapping.mappingId}`)).status).toBe('ERROR');

    // With wait-timeout 600 s, the test would time out if the wait did not stop on Okta's ERROR.
    const hw = fx!.harness({ outputs, flags: { 'wait-timeout': 600 } });
    const { aws, pf } = await homeAws(hw.ctx);
    const err = await waitForPushedGroup(hw.ctx, aws, pf, mapping.groupName).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WizardError);
    expect((err as WizardError).code).toBe('GROUP_PUSH_ERROR');
    expect((err as WizardError).message).toMatch(/Okta reports the push of "awsssoPowerUsers" in ERROR after 4 new push\(es\): .+likely cause/);
    expect(hw.output.messages.filter((x) => x.code === 'PUSH_REPUSH').map((x) => [x.data['attempt'], x.data['max']])).toEqual([[1, 4], [2, 4], [3, 4], [4, 4]]);
    // Each re-push a typed repair, proposed before its write: the first asked (--yes), the next ones
    // covered by that approval (same mapping, same risk class).
    expect(hw.repairs.map((c) => [c.op, c.resource, c.risk, c.writes, c.repair?.approval])).toEqual(
      ['asked', 'covered', 'covered', 'covered'].map((a) => ['update', { kind: 'okta-push-mapping', id: mapping.mappingId, name: 'awsssoPowerUsers' }, 'modifies-existing', [{ service: 'okta', operation: 'updateGroupPushMapping', count: 1 }], a]),
    );
    const patches = (await readRequestLog(sb)).filter((e) => e.service === 'okta' && e.operation.includes('updateGroupPushMapping'));
    expect(patches.length).toBeGreaterThanOrEqual(4);

    // The SCIM failure was transient: the re-run's check sees the ERROR, apply pushes again.
    sb.faults.clear();
    const h2 = fx!.harness({ outputs, flags: { 'wait-timeout': 600 } });
    expect((await stepDrift(groupPushStep, h2.ctx, push)).map((d) => d.message).join('\n')).toMatch(/in ERROR/);
    expect((await planChanges(groupPushStep, h2.ctx)).map((a) => a.detail ?? '').join('\n')).toMatch(/push again, was ERROR/);
    const again = await applyStep(groupPushStep, h2.ctx);
    expect(h2.output.codes()).toContain('PUSH_AGAIN');
    await idle(sb);
    expect((await oktaGet<{ status: string }>(sb, `/api/v1/apps/${appId}/group-push/mappings/${mapping.mappingId}`)).status).toBe('ACTIVE');
    const id = await waitForPushedGroup(h2.ctx, aws, pf, mapping.groupName);
    expect(id).toMatch(/./);
    expect(await stepDrift(groupPushStep, h2.ctx, again)).toEqual([]);
  });

  it('a SCIM 5xx on every creation of the test user: verify re-assigns it four times through its assignment group, then stops with Okta\'s message; the user stays in the group', async () => {
    // Okta's SCIM POST /Users fails (Okta marks the app user ERROR and does not retry it by itself).
    const { sb, outputs } = await setup({ faults: { scim: { errorRate: 1, operations: ['SCIM POST /Users'] } } });
    await idle(sb);
    const prov = outputs['okta-provisioning']!;
    const user = outputs['test-user']!;
    const assignmentGroupId = outputs.groups!.assignmentGroup.id;
    expect((await oktaGet<{ syncState: string }>(sb, `/api/v1/apps/${prov.appId}/users/${user.userId}`)).syncState).toBe('ERROR');
    // With wait-timeout 600 s, the test would time out if the wait did not stop once the ERROR stays.
    const { err, h: h2 } = await verifyWithPushedGroup(outputs, 600);
    expect(err).toBeInstanceOf(WizardError);
    expect((err as WizardError).code).toBe('VERIFY_FAILED');
    expect((err as WizardError).message).toMatch(/cannot arrive in Identity Center: Okta could not provision the test user \(after 4 re-assignment\(s\)\): .*An internal error occurred/);
    expect(h2.output.text()).toMatch(/re-assigning it through the assignment group .*\(1 of 4/);
    expect(h2.output.text()).toMatch(/\(4 of 4/);
    expect(h2.repairs.map((c) => [c.resource, c.repair?.reason])).toEqual(
      [1, 2, 3, 4].map((n) => [{ kind: 'okta-user', id: user.userId, name: user.login }, expect.stringMatching(new RegExp(`provisioning of the test user in ERROR \\(.+\\), attempt ${n} of 4$`))]),
    );
    const log = await readRequestLog(sb);
    expect(log.filter((e) => e.service === 'okta' && e.operation === 'unassignUserFromGroup')).toHaveLength(4);
    // One creation at assignment, then one per re-assignment: each a new attempt by Okta.
    expect(log.filter((e) => e.service === 'scim' && e.operation === 'SCIM POST /Users' && e.fault === 'error')).toHaveLength(5);
    const members = await oktaGet<{ id: string }[]>(sb, `/api/v1/groups/${assignmentGroupId}/users`);
    expect(members.map((m) => m.id)).toContain(user.userId);
  });

  it('a new SCIM token reaches Okta: when provisioning reads ENABLED and the run holds a token, and when a newer token was entered', async () => {
    const { sb, up, outputs } = await setup({ okta: { provisioningApi: 'supported' } }, OKTA_STEPS, { 'skip-test-user': true });
    expect(outputs['okta-provisioning']).toMatchObject({ via: 'api', connectionStatus: 'ENABLED', featuresSource: 'api', scimTokenEnteredAt: up.outputs['scim-endpoint']!.tokenEnteredAt });
    const appId = outputs['okta-provisioning']!.appId;
    const posts = async (): Promise<number> => (await readRequestLog(sb)).filter((e) => e.service === 'okta' && e.mutating && /ProvisioningConnection/.test(e.operation)).length;

    // Identity Center issues two new tokens: the one Okta holds is deleted (at most two live tokens).
    sb.aws.console.enableAutomaticProvisioning();
    const fresh = sb.aws.console.enableAutomaticProvisioning().secrets!['scim-token']!;
    const enteredAt = new Date(Date.now() + 1000).toISOString();
    const newer: Partial<StepOutputs> = { ...outputs, 'scim-endpoint': { ...outputs['scim-endpoint']!, tokenEnteredAt: enteredAt } };
    const h = fx!.harness({ outputs: newer });
    h.secrets.set('scim-token', fresh);
    const drift = await stepDrift(oktaProvisioningStep, h.ctx, outputs['okta-provisioning']!);
    expect(drift.map((d) => d.message).join('\n')).toMatch(/A new SCIM token was entered .*Okta still holds the one from/);
    const before = await posts();
    const out = await applyStep(oktaProvisioningStep, h.ctx);
    expect(out).toMatchObject({ via: 'api', scimTokenEnteredAt: enteredAt });
    expect(await posts()).toBeGreaterThan(before);
    expect(h.output.text()).not.toContain(fresh);

    // A token in hand while the connection reads ENABLED (same date, e.g. given again with SCIM_TOKEN): Okta gets it too.
    const h2 = fx!.harness({ outputs: { ...newer, 'okta-provisioning': out } });
    h2.secrets.set('scim-token', fresh);
    const mid = await posts();
    await applyStep(oktaProvisioningStep, h2.ctx);
    expect(h2.output.codes()).toContain('PROVISIONING_GIVE_HELD_TOKEN');
    expect(await posts()).toBeGreaterThan(mid);

    // The effect: a push made now works with the token Okta holds (not Unauthorized).
    await oktaGet(sb, `/api/v1/apps/${appId}`);
    const g = await fetch(`${sb.info.oktaUrl}/api/v1/groups`, { method: 'POST', headers: { Authorization: `SSWS ${sb.info.oktaApiToken}`, 'Content-Type': 'application/json', Accept: 'application/json' }, body: JSON.stringify({ profile: { name: 'RotationCheck' } }) });
    const group = (await g.json()) as { id: string };
    const m = await fetch(`${sb.info.oktaUrl}/api/v1/apps/${appId}/group-push/mappings`, { method: 'POST', headers: { Authorization: `SSWS ${sb.info.oktaApiToken}`, 'Content-Type': 'application/json', Accept: 'application/json' }, body: JSON.stringify({ sourceGroupId: group.id, targetGroupName: 'RotationCheck', status: 'ACTIVE' }) });
    const mapping = (await m.json()) as { id: string };
    await idle(sb);
    expect((await oktaGet<{ status: string }>(sb, `/api/v1/apps/${appId}/group-push/mappings/${mapping.id}`)).status).toBe('ACTIVE');
  });
});

describe('canReassign: only the wizard\'s own test user, assigned through the group, never provisioned', () => {
  const user = { userId: '00u1', login: 'a@example.com', email: 'a@example.com', displayName: 'A', groupIds: ['00gA', '00gP'], created: true };
  it('re-assigns the created user in ERROR with no externalId through its assignment group', () => {
    expect(canReassign({ id: '00u1', scope: 'GROUP', syncState: 'ERROR' }, user, '00gA')).toBe(true);
  });
  it('never an adopted user, a direct assignment, a user linked in Identity Center, or one outside the group', () => {
    expect(canReassign({ id: '00u1', scope: 'GROUP' }, { ...user, created: false }, '00gA')).toBe(false);
    expect(canReassign({ id: '00u1', scope: 'USER' }, user, '00gA')).toBe(false);
    expect(canReassign({ id: '00u1', scope: 'GROUP', externalId: 'e676d60d3d' }, user, '00gA')).toBe(false);
    expect(canReassign({ id: '00u1', scope: 'GROUP' }, user, '00gOther')).toBe(false);
    expect(canReassign({ id: '00u1', scope: 'GROUP' }, user, undefined)).toBe(false);
  });
});
