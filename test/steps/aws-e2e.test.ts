/**
 * The whole documented sequence through the real binary against the sandbox: `init --sandbox --yes`
 * reaches a verified end (the shared finished run, test/helpers/finished-run.ts); a second run (state
 * file present) and a fresh run (state file removed) send no mutating request to either emulator.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliInProcess } from '../helpers/cli.js';
import { expectRunMatchesState } from '../helpers/plan-log.js';
import type { RequestLogEntry } from '../../src/sandbox/request-log.js';
import type { WizardState } from '../../src/engine/state.js';
import { ListAccountsForProvisionedPermissionSetCommand, ListPermissionSetsCommand, DescribePermissionSetCommand, ListInstancesCommand, SSOAdminClient, UpdatePermissionSetCommand } from '@aws-sdk/client-sso-admin';
import { readInfoFile } from '../../src/sandbox/info-file.js';
import { FINISHED_RUN_ARGS, FINISHED_RUN_USER_FLAGS as USER, copyFinishedRun, type FinishedRun } from '../helpers/finished-run.js';

let finished: FinishedRun;
let dir = '';
let sbDir = '';

/** The CLI in this file's process (runCliInProcess: a clean environment per run). */
async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const r = await runCliInProcess(args, { cwd: dir, env: {} });
  return { code: r.code ?? 1, stdout: r.stdout, stderr: r.stderr };
}

