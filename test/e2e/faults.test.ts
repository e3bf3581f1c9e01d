/**
 * A whole sandbox run under injected faults finishes the first time, with no duplicate: on Okta and AWS,
 * 10% 5xx, 10% throttling, 2% dropped connections and 2% lost answers (carried out, answer dropped); on
 * SCIM, a 5xx exactly while Okta creates the test user (verify re-assigns it, src/steps/provisioning-effect.ts).
 * The retry policy (src/retry/policy.ts), the Okta client's create-or-adopt and repeatable writes
 * (src/okta/client.ts) and the AWS adopt-after-conflict do the work; one run here (docs/performance.md
 * gives the figures of ten runs, with SCIM faults too).
 *
 * And a SCIM endpoint that fails every request: the run stops at the SCIM endpoint's probe with a clear
 * error, after the sends of the probe's allowance (PROBE_POLICY, src/retry/policy.ts; test/retry/policy.test.ts
 * shows from the policy that its worst case is under a minute), and writes nothing that needs SCIM.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCliInProcess as runCli } from '../helpers/cli.js';
import { readRequestLog } from '../helpers/sandbox.js';
import { PROBE_POLICY } from '../../src/retry/policy.js';
import { expectRunMatchesState } from '../helpers/plan-log.js';
import type { WizardState } from '../../src/engine/state.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oas-faults-'));
const sb = path.join(dir, 'sb');
const scimDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oas-faults-scim-'));
const scimSb = path.join(scimDir, 'sb');

afterAll(async () => {
  await runCli(['sandbox', 'stop', '--dir', sb], { cwd: dir });
  await runCli(['sandbox', 'stop', '--dir', scimSb], { cwd: scimDir });
  fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(scimDir, { recursive: true, force: true });
});

describe('a SCIM endpoint that fails every request', () => {
  it('ends the run at the probe with a clear error and its code, after the probe allowance', { timeout: 120_000 }, async () => {
    const start = await runCli(['sandbox', 'start', '--dir', scimSb], { cwd: scimDir });
    expect(start.code, start.stderr).toBe(0);
    const info = JSON.parse(fs.readFileSync(path.join(scimSb, 'sandbox.json'), 'utf8')) as { adminUrl: string };
    const set = await fetch(`${info.adminUrl}/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ scim: { errorRate: 1 } }) });
    expect(set.status).toBe(200);

    const r = await runCli(['init', '--sandbox', '--yes', '--sandbox-dir', scimSb, '--json'], { cwd: scimDir });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    const doc = JSON.parse(r.stdout) as { error: { code: string; message: string; hint?: string } };
    expect(doc.error).toMatchObject({ code: 'SCIM_PROBE_FAILED', message: 'The SCIM endpoint answered 500 to the probe.' });
    expect(doc.error.hint).toMatch(/Run again in a few minutes/);
    expect(r.stderr).not.toMatch(/\bat .+\(.+:\d+:\d+\)/); // no stack trace

    // The probe was sent exactly as often as the policy allows a probe, each send answered 500; no
    // other SCIM request, and nothing that needs SCIM was written (the run stopped at that step).
    const log = await readRequestLog(scimSb);
    const scim = log.filter((e) => e.service === 'scim');
    expect(scim.map((e) => `${e.operation} ${e.fault ?? e.status}`)).toEqual(Array(PROBE_POLICY.maxAttempts).fill('SCIM GET /ServiceProviderConfig error'));
    const state = JSON.parse(fs.readFileSync(path.join(scimDir, 'okta-aws-sso.state.json'), 'utf8')) as WizardState;
    expect(state.steps['scim-endpoint']?.status).toBe('failed');
    expect(state.steps['okta-provisioning']?.status ?? 'pending').toBe('pending');
  });
});

describe('a run under injected faults', () => {
  it('finishes in the first run with no duplicate object', { timeout: 300_000 }, async () => {
    const start = await runCli(['sandbox', 'start', '--dir', sb], { cwd: dir });
    expect(start.code, start.stderr).toBe(0);
    const info = JSON.parse(fs.readFileSync(path.join(sb, 'sandbox.json'), 'utf8')) as { adminUrl: string; oktaUrl: string; oktaApiToken: string };
    // Okta's rate-limit window made short by the sandbox's explicit option, so that a 429 waits until its
    // X-Rate-Limit-Reset (a second or two) rather than the real minute; the wait logic is the same.
    const opts = await fetch(`${info.adminUrl}/options`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ okta: { rateLimitWindowSeconds: 2 } }) });
    expect(opts.status).toBe(200);
    // Drops before the request is carried out, and lost answers after it was (a create made but never
    // confirmed: it must be adopted, not made twice).
    const spec = { errorRate: 0.1, throttleRate: 0.1, dropRate: 0.02, lostAnswerRate: 0.02 };
    // And the SCIM server fails exactly while Okta provisions the test user (its first SCIM POST /Users):
    // Okta marks the app user ERROR and does not retry it by itself.
    const scim = { errorRate: 1, operations: ['SCIM POST /Users'], limit: 1 };
    const set = await fetch(`${info.adminUrl}/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ okta: spec, aws: spec, scim }) });
    expect(set.status).toBe(200);

    const since = new Date().toISOString();
    const r = await runCli(['init', '--sandbox', '--yes', '--sandbox-dir', sb], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Done: every step is complete\./);
    // Each step sent only its planned writes: retries of them and lookups after a lost create, nothing else.
    const state = JSON.parse(fs.readFileSync(path.join(dir, 'okta-aws-sso.state.json'), 'utf8')) as WizardState;
    // Verify's re-assignment of the test user after the SCIM error is a repair the engine recorded in the
    // attempt (approved by --yes), so its writes are declared like the planned ones.
    expect(state.steps.verify!.applied!.filter((c) => c.repair).map((c) => [c.summary, c.repair!.approval])).toEqual([[expect.stringMatching(/^Re-assign the test user /), 'asked']]);
    // ... and the closing summary names it.
    expect(r.stdout).toMatch(/Repaired on the way \(1\):\s+Re-assign the test user /);
    expect(expectRunMatchesState(await readRequestLog(sb), state, { since })).toEqual(expect.arrayContaining(['okta-app', 'groups', 'group-push', 'permission-set', 'account-assignments', 'test-user', 'verify']));
    const log = fs.readFileSync(path.join(sb, 'requests.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { service: string; operation: string; status: number; fault?: string });
    expect(log.filter((e) => e.fault).length).toBeGreaterThan(0); // faults really happened
    // The test user's creation failed once, the wizard re-assigned it, and Okta created it once.
    const userPosts = log.filter((e) => e.service === 'scim' && e.operation === 'SCIM POST /Users');
    expect(userPosts.map((e) => e.fault ?? e.status)).toEqual(['error', 201]);
    expect(r.stdout + r.stderr).toMatch(/re-assigning it through the assignment group so that Okta provisions it again \(1 of 4/);

    await fetch(`${info.adminUrl}/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ okta: null, aws: null }) });
    // Every page (the sandbox org's directory spans several), following Link rel="next".
    const get = async <T>(p: string): Promise<T> => {
      const out: unknown[] = [];
      for (let url: string | undefined = `${info.oktaUrl}${p}`; url; ) {
        const res: Response = await fetch(url, { headers: { Authorization: `SSWS ${info.oktaApiToken}`, Accept: 'application/json' } });
        out.push(...((await res.json()) as unknown[]));
        url = /<([^>]+)>;\s*rel="next"/.exec(res.headers.get('link') ?? '')?.[1];
      }
      return out as T;
    };
    const groups = await get<{ profile: { name: string } }[]>('/api/v1/groups?limit=200');
    const names = groups.map((g) => g.profile.name);
    expect(names).toContain('awsssoPowerUsers');
    expect(new Set(names).size).toBe(names.length);
    // No app made twice: one app per label and SAML settings (the org holds another AWS organization's
    // app under the default label too, with its own ACS URL).
    const apps = await get<{ label: string; settings: { app?: { acsURL?: string } } }[]>('/api/v1/apps?limit=200');
    const keys = apps.map((a) => `${a.label} ${a.settings.app?.acsURL ?? ''}`);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
