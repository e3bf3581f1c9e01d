/**
 * The sandbox as its own detached process (dist/sandbox/main.js, built by vitest's globalSetup):
 * start, status, a refused second start, stop, restart with the state kept, reset, stale files.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WizardError } from '../../src/errors.js';
import {
  childEnv,
  ensureSandbox,
  resetSandbox,
  sandboxAdmin,
  sandboxStatus,
  startSandbox,
  stopSandbox,
} from '../../src/sandbox/process.js';
import type { SandboxInfo } from '../../src/sandbox/types.js';
import { readRequestLog } from '../helpers/sandbox.js';

const dirs: string[] = [];
function tmpDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'harness-process-'));
  dirs.push(d);
  return d;
}

afterAll(async () => {
  for (const d of dirs) {
    await stopSandbox(d).catch(() => false);
    fs.rmSync(d, { recursive: true, force: true });
  }
});

function okta(info: SandboxInfo, p: string, init: { method?: string; body?: unknown } = {}): Promise<Response> {
  return fetch(`${info.oktaUrl}${p}`, {
    method: init.method ?? 'GET',
    headers: { authorization: `SSWS ${info.oktaApiToken}`, accept: 'application/json', 'content-type': 'application/json' },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
}

async function groupNames(info: SandboxInfo, q: string): Promise<string[]> {
  const res = await okta(info, `/api/v1/groups?q=${encodeURIComponent(q)}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { profile: { name: string } }[]).map((g) => g.profile.name);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('sandbox process', () => {
  it('starts, reports status, refuses a second start, keeps state across a restart, stops', async () => {
    const dir = tmpDir();
    expect(await sandboxStatus(dir)).toEqual({ running: false });

    const t0 = performance.now();
    const info = await startSandbox({ dir });
    // Not asserted (no timing assertions); shown for the report.
    console.log(`sandbox process ready in ${Math.round(performance.now() - t0)} ms (first start, key generation included)`);
    expect(info.pid).not.toBe(process.pid);
    expect(alive(info.pid)).toBe(true);
    expect(info.dir).toBe(dir);
    expect(info.adminUrl).toBe(`${info.oktaUrl}/__sandbox`);
    expect((fs.statSync(path.join(dir, 'sandbox.json')).mode & 0o777).toString(8)).toBe('600');
    expect((fs.statSync(info.oauth.privateKeyPath).mode & 0o777).toString(8)).toBe('600');

    const status = await sandboxStatus(dir);
    expect(status.running).toBe(true);
    expect(status.info).toEqual(info);

    const second = await startSandbox({ dir }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(second).toBeInstanceOf(WizardError);
    expect((second as WizardError).exitCode).toBe(2);
    expect((second as WizardError).message).toContain('already running');
    expect((second as WizardError).hint).toContain('sandbox stop');
    // ensureSandbox adopts the running one.
    expect(await ensureSandbox({ dir })).toEqual({ info, started: false });

    const name = `proc-group-${Date.now()}`;
    expect((await okta(info, '/api/v1/groups', { method: 'POST', body: { profile: { name } } })).status).toBe(200);
    const log = await readRequestLog(dir, { mutatingOnly: true });
    expect(log).toEqual([expect.objectContaining({ service: 'okta', mutating: true, status: 200 })]);

    expect(await stopSandbox(dir)).toBe(true);
    expect(alive(info.pid)).toBe(false);
    expect(fs.existsSync(path.join(dir, 'sandbox.json'))).toBe(false);
    expect(await sandboxStatus(dir)).toEqual({ running: false });
    expect(await stopSandbox(dir)).toBe(false);

    const t1 = performance.now();
    const again = await ensureSandbox({ dir });
    console.log(`sandbox process ready in ${Math.round(performance.now() - t1)} ms (restart with saved state)`);
    expect(again.started).toBe(true);
    expect(again.info.pid).not.toBe(info.pid);
    expect(again.info.oktaApiToken).toBe(info.oktaApiToken);
    expect(again.info.oauth.clientId).toBe(info.oauth.clientId);
    expect(await groupNames(again.info, name)).toEqual([name]);
    // Same ports as before (they were free): the SCIM endpoint and URLs saved by earlier runs stay valid.
    expect([again.info.oktaUrl, again.info.awsUrl]).toEqual([info.oktaUrl, info.awsUrl]);

    // Reset while running: same credentials, the group is gone.
    await resetSandbox(dir);
    expect(await groupNames(again.info, name)).toEqual([]);
    expect((await sandboxStatus(dir)).running).toBe(true);
    expect(await stopSandbox(dir)).toBe(true);
  });

  it('after a crash: a stale sandbox.json means not running; reset deletes the saved state; start options reach the process', async () => {
    const dir = tmpDir();
    const info = await startSandbox({ dir });
    const name = `crashed-${Date.now()}`;
    expect((await okta(info, '/api/v1/groups', { method: 'POST', body: { profile: { name } } })).status).toBe(200);
    // The state is written shortly after a mutating request.
    for (let i = 0; i < 200 && !fs.existsSync(path.join(dir, 'state.json')); i++) await new Promise((r) => setTimeout(r, 25));
    for (let i = 0; i < 200 && !fs.readFileSync(path.join(dir, 'state.json'), 'utf8').includes(name); i++) await new Promise((r) => setTimeout(r, 25));
    process.kill(info.pid, 'SIGKILL'); // a crash: sandbox.json stays behind
    for (let i = 0; i < 200 && alive(info.pid); i++) await new Promise((r) => setTimeout(r, 10));
    expect(fs.existsSync(path.join(dir, 'sandbox.json'))).toBe(true);
    expect(await sandboxStatus(dir)).toEqual({ running: false });

    await resetSandbox(dir);
    expect(fs.existsSync(path.join(dir, 'state.json'))).toBe(false);
    expect(await readRequestLog(dir)).toEqual([]);

    const next = await startSandbox({ dir, options: { aws: { region: 'eu-west-1', memberAccounts: 2 }, faults: { aws: { errorRate: 1 } } } });
    try {
      expect(next.pid).not.toBe(info.pid);
      expect(next.oktaApiToken).toBe(info.oktaApiToken);
      expect(await groupNames(next, name)).toEqual([]);
      expect(next.region).toBe('eu-west-1');
      const status = await sandboxAdmin<{ options: { aws: Record<string, unknown> }; faults: Record<string, unknown> }>(next, 'GET', 'status');
      expect(status.options.aws).toEqual({ region: 'eu-west-1', memberAccounts: 2 });
      expect(status.faults).toEqual({ aws: { errorRate: 1 } });
      const res = await fetch(`${next.awsUrl}/`, { method: 'POST', headers: { 'x-amz-target': 'SWBExternalService.ListInstances', 'content-type': 'application/x-amz-json-1.1' }, body: '{}' });
      expect(res.status).toBeGreaterThanOrEqual(500);
    } finally {
      expect(await stopSandbox(dir)).toBe(true);
    }
    // A sandbox.json naming a live process that is not this sandbox is never signalled.
    fs.writeFileSync(path.join(dir, 'sandbox.json'), JSON.stringify({ ...next, pid: process.pid }), { mode: 0o600 });
    expect(await sandboxStatus(dir)).toEqual({ running: false });
    expect(await stopSandbox(dir)).toBe(false);
    expect(fs.existsSync(path.join(dir, 'sandbox.json'))).toBe(false);
  });

  it('lets two concurrent ensureSandbox calls share one sandbox', async () => {
    const dir = tmpDir();
    const [a, b] = await Promise.all([ensureSandbox({ dir }), ensureSandbox({ dir })]);
    expect([a.started, b.started].sort()).toEqual([false, true]);
    expect(a.info.pid).toBe(b.info.pid);
    expect(await stopSandbox(dir)).toBe(true);
    expect(alive(a.info.pid)).toBe(false);
  });

  it('says why it cannot start when its port is taken', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const err = await startSandbox({ dir: tmpDir(), port }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(WizardError);
      expect((err as WizardError).message).toContain('already in use');
      expect((err as WizardError).hint).toContain('--port');
    } finally {
      blocker.close();
    }
  });

  it('runs as a plain program too, and says what is wrong with its arguments', () => {
    const main = path.resolve(import.meta.dirname, '../../dist/sandbox/main.js');
    const noDir = spawnSync(process.execPath, [main], { encoding: 'utf8' });
    expect(noDir.status).toBe(2);
    expect(noDir.stderr).toContain('sandbox: error: --dir is required.');
    expect(noDir.stderr).toContain('sandbox: hint: Usage:');
    const badJson = spawnSync(process.execPath, [main, '--dir', tmpDir(), '--options', '{nope'], { encoding: 'utf8' });
    expect(badJson.status).toBe(2);
    expect(badJson.stderr).toContain('--options is not valid JSON');
    const badPort = spawnSync(process.execPath, [main, '--dir', tmpDir(), '--port', 'http'], { encoding: 'utf8' });
    expect(badPort.status).toBe(2);
    expect(badPort.stderr).toContain('--port must be a port number');
  });

  it('does not hand real credentials to the detached process, and refuses a folder it cannot use', async () => {
    const env = childEnv({ PATH: '/bin', HOME: '/h', AWS_SECRET_ACCESS_KEY: 'x', AWS_PROFILE: 'p', OKTA_API_TOKEN: 't', SCIM_TOKEN: 's', GITHUB_TOKEN: 'g', NODE_OPTIONS: '--x' });
    expect(env).toEqual({ PATH: '/bin', HOME: '/h', NODE_OPTIONS: '--x' });
    const file = path.join(tmpDir(), 'a-file');
    fs.writeFileSync(file, '');
    const err = await startSandbox({ dir: path.join(file, 'sandbox') }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(WizardError);
    expect((err as WizardError).exitCode).toBe(2);
    expect((err as WizardError).hint).toContain('--sandbox-dir');
  });

  it('refuses bad options before starting anything', async () => {
    const dir = tmpDir();
    const err = await startSandbox({ dir, options: { aws: { memberAccounts: -1 } } }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(WizardError);
    expect((err as WizardError).exitCode).toBe(2);
    expect((err as WizardError).message).toContain('memberAccounts');
    expect(fs.existsSync(path.join(dir, 'sandbox.json'))).toBe(false);
  });
});
