/**
 * preflight beyond the default sandbox: probing the regions for the instance, and a caller that is
 * the delegated administrator (a loopback proxy in front of the sandbox answers GetCallerIdentity
 * as a member account; everything else is the sandbox's own answer).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve, type Served } from '../../src/sandbox/http.js';
import { preflightStep } from '../../src/steps/01-preflight.js';
import { accountAssignmentsStep } from '../../src/steps/10-account-assignments.js';
import { permissionSetStep } from '../../src/steps/09-permission-set.js';
import { withSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { applyStep, stepDrift, stepHarness } from '../helpers/step-harness.js';
import { fastTuning, oktaSideOutputs, scimCall } from '../aws/step-fixture.js';

let sb: TestSandbox;
let proxy: Served;
let member = '';
const envBefore = new Map<string, string | undefined>();
/** What the proxy changes besides the caller: an organization without all features, a second instance. */
const rewrite = { consolidatedBilling: false, secondInstance: false };

function harness(extraEnv: Record<string, string> = {}) {
  return stepHarness({ env: { ...sb.env, ...extraEnv }, sandboxAdminUrl: sb.info.adminUrl });
}

beforeAll(async () => {
  sb = await withSandbox({ aws: { region: 'eu-central-1' } });
  for (const [k, v] of Object.entries(sb.env)) {
    envBefore.set(k, process.env[k]);
    process.env[k] = v;
  }
  fastTuning();
  const snap = sb.aws.snapshot() as { accounts: { id: string; state: string }[]; org: { managementAccountId: string }; delegatedAdministrators: string[] };
  member = snap.accounts.find((a) => a.id !== snap.org.managementAccountId && a.state === 'ACTIVE')!.id;
  sb.aws.restore({ ...snap, delegatedAdministrators: [member] });
  const mgmt = snap.org.managementAccountId;
  proxy = await serve(async (req) => {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (!['host', 'content-length', 'connection'].includes(k)) headers[k] = v;
    const qs = req.query.toString();
    const res = await fetch(`${sb.info.awsUrl}${req.path}${qs ? `?${qs}` : ''}`, { method: req.method, headers, ...(req.method === 'GET' ? {} : { body: new Uint8Array(req.body) }) });
    let body = await res.text();
    const isSts = `${req.headers['x-amz-target'] ?? ''} ${req.body.toString('utf8')}`.includes('GetCallerIdentity');
    if (isSts) body = body.split(mgmt).join(member);
    const target = req.headers['x-amz-target'] ?? '';
    if (rewrite.consolidatedBilling && target.endsWith('.DescribeOrganization')) body = body.replace('"FeatureSet":"ALL"', '"FeatureSet":"CONSOLIDATED_BILLING"');
    if (rewrite.secondInstance && target.endsWith('.ListInstances')) {
      const j = JSON.parse(body) as { Instances?: Record<string, unknown>[] };
      const first = j.Instances?.[0];
      if (first) j.Instances!.push({ ...first, InstanceArn: 'arn:aws:sso:::instance/ssoins-0000000000000000', IdentityStoreId: 'd-0000000000', Name: 'second' });
      body = JSON.stringify(j);
    }
    const h: Record<string, string> = {};
    res.headers.forEach((v, k) => {
      if (!['content-length', 'transfer-encoding', 'connection', 'keep-alive'].includes(k)) h[k] = v;
    });
    return { status: res.status, headers: h, body };
  });
});
afterAll(async () => {
  await proxy?.close();
  await sb?.close();
  // Test files share worker processes (vitest.config.ts): the next one starts from process.env as it was.
  for (const [k, v] of envBefore) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

describe('preflight: region probing', () => {
  it('probes the regions until ListInstances returns the instance, then pins the home region', async () => {
    process.env.AWS_REGION = 'us-east-1';
    const h = harness();
    const out = await applyStep(preflightStep, h.ctx);
    expect(out.aws.region).toBe('eu-central-1');
    expect(out.aws.instanceArn).toBe(sb.aws.info().instanceArn);
    const probes = h.output.lines.filter((l) => l.code === 'PREFLIGHT_REGION_PROBED').map((l) => l.data);
    expect(probes).toContainEqual({ region: 'us-east-1', count: 0 });
    expect(probes).toContainEqual({ region: 'eu-central-1', count: 1 });
    (await h.ctx.services.aws()).destroy();
  });

  it('a state made for another AWS account or Okta org is refused naming both, not treated as drift', async () => {
    const h = harness();
    const out = await applyStep(preflightStep, h.ctx);
    expect(await stepDrift(preflightStep, h.ctx, out)).toEqual([]);
    const otherAccount = { ...out, aws: { ...out.aws, accountId: '999988887777' } };
    await expect(stepDrift(preflightStep, h.ctx, otherAccount)).rejects.toMatchObject({
      exitCode: 2,
      code: 'STATE_OTHER_ACCOUNT',
      message: expect.stringMatching(new RegExp(`999988887777.*${out.aws.accountId}`)),
    });
    const otherOrg = { ...out, okta: { ...out.okta, orgUrl: 'https://someone-else.okta.com' } };
    await expect(stepDrift(preflightStep, h.ctx, otherOrg)).rejects.toMatchObject({
      exitCode: 2,
      code: 'STATE_OTHER_ORG',
      message: expect.stringMatching(new RegExp(`someone-else\\.okta\\.com.*${out.okta.orgUrl.replace(/[.:/]/g, '.')}`)),
    });
    (await h.ctx.services.aws()).destroy();
  });

  it('--region naming another region is refused with the fix', async () => {
    const h = harness({ OKTA_AWS_SSO_REGION: 'us-east-2' });
    const err = await applyStep(preflightStep, h.ctx).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/No IAM Identity Center instance was found in us-east-2/);
    expect((err as { hint?: string }).hint).toMatch(/home region/);
    (await h.ctx.services.aws()).destroy();
  });
});

describe('preflight: organization and instances', () => {
  it('an organization without all features is refused with where to enable them', async () => {
    process.env.AWS_ENDPOINT_URL = proxy.url;
    rewrite.consolidatedBilling = true;
    try {
      const h = harness({ OKTA_AWS_SSO_REGION: 'eu-central-1' });
      const err = await applyStep(preflightStep, h.ctx).catch((e: unknown) => e);
      expect((err as { code?: string }).code).toBe('AWS_ORG_FEATURES');
      expect((err as { hint?: string }).hint).toMatch(/Enable all features/);
      (await h.ctx.services.aws()).destroy();
    } finally {
      rewrite.consolidatedBilling = false;
      process.env.AWS_ENDPOINT_URL = sb.env.AWS_ENDPOINT_URL!;
    }
  });

  it('several instances: --instance-arn chooses; without it a non-interactive run names the flag', async () => {
    process.env.AWS_ENDPOINT_URL = proxy.url;
    rewrite.secondInstance = true;
    try {
      const h = harness({ OKTA_AWS_SSO_REGION: 'eu-central-1' });
      const err = await applyStep(preflightStep, h.ctx).catch((e: unknown) => e);
      expect((err as { code?: string }).code).toBe('MISSING_ANSWER');
      expect((err as { hint?: string }).hint).toMatch(/--instance-arn/);
      const chosen = harness({ OKTA_AWS_SSO_REGION: 'eu-central-1', OKTA_AWS_SSO_INSTANCE_ARN: 'arn:aws:sso:::instance/ssoins-0000000000000000' });
      const out = await applyStep(preflightStep, chosen.ctx);
      expect(out.aws).toMatchObject({ instanceArn: 'arn:aws:sso:::instance/ssoins-0000000000000000', identityStoreId: 'd-0000000000' });
      for (const x of [h, chosen]) (await x.ctx.services.aws()).destroy();
    } finally {
      rewrite.secondInstance = false;
      process.env.AWS_ENDPOINT_URL = sb.env.AWS_ENDPOINT_URL!;
    }
  });
});

describe('preflight: delegated administrator', () => {
  it('detects the delegated administrator and skips the management account in the assignments', async () => {
    process.env.AWS_REGION = 'eu-central-1';
    process.env.AWS_ENDPOINT_URL = proxy.url;
    try {
      const h = harness();
      const pf = await applyStep(preflightStep, h.ctx);
      expect(pf.aws).toMatchObject({ accountId: member, callerIsManagementAccount: false, callerIsDelegatedAdmin: true });
      expect(h.output.messages).toContainEqual(expect.objectContaining({ code: 'PREFLIGHT_CALLER_DELEGATED_ADMIN', data: expect.objectContaining({ managementAccountId: expect.stringMatching(/^\d{12}$/) }) }));

      const ps = await applyStep(permissionSetStep, stepHarness({ env: sb.env, outputs: { preflight: pf } }).ctx);
      const token = sb.aws.console.enableAutomaticProvisioning().secrets!['scim-token']!;
      expect((await scimCall(sb.aws.info().scimEndpoint, token, 'POST', '/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'awsssoPowerUsers' })).status).toBe(201);
      const a = stepHarness({ env: sb.env, outputs: { preflight: pf, 'permission-set': ps, ...oktaSideOutputs() }, flags: { 'include-management-account': true } });
      const out = await applyStep(accountAssignmentsStep, a.ctx);
      const mgmt = out.results.find((r) => r.accountId === pf.aws.managementAccountId);
      expect(mgmt).toMatchObject({ status: 'SKIPPED', failureReason: expect.stringMatching(/not by a delegated administrator/) });
      expect(out.results.filter((r) => r.status === 'SUCCEEDED').length).toBeGreaterThan(0);
      for (const hh of [h, a]) (await hh.ctx.services.aws()).destroy();
    } finally {
      process.env.AWS_ENDPOINT_URL = sb.env.AWS_ENDPOINT_URL!;
    }
  });
});
