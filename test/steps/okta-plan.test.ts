/**
 * plan() reads only; okta-app adoption rules (several apps with one label, --okta-app-id) and drift
 * repair with a whole-object GET-modify-PUT; check() reports drift made behind the wizard's back.
 */
import { describe, expect, it } from 'vitest';
import { readRequestLog, type TestSandbox } from '../helpers/sandbox.js';
import { applyStep, planChanges, runStep, stepDrift, stepHarness } from '../helpers/step-harness.js';
import { expectWritesMatchPlan } from '../helpers/plan-log.js';
import { awsUpstream, oktaGet, runOktaHalf, OKTA_STEPS, TEST_USER_FLAGS, oktaSandboxPerTest } from './okta-fixture.js';
import { idpMetadataStep } from '../../src/steps/04-idp-metadata.js';
import { oktaAppStep } from '../../src/steps/03-okta-app.js';
import { groupPushStep } from '../../src/steps/08-group-push.js';
import { MissingAnswerError } from '../../src/errors.js';
import { verifyOktaSide } from '../../src/okta/verify.js';


const sandboxes = oktaSandboxPerTest();

async function oktaSend(sb: TestSandbox, method: string, p: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${sb.info.oktaUrl}${p}`, {
    method,
    headers: { Authorization: `SSWS ${sb.info.oktaApiToken}`, Accept: 'application/json', 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${text}`);
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

function env(sb: TestSandbox): Record<string, string> {
  return { OKTA_ORG_URL: sb.info.oktaUrl, OKTA_API_TOKEN: sb.info.oktaApiToken };
}

