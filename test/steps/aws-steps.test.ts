import { applyStep, planChanges, runStep, stepDrift } from '../helpers/step-harness.js';
import { expectWritesMatchPlan } from '../helpers/plan-log.js';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateAccountAssignmentCommand,
  CreatePermissionSetCommand,
  ListAccountsForProvisionedPermissionSetCommand,
  ListManagedPoliciesInPermissionSetCommand,
  SSOAdminClient,
} from '@aws-sdk/client-sso-admin';
import { preflightStep } from '../../src/steps/01-preflight.js';
import { spMetadataStep } from '../../src/steps/02-sp-metadata.js';
import { scimEndpointStep } from '../../src/steps/05-scim-endpoint.js';
import { permissionSetStep } from '../../src/steps/09-permission-set.js';
import { AuthError, UsageError, WizardError } from '../../src/errors.js';
import type { PreflightOutput } from '../../src/core/outputs.js';
import { mutatingRequests, readRequestLog } from '../helpers/sandbox.js';
import { scimCall, startAwsStepFixture, type AwsStepFixture } from '../aws/step-fixture.js';

let fx: AwsStepFixture;
let preflight: PreflightOutput;

beforeAll(async () => {
  fx = await startAwsStepFixture();
  preflight = await applyStep(preflightStep, fx.harness().ctx);
});
afterAll(async () => fx?.close());

describe('preflight', () => {
  it('says who the caller is, finds the organization, the instance and the home region', () => {
    const info = fx.sb.aws.info();
    expect(preflight.aws).toMatchObject({
      region: 'us-east-2',
      instanceArn: info.instanceArn,
      identityStoreId: info.identityStoreId,
      managementAccountId: info.managementAccountId,
      accountId: info.managementAccountId,
      callerIsManagementAccount: true,
      callerIsDelegatedAdmin: false,
      credentialSource: 'environment',
    });
    expect(preflight.aws.organizationId).toMatch(/^o-/);
    expect(preflight.okta.orgUrl).toBe(fx.sb.info.oktaUrl);
  });

  it('check() finds no drift, and a wrong --region is refused with the fix', async () => {
    expect(await stepDrift(preflightStep, fx.harness().ctx, preflight)).toEqual([]);
    const h = fx.harness({ flags: { region: 'us-west-2' } });
    await expect(applyStep(preflightStep, h.ctx)).rejects.toThrow(/No IAM Identity Center instance was found in us-west-2/);
    await expect(applyStep(preflightStep, fx.harness({ flags: { region: 'nowhere' } }).ctx)).rejects.toBeInstanceOf(UsageError);
  });
});