function mutatingSince(lines: number): { operation: string }[] {
  const all = fs.readFileSync(path.join(sbDir, 'requests.jsonl'), 'utf8').split('\n').filter(Boolean);
  return all.slice(lines).map((l) => JSON.parse(l) as { operation: string; mutating: boolean }).filter((e) => e.mutating);
}
const logEntries = (): RequestLogEntry[] => fs.readFileSync(path.join(sbDir, 'requests.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as RequestLogEntry);
/** Apply sent exactly the planned writes in the run that started at `since`; returns the steps compared. */
const matchesPlan = (since: string): string[] => expectRunMatchesState(logEntries(), JSON.parse(fs.readFileSync(path.join(dir, 'okta-aws-sso.state.json'), 'utf8')) as WizardState, { since });
const logLines = (): number => fs.readFileSync(path.join(sbDir, 'requests.jsonl'), 'utf8').split('\n').filter(Boolean).length;

beforeAll(async () => {
  finished = await copyFinishedRun('oas-aws-e2e-');
  ({ dir, sbDir } = finished);
}, 240_000);

afterAll(async () => {
  await finished?.dispose();
});

/** Accounts assigned by the first run (the default org's ACTIVE member accounts). */
let accounts = 0;

describe('init --sandbox --yes', () => {
  it('runs the whole sequence to a verified end, then changes nothing on a second or fresh run', async () => {
    // The first run: the shared one (`init --sandbox --yes` with these test-user flags, default sandbox folder).
    expect(FINISHED_RUN_ARGS).toEqual(['init', '--sandbox', '--yes', ...USER, '--write-access-file', 'init-access.yaml']);
    const since1 = finished.startedAt;
    const first = finished;
    expect(first.stderr).not.toMatch(/NodeVersionSupportWarning/);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(first.stdout).toMatch(/Done: every step is complete\./);
    // The default org: every ACTIVE member account (at least 25), the management and the suspended one skipped.
    const done = /(\d+)\/(\d+) accounts \((\d+) created, 0 already there, 2 skipped, 0 failed\)/.exec(first.stdout);
    expect(done, first.stdout).not.toBeNull();
    accounts = Number(done![1]);
    expect(accounts).toBeGreaterThanOrEqual(25);
    expect([Number(done![2]), Number(done![3])]).toEqual([accounts, accounts]);
    expect(first.stdout).toMatch(/AWS access portal: https:\/\/d-[0-9a-f]{10}\.awsapps\.com\/start/);
    const stateFile = path.join(dir, 'okta-aws-sso.state.json');
    const state = fs.readFileSync(stateFile, 'utf8');
    expect(state).toContain(`"accountsVerified": ${accounts}`);
    expect(matchesPlan(since1)).toEqual(expect.arrayContaining(['preflight', 'sp-metadata', 'okta-app', 'idp-metadata', 'scim-endpoint', 'okta-provisioning', 'groups', 'group-push', 'permission-set', 'account-assignments', 'test-user', 'verify']));

    let cursor = logLines();
    const second = await run(['init', '--sandbox', '--yes', '--sandbox-dir', sbDir, ...USER]);
    expect(second.code, second.stdout + second.stderr).toBe(0);
    expect(mutatingSince(cursor)).toEqual([]);

    fs.renameSync(stateFile, path.join(dir, 'first.state.json'));
    cursor = logLines();
    const since3 = new Date().toISOString();
    const fresh = await run(['init', '--sandbox', '--yes', '--sandbox-dir', sbDir, ...USER]);
    expect(fresh.code, fresh.stdout + fresh.stderr).toBe(0);
    expect(fresh.stdout).toMatch(/Adopting the existing permission set "AWSPowerUserAccess"/);
    expect(fresh.stdout).toContain(`0 created, ${accounts} already there`);
    expect(mutatingSince(cursor)).toEqual([]);
    expect(matchesPlan(since3)).toEqual(expect.arrayContaining(['preflight', 'sp-metadata', 'okta-app', 'idp-metadata', 'scim-endpoint', 'okta-provisioning', 'groups', 'group-push', 'permission-set', 'account-assignments', 'verify']));
    // Three full runs, each ending with the sign-in proof: more than the default 60 s on a loaded machine.
  }, 180_000);

  it('a permission set edited behind the wizard\'s back: verify fails, one re-run re-provisions the accounts, verify passes', async () => {
    const info = await readInfoFile(sbDir);
    expect(info).toBeDefined();
    const sso = new SSOAdminClient({ region: info!.region, endpoint: info!.awsUrl, credentials: info!.aws });
    try {
      const instanceArn = (await sso.send(new ListInstancesCommand({}))).Instances![0]!.InstanceArn!;
      let arn: string | undefined;
      for (const a of (await sso.send(new ListPermissionSetsCommand({ InstanceArn: instanceArn }))).PermissionSets ?? []) {
        const d = await sso.send(new DescribePermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: a }));
        if (d.PermissionSet?.Name === 'AWSPowerUserAccess') arn = a;
      }
      expect(arn).toBeDefined();
      // An edit made in the console: every account now holds an outdated version.
      await sso.send(new UpdatePermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: arn, Description: 'edited in the console' }));
      const outdated = async (): Promise<string[]> =>
        (await sso.send(new ListAccountsForProvisionedPermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: arn, ProvisioningStatus: 'LATEST_PERMISSION_SET_NOT_PROVISIONED' }))).AccountIds ?? [];
      expect((await outdated()).length).toBe(accounts);

      const before = await run(['verify', '--sandbox', '--sandbox-dir', sbDir]);
      expect(before.code, before.stdout + before.stderr).toBe(1);
      expect(before.stdout + before.stderr).toMatch(/outdated version of "AWSPowerUserAccess"/);

      // The dry run shows the repair; the re-run then applies exactly those changes and sends their writes.
      const dry = await run(['init', '--sandbox', '--yes', '--sandbox-dir', sbDir, ...USER, '--dry-run', '--json']);
      expect(dry.code, dry.stderr).toBe(0);
      const cursor = logLines();
      const since = new Date().toISOString();
      const rerun = await run(['init', '--sandbox', '--yes', '--sandbox-dir', sbDir, ...USER]);
      expect(rerun.code, rerun.stdout + rerun.stderr).toBe(0);
      expect(rerun.stdout).toContain(`Provisioning the latest version to ${accounts} account(s)`);
      expect(mutatingSince(cursor).map((e) => e.operation).filter((o) => o.endsWith('ProvisionPermissionSet'))).toHaveLength(1);
      expect(matchesPlan(since)).toContain('permission-set');
      type Rec = { op: string; resource: { kind: string; name?: string }; risk: string; writes?: unknown[]; drift?: string };
      // A done step's dry run lists what changes (src/engine/step-plan.ts driftChanges): adopts, which send nothing, are left out.
      const shape = (cs: Rec[] = []) => cs.filter((c) => c.op !== 'adopt').map((c) => ({ op: c.op, kind: c.resource.kind, risk: c.risk, writes: c.writes }));
      const printed = new Map((JSON.parse(dry.stdout) as { steps: { id: string; changes?: Rec[] }[] }).steps.map((st) => [st.id, st.changes]));
      expect(printed.get('permission-set')?.some((c) => c.drift !== undefined && (c.writes ?? []).length > 0)).toBe(true);
      const state = JSON.parse(fs.readFileSync(path.join(dir, 'okta-aws-sso.state.json'), 'utf8')) as WizardState;
      for (const [id, rec] of Object.entries(state.steps)) {
        for (const a of (rec.attempts ?? []).filter((x) => x.startedAt >= since)) expect(shape(a.applied), id).toEqual(shape(printed.get(id)));
      }
      expect(await outdated()).toEqual([]);

      const after = await run(['verify', '--sandbox', '--sandbox-dir', sbDir]);
      expect(after.code, after.stdout + after.stderr).toBe(0);
    } finally {
      sso.destroy();
    }
  }, 180_000);
});
