/**
 * The sandbox serves an amazon_aws_sso app with the full shape of a real org's GET /api/v1/apps/{id}
 * (every member of the spec's SAML app example, Saml2.0ResponseEx), and the wizard's drift repair
 * (step okta-app: GET, modify settings.app, PUT the whole object) keeps every member it does not own.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { oktaAppStep } from '../../src/steps/03-okta-app.js';
import type { AnyStep } from '../../src/steps/contract.js';
import { withSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { awsUpstream, oktaGet, runOktaHalf } from '../steps/okta-fixture.js';

type J = Record<string, unknown>;
let sb: TestSandbox;
beforeAll(async () => {
  vi.stubEnv('OKTA_AWS_SSO_OKTA_YAML', '/nonexistent/okta.yaml');
  sb = await withSandbox();
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await sb.close();
});

/** The spec's example of a SAML app as GET returns it. */
function specExample(): J {
  const spec = parseYaml(fs.readFileSync(path.resolve('vendor/specs/okta/management.yaml'), 'utf8')) as { components: { examples: Record<string, { value: J }> } };
  return spec.components.examples['Saml2.0ResponseEx']!.value;
}

/** Key paths of an object (objects only, arrays as leaves). */
function keyPaths(o: unknown, prefix = ''): string[] {
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return [];
  return Object.entries(o).flatMap(([k, v]) => [`${prefix}${k}`, ...keyPaths(v, `${prefix}${k}.`)]);
}

async function put(appId: string, body: J): Promise<void> {
  const res = await fetch(`${sb.info.oktaUrl}/api/v1/apps/${appId}`, {
    method: 'PUT',
    headers: { Authorization: `SSWS ${sb.info.oktaApiToken}`, Accept: 'application/json', 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status, await res.text()).toBe(200);
}

describe('the amazon_aws_sso app object', () => {
  it('has every member of a real SAML app, and the drift repair keeps what the wizard does not own', async () => {
    const up = awsUpstream(sb);
    const steps = [oktaAppStep] as unknown as AnyStep[];
    const first = await runOktaHalf(sb, up, {}, { steps });
    const appId = first.outputs['okta-app']!.appId;
    const created = await oktaGet<J>(sb, `/api/v1/apps/${appId}`);

    // Every member of the spec's example, except settings.signOn (a custom SAML app's sign-on block; an
    // OIN app's differs and is not served, docs/sandbox-okta.md) and the example's own app-link name.
    const served = new Set(keyPaths(created));
    const expected = keyPaths(specExample()).filter((k) => !k.startsWith('settings.signOn') && !k.startsWith('visibility.appLinks.'));
    expect(expected.filter((k) => !served.has(k))).toEqual([]);
    for (const k of ['settings.app.acsURL', 'settings.app.entityID', 'credentials.signing.kid', '_links.help', '_links.metadata', '_links.self']) {
      expect(served.has(k), k).toBe(true);
    }

    // Someone edits members the wizard does not own, and the ACS URL drifts.
    const edited = structuredClone(created) as J & { settings: J & { app: J; notes: J }; visibility: J & { hide: J }; accessibility: J; credentials: J };
    edited.settings.notes = { admin: 'owned by the IAM team', enduser: 'Use the AWS access portal' };
    edited.settings.implicitAssignment = true;
    edited.visibility.autoLaunch = true;
    edited.visibility.hide.iOS = true;
    edited.credentials.userNameTemplate = { template: '${source.email}', type: 'BUILT_IN' };
    edited.accessibility.selfService = true;
    edited.settings.app.acsURL = 'https://us-east-2.signin.aws/platform/saml/acs/wrong';
    edited.label = 'AWS IAM Identity Center';
    await put(appId, edited);
    const before = await oktaGet<J>(sb, `/api/v1/apps/${appId}`);

    // The wizard runs again: it adopts the app and repairs the ACS URL with GET-modify-PUT.
    const second = await runOktaHalf(sb, up, {}, { steps });
    expect(second.outputs['okta-app']).toMatchObject({ appId, adopted: true });
    expect(second.h.output.lines.map((l) => l.text).join('\n')).toMatch(/Updated the SAML settings/);
    const after = await oktaGet<J & { settings: { app: J } }>(sb, `/api/v1/apps/${appId}`);
    expect(after.settings.app.acsURL).toBe(first.outputs['okta-app']!.acsUrl);
    // Everything else is as it was (lastUpdated moves with the PUT).
    const strip = (o: J): J => {
      const c = structuredClone(o) as J & { settings: { app: J } };
      delete c.lastUpdated;
      delete c.settings.app.acsURL;
      return c;
    };
    expect(strip(after)).toEqual(strip(before));
  });
});
