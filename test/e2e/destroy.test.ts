/**
 * --require-mfa and destroy, through the real binary against one sandbox (an Identity Engine org):
 * an Okta group is made before init (so init adopts it), `init --sandbox --yes --require-mfa` sets
 * everything up; the app sign-in policy is read back and sign-in demands the second factor; then
 * `destroy --dry-run` changes nothing, a wrong confirmation exits 2 and removes nothing, and
 * `destroy --yes --confirm <instance id>` (the sandbox performing its console actions) leaves
 * nothing the wizard created and everything it adopted; a second destroy is a no-op.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { IdentitystoreClient, ListGroupsCommand, ListUsersCommand } from '@aws-sdk/client-identitystore';
import { ListPermissionSetsCommand, DescribePermissionSetCommand, SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliInProcess as runCli } from '../helpers/cli.js';
import { mutatingRequests, readRequestLog } from '../helpers/sandbox.js';
import { expectRunMatchesState, expectWritesMatchPlan } from '../helpers/plan-log.js';
import type { WizardState } from '../../src/engine/state.js';
import { readInfoFile } from '../../src/sandbox/info-file.js';
import { sandboxAdmin } from '../../src/sandbox/process.js';
import { SANDBOX_MFA_CODE } from '../../src/sandbox/okta/sso.js';
import type { SandboxInfo } from '../../src/sandbox/types.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oas-destroy-'));
const sandboxDir = path.join(dir, '.okta-aws-sso/sandbox');
const PASSWORD = 'Mfa-Sandbox-Pass-42!';
const env = { CI: 'true', OKTA_AWS_SSO_TEST_USER_PASSWORD: PASSWORD };
let info: SandboxInfo;
let instanceId: string;
let adoptedGroupId: string;

async function okta<T>(p: string, init: { method?: string; body?: unknown } = {}): Promise<{ status: number; json: T }> {
  const res = await fetch(`${info.oktaUrl}${p}`, {
    method: init.method ?? 'GET',
    headers: { authorization: `SSWS ${info.oktaApiToken}`, accept: 'application/json', ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, json: (text ? JSON.parse(text) : undefined) as T };
}

function awsClients(): { sso: SSOAdminClient; ids: IdentitystoreClient } {
  const cfg = { endpoint: info.awsUrl, region: info.region, credentials: { accessKeyId: info.aws.accessKeyId, secretAccessKey: info.aws.secretAccessKey } };
  return { sso: new SSOAdminClient(cfg), ids: new IdentitystoreClient(cfg) };
}

interface Snapshot {
  apps: string[];
  groups: string[];
  users: string[];
  policies: string[];
  permissionSets: string[];
  idcGroups: string[];
  idcUsers: string[];
}

/** What the sandbox holds, by name, through the vendors' APIs. */
async function snapshot(): Promise<Snapshot> {
  const state = JSON.parse(fs.readFileSync(path.join(dir, 'okta-aws-sso.state.json'), 'utf8')) as { steps: { preflight: { outputs: { aws: { instanceArn: string; identityStoreId: string } } } } };
  const { instanceArn, identityStoreId } = state.steps.preflight.outputs.aws;
  const { sso, ids } = awsClients();
  try {
    const arns = (await sso.send(new ListPermissionSetsCommand({ InstanceArn: instanceArn }))).PermissionSets ?? [];
    const permissionSets: string[] = [];
    for (const arn of arns) permissionSets.push((await sso.send(new DescribePermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: arn }))).PermissionSet?.Name ?? arn);
    return {
      apps: (await okta<{ label: string; status: string }[]>('/api/v1/apps?limit=200')).json.map((a) => `${a.label} ${a.status}`).sort(),
      // The sandbox org holds many other groups and users: the setup's own are looked up by name.
      groups: (await Promise.all(['AWS Users', 'awsssoPowerUsers'].map(async (n) => ((await okta<unknown[]>(`/api/v1/groups?search=${encodeURIComponent(`profile.name eq "${n}"`)}`)).json.length > 0 ? n : undefined)))).filter((n): n is string => n !== undefined),
      users: await okta<{ status: string }>('/api/v1/users/ada.lovelace%40example.com').then((r) => (r.status === 200 ? [`ada.lovelace@example.com ${r.json.status}`] : [])),
      policies: (await okta<{ name: string }[]>('/api/v1/policies?type=ACCESS_POLICY')).json.map((p) => p.name).sort(),
      permissionSets: permissionSets.sort(),
      idcGroups: ((await ids.send(new ListGroupsCommand({ IdentityStoreId: identityStoreId }))).Groups ?? []).map((g) => g.DisplayName ?? '').sort(),
      idcUsers: ((await ids.send(new ListUsersCommand({ IdentityStoreId: identityStoreId }))).Users ?? []).map((u) => u.UserName ?? '').sort(),
    };
  } finally {
    sso.destroy();
    ids.destroy();
  }
}

async function idle(): Promise<void> {
  await sandboxAdmin(info, 'GET', '/idle?timeoutMs=20000');
}

let before: Snapshot;

