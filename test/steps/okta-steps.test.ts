/**
 * The Okta half end to end against the sandbox, non-interactively: first run creates, second run
 * adopts and sends no mutating Okta request; console fallback vs API provisioning; the separate SCIM
 * app; OAuth; spec validation (the emulator answers 400 to any request that breaks the spec).
 */
import { stepDrift } from '../helpers/step-harness.js';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readRequestLog } from '../helpers/sandbox.js';
import type { AnyStep } from '../../src/steps/contract.js';
import { oktaAppStep } from '../../src/steps/03-okta-app.js';
import { appSignOnPolicyStep } from '../../src/steps/03b-app-sign-on-policy.js';
import { awsUpstream, oktaGet, runOktaHalf, TEST_USER_FLAGS, oktaSandboxPerTest } from './okta-fixture.js';


const sandboxes = oktaSandboxPerTest();

/** Okta answers >= 400 other than 404 and the documented 400 of the Application Features API (default sandbox). */
function oktaErrors(entries: { service: string; status: number; operation: string }[]): string[] {
  return entries
    .filter((e) => e.service === 'okta' && e.status >= 400 && e.status !== 404 && !(e.status === 400 && /Feature/.test(e.operation)))
    .map((e) => `${e.operation} -> ${e.status}`);
}

describe('Okta half against the sandbox', () => {
  it('creates everything, then a second run adopts everything and creates nothing (console provisioning path)', async () => {
    const sb = await sandboxes.start();
    const up = awsUpstream(sb);
    const first = await runOktaHalf(sb, up, { flags: { ...TEST_USER_FLAGS } }, { checkWrites: true });
    const o = first.outputs;
    // Apply sent exactly the planned writes, step by step (the steps on the plan/apply contract).
    expect(first.checked).toEqual(expect.arrayContaining(['okta-provisioning', 'groups', 'group-push', 'test-user']));

    expect(o['okta-app']).toMatchObject({ name: 'amazon_aws_sso', label: 'AWS IAM Identity Center', adopted: false, acsUrl: up.outputs['sp-metadata']!.acsUrl });
    const app = await oktaGet<{ settings: { app: { acsURL: string; entityID: string } } }>(sb, `/api/v1/apps/${o['okta-app']!.appId}`);
    expect(app.settings.app).toMatchObject({ acsURL: up.outputs['sp-metadata']!.acsUrl, entityID: up.outputs['sp-metadata']!.issuerUrl });

    expect(fs.readFileSync(o['idp-metadata']!.path, 'utf8')).toContain(o['idp-metadata']!.entityId);
    expect(o['idp-metadata']!.certSha256Fingerprint).toMatch(/^([0-9A-F]{2}:){31}/);

    // As Okta documents for amazon_aws_sso: the connection reads UNKNOWN and the features answer 400,
    // also after the console action; the output says the features were confirmed by the person.
    expect(o['okta-provisioning']).toMatchObject({
      via: 'console', appName: 'amazon_aws_sso', connectionStatus: 'UNKNOWN', featuresSource: 'person',
      features: { create: true, update: true, deactivate: true, passwordSync: false }, scimTokenEnteredAt: up.outputs['scim-endpoint']!.tokenEnteredAt,
    });
    const conn = await oktaGet<{ status: string }>(sb, `/api/v1/apps/${o['okta-app']!.appId}/connections/default`);
    expect(conn.status).toBe('UNKNOWN');
    const features = await fetch(`${sb.info.oktaUrl}/api/v1/apps/${o['okta-app']!.appId}/features/USER_PROVISIONING`, { headers: { Authorization: `SSWS ${sb.info.oktaApiToken}` } });
    expect(features.status).toBe(400);
    expect(await features.json()).toMatchObject({ errorCode: 'E0000001', errorSummary: 'Api validation failed: feature', errorCauses: [{ errorSummary: 'Provisioning is not enabled for the app instance.' }] });
    expect(first.h.output.text()).toMatch(/Application Features API does not serve "AWS IAM Identity Center" \(it answered 400\)/);
    // Verified by its effect: the pushed group was created through SCIM with its members.
    await fetch(`${sb.info.adminUrl}/__sandbox/idle`);
    expect((await oktaGet<{ status: string; lastPush?: string }[]>(sb, `/api/v1/apps/${o['okta-app']!.appId}/group-push/mappings`))[0]).toMatchObject({ status: 'ACTIVE', lastPush: expect.any(String) });
    expect(first.h.output.consoleActions.map((a) => a.id)).toEqual(['upload-idp-metadata', 'configure-okta-provisioning', 'push-groups-by-rule']);

    expect(o.groups!.assignmentGroup.name).toBe('AWS Users');
    expect(o.groups!.pushGroups.map((g) => g.name)).toEqual(['awsssoPowerUsers']);
    expect(o['group-push']!.mappings).toHaveLength(1);
    expect(o['group-push']!.mappings[0]).toMatchObject({ groupName: 'awsssoPowerUsers', status: 'ACTIVE' });
    expect(o['test-user']).toMatchObject({ login: 'ada.lovelace@example.com', created: true });
    const user = await oktaGet<{ profile: Record<string, string> }>(sb, `/api/v1/users/${o['test-user']!.userId}`);
    expect(user.profile).toMatchObject({ firstName: 'Ada', lastName: 'Lovelace', email: 'ada.lovelace@example.com', login: 'ada.lovelace@example.com', displayName: 'Ada Lovelace' });

    // Secrets: the generated password was shown once (secret line only); no token/password elsewhere.
    const secretLines = first.h.output.lines.filter((l) => l.level === 'secret');
    expect(secretLines).toHaveLength(1);
    const password = secretLines[0]!.text.split(': ').pop()!;
    const visible = first.h.output.lines.filter((l) => l.level !== 'secret').map((l) => l.text).join('\n');
    const saved = JSON.stringify(o) + JSON.stringify(first.h.io.savedAnswers());
    for (const s of [password, up.scimToken, sb.info.oktaApiToken]) {
      expect(visible).not.toContain(s);
      expect(saved).not.toContain(s);
    }
    expect(oktaErrors(await readRequestLog(sb))).toEqual([]);

    // Second run: adopts everything, no mutating Okta request at all.
    const cursor = (await readRequestLog(sb)).length;
    const second = await runOktaHalf(sb, up, { flags: { ...TEST_USER_FLAGS } }, { scimTokenInMemory: false });
    const mutating = (await readRequestLog(sb, { since: cursor })).filter((e) => e.service === 'okta' && e.mutating);
    expect(mutating.map((e) => e.operation)).toEqual([]);
    expect(second.outputs['okta-app']).toMatchObject({ appId: o['okta-app']!.appId, adopted: true });
    expect(second.outputs.groups!.assignmentGroup.id).toBe(o.groups!.assignmentGroup.id);
    expect(second.outputs['group-push']!.mappings[0]!.mappingId).toBe(o['group-push']!.mappings[0]!.mappingId);
    expect(second.outputs['test-user']).toMatchObject({ userId: o['test-user']!.userId, created: false });
    expect(second.h.output.lines.filter((l) => l.level === 'secret')).toHaveLength(0);

    // check() finds no drift on the second run's outputs.
    const { OKTA_STEPS } = await import('./okta-fixture.js');
    for (const step of OKTA_STEPS) {
      const out = (second.outputs as Record<string, unknown>)[step.id];
      expect(await stepDrift(step, second.h.ctx, out as never), step.id).toEqual([]);
    }
  });

  it('configures provisioning through the API when Okta supports it, signing in with OAuth', async () => {
    const sb = await sandboxes.start({ okta: { provisioningApi: 'supported' } });
    const up = awsUpstream(sb);
    const r = await runOktaHalf(sb, up, {
      env: { OKTA_ORG_URL: sb.info.oktaUrl },
      flags: { ...TEST_USER_FLAGS, 'okta-auth': 'oauth', 'okta-client-id': sb.info.oauth.clientId, 'okta-key-id': sb.info.oauth.keyId, 'okta-scopes': sb.info.oauth.scopes },
      secretFiles: { 'okta-private-key': sb.info.oauth.privateKeyPath },
    }, { checkWrites: true });
    // The API path: the TOKEN connection and the features, each sent once, as planned.
    expect(r.checked).toEqual(expect.arrayContaining(['okta-provisioning', 'groups', 'group-push']));
    expect(r.outputs['okta-provisioning']).toMatchObject({ via: 'api', connectionStatus: 'ENABLED', features: { create: true, update: true, deactivate: true, passwordSync: false } });
    expect(r.h.output.consoleActions.map((a) => a.id)).not.toContain('configure-okta-provisioning');
    const client = await r.h.ctx.services.okta();
    expect(client.describe()).toMatchObject({ authMode: 'oauth', clientId: sb.info.oauth.clientId });
    const log = await readRequestLog(sb);
    expect(log.some((e) => e.operation.includes('/oauth2/v1/token') || e.operation.includes('token'))).toBe(true);
    expect(oktaErrors(log)).toEqual([]);
  });

  it('--require-mfa with OAuth (Identity Engine org): the token asks for the policy scopes too, and the app sign-in policy is set', async () => {
    const sb = await sandboxes.start({ okta: { authnPolicy: 'identity-engine' } });
    const up = awsUpstream(sb);
    const oauth = { 'okta-auth': 'oauth', 'okta-client-id': sb.info.oauth.clientId, 'okta-key-id': sb.info.oauth.keyId, 'require-mfa': true };
    const r = await runOktaHalf(sb, up, {
      env: { OKTA_ORG_URL: sb.info.oktaUrl },
      flags: { ...TEST_USER_FLAGS, ...oauth },
      secretFiles: { 'okta-private-key': sb.info.oauth.privateKeyPath },
    }, { steps: [oktaAppStep, appSignOnPolicyStep] as AnyStep[], checkWrites: true });
    expect(r.checked).toContain('app-sign-on-policy');
    const client = await r.h.ctx.services.okta();
    expect(client.describe().scopes).toEqual(expect.arrayContaining(['okta.policies.manage', 'okta.policies.read', 'okta.apps.manage']));
    expect(r.outputs['app-sign-on-policy']).toMatchObject({ engine: 'identity', created: true });
    const policyId = (r.outputs['app-sign-on-policy'] as { policyId: string }).policyId;
    const app = await oktaGet<{ _links: { accessPolicy?: { href: string } } }>(sb, `/api/v1/apps/${r.outputs['okta-app']!.appId}`);
    expect(app._links.accessPolicy?.href).toContain(policyId);
    expect(oktaErrors(await readRequestLog(sb))).toEqual([]);

    // Scopes given without the policy scopes: a usage error before any change, naming the fix.
    const before = (await readRequestLog(sb)).length;
    const err = await runOktaHalf(sb, up, {
      env: { OKTA_ORG_URL: sb.info.oktaUrl },
      flags: { ...TEST_USER_FLAGS, ...oauth, 'okta-scopes': 'okta.apps.manage okta.apps.read okta.groups.manage okta.groups.read okta.users.manage okta.users.read' },
      secretFiles: { 'okta-private-key': sb.info.oauth.privateKeyPath },
    }, { steps: [oktaAppStep, appSignOnPolicyStep] as AnyStep[] }).then(() => undefined, (e: unknown) => e);
    expect(err).toMatchObject({ exitCode: 2, code: 'OKTA_SCOPES_MISSING_POLICIES' });
    expect(String((err as { hint?: string }).hint)).toContain('--okta-scopes');
    expect((await readRequestLog(sb)).slice(before)).toEqual([]);
  });

  it('--require-mfa on a Classic Engine org: the app sign-on rule is a console action, confirmed once and not asked again', async () => {
    const sb = await sandboxes.start();
    const up = awsUpstream(sb);
    const steps = [oktaAppStep, appSignOnPolicyStep] as AnyStep[];
    const first = await runOktaHalf(sb, up, { flags: { ...TEST_USER_FLAGS, 'require-mfa': true } }, { steps });
    expect(first.outputs['app-sign-on-policy']).toMatchObject({ engine: 'classic', appId: first.outputs['okta-app']!.appId, created: true });
    expect(first.h.output.consoleActions.map((a) => a.id)).toEqual(['app-sign-on-rule']);
    // Classic has no API for app sign-on rules: nothing was sent to /api/v1/policies.
    expect((await readRequestLog(sb)).filter((e) => e.operation.includes('/api/v1/policies'))).toEqual([]);
    const again = await runOktaHalf(sb, up, { flags: { ...TEST_USER_FLAGS, 'require-mfa': true }, outputs: first.outputs }, { steps });
    expect(again.h.output.consoleActions).toEqual([]);
    expect(again.outputs['app-sign-on-policy']).toEqual(first.outputs['app-sign-on-policy']);
  });

  it.each(['supported', 'unknown'] as const)('provisions through a separate "SCIM 2.0 TestApp" with hidden icons, assigned and pushed there (connections API %s)', async (api) => {
    const sb = await sandboxes.start({ okta: { provisioningApi: api } });
    const up = awsUpstream(sb);
    const r = await runOktaHalf(sb, up, { flags: { ...TEST_USER_FLAGS, 'provisioning-app': 'scim-test-app', 'skip-test-user': true } });
    const prov = r.outputs['okta-provisioning']!;
    expect(prov).toMatchObject({
      appName: 'scim2headerauth', appLabel: 'SCIM 2.0 TestApp', via: api === 'supported' ? 'api' : 'console',
      connectionStatus: api === 'supported' ? 'ENABLED' : 'UNKNOWN', featuresSource: api === 'supported' ? 'api' : 'person',
    });
    expect(prov.appId).not.toBe(r.outputs['okta-app']!.appId);
    const scimApp = await oktaGet<{ visibility: { hide: { web: boolean; iOS: boolean } } }>(sb, `/api/v1/apps/${prov.appId}`);
    expect(scimApp.visibility.hide).toEqual({ web: true, iOS: true });
    expect(r.outputs.groups!.assignedAppIds.sort()).toEqual([r.outputs['okta-app']!.appId, prov.appId].sort());
    for (const appId of r.outputs.groups!.assignedAppIds) {
      const groups = await oktaGet<{ id: string }[]>(sb, `/api/v1/apps/${appId}/groups`);
      expect(groups.map((g) => g.id)).toContain(r.outputs.groups!.assignmentGroup.id);
    }
    expect(r.outputs['group-push']!.appId).toBe(prov.appId);
    expect(r.outputs['test-user']).toBeUndefined();
    expect(oktaErrors(await readRequestLog(sb))).toEqual([]);
  });

  it('a resumed sandbox run that no longer holds the SCIM token (interrupted after scim-endpoint): the sandbox hands its own token in the console action', async () => {
    const sb = await sandboxes.start();
    const up = awsUpstream(sb);
    const r = await runOktaHalf(sb, up, { flags: { ...TEST_USER_FLAGS, 'skip-test-user': true } }, { scimTokenInMemory: false });
    expect(r.outputs['okta-provisioning']).toMatchObject({ via: 'console', featuresSource: 'person' });
    expect(r.h.output.text()).not.toMatch(/Missing answer/);
    await fetch(`${sb.info.adminUrl}/__sandbox/idle`);
    const mappings = await oktaGet<{ status: string; lastPush?: string }[]>(sb, `/api/v1/apps/${r.outputs['okta-app']!.appId}/group-push/mappings`);
    expect(mappings[0]).toMatchObject({ status: 'ACTIVE', lastPush: expect.any(String) });
  });
});
