/**
 * Access as code, through the real CLI against one sandbox setup made by `init --sandbox --yes
 * --write-access-file init-access.yaml` (a copy of the shared finished run, test/helpers/finished-run.ts;
 * issue 14's "Done when"): a file with 4 permission sets (managed, customer managed, inline,
 * boundary) and 5 assignments over accounts and nested OUs plans and applies; a second plan shows no
 * change; editing one policy re-provisions exactly the accounts holding that set; --prune removes
 * exactly what was dropped; the setup exported round-trips to a file whose plan is empty.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  CreateAccountAssignmentCommand,
  GetInlinePolicyForPermissionSetCommand,
  GetPermissionsBoundaryForPermissionSetCommand,
  ListAccountAssignmentsForPrincipalCommand,
  ListAccountsForProvisionedPermissionSetCommand,
  ListCustomerManagedPolicyReferencesInPermissionSetCommand,
  ListTagsForResourceCommand,
  SSOAdminClient,
} from '@aws-sdk/client-sso-admin';
import { IdentitystoreClient, GetGroupIdCommand } from '@aws-sdk/client-identitystore';
import { ListAccountsForParentCommand, ListOrganizationalUnitsForParentCommand, ListRootsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCliInProcess as runCli, spawnCli } from '../helpers/cli.js';
import { FINISHED_RUN_ARGS, copyFinishedRun, type FinishedRun } from '../helpers/finished-run.js';
import { readRequestLog } from '../helpers/sandbox.js';
import { expectRunMatchesState, expectWritesMatchPlan } from '../helpers/plan-log.js';
import type { WizardState } from '../../src/engine/state.js';
import { readInfoFile } from '../../src/sandbox/info-file.js';
import type { SandboxInfo } from '../../src/sandbox/types.js';

let finished: FinishedRun;
let dir = '';
let sandboxDir = '';
const env = { CI: 'true' };
const cli = (args: string[]) => runCli(args, { cwd: dir, env });

let info: SandboxInfo;
let sso: SSOAdminClient;
let ids: IdentitystoreClient;
let instanceArn: string;
let identityStoreId: string;
/** OU name -> id, and OU id -> ACTIVE accounts directly under it. */
const ouId: Record<string, string> = {};
const ouChildren: Record<string, string[]> = {};
const direct: Record<string, string[]> = {};

/** ACTIVE accounts under an OU, recursively (computed here, independently of the tool). */
const under = (ou: string): string[] => [...(direct[ou] ?? []), ...(ouChildren[ou] ?? []).flatMap(under)].sort();

interface PlanDoc {
  exitCode: number;
  data: {
    summary: string;
    counts: Record<string, number>;
    changes: { op: string; risk: string; permissionSet?: string; group?: string; accounts?: string[]; fields?: string[]; accountsHolding?: number; writes?: { service: 'okta' | 'aws'; operation: string; count: number }[] }[];
    notes: string[];
    result?: { reprovisioned: { name: string; accounts: number }[]; assignmentsDeleted: number; permissionSetsDeleted: string[] };
  };
}
const json = (stdout: string) => JSON.parse(stdout) as PlanDoc;

