/**
 * The README's rehearsal command, exactly as a new user types it: `okta-aws-sso init --sandbox --yes`
 * in an empty folder, with no other flag, reaches a verified end. Run here with a shell environment
 * that points at a real AWS profile, a per-service AWS endpoint and a real Okta org, to prove that a
 * sandbox run never follows them. Then: the state file, stdout and stderr hold no secret; `status
 * --json` agrees; a sandbox run that names a real org is refused before anything happens.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { readRequestLog } from '../helpers/sandbox.js';
import { expectRunMatchesState } from '../helpers/plan-log.js';
import type { WizardState } from '../../src/engine/state.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oas-readme-'));
const sbDir = path.join(dir, '.okta-aws-sso', 'sandbox');

/** A developer's shell that would reach real accounts if a sandbox run honoured it. */
const POLLUTED = {
  CI: 'true',
  AWS_PROFILE: 'production-admin',
  AWS_ENDPOINT_URL_SSO_ADMIN: 'http://127.0.0.1:9',
  OKTA_CLIENT_ORGURL: 'https://real-company.okta.com',
  OKTA_CLIENT_TOKEN: 'real-okta-token-that-must-not-be-used-0000',
};

afterAll(async () => {
  await runCli(['sandbox', 'stop'], { cwd: dir, env: {} });
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('the README rehearsal: init --sandbox --yes', () => {
  it('runs every step to a verified end with no other flag, ignoring real-account settings in the environment', async () => {
    const since = new Date().toISOString();
    const r = await runCli(['init', '--sandbox', '--yes'], { cwd: dir, env: POLLUTED });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    // Apply sent exactly the planned writes, step by step.
    const runState = JSON.parse(fs.readFileSync(path.join(dir, 'okta-aws-sso.state.json'), 'utf8')) as WizardState;
    expect(expectRunMatchesState(await readRequestLog(sbDir), runState, { since })).toEqual(
      expect.arrayContaining(['preflight', 'sp-metadata', 'okta-app', 'idp-metadata', 'scim-endpoint', 'okta-provisioning', 'groups', 'group-push', 'permission-set', 'account-assignments', 'test-user', 'verify']),
    );
    expect(r.stdout).toMatch(/Done: every step is complete\./);
    expect(r.stdout).toContain('ada.lovelace@example.com');
    expect(r.stdout + r.stderr).not.toMatch(/NodeVersionSupportWarning|real-company/);

    // The sandbox's own secrets: its Okta API token, and the SCIM token its Okta org holds.
    const info = JSON.parse(fs.readFileSync(path.join(sbDir, 'sandbox.json'), 'utf8')) as { oktaApiToken: string; adminUrl: string };
    await fetch(`${info.adminUrl}/__sandbox/idle`);
    const snapshot = fs.readFileSync(path.join(sbDir, 'state.json'), 'utf8');
    const scimTokens = [...snapshot.matchAll(/"token":\s*"([^"]{16,})"/g)].map((m) => m[1]!);
    expect(scimTokens.length).toBeGreaterThan(0);
    const state = fs.readFileSync(path.join(dir, 'okta-aws-sso.state.json'), 'utf8');
    for (const secret of [info.oktaApiToken, ...scimTokens, POLLUTED.OKTA_CLIENT_TOKEN]) {
      expect(state).not.toContain(secret);
      expect(r.stdout).not.toContain(secret);
      expect(r.stderr).not.toContain(secret);
    }
    expect(fs.statSync(path.join(dir, 'okta-aws-sso.state.json')).mode & 0o777).toBe(0o600);

    const status = await runCli(['status', '--json'], { cwd: dir, env: {} });
    expect(status.code, status.stderr).toBe(0);
    const doc = JSON.parse(status.stdout) as { steps: { id: string; status: string }[] };
    expect(doc.steps.map((s) => s.status)).toEqual(Array(12).fill('done'));
    expect(doc.steps.map((s) => s.id)).toEqual([
      'preflight', 'sp-metadata', 'okta-app', 'idp-metadata', 'scim-endpoint', 'okta-provisioning',
      'groups', 'group-push', 'permission-set', 'account-assignments', 'test-user', 'verify',
    ]);
  });

  it('refuses a sandbox run that names a real Okta org or AWS profile on the command line (exit 2, nothing started)', async () => {
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'oas-readme-conflict-'));
    try {
      const r = await runCli(['init', '--sandbox', '--yes', '--okta-org-url', 'https://real-company.okta.com'], { cwd: other, env: { CI: 'true' } });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--sandbox runs against the local sandbox, but --okta-org-url points at "https:\/\/real-company\.okta\.com"/);
      expect(r.stderr).toMatch(/Drop --okta-org-url/);
      expect(fs.existsSync(path.join(other, 'okta-aws-sso.state.json'))).toBe(false);
      expect(fs.existsSync(path.join(other, '.okta-aws-sso', 'sandbox', 'sandbox.json'))).toBe(false);
      const p = await runCli(['init', '--sandbox', '--yes', '--profile', 'production-admin'], { cwd: other, env: { CI: 'true' } });
      expect(p.code).toBe(2);
      expect(p.stderr).toMatch(/--profile points at "production-admin"/);
    } finally {
      fs.rmSync(other, { recursive: true, force: true });
    }
  });
});