beforeAll(async () => {
  // A small organization keeps the file fast: the assignment engine's scale is tested elsewhere.
  const start = await runCli(['sandbox', 'start', '--accounts', '4', '--assignment-delay', '50'], { cwd: dir, env });
  expect(start.code, start.stderr).toBe(0);
  info = (await readInfoFile(sandboxDir))!;
  // An Identity Engine org: app sign-in policies exist there (and its pipeline says "idx").
  await sandboxAdmin(info, 'POST', '/options', { okta: { authnPolicy: 'identity-engine' } });
  // A group that exists before the setup: init adopts it, destroy must keep it.
  const g = await okta<{ id: string }>('/api/v1/groups', { method: 'POST', body: { profile: { name: 'AWS Users', description: 'made by hand before the setup' } } });
  expect(g.status).toBe(200);
  adoptedGroupId = g.json.id;
  const since = new Date().toISOString();
  const init = await runCli(['init', '--sandbox', '--yes', '--require-mfa'], { cwd: dir, env });
  expect(init.code, init.stdout + init.stderr).toBe(0);
  await idle();
  const state = JSON.parse(fs.readFileSync(path.join(dir, 'okta-aws-sso.state.json'), 'utf8')) as WizardState & { steps: Record<string, { outputs: Record<string, unknown> }> };
  // The setup sent only its planned writes, the MFA policy's among them.
  expect(expectRunMatchesState(await readRequestLog(sandboxDir), state, { since })).toEqual(expect.arrayContaining(['app-sign-on-policy', 'groups']));
  instanceId = String((state.steps['preflight']!.outputs['aws'] as { instanceArn: string }).instanceArn.split('/').pop());
  expect(state.steps['groups']!.outputs['assignmentGroup']).toMatchObject({ id: adoptedGroupId, created: false });
  before = await snapshot();
  expect(before.idcGroups).toContain('awsssoPowerUsers');
  expect(before.idcUsers).toContain('ada.lovelace@example.com');
}, 240_000);

afterAll(async () => {
  await runCli(['sandbox', 'stop'], { cwd: dir, env: {} });
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('--require-mfa', () => {
  it('creates the app sign-in policy with a two-factor rule and assigns it to the app (read back through the API)', async () => {
    const state = JSON.parse(fs.readFileSync(path.join(dir, 'okta-aws-sso.state.json'), 'utf8')) as { steps: Record<string, { status: string; outputs: Record<string, unknown> }> };
    const out = state.steps['app-sign-on-policy']!;
    expect(out.status).toBe('done');
    expect(out.outputs).toMatchObject({ engine: 'identity', created: true, policyName: 'okta-aws-sso: MFA for AWS' });
    const policyId = String(out.outputs['policyId']);
    const policy = await okta<{ type: string; status: string; name: string }>(`/api/v1/policies/${policyId}`);
    expect(policy.json).toMatchObject({ type: 'ACCESS_POLICY', status: 'ACTIVE', name: 'okta-aws-sso: MFA for AWS' });
    const rules = await okta<{ status: string; actions: { appSignOn: { verificationMethod: { type: string; factorMode: string; constraints: Record<string, unknown>[] } } } }[]>(`/api/v1/policies/${policyId}/rules`);
    const vm = rules.json.find((r) => r.status === 'ACTIVE')!.actions.appSignOn.verificationMethod;
    expect(vm).toMatchObject({ type: 'ASSURANCE', factorMode: '2FA' });
    expect(vm.constraints[0]).toHaveProperty('possession');
    expect(vm.constraints[0]).toHaveProperty('knowledge');
    const appId = String((state.steps['okta-app']!.outputs as { appId: string }).appId);
    const app = await okta<{ _links: { accessPolicy?: { href: string } } }>(`/api/v1/apps/${appId}`);
    expect(app.json._links.accessPolicy?.href).toMatch(new RegExp(`/api/v1/policies/${policyId}$`));
  });

  it('makes signing in as the test user demand the second factor, which only the right code answers', async () => {
    const authn = await fetch(`${info.oktaUrl}/api/v1/authn`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'ada.lovelace@example.com', password: PASSWORD }) });
    const body = (await authn.json()) as { status: string; stateToken: string; _embedded: { factors: { factorType: string; _links: { verify: { href: string } } }[] } };
    expect(body.status).toBe('MFA_REQUIRED');
    const factor = body._embedded.factors.find((f) => f.factorType === 'token:software:totp')!;
    const verify = (passCode: string) => fetch(factor._links.verify.href, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ stateToken: body.stateToken, passCode }) });
    expect((await verify('000000')).status).toBe(403);
    const ok = (await (await verify(SANDBOX_MFA_CODE)).json()) as { status: string; sessionToken?: string };
    expect(ok.status).toBe('SUCCESS');
    expect(typeof ok.sessionToken).toBe('string');
  });

  it('a second init adopts the policy and sends no mutating request', async () => {
    const cursor = (await readRequestLog(sandboxDir)).length;
    const again = await runCli(['resume', '--sandbox', '--require-mfa'], { cwd: dir, env });
    expect(again.code, again.stderr).toBe(0);
    expect((await mutatingRequests(sandboxDir, cursor)).map((e) => `${e.service} ${e.operation}`)).toEqual([]);
  }, 120_000);
});

