/**
 * A whole sandbox run under injected faults finishes the first time, with no duplicate: 10% 5xx,
 * 10% throttling and 2% dropped connections on AWS, 10% 5xx on Okta (the SCIM side's faults are covered by
 * the provisioning steps' own tests). The retry policy (src/retry/policy.ts) and the Okta
 * create-or-adopt do the work; one run here (docs/security.md gives the figures of more runs).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oas-faults-'));
const sb = path.join(dir, 'sb');

afterAll(async () => {
  await runCli(['sandbox', 'stop', '--dir', sb], { cwd: dir });
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('a run under injected faults', () => {
  it('finishes in the first run with no duplicate object', { timeout: 300_000 }, async () => {
    const start = await runCli(['sandbox', 'start', '--dir', sb], { cwd: dir });
    expect(start.code, start.stderr).toBe(0);
    const info = JSON.parse(fs.readFileSync(path.join(sb, 'sandbox.json'), 'utf8')) as { adminUrl: string; oktaUrl: string; oktaApiToken: string };
    const spec = { errorRate: 0.1, throttleRate: 0.1, dropRate: 0.02 };
    // Okta throttling is left out of this run for time, not correctness: the sandbox's Okta 429 sets
    // X-Rate-Limit-Reset a full minute ahead (Okta's per-minute window), so each 429 costs up to a minute
    // (RETRY_POLICY.rateLimitMaxWaitMs) and 10% of a run's Okta calls would take minutes. verify's sign-in
    // retries 429s on the one policy (src/retry/fetch.ts, test/retry/fetch.test.ts).
    // Okta dropped connections are left out too, for a known gap: a dropped Okta POST in the groups step
    // that is not a create (create-or-adopt covers creates: test/okta/create-or-adopt.test.ts) is not yet
    // retried or adopted, so 2% drops fail about one run in several. Open in issue 10.
    const set = await fetch(`${info.adminUrl}/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ okta: { errorRate: 0.1 }, aws: spec }) });
    expect(set.status).toBe(200);

    const r = await runCli(['init', '--sandbox', '--yes', '--sandbox-dir', sb], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Done: every step is complete\./);
    const log = fs.readFileSync(path.join(sb, 'requests.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { fault?: string });
    expect(log.filter((e) => e.fault).length).toBeGreaterThan(0); // faults really happened

    await fetch(`${info.adminUrl}/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ okta: null, aws: null }) });
    const get = async <T>(p: string): Promise<T> => (await (await fetch(`${info.oktaUrl}${p}`, { headers: { Authorization: `SSWS ${info.oktaApiToken}`, Accept: 'application/json' } })).json()) as T;
    const groups = await get<{ profile: { name: string } }[]>('/api/v1/groups?limit=200');
    const names = groups.map((g) => g.profile.name);
    expect(new Set(names).size).toBe(names.length);
    const apps = await get<{ label: string }[]>('/api/v1/apps?limit=200');
    const labels = apps.map((a) => a.label);
    expect(new Set(labels).size).toBe(labels.length);
  });
});
