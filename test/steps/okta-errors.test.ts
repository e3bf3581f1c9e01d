/**
 * What the Okta side refuses or survives, against the sandbox: expired / soon-expiring signing
 * certificates, invalid test-user values (rejected before any Okta call), bad credentials and missing
 * scopes (exit 4 with the fix), okta.yaml as a credential source, and retries through injected faults.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRequestLog } from '../helpers/sandbox.js';
import { applyStep, stepHarness } from '../helpers/step-harness.js';
import { awsUpstream, runOktaHalf, TEST_USER_FLAGS, oktaSandboxPerTest } from './okta-fixture.js';
import { oktaAppStep } from '../../src/steps/03-okta-app.js';
import { idpMetadataStep } from '../../src/steps/04-idp-metadata.js';
import { testUserStep } from '../../src/steps/11-test-user.js';
import { groupsStep } from '../../src/steps/07-groups.js';
import { connectOktaThroughIo } from '../../src/steps/connect.js';
import { AuthError, ExitCode, UsageError, WizardError } from '../../src/errors.js';
import type { Step } from '../../src/steps/contract.js';


const sandboxes = oktaSandboxPerTest();

describe('IdP signing certificate', () => {
  it('refuses an expired certificate and warns under 30 days', async () => {
    const sb = await sandboxes.start();
    const up = awsUpstream(sb);
    const { outputs, h } = await runOktaHalf(sb, up, {}, { steps: [oktaAppStep as unknown as Step] });
    const app = outputs['okta-app']!;

    await sb.okta.debug.setKeyExpiry(app.appId, app.signingKid, new Date(Date.now() - 86_400_000));
    await expect(applyStep(idpMetadataStep, h.ctx)).rejects.toMatchObject({ code: 'IDP_CERT_EXPIRED' });
    expect(fs.existsSync(path.join(h.ctx.workDir, 'idp-saml.xml'))).toBe(false);
    expect(h.output.consoleActions).toHaveLength(0);

    await sb.okta.debug.setKeyExpiry(app.appId, app.signingKid, new Date(Date.now() + 10 * 86_400_000));
    const out = await applyStep(idpMetadataStep, h.ctx);
    expect(h.output.messages).toContainEqual(expect.objectContaining({ code: 'IDP_CERT_EXPIRES_SOON', level: 'warn', data: expect.objectContaining({ days: expect.toSatisfy((d: number) => d === 9 || d === 10) }) }));
    expect(fs.readFileSync(out.path, 'utf8')).toContain('X509Certificate');
  });
});

describe('test user values', () => {
  it('rejects empty values and < > ; : % before calling Okta', async () => {
    const sb = await sandboxes.start();
    const groups = { assignmentGroup: { id: '00gA', name: 'AWS Users' }, pushGroups: [{ id: '00gB', name: 'awsssoPowerUsers' }], assignedAppIds: [] };
    for (const [key, value] of [['test-user-last-name', 'O:Brien'], ['test-user-first-name', '  '], ['test-user-email', 'ada<@example.com'], ['test-user-display-name', '100%']] as const) {
      const cursor = (await readRequestLog(sb)).length;
      const h = stepHarness({ env: { OKTA_ORG_URL: sb.info.oktaUrl, OKTA_API_TOKEN: sb.info.oktaApiToken }, flags: { ...TEST_USER_FLAGS, [key]: value }, outputs: { groups } });
      const err = await applyStep(testUserStep, h.ctx).catch((e: unknown) => e);
      expect(err, key).toBeInstanceOf(UsageError);
      expect((err as UsageError).message).toMatch(/cannot be empty|< > ; : %/);
      expect(await readRequestLog(sb, { since: cursor }), key).toEqual([]);
    }
  });
});

describe('an existing test user', () => {
  it('that is not active is refused with what to do, not adopted (nothing changed in Okta)', async () => {
    const sb = await sandboxes.start();
    const created = await fetch(`${sb.info.oktaUrl}/api/v1/users?activate=false`, {
      method: 'POST',
      headers: { Authorization: `SSWS ${sb.info.oktaApiToken}`, Accept: 'application/json', 'Content-Type': 'application/json' },
      body: JSON.stringify({ profile: { firstName: 'Test', lastName: 'User', email: TEST_USER_FLAGS['test-user-email'], login: TEST_USER_FLAGS['test-user-email'], displayName: 'Test User' } }),
    });
    expect(created.status).toBe(200);
    expect(((await created.json()) as { status: string }).status).toBe('STAGED');
    const groups = { assignmentGroup: { id: '00gA', name: 'AWS Users' }, pushGroups: [{ id: '00gB', name: 'awsssoPowerUsers' }], assignedAppIds: [] };
    const h = stepHarness({ env: { OKTA_ORG_URL: sb.info.oktaUrl, OKTA_API_TOKEN: sb.info.oktaApiToken }, flags: { ...TEST_USER_FLAGS }, outputs: { groups } });
    const cursor = (await readRequestLog(sb)).length;
    const err = (await applyStep(testUserStep, h.ctx).catch((e: unknown) => e)) as WizardError;
    expect(err).toBeInstanceOf(WizardError);
    expect(err.code).toBe('OKTA_TEST_USER_INACTIVE');
    expect(err.message).toMatch(/already exists but is STAGED/);
    expect(err.hint).toMatch(/Activate it in Okta .* or give another --test-user-email/);
    expect(await readRequestLog(sb, { since: cursor, mutatingOnly: true })).toEqual([]);
  });
});

describe('credentials', () => {
  it('says exactly which variable or file the credentials came from (never the value)', async () => {
    const sb = await sandboxes.start();
    const viaEnv = stepHarness({ env: { OKTA_ORG_URL: sb.info.oktaUrl, OKTA_CLIENT_TOKEN: sb.info.oktaApiToken } });
    expect((await viaEnv.ctx.services.okta()).describe().credentialSource).toBe('OKTA_CLIENT_TOKEN');

    const tokenFile = path.join(viaEnv.ctx.workDir, 'okta-token');
    fs.writeFileSync(tokenFile, `${sb.info.oktaApiToken}\n`, { mode: 0o600 });
    const viaFile = stepHarness({ env: { OKTA_ORG_URL: sb.info.oktaUrl }, secretFiles: { 'okta-api-token': tokenFile } });
    expect((await viaFile.ctx.services.okta()).describe().credentialSource).toBe('--okta-token-file');

    const viaKey = stepHarness({
      env: { OKTA_ORG_URL: sb.info.oktaUrl },
      flags: { 'okta-auth': 'oauth', 'okta-client-id': sb.info.oauth.clientId, 'okta-key-id': sb.info.oauth.keyId },
      secretFiles: { 'okta-private-key': sb.info.oauth.privateKeyPath },
    });
    const described = (await viaKey.ctx.services.okta()).describe();
    expect(described.credentialSource).toBe('service app key from --okta-private-key-file');
    expect(JSON.stringify(described)).not.toContain(sb.info.oktaApiToken);
  });

  it('a wrong API token exits 4 naming what to fix', async () => {
    const sb = await sandboxes.start();
    const h = stepHarness({ env: { OKTA_ORG_URL: sb.info.oktaUrl, OKTA_API_TOKEN: 'not-the-right-token-0123456789' } });
    const err = (await h.ctx.services.okta().catch((e: unknown) => e)) as AuthError;
    expect(err).toBeInstanceOf(AuthError);
    expect(err.exitCode).toBe(ExitCode.Auth);
    expect(err.hint).toMatch(/Security > API > Tokens/);
    expect(`${err.message} ${err.hint}`).not.toContain('not-the-right-token');
  });

  it('an OAuth token without the app scopes gets 403 with the scopes and role needed', async () => {
    const sb = await sandboxes.start();
    const h = stepHarness({
      env: { OKTA_ORG_URL: sb.info.oktaUrl },
      flags: { 'okta-auth': 'oauth', 'okta-client-id': sb.info.oauth.clientId, 'okta-key-id': sb.info.oauth.keyId, 'okta-scopes': ['okta.users.read'] },
      secretFiles: { 'okta-private-key': sb.info.oauth.privateKeyPath },
    });
    const err = (await h.ctx.services.okta().catch((e: unknown) => e)) as AuthError;
    expect(err).toBeInstanceOf(AuthError);
    expect(err.code).toBe('OKTA_FORBIDDEN');
    expect(err.hint).toContain('okta.apps.read');
    expect(err.hint).toMatch(/Super Administrator/);
    const key = fs.readFileSync(sb.info.oauth.privateKeyPath, 'utf8');
    expect(h.output.text()).not.toContain(key.split('\n')[1]!);
  });

  it('an SSWS token whose admin role cannot manage groups gets 403 E0000006; the wizard names okta.groups.manage (exit 4)', async () => {
    const sb = await sandboxes.start({ okta: { apiTokenPermissions: ['okta.apps.manage', 'okta.users.manage', 'okta.groups.read'] } });
    const up = awsUpstream(sb);
    const { h } = await runOktaHalf(sb, up, {}, { steps: [oktaAppStep as unknown as Step] });
    const err = (await applyStep(groupsStep, h.ctx).catch((e: unknown) => e)) as AuthError;
    expect(err).toBeInstanceOf(AuthError);
    expect(err.exitCode).toBe(ExitCode.Auth);
    expect(err.message).toMatch(/403 E0000006 to POST \/api\/v1\/groups/);
    expect(err.hint).toMatch(/^The credentials lack the permission okta\.groups\.manage \(create and edit groups\) that POST \/api\/v1\/groups needs/);
    const log = await readRequestLog(sb, { service: 'okta' });
    expect(log.filter((e) => e.status === 403).map((e) => e.operation)).toEqual(['createGroup']);
  });

  it('reads ~/.okta/okta.yaml (as pointed to by OKTA_AWS_SSO_OKTA_YAML), says so, and warns about a stray ./okta.yaml', async () => {
    const sb = await sandboxes.start();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oas-yaml-'));
    const file = path.join(dir, 'okta.yaml');
    fs.writeFileSync(file, `okta:\n  client:\n    orgUrl: ${sb.info.oktaUrl}\n    token: ${sb.info.oktaApiToken}\n`);
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'oas-cwd-'));
    fs.writeFileSync(path.join(cwd, 'okta.yaml'), 'okta:\n  client:\n    token: stray\n');
    const h = stepHarness({ env: {} });
    const client = await connectOktaThroughIo(h.io, h.secrets, { env: { OKTA_AWS_SSO_OKTA_YAML: file }, cwd });
    expect(client.describe()).toMatchObject({ orgUrl: sb.info.oktaUrl, authMode: 'ssws', credentialSource: file });
    expect(h.output.messages).toContainEqual(expect.objectContaining({ code: 'OKTA_YAML_IGNORED', data: expect.objectContaining({ file: path.join(cwd, 'okta.yaml') }) }));
    expect(h.output.text()).not.toContain(sb.info.oktaApiToken);
  });

  it('a non-interactive run without a token or an https org URL stops with exit 2 naming the fix', async () => {
    const noToken = stepHarness({ env: { OKTA_ORG_URL: 'https://acme.okta.invalid' } });
    const e1 = (await connectOktaThroughIo(noToken.io, noToken.secrets, { env: process.env, cwd: os.tmpdir() }).catch((e: unknown) => e)) as UsageError;
    expect(e1).toBeInstanceOf(UsageError);
    expect(e1.exitCode).toBe(ExitCode.Usage);
    expect(e1.hint).toMatch(/--okta-token-file|OKTA_API_TOKEN/);
    const http = stepHarness({ env: { OKTA_ORG_URL: 'http://acme.okta.com', OKTA_API_TOKEN: '0123456789abcdef' } });
    const e2 = (await connectOktaThroughIo(http.io, http.secrets, { env: process.env, cwd: os.tmpdir() }).catch((e: unknown) => e)) as UsageError;
    expect(e2).toBeInstanceOf(UsageError);
    expect(e2.message).toMatch(/must use https/);
  });

  it('corrects an -admin org host with a warning before connecting', async () => {
    const h = stepHarness({ env: { OKTA_ORG_URL: 'https://acme-admin.okta.invalid', OKTA_API_TOKEN: '0123456789abcdef' } });
    const err = await connectOktaThroughIo(h.io, h.secrets, { env: process.env, cwd: process.cwd(), retry: { policy: { maxAttempts: 1 } } }).catch((e: unknown) => e);
    expect(h.output.text()).toMatch(/acme\.okta\.invalid/);
    expect((err as { code?: string }).code).toBe('OKTA_UNREACHABLE');
  });
});

describe('pagination', () => {
  it('follows Link rel="next" through every page', async () => {
    const sb = await sandboxes.start();
    const h = stepHarness({ env: { OKTA_ORG_URL: sb.info.oktaUrl, OKTA_API_TOKEN: sb.info.oktaApiToken } });
    const client = await h.ctx.services.okta();
    for (let i = 0; i < 5; i++) await client.createGroup(`awsssoPage${i}`, 'pagination test');
    const cursor = (await readRequestLog(sb)).length;
    const all = await client.listAll<{ profile: { name: string } }>('/api/v1/groups', { search: 'profile.name sw "awsssoPage"', limit: 2 });
    expect(all.map((g) => g.profile.name).sort()).toEqual(['awsssoPage0', 'awsssoPage1', 'awsssoPage2', 'awsssoPage3', 'awsssoPage4']);
    expect((await readRequestLog(sb, { since: cursor })).length).toBeGreaterThanOrEqual(3);
    expect((await client.findGroupsByPrefix('awsssoPage')).length).toBe(5);
  });
});

describe('retries', () => {
  it('gets through 5xx answers, 429s and dropped connections', async () => {
    const sb = await sandboxes.start();
    const h = stepHarness({ env: { OKTA_ORG_URL: sb.info.oktaUrl, OKTA_API_TOKEN: sb.info.oktaApiToken } });
    const retries: string[] = [];
    const client = await connectOktaThroughIo(h.io, h.secrets, { env: process.env, cwd: process.cwd(), retry: { policy: { baseMs: 2, capMs: 20, maxAttempts: 11, rateLimitMaxWaitMs: 20 }, onRetry: (i) => retries.push(i.reason) } });
    sb.faults.apply({ okta: { errorRate: 0.25, throttleRate: 0.15, dropRate: 0.1 } });
    for (let i = 0; i < 25; i++) expect(Array.isArray(await client.getJson('/api/v1/groups', { limit: 5 }))).toBe(true);
    sb.faults.clear();
    const faults = (await readRequestLog(sb)).filter((e) => e.fault);
    expect(faults.length).toBeGreaterThan(0);
    expect(retries.length).toBe(faults.length);
  });
});
