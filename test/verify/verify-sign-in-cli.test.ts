/**
 * `init --sandbox --yes` ends with the sign-in proof passing (13 rows: the shared finished run,
 * test/helpers/finished-run.ts, made with a known test-user password), and `verify --sandbox --sign-in --json`
 * reports one health row per check: a NameID that is not the Identity Center user name, a wrong IdP
 * metadata upload and an MFA policy each break exactly their rows; a one-use session token spent by a
 * re-sent first redirect is replaced by a fresh sign-in, and one refused every time is reported (real
 * binary, sandbox process). Each verify run is held to its plan (test/helpers/plan-log.ts) over the run's
 * own window: the test's writes to Okta between runs are outside it.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FINISHED_RUN_PASSWORD as PASSWORD, FINISHED_RUN_USER, copyFinishedRun, type FinishedRun } from '../helpers/finished-run.js';
import { readRequestLog, type RequestLogEntry } from '../helpers/sandbox.js';
import { expectRunMatchesState } from '../helpers/plan-log.js';
import type { WizardState } from '../../src/engine/state.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const bin = path.join(root, 'bin/okta-aws-sso.js');
let finished: FinishedRun;
let dir = '';
let sbDir = '';

interface Row {
  id: string;
  status: string;
  detail: string;
}

function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(AWS_|OKTA_|SCIM_|CI$)/.test(k)) out[k] = v;
  return { ...out, ...extra };
}

function run(args: string[], extra: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd: dir, env: env(extra), timeout: 150_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * `verify --sign-in --json`, held to its plan: the wizard's writes between its start and its end fit
 * the attempts it recorded (verify writes nothing without a repair). The test's own writes to Okta
 * before and after the run are outside that window. Returns the run's requests too.
 */
async function verify(args: string[] = []): Promise<{ code: number; rows: Row[]; out: string; log: RequestLogEntry[] }> {
  const since = new Date().toISOString();
  const r = await run(['verify', '--sandbox', '--sandbox-dir', sbDir, '--sign-in', '--json', ...args], { OKTA_AWS_SSO_TEST_USER_PASSWORD: PASSWORD });
  const until = new Date().toISOString();
  const doc = JSON.parse(r.stdout) as { health?: Row[] };
  const log = (await readRequestLog(sbDir)).filter((e) => e.ts >= since && e.ts <= until);
  const state = JSON.parse(fs.readFileSync(path.join(dir, 'okta-aws-sso.state.json'), 'utf8')) as WizardState;
  expect(expectRunMatchesState(log, state, { since, until })).toEqual(['verify']);
  return { code: r.code, rows: doc.health ?? [], out: r.stdout + r.stderr, log };
}

/** The sign-in requests of a run, in order: primary authentications and session-token redirects. */
const signIns = (log: RequestLogEntry[]): string[] =>
  log.filter((e) => e.operation === 'POST /api/v1/authn' || e.operation === 'GET /login/sessionCookieRedirect').map((e) => `${e.operation.split(' ')[1]} ${e.fault ?? e.status}`);

const status = (rows: Row[], id: string): string | undefined => rows.find((r) => r.id === id)?.status;
const failedIds = (rows: Row[]): string[] => rows.filter((r) => r.status === 'failed').map((r) => r.id);

function info(): { oktaUrl: string; oktaApiToken: string; adminUrl: string } {
  return JSON.parse(fs.readFileSync(path.join(sbDir, 'sandbox.json'), 'utf8')) as { oktaUrl: string; oktaApiToken: string; adminUrl: string };
}

