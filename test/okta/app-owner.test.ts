/**
 * A realistic Okta org holds apps of every kind over several pages, and amazon_aws_sso apps of other
 * AWS organizations (another Identity Center's ACS URL and entity ID), one of them under the OIN's
 * default label. The okta-app step adopts only the app of THIS Identity Center instance (matched on
 * the ACS URL / entity ID of the SP metadata), never another organization's, never changes one, and
 * finds its app past the first page of a list (Link rel="next").
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OktaClient, type OktaApp, type Transport } from '../../src/okta/client.js';
import { oktaAppStep } from '../../src/steps/03-okta-app.js';
import { UsageError } from '../../src/errors.js';
import { readRequestLog, withSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { planWithNotes, runStep, stepHarness } from '../helpers/step-harness.js';
import { awsUpstream, type AwsUpstream } from '../steps/okta-fixture.js';

type App = OktaApp & { signOnMode: string; settings: { app: { acsURL?: string; entityID?: string } } };

let sb: TestSandbox;
let up: AwsUpstream;

async function get(sbx: TestSandbox, url: string): Promise<{ json: unknown; link: string | null }> {
  const res = await fetch(url.startsWith('http') ? url : `${sbx.info.oktaUrl}${url}`, { headers: { Authorization: `SSWS ${sbx.info.oktaApiToken}`, Accept: 'application/json' } });
  expect(res.status, url).toBe(200);
  return { json: await res.json(), link: res.headers.get('link') };
}

/** Every page of a list at the server's default page size, following Link rel="next". */
async function pages(sbx: TestSandbox, path: string): Promise<App[][]> {
  const out: App[][] = [];
  let url: string | undefined = path;
  while (url) {
    const r = await get(sbx, url);
    out.push(r.json as App[]);
    url = /<([^>]+)>;\s*rel="next"/.exec(r.link ?? '')?.[1];
  }
  return out;
}

const env = (sbx: TestSandbox) => ({ OKTA_ORG_URL: sbx.info.oktaUrl, OKTA_API_TOKEN: sbx.info.oktaApiToken });
const otherOrgApps = async (sbx: TestSandbox, ours: string[] = []) =>
  (await pages(sbx, `/api/v1/apps?filter=${encodeURIComponent('name eq "amazon_aws_sso"')}&limit=200`)).flat().filter((a) => !ours.includes(a.id));

beforeAll(async () => {
  sb = await withSandbox();
  up = awsUpstream(sb);
});
afterAll(async () => {
  await sb.close();
});

describe('the default sandbox org has a real app list', () => {
  it('several pages at the default limit of 20, of bookmark, SAML and OIDC apps, and two other AWS organizations\' apps', async () => {
    const all = await pages(sb, '/api/v1/apps');
    expect(all.length).toBeGreaterThanOrEqual(3);
    expect(all[0]).toHaveLength(20); // Okta's documented default page size for /api/v1/apps
    const apps = all.flat();
    expect(new Set(apps.map((a) => a.id)).size).toBe(apps.length);
    expect(new Set(apps.map((a) => a.signOnMode))).toEqual(new Set(['BOOKMARK', 'SAML_2_0', 'OPENID_CONNECT']));
    expect(apps.some((a) => a.status === 'INACTIVE')).toBe(true);
    // limit=200 (the documented maximum) holds them all on one page.
    const one = await get(sb, '/api/v1/apps?limit=200');
    expect((one.json as App[]).length).toBe(apps.length);
    expect(one.link).not.toMatch(/rel="next"/);

    const aws = apps.filter((a) => a.name === 'amazon_aws_sso');
    expect(aws).toHaveLength(2);
    expect(aws.map((a) => a.label)).toContain('AWS IAM Identity Center');
    for (const a of aws) {
      expect(a.settings.app.acsURL).toMatch(/^https:\/\/[a-z0-9-]+\.signin\.aws\.amazon\.com\/platform\/saml\/acs\/[0-9a-f-]{36}$/);
      expect(a.settings.app.acsURL).not.toBe(up.outputs['sp-metadata']!.acsUrl);
      expect(a.settings.app.entityID).not.toBe(up.outputs['sp-metadata']!.issuerUrl);
      // The full OIN app shape, and a real signing key under the kid the list shows.
      expect(a._links).toHaveProperty('metadata');
      const res = await fetch(`${sb.info.oktaUrl}/api/v1/apps/${a.id}/credentials/keys`, { headers: { Authorization: `SSWS ${sb.info.oktaApiToken}`, Accept: 'application/json' } });
      expect(((await res.json()) as { kid: string; x5c: string[] }[]).map((k) => k.kid)).toEqual([a.credentials!.signing!.kid]);
    }
    const oidc = apps.find((a) => a.signOnMode === 'OPENID_CONNECT') as unknown as { credentials: { oauthClient: Record<string, unknown> } };
    expect(oidc.credentials.oauthClient.client_id).toEqual(expect.any(String));
    expect(oidc.credentials.oauthClient).not.toHaveProperty('client_secret');
  });
});

