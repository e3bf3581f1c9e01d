/**
 * The sandbox harness in process, with the real emulators: routing, the request log, fault
 * injection, the admin endpoint, reset and persistence across a restart.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import oktaSdk from '@okta/okta-sdk-nodejs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxStartError } from '../../src/sandbox/server.js';
import { readRequestLog, withSandbox, type TestSandbox } from '../helpers/sandbox.js';

const tmpRoots: string[] = [];
function tmpDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'harness-server-'));
  tmpRoots.push(d);
  return d;
}

function okta(sb: TestSandbox, p: string, init: { method?: string; body?: unknown } = {}): Promise<Response> {
  return fetch(`${sb.info.oktaUrl}${p}`, {
    method: init.method ?? 'GET',
    headers: { authorization: `SSWS ${sb.info.oktaApiToken}`, accept: 'application/json', 'content-type': 'application/json' },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
}

function aws(sb: TestSandbox, target: string, body: unknown = {}): Promise<Response> {
  return fetch(`${sb.info.awsUrl}/`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target },
    body: JSON.stringify(body),
  });
}

async function admin<T = Record<string, unknown>>(sb: TestSandbox, method: 'GET' | 'POST', route: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${sb.info.adminUrl}/${route}`, { method, ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }) });
  return { status: res.status, body: (await res.json()) as T };
}

async function instanceArn(sb: TestSandbox): Promise<string> {
  const res = await aws(sb, 'SWBExternalService.ListInstances');
  expect(res.status).toBe(200);
  const body = (await res.json()) as { Instances: { InstanceArn: string }[] };
  return body.Instances[0]!.InstanceArn;
}

let sb: TestSandbox;
beforeAll(async () => {
  sb = await withSandbox();
});
afterAll(async () => {
  await sb?.close();
  for (const d of tmpRoots) fs.rmSync(d, { recursive: true, force: true });
});

describe('sandbox harness (in process)', () => {
  it('gives a --sandbox run the environment that points every client at it', () => {
    expect(sb.env).toEqual({
      AWS_ENDPOINT_URL: sb.info.awsUrl,
      AWS_ACCESS_KEY_ID: 'sandbox',
      AWS_SECRET_ACCESS_KEY: 'sandbox',
      AWS_REGION: 'us-east-2',
      OKTA_ORG_URL: sb.info.oktaUrl,
      OKTA_API_TOKEN: sb.info.oktaApiToken,
    });
    expect(sb.info.oktaUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(sb.info.awsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(sb.info.awsUrl).not.toBe(sb.info.oktaUrl);
    expect(sb.info.aws.accessKeyId).not.toMatch(/^AKIA/);
    expect(fs.readFileSync(sb.info.oauth.privateKeyPath, 'utf8')).toContain('BEGIN PRIVATE KEY');
    expect(sb.info.oauth.scopes).toEqual(expect.arrayContaining(['okta.apps.manage', 'okta.groups.manage', 'okta.users.manage']));
  });

  it('generates an OAuth service app the real Okta SDK can sign in with', async () => {
    const since = sb.log.size;
    const client = new oktaSdk.Client({
      orgUrl: sb.info.oktaUrl,
      authorizationMode: 'PrivateKey',
      clientId: sb.info.oauth.clientId,
      scopes: ['okta.groups.read'],
      privateKey: fs.readFileSync(sb.info.oauth.privateKeyPath, 'utf8'),
      keyId: sb.info.oauth.keyId,
    });
    const groups = await client.groupApi.listGroups({ q: 'no-such-group-prefix' });
    const names: string[] = [];
    for await (const g of groups) if (g?.profile?.name) names.push(g.profile.name);
    expect(names).toEqual([]);
    const entries = await readRequestLog(sb, { since });
    expect(entries.map((e) => [e.operation.includes('token'), e.status])).toEqual([
      [true, 200],
      [false, 200],
    ]);
  });

  it('logs service, operation and mutating for Okta, AWS and SCIM requests, and not admin calls', async () => {
    const since = sb.log.size;
    const name = `harness-log-${Date.now()}`;
    expect((await okta(sb, '/api/v1/groups', { method: 'POST', body: { profile: { name } } })).status).toBe(200);
    expect((await okta(sb, `/api/v1/groups?q=${name}`)).status).toBe(200);
    const arn = await instanceArn(sb);
    const created = await aws(sb, 'SWBExternalService.CreatePermissionSet', { InstanceArn: arn, Name: `LogTest${Date.now() % 100000}` });
    expect(created.status).toBe(200);
    const enabled = await admin<{ answers: Record<string, string>; secrets: Record<string, string> }>(sb, 'POST', 'console/enable-automatic-provisioning');
    const scim = await fetch(`${enabled.body.answers['scim-endpoint']}/Users`, { headers: { authorization: `Bearer ${enabled.body.secrets['scim-token']}` } });
    expect(scim.status).toBe(200);
    await admin(sb, 'GET', 'status');

    const entries = await readRequestLog(sb, { since });
    expect(entries.map((e) => [e.service, e.mutating, e.status])).toEqual([
      ['okta', true, 200],
      ['okta', false, 200],
      ['aws', false, 200],
      ['aws', true, 200],
      ['scim', false, 200],
    ]);
    expect(entries[2]!.operation).toBe('SWBExternalService.ListInstances');
    expect(entries[3]!.operation).toBe('SWBExternalService.CreatePermissionSet');
    expect(entries[0]!.operation).toMatch(/group/i);
    expect(entries[4]!.operation).toMatch(/^SCIM GET .*Users/);
    for (const e of entries) {
      expect(Object.keys(e).sort()).toEqual(['ms', 'mutating', 'operation', 'service', 'status', 'ts']);
      expect(Number.isNaN(Date.parse(e.ts))).toBe(false);
    }
    // Only the mutating ones, and the same through the admin endpoint with a cursor.
    expect((await readRequestLog(sb, { since, mutatingOnly: true })).map((e) => e.service)).toEqual(['okta', 'aws']);
    const viaAdmin = await admin<{ entries: unknown[]; next: number }>(sb, 'GET', `log?since=${since}`);
    expect(viaAdmin.body.entries).toEqual(entries);
    expect(viaAdmin.body.next).toBe(since + entries.length);
    expect((await admin<{ entries: unknown[] }>(sb, 'GET', `log?since=${viaAdmin.body.next}`)).body.entries).toEqual([]);
    // Never a token in the log.
    expect(JSON.stringify(entries)).not.toContain(sb.info.oktaApiToken);
  });

  it('drops connections when asked: the client sees a socket error, the log a status 0', async () => {
    const since = sb.log.size;
    await admin(sb, 'POST', 'faults', { okta: { dropRate: 1 } });
    try {
      await expect(okta(sb, '/api/v1/groups')).rejects.toThrow();
    } finally {
      await admin(sb, 'POST', 'faults', { okta: null });
    }
    expect((await okta(sb, '/api/v1/groups')).status).toBe(200);
    const entries = await readRequestLog(sb, { since });
    expect(entries[0]).toMatchObject({ service: 'okta', status: 0, fault: 'drop', mutating: false });
    expect(entries[1]).toMatchObject({ service: 'okta', status: 200 });
  });

  it('answers 5xx with errorRate 1, per service, and only for that service', async () => {
    const since = sb.log.size;
    await admin(sb, 'POST', 'faults', { aws: { errorRate: 1 } });
    try {
      const res = await aws(sb, 'SWBExternalService.ListInstances');
      expect(res.status).toBeGreaterThanOrEqual(500);
      expect(((await res.json()) as { __type: string }).__type).toMatch(/#InternalServerException$/);
      expect((await okta(sb, '/api/v1/groups')).status).toBe(200);
    } finally {
      await admin(sb, 'POST', 'faults', { aws: null });
    }
    expect((await aws(sb, 'SWBExternalService.ListInstances')).status).toBe(200);
    const entries = await readRequestLog(sb, { since });
    expect(entries.map((e) => [e.service, e.status >= 500, e.fault ?? null])).toEqual([
      ['aws', true, 'error'],
      ['okta', false, null],
      ['aws', false, null],
    ]);
  });

  it('answers with each service throttling answer with throttleRate 1', async () => {
    await admin(sb, 'POST', 'faults', { okta: { throttleRate: 1 }, aws: { throttleRate: 1 }, scim: { throttleRate: 1 } });
    try {
      const o = await okta(sb, '/api/v1/groups');
      expect(o.status).toBe(429);
      expect(((await o.json()) as { errorCode: string }).errorCode).toBe('E0000047');
      const a = await aws(sb, 'SWBExternalService.ListInstances');
      expect(a.status).toBe(400);
      expect(((await a.json()) as { __type: string }).__type).toMatch(/#ThrottlingException$/);
      const s = await fetch(`${sb.aws.info().scimEndpoint}/Users`);
      expect(s.status).toBe(429);
      const status = await admin<{ faults: Record<string, unknown> }>(sb, 'GET', 'status');
      expect(status.body.faults).toEqual({ okta: { throttleRate: 1 }, aws: { throttleRate: 1 }, scim: { throttleRate: 1 } });
    } finally {
      await admin(sb, 'POST', 'faults', { okta: null, aws: null, scim: null });
    }
    expect((await okta(sb, '/api/v1/groups')).status).toBe(200);
  });

  it('takes faults from the start options', async () => {
    const other = await withSandbox({ faults: { aws: { errorRate: 1 } } });
    try {
      expect((await aws(other, 'SWBExternalService.ListInstances')).status).toBeGreaterThanOrEqual(500);
      expect((await okta(other, '/api/v1/groups')).status).toBe(200);
    } finally {
      await other.close();
    }
  });

  it('refuses bad admin input with a message naming the fix', async () => {
    const bad = await admin<{ error: string }>(sb, 'POST', 'faults', { okta: { errorRate: 2 } });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toContain('from 0 to 1');
    const unknownService = await admin<{ error: string }>(sb, 'POST', 'faults', { ldap: { errorRate: 1 } });
    expect(unknownService.status).toBe(400);
    expect(unknownService.body.error).toContain('okta, aws, scim');
    const unknownKey = await admin<{ error: string }>(sb, 'POST', 'faults', { okta: { errRate: 1 } });
    expect(unknownKey.body.error).toContain('errorRate');
    const badOption = await admin<{ error: string }>(sb, 'POST', 'options', { okta: { provisioningApi: 'maybe' } });
    expect(badOption.status).toBe(400);
    expect(badOption.body.error).toContain('"unknown" or "supported"');
    const route = await admin<{ error: string }>(sb, 'GET', 'nope');
    expect(route.status).toBe(404);
    const method = await admin<{ error: string }>(sb, 'GET', 'reset');
    expect(method.status).toBe(405);
    const notJson = await fetch(`${sb.info.adminUrl}/faults`, { method: 'POST', body: '{' });
    expect(notJson.status).toBe(400);
    const since = await admin<{ error: string }>(sb, 'GET', 'log?since=-1');
    expect(since.status).toBe(400);
  });

  it('shows status without secrets, on both listeners, and applies options', async () => {
    const res = await fetch(`${sb.info.awsUrl}/__sandbox/status`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain(sb.info.oktaApiToken);
    expect(text).not.toContain('secretAccessKey');
    const status = JSON.parse(text) as { running: boolean; info: { oktaUrl: string; pid: number }; aws: { region: string; scimEndpoint: string }; counts: { total: number } };
    expect(status.running).toBe(true);
    expect(status.info.oktaUrl).toBe(sb.info.oktaUrl);
    expect(status.aws.scimEndpoint.startsWith(sb.info.awsUrl)).toBe(true);
    expect(status.counts.total).toBe(sb.log.size);

    const set = await admin<{ options: { okta: Record<string, unknown> } }>(sb, 'POST', 'options', { okta: { provisioningApi: 'supported' } });
    expect(set.status).toBe(200);
    expect(set.body.options.okta).toEqual({ provisioningApi: 'supported' });
    await admin(sb, 'POST', 'options', { okta: { provisioningApi: 'unknown' } });
  });

  it('waits for the Okta emulator to be idle', async () => {
    const res = await admin<{ idle: boolean }>(sb, 'GET', 'idle');
    expect(res).toEqual({ status: 200, body: { idle: true } });
    expect(await admin(sb, 'GET', 'idle?timeoutMs=5000')).toEqual({ status: 200, body: { idle: true } });
    const bad = await admin<{ error: string }>(sb, 'GET', 'idle?timeoutMs=soon');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toContain('timeoutMs');
  });

  it('resets to fresh emulators with the same credentials', async () => {
    const other = await withSandbox();
    try {
      const name = `harness-reset-${Date.now()}`;
      expect((await okta(other, '/api/v1/groups', { method: 'POST', body: { profile: { name } } })).status).toBe(200);
      const before = (await (await okta(other, `/api/v1/groups?q=${name}`)).json()) as unknown[];
      expect(before).toHaveLength(1);
      const oldOkta = other.okta;
      expect((await admin(other, 'POST', 'reset')).status).toBe(200);
      expect(other.okta).not.toBe(oldOkta);
      // Same token still opens the org, and the group is gone.
      const after = await okta(other, `/api/v1/groups?q=${name}`);
      expect(after.status).toBe(200);
      expect((await after.json()) as unknown[]).toHaveLength(0);
    } finally {
      await other.close();
    }
  });

  it('persists to a folder and continues where it was after a restart', async () => {
    const dir = tmpDir();
    const first = await withSandbox(undefined, { dir });
    const name = `harness-persist-${Date.now()}`;
    let token: string;
    let arn: string;
    try {
      token = first.info.oktaApiToken;
      expect((await okta(first, '/api/v1/groups', { method: 'POST', body: { profile: { name } } })).status).toBe(200);
      arn = await instanceArn(first);
      expect((await aws(first, 'SWBExternalService.CreatePermissionSet', { InstanceArn: arn, Name: 'Persisted' })).status).toBe(200);
    } finally {
      await first.close();
    }
    for (const f of ['state.json', 'credentials.json', 'okta-service-app.pem', 'requests.jsonl']) {
      expect((fs.statSync(path.join(dir, f)).mode & 0o777).toString(8)).toBe('600');
    }
    const logged = await readRequestLog(dir);
    expect(logged.map((e) => e.operation)).toContain('SWBExternalService.CreatePermissionSet');

    const second = await withSandbox(undefined, { dir });
    try {
      expect(second.info.oktaApiToken).toBe(token);
      // Options set at run time are kept too.
      expect((await admin(second, 'POST', 'options', { okta: { rateLimitPerMinute: 1234 } })).status).toBe(200);
      const groups = (await (await okta(second, `/api/v1/groups?q=${name}`)).json()) as { profile: { name: string } }[];
      expect(groups.map((g) => g.profile.name)).toEqual([name]);
      const sets = (await (await aws(second, 'SWBExternalService.ListPermissionSets', { InstanceArn: arn })).json()) as { PermissionSets: string[] };
      expect(sets.PermissionSets).toHaveLength(1);
    } finally {
      await second.close();
    }
    const third = await withSandbox({ aws: { assignmentDelayMs: 5 } }, { dir });
    try {
      const status = await admin<{ options: { okta: Record<string, unknown>; aws: Record<string, unknown> } }>(third, 'GET', 'status');
      expect(status.body.options).toEqual({ okta: { rateLimitPerMinute: 1234 }, aws: { assignmentDelayMs: 5 } });
    } finally {
      await third.close();
    }
  });

  it('refuses to start on a damaged state file, naming the fix', async () => {
    const dir = tmpDir();
    fs.writeFileSync(path.join(dir, 'state.json'), '{"version": 1, "okta": ');
    const err = await withSandbox(undefined, { dir }).then(
      async (s) => {
        await s.close();
        return undefined;
      },
      (e: unknown) => e as SandboxStartError,
    );
    expect(err).toBeInstanceOf(SandboxStartError);
    expect(err!.message).toContain('state.json');
    expect(err!.hint).toContain('sandbox reset');
    fs.writeFileSync(path.join(dir, 'state.json'), JSON.stringify({ version: 1, options: {}, okta: { nonsense: true }, aws: null }));
    const restoreErr = await withSandbox(undefined, { dir }).then(
      async (s) => {
        await s.close();
        return undefined;
      },
      (e: unknown) => e as SandboxStartError,
    );
    expect(restoreErr).toBeInstanceOf(SandboxStartError);
    expect(restoreErr!.message).toContain('cannot be restored');
  });
});