describe('plan, adoption and drift', () => {
  it('plans from live reads only: create before the run, adopt/noop after it', async () => {
    const sb = await sandboxes.start();
    const up = awsUpstream(sb);
    const h0 = stepHarness({ env: env(sb), outputs: up.outputs });
    const before = await planChanges(oktaAppStep, h0.ctx);
    expect(before.map((a) => a.op)).toEqual(['create']);
    const { outputs } = await runOktaHalf(sb, up, { flags: { ...TEST_USER_FLAGS } });
    await sb.okta.idle(); // Okta's own background provisioning to SCIM is not the wizard's doing

    const cursor = (await readRequestLog(sb)).length;
    const h = stepHarness({ env: env(sb), flags: { ...TEST_USER_FLAGS }, outputs });
    const kinds: string[] = [];
    for (const step of OKTA_STEPS) for (const a of await planChanges(step, h.ctx)) kinds.push(`${step.id}:${a.op}`);
    expect(kinds.filter((k) => k.endsWith(':create') || k.endsWith(':update'))).toEqual(['idp-metadata:create']);
    expect(kinds).toContain('okta-app:adopt');
    // Identity Center already has this metadata: no upload to repeat; the done step has no drift.
    expect(kinds).not.toContain('idp-metadata:console');
    expect(await stepDrift(idpMetadataStep, h.ctx, outputs['idp-metadata'])).toEqual([]);
    expect(await stepDrift(oktaAppStep, h.ctx, outputs['okta-app'])).toEqual([]);
    expect(kinds).toContain('test-user:adopt');
    expect((await readRequestLog(sb, { since: cursor })).filter((e) => e.service === 'okta' && e.mutating)).toEqual([]);

    // The verify step's Okta half: connection UNKNOWN (not a problem: verified by its effect), mapping ACTIVE, test user provisioned.
    const okta = await h.ctx.services.okta();
    const p = { appId: outputs['okta-app']!.appId, provisioningAppId: outputs['okta-provisioning']!.appId, mappingIds: outputs['group-push']!.mappings.map((m) => m.mappingId), userId: outputs['test-user']!.userId };
    const v = await verifyOktaSide(okta, p);
    expect(v.problems).toEqual([]);
    expect(v.notes.join('\n')).toMatch(/cannot read the provisioning connection .* \(UNKNOWN\); provisioning is verified by its effect/);
    await oktaSend(sb, 'PATCH', `/api/v1/apps/${p.provisioningAppId}/group-push/mappings/${p.mappingIds[0]!}`, { status: 'INACTIVE' });
    expect((await verifyOktaSide(okta, p)).problems.join('\n')).toMatch(/INACTIVE, not ACTIVE/);
  });

  it('repairs SAML drift with a whole-object PUT and reports drift in check()', async () => {
    const sb = await sandboxes.start();
    const up = awsUpstream(sb);
    const created = await oktaSend(sb, 'POST', '/api/v1/apps?activate=true', {
      name: 'amazon_aws_sso',
      label: 'AWS IAM Identity Center',
      signOnMode: 'SAML_2_0',
      visibility: { autoSubmitToolbar: false, hide: { iOS: true, web: false } },
      // Made in the console for this instance (its entity ID), with a mistyped ACS URL.
      settings: { app: { acsURL: 'https://old.example.com/acs', entityID: up.outputs['sp-metadata']!.issuerUrl } },
    });
    const h = stepHarness({ env: env(sb), outputs: up.outputs });
    const cursor = (await readRequestLog(sb)).length;
    const run = await runStep(oktaAppStep, h.ctx);
    const out = run.outputs;
    expect(out).toMatchObject({ appId: created.id, adopted: true, acsUrl: up.outputs['sp-metadata']!.acsUrl });
    // The GET-modify-PUT is a planned update with its before/after, and apply sent exactly it.
    expect(run.changes.find((c) => c.op === 'update')).toMatchObject({ before: { acsURL: 'https://old.example.com/acs' }, after: { acsURL: up.outputs['sp-metadata']!.acsUrl } });
    expectWritesMatchPlan(await readRequestLog(sb, { since: cursor }), run.changes);
    expect(h.output.text()).toContain('acsURL is https://old.example.com/acs');
    const app = await oktaGet<{ label: string; visibility: { hide: { iOS: boolean } }; settings: { app: { acsURL: string; entityID: string } } }>(sb, `/api/v1/apps/${String(created.id)}`);
    expect(app.settings.app).toMatchObject({ acsURL: up.outputs['sp-metadata']!.acsUrl, entityID: up.outputs['sp-metadata']!.issuerUrl });
    expect(app.visibility.hide.iOS).toBe(true); // the rest of the object survived the PUT
    expect(await stepDrift(oktaAppStep, h.ctx, out)).toEqual([]);

    const full = await oktaGet<Record<string, unknown> & { settings: { app: Record<string, unknown> } }>(sb, `/api/v1/apps/${String(created.id)}`);
    full.settings.app.acsURL = 'https://tampered.example.com/acs';
    await oktaSend(sb, 'PUT', `/api/v1/apps/${String(created.id)}`, full);
    const drift = await stepDrift(oktaAppStep, h.ctx, out);
    expect(drift.map((d) => d.message).join('\n')).toMatch(/acsURL is https:\/\/tampered/);
  });

  it('an INACTIVE app is adopted with its activation planned, and apply sends exactly that', async () => {
    const sb = await sandboxes.start();
    const up = awsUpstream(sb);
    const body = { name: 'amazon_aws_sso', label: 'AWS IAM Identity Center', signOnMode: 'SAML_2_0', settings: { app: { acsURL: up.outputs['sp-metadata']!.acsUrl, entityID: up.outputs['sp-metadata']!.issuerUrl } } };
    const created = await oktaSend(sb, 'POST', '/api/v1/apps?activate=false', body);
    expect(created.status).toBe('INACTIVE');
    const h = stepHarness({ env: env(sb), outputs: up.outputs });
    const plan = await planChanges(oktaAppStep, h.ctx);
    expect(plan.map((c) => [c.op, c.summary])).toEqual([
      ['adopt', expect.stringContaining(String(created.id))],
      ['update', expect.stringMatching(/^Activate the Okta app/)],
    ]);
    expect(plan[1]).toMatchObject({ before: { status: 'INACTIVE' }, after: { status: 'ACTIVE' }, writes: [{ service: 'okta', operation: 'activateApplication', count: 1 }] });
    const cursor = (await readRequestLog(sb)).length;
    const run = await runStep(oktaAppStep, h.ctx);
    expect(run.outputs).toMatchObject({ appId: created.id, adopted: true });
    const writes = (await readRequestLog(sb, { since: cursor })).filter((e) => e.service === 'okta' && e.mutating && e.status < 300);
    expect(writes.map((e) => e.operation)).toEqual(['activateApplication']);
    expectWritesMatchPlan(await readRequestLog(sb, { since: cursor }), run.changes);
    expect(await stepDrift(oktaAppStep, h.ctx, run.outputs)).toEqual([]);
    expect((await oktaGet<{ status: string }>(sb, `/api/v1/apps/${String(created.id)}`)).status).toBe('ACTIVE');
  });

  it('asks which app when several share the label; --okta-app-id answers it', async () => {
    const sb = await sandboxes.start();
    const up = awsUpstream(sb);
    const body = { name: 'amazon_aws_sso', label: 'AWS IAM Identity Center', signOnMode: 'SAML_2_0', settings: { app: { acsURL: up.outputs['sp-metadata']!.acsUrl, entityID: up.outputs['sp-metadata']!.issuerUrl } } };
    await oktaSend(sb, 'POST', '/api/v1/apps', body);
    const second = await oktaSend(sb, 'POST', '/api/v1/apps', body);
    const h = stepHarness({ env: env(sb), outputs: up.outputs });
    const err = await applyStep(oktaAppStep, h.ctx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MissingAnswerError);
    expect((err as MissingAnswerError).hint).toContain('--okta-app-id');
    const h2 = stepHarness({ env: env(sb), flags: { 'okta-app-id': String(second.id) }, outputs: up.outputs });
    expect(await applyStep(oktaAppStep, h2.ctx)).toMatchObject({ appId: second.id, adopted: true });
  });

  it('pushes a group created later on the next run, and reports a mapping in ERROR with its likely cause', async () => {
    const sb = await sandboxes.start();
    const up = awsUpstream(sb);
    const { outputs } = await runOktaHalf(sb, up, { flags: { 'skip-test-user': true } });
    await sb.okta.idle();
    // Identity Center's SCIM token is replaced twice: the one Okta holds is deleted.
    sb.aws.console.enableAutomaticProvisioning();
    sb.aws.console.enableAutomaticProvisioning();
    await oktaSend(sb, 'POST', '/api/v1/groups', { profile: { name: 'awsssoAuditors', description: 'made later' } });

    const h = stepHarness({ env: env(sb), outputs: { ...outputs } });
    const out = await applyStep(groupPushStep, h.ctx);
    expect(out.mappings.map((m) => m.groupName).sort()).toEqual(['awsssoAuditors', 'awsssoPowerUsers']);
    await sb.okta.idle();
    const drift = (await stepDrift(groupPushStep, h.ctx, out)).map((d) => d.message).join('\n');
    expect(drift).toMatch(/awsssoAuditors" is in ERROR: .*Unauthorized/);
    expect(drift).toMatch(/likely cause: the SCIM access token is invalid or expired/);

    const h2 = stepHarness({ env: env(sb), outputs: { ...outputs } });
    await applyStep(groupPushStep, h2.ctx);
    expect(h2.output.lines.filter((l) => l.level === 'warn').map((l) => l.text).join('\n')).toMatch(/Group Push is in ERROR for "awsssoAuditors"/);
  });
});