beforeAll(async () => {
  // The setup: the shared `init --sandbox --yes --write-access-file init-access.yaml`, in a private copy
  // whose sandbox runs again as the init left it.
  expect(FINISHED_RUN_ARGS).toEqual(expect.arrayContaining(['init', '--sandbox', '--yes', '--write-access-file', 'init-access.yaml']));
  finished = await copyFinishedRun('oas-access-');
  ({ dir, sbDir: sandboxDir } = finished);
  expect(finished.code, finished.stdout + finished.stderr).toBe(0);
  expect(finished.stdout).toContain('Wrote the access file');
  expect(expectRunMatchesState(await readRequestLog(sandboxDir), JSON.parse(fs.readFileSync(path.join(dir, 'okta-aws-sso.state.json'), 'utf8')) as WizardState, { since: finished.startedAt }).length).toBeGreaterThan(8);
  info = (await readInfoFile(sandboxDir))!;
  // Assignments of this file's runs end after 50 ms (the sandbox option `sandbox start --assignment-delay`
  // sets; the shared run kept the default 300 ms).
  const delay = await fetch(`${info.adminUrl}/options`, { method: 'POST', body: JSON.stringify({ aws: { assignmentDelayMs: 50 } }) });
  expect(delay.status).toBe(200);
  const client = { endpoint: info.awsUrl, region: info.region, credentials: { accessKeyId: info.aws.accessKeyId, secretAccessKey: info.aws.secretAccessKey } };
  sso = new SSOAdminClient(client);
  ids = new IdentitystoreClient(client);
  const state = JSON.parse(fs.readFileSync(path.join(dir, 'okta-aws-sso.state.json'), 'utf8')) as { steps: { preflight: { outputs: { aws: { instanceArn: string; identityStoreId: string } } } } };
  ({ instanceArn, identityStoreId } = state.steps.preflight.outputs.aws);
  const org = new OrganizationsClient(client);
  const walk = async (parent: string): Promise<void> => {
    const ous = (await org.send(new ListOrganizationalUnitsForParentCommand({ ParentId: parent }))).OrganizationalUnits ?? [];
    ouChildren[parent] = ous.map((o) => o.Id!);
    direct[parent] = ((await org.send(new ListAccountsForParentCommand({ ParentId: parent }))).Accounts ?? []).filter((a) => a.State === 'ACTIVE').map((a) => a.Id!);
    for (const o of ous) {
      ouId[o.Name!] = o.Id!;
      await walk(o.Id!);
    }
  };
  await walk((await org.send(new ListRootsCommand({}))).Roots![0]!.Id!);
  org.destroy();
  // From here on, every AWS call of the access commands (and of this test's checks) must pass docs/iam-policy.json.
  const policy = JSON.parse(fs.readFileSync(path.join(ROOT, 'docs/iam-policy.json'), 'utf8')) as unknown;
  const set = await fetch(`${info.adminUrl}/options`, { method: 'POST', body: JSON.stringify({ aws: { callerPolicy: policy } }) });
  expect(set.status).toBe(200);
}, 240_000);

afterAll(async () => {
  sso?.destroy();
  ids?.destroy();
  await finished?.dispose();
});

async function groupId(name: string): Promise<string> {
  return (await ids.send(new GetGroupIdCommand({ IdentityStoreId: identityStoreId, AlternateIdentifier: { UniqueAttribute: { AttributePath: 'displayName', AttributeValue: name } } }))).GroupId!;
}
/** permission set name -> accounts where the group holds it. */
async function holdings(group: string, arns: Record<string, string>): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  const byArn = Object.fromEntries(Object.entries(arns).map(([n, a]) => [a, n]));
  let token: string | undefined;
  do {
    const r = await sso.send(new ListAccountAssignmentsForPrincipalCommand({ InstanceArn: instanceArn, PrincipalId: await groupId(group), PrincipalType: 'GROUP', NextToken: token }));
    for (const a of r.AccountAssignments ?? []) (out[byArn[a.PermissionSetArn!] ?? a.PermissionSetArn!] ??= []).push(a.AccountId!);
    token = r.NextToken;
  } while (token);
  for (const k of Object.keys(out)) out[k]!.sort();
  return out;
}
async function setArns(): Promise<Record<string, string>> {
  const state = JSON.parse(fs.readFileSync(path.join(dir, 'okta-aws-sso.state.json'), 'utf8')) as { access?: { permissionSets: { name: string; arn: string }[] }; steps: { 'permission-set': { outputs: { name: string; arn: string } } } };
  const ps = state.steps['permission-set'].outputs;
  return { [ps.name]: ps.arn, ...Object.fromEntries((state.access?.permissionSets ?? []).map((p) => [p.name, p.arn])) };
}
const opsSince = async (cursor: number): Promise<string[]> => (await readRequestLog(sandboxDir, { since: cursor, mutatingOnly: true })).filter((e) => e.status === 200 && e.service === 'aws').map((e) => e.operation.split('.').pop()!);
const logSize = async (): Promise<number> => (await readRequestLog(sandboxDir)).length;