describe('destroy', () => {
  it('--dry-run prints the plan and changes nothing', async () => {
    const cursor = (await readRequestLog(sandboxDir)).length;
    const r = await runCli(['destroy', '--dry-run', '--json'], { cwd: dir, env });
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { result: string; data: { instanceId: string; changes: { op: string; risk: string; resource: { kind: string } }[]; kept: string[] } };
    expect(doc.result).toBe('planned');
    expect(doc.data.instanceId).toBe(instanceId);
    expect(doc.data.changes.every((c) => c.risk === 'destructive')).toBe(true);
    expect(doc.data.changes.map((c) => c.resource.kind)).toEqual(
      expect.arrayContaining(['account-assignment', 'permission-set', 'push-mapping', 'okta-group', 'okta-user', 'identity-store-user', 'console-action', 'okta-app', 'okta-policy']),
    );
    expect(doc.data.kept.join('\n')).toContain('"AWS Users"');
    expect(await mutatingRequests(sandboxDir, cursor)).toEqual([]);
    expect(await snapshot()).toEqual(before);
  }, 60_000);

  it('a wrong confirmation exits 2 and removes nothing', async () => {
    const cursor = (await readRequestLog(sandboxDir)).length;
    const r = await runCli(['destroy', '--yes', '--confirm', 'ssoins-0000000000000000'], { cwd: dir, env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^Error: .*not the Identity Center instance id/m);
    expect(r.stderr).toContain(`--confirm ${instanceId}`);
    const none = await runCli(['destroy', '--yes'], { cwd: dir, env });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain(`--yes --confirm ${instanceId}`);
    expect(await mutatingRequests(sandboxDir, cursor)).toEqual([]);
  }, 60_000);

  it('removes what the wizard created and keeps what it adopted; a re-run is a no-op', async () => {
    const cursor0 = (await readRequestLog(sandboxDir)).length;
    const r = await runCli(['destroy', '--yes', '--confirm', instanceId, '--json'], { cwd: dir, env });
    expect(r.code, r.stderr).toBe(0);
    // It sent exactly the writes of the destructive changes it printed (test/helpers/plan-log.ts).
    const printed = (JSON.parse(r.stdout) as { data: { changes: { writes?: { service: 'okta' | 'aws'; operation: string; count: number }[] }[] } }).data.changes;
    expect(printed.length).toBeGreaterThan(5);
    expectWritesMatchPlan(await readRequestLog(sandboxDir, { since: cursor0 }), printed, 'destroy');
    expect(r.stderr).toContain('Sandbox: performed "Delete the SCIM access tokens');
    expect(r.stderr).toContain('Sandbox: performed "Change the identity source back');
    await idle();
    const after = await snapshot();
    // Nothing the wizard created is left ...
    expect(before.apps).toContain('AWS IAM Identity Center ACTIVE');
    // (exactly one: the sandbox org also holds another AWS organization's app under the same label, kept)
    const gone = before.apps.indexOf('AWS IAM Identity Center ACTIVE');
    expect(after.apps).toEqual(before.apps.filter((_, i) => i !== gone));
    expect(after.apps).toContain('AWS IAM Identity Center ACTIVE');
    expect(after.policies).toEqual([]);
    expect(before.users).toEqual(['ada.lovelace@example.com ACTIVE']);
    expect(after.users).toEqual([]);
    expect(after.permissionSets).toEqual(before.permissionSets.filter((n) => n !== 'AWSPowerUserAccess'));
    expect(after.idcGroups).toEqual(before.idcGroups.filter((n) => n !== 'awsssoPowerUsers'));
    expect(after.idcUsers).toEqual(before.idcUsers.filter((n) => n !== 'ada.lovelace@example.com'));
    // ... and what it adopted is still there.
    expect(after.groups).toEqual(['AWS Users']);
    expect((await okta<{ id: string }>(`/api/v1/groups/${adoptedGroupId}`)).status).toBe(200);
    const state = JSON.parse(fs.readFileSync(path.join(dir, 'okta-aws-sso.state.json'), 'utf8')) as { destroy?: { finishedAt?: string; consoleDone: string[]; removed: Record<string, string> } };
    expect(state.destroy?.finishedAt).toBeDefined();
    expect(state.destroy?.consoleDone.sort()).toEqual(['delete-scim-tokens', 'revert-identity-source']);

    const cursor = (await readRequestLog(sandboxDir)).length;
    const again = await runCli(['destroy', '--yes', '--confirm', instanceId, '--json'], { cwd: dir, env });
    expect(again.code, again.stderr).toBe(0);
    expect((JSON.parse(again.stdout) as { data: { changes: unknown[] } }).data.changes).toEqual([]);
    expect(await mutatingRequests(sandboxDir, cursor)).toEqual([]);
  }, 120_000);
});