describe('sp-metadata', () => {
  it('from the downloaded file: every ACS kept, the home region IPv4 one chosen by default, issuer checked', async () => {
    const h = fx.harness({ outputs: { preflight } });
    const out = await applyStep(spMetadataStep, h.ctx);
    expect(h.output.consoleActions.map((a) => a.id)).toEqual(['download-sp-metadata']);
    expect(out.source).toBe('metadata-file');
    expect(out.acsUrls).toHaveLength(3);
    expect(out.acsUrl).toMatch(/^https:\/\/us-east-2\.signin\.aws\.amazon\.com\/platform\/saml\/acs\//);
    expect(out.issuerUrl).toBe(`https://us-east-2.signin.aws.amazon.com/platform/saml/${preflight.aws.identityStoreId}`);
    expect(await stepDrift(spMetadataStep, h.ctx, out)).toEqual([]);
    // The downloaded file removed after the setup: the recorded values still hold, no drift.
    const again = fx.harness({ outputs: { preflight }, flags: { 'sp-metadata': path.join(fx.workDir, 'gone.xml') } });
    expect(await stepDrift(spMetadataStep, again.ctx, out)).toEqual([]);
  });

  it('the IPv4 / dual-stack choice is answered by --acs-variant', async () => {
    const out = await applyStep(spMetadataStep, fx.harness({ outputs: { preflight }, flags: { 'acs-variant': 'dual-stack' } }).ctx);
    expect(out.acsUrl).toMatch(/^https:\/\/us-east-2\.sso\.signin\.aws\//);
  });

  it('pasted values: issuer proposed from region and identity store, ACS region checked', async () => {
    const acs = 'https://us-east-2.signin.aws/platform/saml/acs/5a1b2c3d-1234-5678-9abc-def012345678';
    const h = fx.harness({ outputs: { preflight }, flags: { 'acs-url': acs } });
    const out = await applyStep(spMetadataStep, h.ctx);
    expect(out).toMatchObject({ source: 'pasted', acsUrl: acs, issuerUrl: `https://us-east-2.signin.aws.amazon.com/platform/saml/${preflight.aws.identityStoreId}` });
    expect(h.output.consoleActions).toHaveLength(0);
    const wrong = fx.harness({ outputs: { preflight }, flags: { 'acs-url': acs.replace('us-east-2', 'eu-west-1') } });
    await expect(applyStep(spMetadataStep, wrong.ctx)).rejects.toThrow(/home region is us-east-2/);
  });

  it('plans the console action when no value is given, nothing when they are; recorded values of another region are drift', async () => {
    const none = await planChanges(spMetadataStep, fx.harness({ outputs: { preflight }, sandboxAdminUrl: undefined, consolePerformer: undefined }).ctx);
    expect(none.map((c) => [c.op, c.resource.id, c.writes])).toEqual([['console', 'download-sp-metadata', []]]);
    const acs = 'https://us-east-2.signin.aws/platform/saml/acs/5a1b2c3d-1234-5678-9abc-def012345678';
    const h = fx.harness({ outputs: { preflight }, flags: { 'acs-url': acs } });
    expect(await planChanges(spMetadataStep, h.ctx)).toEqual([]);
    const out = await applyStep(spMetadataStep, h.ctx);
    expect(await stepDrift(spMetadataStep, h.ctx, out)).toEqual([]);
    const moved = { ...out, acsUrl: acs.replace('us-east-2', 'eu-west-1') };
    expect((await stepDrift(spMetadataStep, h.ctx, moved)).map((d) => d.message).join('\n')).toMatch(/ACS URL https:\/\/eu-west-1\.signin\.aws\/.*us-east-2/);
  });

  it('a metadata file of another instance is refused', async () => {
    const file = path.join(fx.workDir, 'other.xml');
    fs.writeFileSync(
      file,
      `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://us-east-2.signin.aws.amazon.com/platform/saml/d-0000000000"><md:SPSSODescriptor><md:AssertionConsumerService Binding="b" Location="https://us-east-2.signin.aws/platform/saml/acs/abc"/></md:SPSSODescriptor></md:EntityDescriptor>`,
    );
    await expect(applyStep(spMetadataStep, fx.harness({ outputs: { preflight }, flags: { 'sp-metadata': file } }).ctx)).rejects.toThrow(/does not belong to this Identity Center instance/);
  });
});

describe('scim-endpoint', () => {
  it('console action, probe, token kept in memory only', async () => {
    const h = fx.harness({ outputs: { preflight } });
    const out = await applyStep(scimEndpointStep, h.ctx);
    expect(h.output.consoleActions.map((a) => a.id)).toEqual(['enable-automatic-provisioning']);
    expect(out.endpoint).toBe(fx.sb.aws.info().scimEndpoint.replace(/\/+$/, ''));
    const token = h.secrets.get('scim-token');
    expect(token).toBeTruthy();
    expect(JSON.stringify(out)).not.toContain(token);
    expect(h.output.text()).not.toContain(token);
    expect(out.tokenEnteredAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    const log = await readRequestLog(fx.sb, { service: 'scim' });
    expect(log.some((e) => e.operation.includes('ServiceProviderConfig') && e.status === 200)).toBe(true);
  });

  it('a wrong token gets a clear 401 message naming the fix (exit 4), without the token', async () => {
    const bad = 'not-the-right-token-0123456789';
    const h = fx.harness({ outputs: { preflight }, flags: { 'scim-endpoint': `${fx.sb.aws.info().scimEndpoint}/` }, env: { ...fx.sb.env, SCIM_TOKEN: bad } });
    const err = await applyStep(scimEndpointStep, h.ctx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect((err as AuthError).code).toBe('SCIM_UNAUTHORIZED');
    expect((err as AuthError).hint).toMatch(/generate a new access token/);
    expect(`${(err as Error).message} ${(err as AuthError).hint}`).not.toContain(bad);
    expect(h.output.consoleActions).toHaveLength(0); // evidence answered: no console action
  });
});

describe('a non-sandbox run against other emulators', () => {
  it('accepts loopback SCIM, ACS and issuer URLs when the matching AWS_ENDPOINT_URL* points at this machine too, with a warning; refuses them otherwise', async () => {
    const scim = fx.sb.aws.info().scimEndpoint.replace(/\/+$/, '');
    const token = fx.sb.aws.console.enableAutomaticProvisioning().secrets!['scim-token']!;
    const plain = { sandboxAdminUrl: undefined, consolePerformer: undefined, outputs: { preflight } };
    const h = fx.harness({ ...plain, flags: { 'scim-endpoint': scim }, env: { ...fx.sb.env, SCIM_TOKEN: token } });
    expect(h.ctx.services.sandbox).toBeUndefined();
    expect(process.env.AWS_ENDPOINT_URL).toMatch(/^http:\/\/127\.0\.0\.1:/);
    const out = await applyStep(scimEndpointStep, h.ctx);
    expect(out.endpoint).toBe(scim);
    expect(h.output.messages).toContainEqual(expect.objectContaining({ code: 'LOOPBACK_ACCEPTED', data: expect.objectContaining({ what: 'SCIM endpoint', variable: 'AWS_ENDPOINT_URL', value: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\//) }) }));

    const acs = 'http://127.0.0.1:4566/us-east-2/platform/saml/acs/5a1b2c3d';
    const issuer = 'http://127.0.0.1:4566/us-east-2/platform/saml/issuer';
    const h2 = fx.harness({ ...plain, flags: { 'acs-url': acs, 'issuer-url': issuer } });
    expect(await applyStep(spMetadataStep, h2.ctx)).toMatchObject({ acsUrl: acs, issuerUrl: issuer });
    expect(h2.output.messages).toContainEqual(expect.objectContaining({ code: 'LOOPBACK_ACCEPTED', data: expect.objectContaining({ what: 'ACS URL', variable: 'AWS_ENDPOINT_URL' }) }));

    // The matching endpoint (identitystore for SCIM, sso-admin for ACS) points at AWS: loopback is refused.
    process.env.AWS_ENDPOINT_URL_IDENTITYSTORE = 'https://identitystore.us-east-2.amazonaws.com';
    process.env.AWS_ENDPOINT_URL_SSO_ADMIN = 'https://sso.us-east-2.amazonaws.com';
    try {
      const h3 = fx.harness({ ...plain, flags: { 'scim-endpoint': scim }, env: { ...fx.sb.env, SCIM_TOKEN: token } });
      await expect(applyStep(scimEndpointStep, h3.ctx)).rejects.toThrow(/a SCIM endpoint looks like https:\/\/scim/);
      const h4 = fx.harness({ ...plain, flags: { 'acs-url': acs, 'issuer-url': issuer } });
      await expect(applyStep(spMetadataStep, h4.ctx)).rejects.toThrow(/an ACS URL looks like https:/);
    } finally {
      delete process.env.AWS_ENDPOINT_URL_IDENTITYSTORE;
      delete process.env.AWS_ENDPOINT_URL_SSO_ADMIN;
    }
  });
});

describe('permission-set', () => {
  it('creates the default set with PowerUserAccess, then a second run adopts it and changes nothing', async () => {
    const cursor0 = (await readRequestLog(fx.sb)).length;
    const first = await runStep(permissionSetStep, fx.harness({ outputs: { preflight } }).ctx);
    const out = first.outputs;
    expect(out).toMatchObject({ name: 'AWSPowerUserAccess', managedPolicyArn: 'arn:aws:iam::aws:policy/PowerUserAccess', sessionDuration: 'PT1H', created: true });
    expect(first.changes.map((c) => [c.op, c.risk])).toEqual([['create', 'additive']]);
    expectWritesMatchPlan(await readRequestLog(fx.sb, { since: cursor0 }), first.changes);
    const cursor = (await readRequestLog(fx.sb)).length;
    const h2 = fx.harness({ outputs: { preflight } });
    const plan = await planChanges(permissionSetStep, h2.ctx);
    expect(plan.map((a) => [a.op, a.resource.id])).toEqual([['adopt', out.arn]]);
    const again = await applyStep(permissionSetStep, h2.ctx);
    expect(again).toMatchObject({ arn: out.arn, created: false });
    expect(await mutatingRequests(fx.sb, cursor)).toEqual([]);
    expect(await stepDrift(permissionSetStep, h2.ctx, again)).toEqual([]);
  });

  it('adopts a provisioned set: fixes the session duration, attaches the policy and re-provisions the accounts', async () => {
    const sso = new SSOAdminClient({ region: 'us-east-2' });
    const name = 'TeamAccess';
    const ps = (await sso.send(new CreatePermissionSetCommand({ InstanceArn: preflight.aws.instanceArn, Name: name, SessionDuration: 'PT2H', RelayState: 'https://console.aws.amazon.com/' })))
      .PermissionSet!;
    // Provision it to one account through an assignment of a SCIM group.
    const scimSetup = fx.sb.aws.console.enableAutomaticProvisioning();
    const g = await scimCall(fx.sb.aws.info().scimEndpoint, scimSetup.secrets!['scim-token']!, 'POST', '/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'team' });
    expect(g.status).toBe(201);
    const account = fx.sb.aws.snapshot() as { accounts: { id: string; state: string }[] };
    const target = account.accounts.find((a, i) => i > 0 && a.state === 'ACTIVE')!.id;
    await sso.send(new CreateAccountAssignmentCommand({ InstanceArn: preflight.aws.instanceArn, PermissionSetArn: ps.PermissionSetArn, PrincipalType: 'GROUP', PrincipalId: g.json.id as string, TargetId: target, TargetType: 'AWS_ACCOUNT' }));
    await new Promise((r) => setTimeout(r, 400));

    const h = fx.harness({ outputs: { preflight }, flags: { 'permission-set-name': name } });
    const plan = await planChanges(permissionSetStep, h.ctx);
    expect(plan.map((a) => [a.op, a.risk])).toEqual([
      ['adopt', 'read-only'],
      ['update', 'modifies-existing'],
      ['update', 'modifies-existing'],
      ['update', 'org-wide'],
    ]);
    expect(plan[1]).toMatchObject({ before: { sessionDuration: 'PT2H' }, after: { sessionDuration: 'PT1H' } });
    // Org-wide changes name their scale.
    expect(plan[3]).toMatchObject({ summary: 'Provision the latest version of "TeamAccess" to 1 account(s)', scale: { count: 1, unit: 'accounts' } });
    const cursor = (await readRequestLog(fx.sb)).length;
    const run = await runStep(permissionSetStep, h.ctx);
    expect(run.changes).toEqual(plan);
    expectWritesMatchPlan(await readRequestLog(fx.sb, { since: cursor }), run.changes);
    const out = run.outputs;
    expect(out).toMatchObject({ arn: ps.PermissionSetArn, created: false, sessionDuration: 'PT1H' });
    expect(h.output.messages).toContainEqual(expect.objectContaining({ code: 'PERMISSION_SET_REPROVISION', data: expect.objectContaining({ count: 1 }) }));
    const policies = await sso.send(new ListManagedPoliciesInPermissionSetCommand({ InstanceArn: preflight.aws.instanceArn, PermissionSetArn: ps.PermissionSetArn }));
    expect(policies.AttachedManagedPolicies?.map((p) => p.Arn)).toEqual(['arn:aws:iam::aws:policy/PowerUserAccess']);
    const latest = await sso.send(
      new ListAccountsForProvisionedPermissionSetCommand({ InstanceArn: preflight.aws.instanceArn, PermissionSetArn: ps.PermissionSetArn, ProvisioningStatus: 'LATEST_PERMISSION_SET_PROVISIONED' }),
    );
    expect(latest.AccountIds).toEqual([target]);
    const log = await readRequestLog(fx.sb);
    expect(log.some((e) => e.operation.endsWith('.ProvisionPermissionSet') && e.status === 200)).toBe(true);
    sso.destroy();
  });

  it('"already exists" on create means adopt (a set created by someone else between the lookup and the create)', async () => {
    const { createOrAdopt } = await import('../../src/aws/permission-sets.js');
    const sso = new SSOAdminClient({ region: 'us-east-2' });
    const existing = (await sso.send(new CreatePermissionSetCommand({ InstanceArn: preflight.aws.instanceArn, Name: 'RaceSet', SessionDuration: 'PT1H' }))).PermissionSet!;
    const r = await createOrAdopt(sso, preflight.aws.instanceArn, { name: 'RaceSet', managedPolicyArn: 'arn:aws:iam::aws:policy/PowerUserAccess', sessionDuration: 'PT1H', description: 'x' });
    expect(r).toMatchObject({ created: false, ps: { PermissionSetArn: existing.PermissionSetArn } });
    const log = await readRequestLog(fx.sb);
    expect(log.some((e) => e.operation.endsWith('.CreatePermissionSet') && e.status === 400)).toBe(true);
    sso.destroy();
  });

  it('bad inputs are refused with the fix', async () => {
    const err = await applyStep(permissionSetStep, fx.harness({ outputs: { preflight }, flags: { 'session-duration': 'PT30M' } }).ctx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WizardError);
    expect((err as Error).message).toMatch(/between PT1H and PT12H/);
  });
});