function accessFile(opts: { inlineExtra?: boolean; dropTeam?: boolean } = {}): string {
  fs.writeFileSync(
    path.join(dir, 'dev-inline.json'),
    JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: opts.inlineExtra ? ['s3:ListAllMyBuckets', 's3:GetBucketLocation'] : ['s3:ListAllMyBuckets'], Resource: '*' }] }),
  );
  const init = fs.readFileSync(path.join(dir, 'init-access.yaml'), 'utf8');
  // The setup's own entry (as init wrote it) stays first: the file grows from it.
  const initSets = init.slice(init.indexOf('permissionSets:\n') + 'permissionSets:\n'.length, init.indexOf('assignments:\n'));
  const initAssignments = init.slice(init.indexOf('assignments:\n') + 'assignments:\n'.length);
  return [
    'version: 1',
    'permissionSets:',
    initSets.trimEnd(),
    '  - name: ReadOnly',
    '    sessionDuration: PT8H',
    '    managedPolicies: [arn:aws:iam::aws:policy/ReadOnlyAccess]',
    '    tags: { team: platform }',
    ...(opts.dropTeam ? [] : ['  - name: TeamCustomer', '    customerManagedPolicies: [{ name: team-deploy }, { name: team-logs, path: /shared/ }]']),
    '  - name: DevInline',
    '    inlinePolicy: ./dev-inline.json',
    '    relayState: https://console.aws.amazon.com/s3/home',
    '  - name: Bounded',
    '    managedPolicies: [arn:aws:iam::aws:policy/PowerUserAccess]',
    '    permissionsBoundary: { managedPolicyArn: arn:aws:iam::aws:policy/ReadOnlyAccess }',
    'assignments:',
    initAssignments.trimEnd(),
    '  - group: awsssoPowerUsers',
    '    permissionSets: [ReadOnly]',
    `    targets: { ous: [${ouId['Workloads']}], exclude: [${ouId['Production EU']}] }`,
    '  - group: awsssoAuditors',
    '    permissionSets: [ReadOnly, Bounded]',
    `    targets: { ous: [${ouId['Security']}] }`,
    '  - group: awsssoDevelopers',
    '    permissionSets: [DevInline]',
    `    targets: { ous: [${ouId['Non-Production']}], accounts: ["${direct[ouId['Sandbox']!]![0]}"] }`,
    ...(opts.dropTeam ? [] : ['  - group: awsssoPowerUsers', '    permissionSets: [TeamCustomer]', `    targets: { accounts: ${JSON.stringify(direct[ouId['Infrastructure']!]!.slice(0, 2))} }`]),
    '',
  ].join('\n');
}

