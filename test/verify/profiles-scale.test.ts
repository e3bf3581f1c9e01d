/**
 * The "Okta profiles SCIM accepts" row streams an org of 100,000 users page by page: a child process
 * runs the real OktaClient.pages() + scanGroupProfiles() against the sandbox (100,000 users seeded in
 * bulk through the admin endpoint) and its peak RSS stays under 200 MB while it counts every
 * refusable profile.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withSandbox, type TestSandbox } from '../helpers/sandbox.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const USERS = 100_000;
const RSS_LIMIT_MB = 200;

let sb: TestSandbox;
beforeAll(async () => {
  sb = await withSandbox();
});
afterAll(async () => {
  await sb.close();
});

describe('profile scan of 100,000 Okta users', () => {
  it('counts every refusable profile in bounded memory (child peak RSS < 200 MB)', async () => {
    const res = await fetch(`${sb.info.adminUrl}/seed/okta-users`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ count: USERS, groupName: 'AWS Users 100k', refusableEvery: 1000 }) });
    expect(res.status).toBe(200);
    const seeded = (await res.json()) as { groupId: string; created: number; refusable: number };
    expect(seeded).toMatchObject({ created: USERS, refusable: USERS / 1000 });

    const out = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, [path.join(here, 'fixtures/scan-profiles.mjs'), sb.info.oktaUrl, seeded.groupId], { env: { ...process.env, OKTA_API_TOKEN: sb.info.oktaApiToken }, timeout: 240_000, maxBuffer: 1 << 20 }, (err, stdout, stderr) =>
        err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout),
      );
    });
    const r = JSON.parse(out) as { scan: { checked: number; refused: number; examples: string[]; pages: number }; maxRssMb: number };
    expect(r.scan.checked).toBe(USERS);
    expect(r.scan.refused).toBe(seeded.refusable);
    expect(r.scan.pages).toBe(USERS / 1000);
    expect(r.scan.examples).toHaveLength(5);
    expect(r.scan.examples[0]).toMatch(/^seed\.[0-9a-f]{6}\.999@example\.com: no display name$/);
    expect(r.scan.examples[1]).toMatch(/^seed\.[0-9a-f]{6}\.1999@example\.com: last name "User;1999" contains one of < > ; : %$/);
    expect(r.maxRssMb, `peak RSS ${r.maxRssMb} MB`).toBeLessThan(RSS_LIMIT_MB);
    console.log(`profile scan of ${USERS} users: child peak RSS ${Math.round(r.maxRssMb)} MB`);
  }, 300_000);
});