describe('the okta-app step on a real org', () => {
  it('never adopts or changes another AWS organization\'s app (even under the default label): it creates its own, then adopts it', async () => {
    const before = await otherOrgApps(sb);
    expect(before).toHaveLength(2);
    const h = stepHarness({ env: env(sb), outputs: up.outputs });
    const { changes, notes } = await planWithNotes(oktaAppStep, h.ctx);
    expect(changes.map((c) => c.op)).toEqual(['create']);
    expect(notes.filter((n) => /serves another IAM Identity Center/.test(n))).toHaveLength(2);

    const cursor = (await readRequestLog(sb)).length;
    const run = await runStep(oktaAppStep, h.ctx);
    expect(run.outputs).toMatchObject({ adopted: false, label: 'AWS IAM Identity Center', acsUrl: up.outputs['sp-metadata']!.acsUrl });
    expect(before.map((a) => a.id)).not.toContain(run.outputs.appId);
    const writes = (await readRequestLog(sb, { since: cursor })).filter((e) => e.service === 'okta' && e.mutating);
    expect(writes.map((e) => e.operation)).toEqual(['createApplication']);
    expect(await otherOrgApps(sb, [run.outputs.appId])).toEqual(before);

    // A second run adopts its own app, though another app carries the same label.
    const again = await runStep(oktaAppStep, stepHarness({ env: env(sb), outputs: up.outputs }).ctx);
    expect(again.changes.map((c) => c.op)).toEqual(['adopt']);
    expect(again.outputs).toMatchObject({ appId: run.outputs.appId, adopted: true });
  });

  it('refuses --okta-app-id of another organization\'s app, naming it, and sends nothing', async () => {
    const other = (await otherOrgApps(sb)).find((a) => a.label === 'AWS IAM Identity Center' && a.settings.app.acsURL !== up.outputs['sp-metadata']!.acsUrl)!;
    const cursor = (await readRequestLog(sb)).length;
    const h = stepHarness({ env: env(sb), flags: { 'okta-app-id': other.id }, outputs: up.outputs });
    const err = await runStep(oktaAppStep, h.ctx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).code).toBe('OKTA_APP_OTHER_INSTANCE');
    expect((err as UsageError).message).toContain(other.settings.app.acsURL);
    expect((await readRequestLog(sb, { since: cursor })).filter((e) => e.service === 'okta' && e.mutating)).toEqual([]);
  });

  it('a create whose answer was lost is looked up by its ACS URL, not taken for another organization\'s app of the same label', async () => {
    let lost = false;
    const transport: Transport = async (url, init) => {
      const res = await fetch(url, { method: init.method, headers: { ...init.headers, Authorization: `SSWS ${sb.info.oktaApiToken}` }, body: init.body });
      if (init.method === 'POST' && new URL(url).pathname === '/api/v1/apps' && !lost) {
        lost = true; // carried out, but the answer never arrives
        await res.arrayBuffer();
        throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
      }
      return res;
    };
    const okta = new OktaClient({ orgUrl: sb.info.oktaUrl, transport, describe: { orgUrl: sb.info.oktaUrl, authMode: 'ssws', credentialSource: 'test' }, retryPolicy: { baseMs: 1, capMs: 2 } });
    const acsURL = 'https://us-west-2.signin.aws/platform/saml/acs/5e1f0c9a-1111-4222-8333-944455556666';
    const app = await okta.createApp({ name: 'amazon_aws_sso', label: 'AWS IAM Identity Center', signOnMode: 'SAML_2_0', settings: { app: { acsURL, entityID: 'https://us-west-2.signin.aws.amazon.com/platform/saml/d-0123456789' } } });
    expect(lost).toBe(true);
    expect(app.settings?.app?.acsURL).toBe(acsURL);
  });
});

describe('more than one page of amazon_aws_sso apps', () => {
  let big: TestSandbox;
  beforeAll(async () => {
    // 205 other organizations' apps: at the documented maximum limit of 200, this org's app is on page 2.
    big = await withSandbox({ okta: { directory: { users: 0, groups: 0, apps: 0, awsApps: 205 } } });
  });
  afterAll(async () => {
    await big.close();
  });

  it('the step follows Link rel="next" and adopts this instance\'s app, labelled otherwise, by its ACS URL', async () => {
    const bigUp = awsUpstream(big);
    const sp = bigUp.outputs['sp-metadata']!;
    // Made in the console for this instance, under a label of the person's choosing.
    const res = await fetch(`${big.info.oktaUrl}/api/v1/apps`, {
      method: 'POST',
      headers: { Authorization: `SSWS ${big.info.oktaApiToken}`, Accept: 'application/json', 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'amazon_aws_sso', label: 'AWS SSO (production)', signOnMode: 'SAML_2_0', settings: { app: { acsURL: sp.acsUrl, entityID: sp.issuerUrl } } }),
    });
    const mine = (await res.json()) as App;
    const listed = await pages(big, `/api/v1/apps?filter=${encodeURIComponent('name eq "amazon_aws_sso"')}&limit=200`);
    expect(listed.map((p) => p.length)).toEqual([200, 6]);
    expect(listed[1]!.map((a) => a.id)).toContain(mine.id);

    const cursor = (await readRequestLog(big)).length;
    const run = await runStep(oktaAppStep, stepHarness({ env: env(big), outputs: bigUp.outputs }).ctx);
    expect(run.changes.map((c) => c.op)).toEqual(['adopt']);
    expect(run.outputs).toMatchObject({ appId: mine.id, adopted: true, label: 'AWS SSO (production)' });
    const log = (await readRequestLog(big, { since: cursor })).filter((e) => e.service === 'okta');
    // Both pages of the filtered list were read (besides the connection check's GET /api/v1/apps?limit=1).
    expect(log.filter((e) => e.operation === 'listApplications').length).toBeGreaterThanOrEqual(2);
    expect(log.filter((e) => e.mutating)).toEqual([]);
  });
});