describe('okta-aws-sso access', () => {
  it('init --write-access-file and access export round-trip: both plans are empty (exit 0)', async () => {
    const p = await cli(['access', 'plan', '-f', 'init-access.yaml', '--json']);
    expect(p.code, p.stderr).toBe(0);
    expect(json(p.stdout).data.summary).toBe('no changes');
    const e = await cli(['access', 'export', '-f', 'exported.yaml']);
    expect(e.code, e.stderr).toBe(0);
    const strip = (t: string) => t.split('\n').filter((l) => !l.startsWith('#')).join('\n');
    expect(strip(fs.readFileSync(path.join(dir, 'exported.yaml'), 'utf8'))).toBe(strip(fs.readFileSync(path.join(dir, 'init-access.yaml'), 'utf8')));
    const again = await cli(['access', 'plan', '-f', 'exported.yaml']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/Plan: no changes\./);
    // export never overwrites without --force
    const twice = await cli(['access', 'export', '-f', 'exported.yaml']);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toMatch(/What to do: Pass --force/);
  }, 150_000);

  it('a bad file stops before anything is read or sent, naming line:column (exit 2)', async () => {
    fs.writeFileSync(path.join(dir, 'bad.yaml'), 'version: 1\npermissionSets:\n  - name: X\n    sesionDuration: PT1H\n');
    const cursor = await logSize();
    const r = await cli(['access', 'plan', '-f', 'bad.yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.yaml:4:5: unknown key "sesionDuration"/);
    expect(await logSize()).toBe(cursor);
  });

  it('4 permission sets and 5 assignments over accounts and nested OUs: plan (exit 5), approval, apply, then no change', async () => {
    fs.writeFileSync(path.join(dir, 'access.yaml'), accessFile());
    const workloads = under(ouId['Workloads']!).filter((a) => !under(ouId['Production EU']!).includes(a));
    const security = under(ouId['Security']!);
    const dev = [...new Set([...under(ouId['Non-Production']!), direct[ouId['Sandbox']!]![0]!])].sort();
    const team = direct[ouId['Infrastructure']!]!.slice(0, 2).sort();
    expect(workloads.length).toBeGreaterThan(0);

    const p = await cli(['access', 'plan', '-f', 'access.yaml', '--json']);
    expect(p.code, p.stderr).toBe(5);
    const plan = json(p.stdout).data;
    expect(plan.counts).toMatchObject({ permissionSetsToCreate: 4, groupsToPush: 2, assignmentsToCreate: workloads.length + 2 * security.length + dev.length + team.length, assignmentsToDelete: 0 });
    expect(plan.summary).toBe(`+ 2 groups pushed, + 4 permission sets, + ${workloads.length + 2 * security.length + dev.length + team.length} assignments`);
    const assign = (g: string, ps: string) => plan.changes.find((c) => c.op === 'create' && c.group === g && c.permissionSet === ps)?.accounts;
    expect(assign('awsssoPowerUsers', 'ReadOnly')).toEqual(workloads);
    expect(assign('awsssoAuditors', 'Bounded')).toEqual(security);
    expect(assign('awsssoDevelopers', 'DevInline')).toEqual(dev);

    // Non-interactive without --yes: exit 2 with the plan, nothing sent.
    const cursor = await logSize();
    const refused = await cli(['access', 'apply', '-f', 'access.yaml']);
    expect(refused.code).toBe(2);
    expect(refused.stdout + refused.stderr).toMatch(/Plan: \+ 2 groups pushed/);
    expect(refused.stderr).toMatch(/needs your approval[\s\S]*What to do: Run it again with --yes/);
    expect(await opsSince(cursor)).toEqual([]);

    const a = await cli(['access', 'apply', '-f', 'access.yaml', '--yes']);
    expect(a.code, a.stdout + a.stderr).toBe(0);
    // It sent exactly the writes of the plan printed above (test/helpers/plan-log.ts).
    expectWritesMatchPlan(await readRequestLog(sandboxDir, { since: cursor }), plan.changes, 'access apply');
    const arns = await setArns();
    expect(Object.keys(arns).sort()).toEqual(['AWSPowerUserAccess', 'Bounded', 'DevInline', 'ReadOnly', 'TeamCustomer']);
    expect(await holdings('awsssoAuditors', arns)).toEqual({ ReadOnly: security, Bounded: security });
    expect(await holdings('awsssoDevelopers', arns)).toEqual({ DevInline: dev });
    const power = await holdings('awsssoPowerUsers', arns);
    expect(power['ReadOnly']).toEqual(workloads);
    expect(power['TeamCustomer']).toEqual(team);
    // The sets hold what the file says.
    const q = (n: string) => ({ InstanceArn: instanceArn, PermissionSetArn: arns[n]! });
    const refs = (await sso.send(new ListCustomerManagedPolicyReferencesInPermissionSetCommand(q('TeamCustomer')))).CustomerManagedPolicyReferences ?? [];
    expect([...refs].sort((x, y) => x.Name!.localeCompare(y.Name!))).toEqual([
      { Name: 'team-deploy', Path: '/' },
      { Name: 'team-logs', Path: '/shared/' },
    ]);
    expect(JSON.parse((await sso.send(new GetInlinePolicyForPermissionSetCommand(q('DevInline')))).InlinePolicy!)).toMatchObject({ Statement: [{ Action: ['s3:ListAllMyBuckets'] }] });
    expect((await sso.send(new GetPermissionsBoundaryForPermissionSetCommand(q('Bounded')))).PermissionsBoundary).toEqual({ ManagedPolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' });
    const tags = (await sso.send(new ListTagsForResourceCommand({ InstanceArn: instanceArn, ResourceArn: arns['ReadOnly']! }))).Tags;
    expect(tags).toEqual(expect.arrayContaining([{ Key: 'team', Value: 'platform' }, { Key: 'okta-aws-sso:managed', Value: 'true' }]));

    const second = await cli(['access', 'plan', '-f', 'access.yaml']);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/Plan: no changes\./);
  }, 150_000);

  it('editing one policy re-provisions exactly the accounts holding that set', async () => {
    fs.writeFileSync(path.join(dir, 'access.yaml'), accessFile({ inlineExtra: true }));
    const arns = await setArns();
    const holding = (await holdings('awsssoDevelopers', arns))['DevInline']!;
    const p = await cli(['access', 'plan', '-f', 'access.yaml', '--json']);
    expect(p.code, p.stderr).toBe(5);
    const plan = json(p.stdout).data;
    expect(plan.summary).toBe('~ 1 permission set (inline policy)');
    expect(plan.changes).toEqual([expect.objectContaining({ op: 'update', permissionSet: 'DevInline', fields: ['inline policy'], accountsHolding: holding.length })]);

    const cursor = await logSize();
    const a = await cli(['access', 'apply', '-f', 'access.yaml', '--yes', '--json']);
    expect(a.code, a.stderr).toBe(0);
    expect(json(a.stdout).data.result!.reprovisioned).toEqual([{ name: 'DevInline', accounts: holding.length }]);
    expect((await opsSince(cursor)).sort()).toEqual(['ProvisionPermissionSet', 'PutInlinePolicyToPermissionSet']);
    expectWritesMatchPlan(await readRequestLog(sandboxDir, { since: cursor }), plan.changes, 'access apply (policy edited)');
    const provisioned = async (n: string, status: 'LATEST_PERMISSION_SET_PROVISIONED' | 'LATEST_PERMISSION_SET_NOT_PROVISIONED') =>
      ((await sso.send(new ListAccountsForProvisionedPermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: arns[n]!, ProvisioningStatus: status }))).AccountIds ?? []).sort();
    expect(await provisioned('DevInline', 'LATEST_PERMISSION_SET_PROVISIONED')).toEqual(holding);
    expect(await provisioned('DevInline', 'LATEST_PERMISSION_SET_NOT_PROVISIONED')).toEqual([]);
    expect((await cli(['access', 'plan', '-f', 'access.yaml'])).code).toBe(0);
  }, 150_000);

  it('--prune removes exactly what was dropped, never what okta-aws-sso did not make (unless --prune-unmanaged with the typed instance ID)', async () => {
    const arns = await setArns();
    const team = (await holdings('awsssoPowerUsers', arns))['TeamCustomer']!;
    // An assignment made by someone else, for a group of the file.
    const stranger = direct[ouId['Infrastructure']!]!.at(-1)!;
    const made = await sso.send(
      new CreateAccountAssignmentCommand({ InstanceArn: instanceArn, TargetId: stranger, TargetType: 'AWS_ACCOUNT', PermissionSetArn: arns['ReadOnly']!, PrincipalType: 'GROUP', PrincipalId: await groupId('awsssoAuditors') }),
    );
    expect(made.AccountAssignmentCreationStatus?.Status).toBeDefined();
    await expect.poll(async () => (await holdings('awsssoAuditors', arns))['ReadOnly']?.includes(stranger), { timeout: 10_000 }).toBe(true);

    fs.writeFileSync(path.join(dir, 'access.yaml'), accessFile({ inlineExtra: true, dropTeam: true }));
    const noPrune = await cli(['access', 'plan', '-f', 'access.yaml', '--json']);
    expect(noPrune.code, noPrune.stderr).toBe(0);
    const notes = json(noPrune.stdout).data.notes;
    expect(notes).toContain(`${team.length} assignments okta-aws-sso made earlier are no longer in the file: \`access apply --prune\` removes them.`);
    expect(notes).toContain('The permission set "TeamCustomer" that okta-aws-sso created is no longer in the file: `access apply --prune` deletes it.');
    expect(notes).toContain("1 assignment of the file's groups is not in the file and okta-aws-sso did not make it: left alone (--prune-unmanaged removes it).");

    const p = await cli(['access', 'plan', '-f', 'access.yaml', '--prune', '--json']);
    expect(p.code, p.stderr).toBe(5);
    const plan = json(p.stdout).data;
    expect(plan.summary).toBe(`- ${team.length} assignments, - 1 permission set`);
    expect(plan.changes).toEqual([
      expect.objectContaining({ op: 'delete', risk: 'destructive', group: 'awsssoPowerUsers', permissionSet: 'TeamCustomer', accounts: team }),
      expect.objectContaining({ op: 'delete', risk: 'destructive', permissionSet: 'TeamCustomer' }),
    ]);
    const cursor = await logSize();
    const a = await cli(['access', 'apply', '-f', 'access.yaml', '--prune', '--yes']);
    expect(a.code, a.stdout + a.stderr).toBe(0);
    const ops = await opsSince(cursor);
    expectWritesMatchPlan(await readRequestLog(sandboxDir, { since: cursor }), plan.changes, 'access apply --prune');
    expect(ops.filter((o) => o === 'DeleteAccountAssignment')).toHaveLength(team.length);
    expect(ops.filter((o) => o === 'DeletePermissionSet')).toHaveLength(1);
    expect(ops.filter((o) => !['DeleteAccountAssignment', 'DeletePermissionSet'].includes(o))).toEqual([]);
    expect((await holdings('awsssoPowerUsers', arns))['TeamCustomer']).toBeUndefined();
    expect((await holdings('awsssoAuditors', arns))['ReadOnly']).toContain(stranger);

    // --prune-unmanaged: refused without the typed instance ID, then removes only the stranger.
    const refused = await cli(['access', 'apply', '-f', 'access.yaml', '--prune-unmanaged', '--yes']);
    expect(refused.code).toBe(2);
    const id = instanceArn.split('/').pop()!;
    expect(refused.stderr).toContain(`--confirm ${id}`);
    const c2 = await logSize();
    const un = await cli(['access', 'apply', '-f', 'access.yaml', '--prune-unmanaged', '--confirm', id, '--yes']);
    expect(un.code, un.stdout + un.stderr).toBe(0);
    expect(await opsSince(c2)).toEqual(['DeleteAccountAssignment']);
    expect((await holdings('awsssoAuditors', arns))['ReadOnly']).not.toContain(stranger);
    expect((await cli(['access', 'plan', '-f', 'access.yaml', '--prune'])).code).toBe(0);
  }, 150_000);
});

describe('an interrupted access apply', () => {
  it('SIGINT after some assignments were sent: exit 130 and a hint that, run exactly as printed, finishes the rest once; the plan is then empty and the state tracks every item', async () => {
    // The file of the previous test plus a new permission set on every ACTIVE account.
    const base = accessFile({ inlineExtra: true, dropTeam: true });
    const at = base.indexOf('assignments:\n');
    fs.writeFileSync(
      path.join(dir, 'interrupt.yaml'),
      `${base.slice(0, at)}  - name: Interrupted\n    managedPolicies: [arn:aws:iam::aws:policy/ReadOnlyAccess]\n${base.slice(at)}  - group: awsssoPowerUsers\n    permissionSets: [Interrupted]\n    targets: { all: true }\n`,
    );
    const active = [...new Set(Object.values(direct).flat())].sort();
    expect(active.length).toBeGreaterThan(20);
    const slow = (spec: unknown) => fetch(`${info.adminUrl}/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ aws: spec }) });
    // What the run has to do (with only this test run, the earlier tests' assignments too).
    const planned = json((await cli(['access', 'plan', '-f', 'interrupt.yaml', '--json'])).stdout).data.counts['assignmentsToCreate']!;
    expect(planned).toBeGreaterThanOrEqual(active.length);
    // AWS answers the assignment calls slowly for a while, so that the run is still assigning when the
    // signal comes (its reads before them at the usual pace).
    expect((await slow({ latencyMs: 150, operations: ['SWBExternalService.CreateAccountAssignment', 'SWBExternalService.ListAccountAssignmentCreationStatus'] })).status).toBe(200);
    const cursor = await logSize();
    const sent = async (since: number) => (await readRequestLog(sandboxDir, { since })).filter((e) => e.service === 'aws' && e.status === 200);
    const run = spawnCli(['access', 'apply', '-f', 'interrupt.yaml', '--yes'], { cwd: dir, env });
    try {
      await expect.poll(async () => (await sent(cursor)).filter((e) => e.operation.endsWith('CreateAccountAssignment')).length, { timeout: 60_000, interval: 25 }).toBeGreaterThanOrEqual(2);
      run.child.kill('SIGINT');
      const r = await run.done;
      expect(r.code, r.stdout + r.stderr).toBe(130);
      expect((await slow(null)).status).toBe(200);
      const hint = /What to do: Run `([^`]+)` to continue/.exec(r.stderr)?.[1];
      expect(hint, r.stderr).toBe('okta-aws-sso access apply -f interrupt.yaml --yes');
      // The line printed at the signal (human output: stdout) names the same command.
      expect(r.stdout).toContain(`Warning: Stopping: what is done so far is recorded in the state file; run \`${hint}\` to continue.`);
      const before = (await sent(cursor)).filter((e) => e.operation.endsWith('CreateAccountAssignment')).length;
      expect(before).toBeLessThan(planned); // really interrupted mid-way

      // The hint, word for word (no shell quoting in it), from the same folder.
      const resumeCursor = await logSize();
      const words = hint!.split(' ');
      expect(words[0]).toBe('okta-aws-sso');
      const resumed = await cli(words.slice(1));
      expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
      const after = await sent(resumeCursor);
      // Nothing done before is sent again: the permission set is not created twice, and every account
      // got exactly one CreateAccountAssignment over the two runs.
      expect(after.filter((e) => e.operation.endsWith('CreatePermissionSet'))).toEqual([]);
      expect(after.filter((e) => e.operation.endsWith('CreateAccountAssignment')).length).toBeGreaterThan(0);
      expect((await sent(cursor)).filter((e) => e.operation.endsWith('CreateAccountAssignment'))).toHaveLength(planned);
    } finally {
      if (run.child.exitCode === null) run.child.kill('SIGKILL');
      await slow(null);
    }
    const arns = await setArns();
    expect((await holdings('awsssoPowerUsers', arns))['Interrupted']).toEqual(active);
    const again = await cli(['access', 'plan', '-f', 'interrupt.yaml', '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(json(again.stdout).data.summary).toBe('no changes');
    // The state file tracks the set and every one of its assignments (also those that finished after the signal).
    const state = JSON.parse(fs.readFileSync(path.join(dir, 'okta-aws-sso.state.json'), 'utf8')) as { access: { permissionSets: { name: string }[]; assignments: { group: string; permissionSet: string; accounts: string[] }[] } };
    expect(state.access.permissionSets.map((p) => p.name)).toContain('Interrupted');
    expect(state.access.assignments.find((a) => a.group === 'awsssoPowerUsers' && a.permissionSet === 'Interrupted')?.accounts).toEqual(active);
  }, 150_000);
});