async function okta(method: string, p: string, body?: unknown): Promise<unknown> {
  const i = info();
  const res = await fetch(`${i.oktaUrl}${p}`, { method, headers: { authorization: `SSWS ${i.oktaApiToken}`, 'content-type': 'application/json', accept: 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
  expect(res.status, await res.clone().text()).toBeLessThan(300);
  return res.json();
}

async function admin(route: string, body: unknown): Promise<void> {
  const res = await fetch(`${info().adminUrl}/${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status, await res.clone().text()).toBe(200);
}

let appId = '';

beforeAll(async () => {
  // The run was `init --sandbox --yes` with the Katherine Johnson test user and OKTA_AWS_SSO_TEST_USER_PASSWORD set.
  finished = await copyFinishedRun('oas-signin-');
  ({ dir, sbDir } = finished);
  expect(FINISHED_RUN_USER.email).toBe('katherine.johnson@example.com');
  const first = finished;
  expect(first.code, first.stdout + first.stderr).toBe(0);
  expect(first.stdout).toMatch(/Sign-in proof \(as the test user, without a browser\):/);
  expect(first.stdout).toMatch(/PASS {2}Role credentials work \(STS GetCallerIdentity\) +arn:aws:sts::\d{12}:assumed-role\/AWSReservedSSO_AWSPowerUserAccess_[0-9a-f]{16}\/katherine\.johnson@example\.com/);
  expect(first.stdout).toMatch(/13 passed, 0 warning\(s\), 0 failed, 0 skipped\./);
  expect(first.stdout + first.stderr).not.toContain(PASSWORD);
  const state = JSON.parse(fs.readFileSync(path.join(dir, 'okta-aws-sso.state.json'), 'utf8')) as { steps: Record<string, { outputs?: { appId?: string } }> };
  appId = state.steps['okta-app']!.outputs!.appId!;
  expect(fs.readFileSync(path.join(dir, 'okta-aws-sso.state.json'), 'utf8')).not.toContain(PASSWORD);
}, 240_000);

afterAll(async () => {
  await finished?.dispose();
});

describe('verify --sign-in (sandbox)', () => {
  it('NameID that is not the Identity Center user name: the NameID row fails and Identity Center refuses the assertion', async () => {
    const app = (await okta('GET', `/api/v1/apps/${appId}`)) as Record<string, unknown>;
    const creds = app.credentials as Record<string, unknown>;
    await okta('PUT', `/api/v1/apps/${appId}`, { ...app, credentials: { ...creds, userNameTemplate: { template: '${source.firstName}', type: 'CUSTOM' } } });
    try {
      const v = await verify();
      expect(v.code, v.out).toBe(1);
      expect(v.rows.map((r) => r.id)).toEqual([
        'steps',
        'okta-authn',
        'saml-response',
        'saml-signature',
        'saml-status',
        'saml-issuer',
        'saml-audience',
        'saml-recipient',
        'saml-nameid',
        'saml-validity',
        'acs',
        'device-authorization',
        'portal-accounts',
        'role-credentials',
        'idp-cert-expiry',
        'scim-token-age',
        'okta-profiles',
        'scim-drift',
      ]);
      expect(failedIds(v.rows)).toEqual(['saml-nameid', 'acs']);
      expect(v.out).not.toContain(PASSWORD);
      expect(v.rows.find((r) => r.id === 'saml-nameid')!.detail).toMatch(/NameID Katherine .*user name katherine\.johnson@example\.com/);
      expect(status(v.rows, 'role-credentials')).toBe('passed');
    } finally {
      await okta('PUT', `/api/v1/apps/${appId}`, { ...app, credentials: creds });
    }
  }, 120_000);

  it('a wrong IdP metadata upload in Identity Center: only the ACS row fails', async () => {
    const good = fs.readFileSync(path.join(dir, 'idp-saml.xml'), 'utf8');
    const wrong = good.replace(/entityID="http:\/\/www\.okta\.com\/[^"]+"/, 'entityID="http://www.okta.com/exkSomeOtherApp00001"');
    await admin('console/upload-idp-metadata', { xml: wrong });
    try {
      const v = await verify();
      expect(v.code, v.out).toBe(1);
      expect(failedIds(v.rows)).toEqual(['acs']);
      expect(v.rows.find((r) => r.id === 'acs')!.detail).toMatch(/400: The SAML response was refused: issuer is the idp entity id/);
    } finally {
      await admin('console/upload-idp-metadata', { xml: good });
    }
  }, 120_000);

  it('a session token spent by a re-sent first redirect (its answer lost): the SAML part signs in again and passes', async () => {
    // Okta carries out the first redirect (the token is spent) but its answer is lost; the client sends it
    // again and Okta answers with its sign-in page. A fresh primary authentication gets a new token.
    await admin('faults', { okta: { lostAnswerRate: 1, operations: ['GET /login/sessionCookieRedirect'], limit: 1 } });
    try {
      const v = await verify();
      expect(v.code, v.out).toBe(0);
      expect(signIns(v.log)).toEqual(['/api/v1/authn 200', '/login/sessionCookieRedirect lost', '/login/sessionCookieRedirect 302', '/api/v1/authn 200', '/login/sessionCookieRedirect 302']);
      expect(failedIds(v.rows)).toEqual([]);
      expect(status(v.rows, 'okta-authn')).toBe('passed');
      expect(status(v.rows, 'saml-response')).toBe('passed');
      expect(status(v.rows, 'acs')).toBe('passed');
      expect(v.out).not.toContain(PASSWORD);
    } finally {
      await admin('faults', { okta: null });
    }
  }, 120_000);

  it('a session token refused every time: two fresh sign-ins, then the SAML row fails and says so', async () => {
    await admin('options', { okta: { sessionTokensSpent: true } });
    try {
      const v = await verify();
      expect(v.code, v.out).toBe(1);
      // The first token and two fresh ones, each refused (the sign-in page), then no more.
      expect(signIns(v.log)).toEqual(['/api/v1/authn 200', '/login/sessionCookieRedirect 302', '/api/v1/authn 200', '/login/sessionCookieRedirect 302', '/api/v1/authn 200', '/login/sessionCookieRedirect 302']);
      expect(status(v.rows, 'okta-authn')).toBe('passed');
      expect(failedIds(v.rows)).toEqual(['saml-response']);
      expect(v.rows.find((r) => r.id === 'saml-response')!.detail).toMatch(/asked for a sign-in again instead of opening the app \(the session token was not accepted\)/);
    } finally {
      await admin('options', { okta: { sessionTokensSpent: false } });
    }
  }, 120_000);

  it('an MFA sign-on policy: the TOTP factor is answered (a --sandbox run has the sandbox code), then SAML and access pass (exit 0)', async () => {
    await admin('options', { okta: { authnPolicy: 'mfa' } });
    try {
      const v = await verify();
      expect(v.code, v.out).toBe(0);
      expect(status(v.rows, 'okta-authn')).toBe('passed');
      expect(v.rows.find((r) => r.id === 'okta-authn')!.detail).toMatch(/and its second factor \(TOTP\) succeeded/);
      expect(v.rows.some((r) => r.id.startsWith('saml-'))).toBe(true);
      expect(status(v.rows, 'role-credentials')).toBe('passed');
    } finally {
      await admin('options', { okta: { authnPolicy: 'password' } });
    }
  }, 120_000);
});
