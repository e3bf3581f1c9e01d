/* eslint-disable @typescript-eslint/no-explicit-any -- loosely typed JSON answers */
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XMLParser } from 'fast-xml-parser';
import { Client } from '@okta/okta-sdk-nodejs';
import { API_TOKEN, AWS_APP_BODY, startOkta, type RunningOkta } from './okta-helpers.js';

let okta: RunningOkta;

beforeAll(async () => {
  okta = await startOkta({ options: { rateLimitPerMinute: 1000 } });
});
afterAll(async () => {
  await okta.close();
});

describe('Okta emulator: apps', () => {
  it('amazon_aws_sso signs on with SAML_2_0 only; its metadata is XML only (Accept: application/json gets 400 E0000019)', async () => {
    const bad = await okta.call('POST', '/api/v1/apps', { ...AWS_APP_BODY, signOnMode: 'AUTO_LOGIN' });
    expect(bad.status).toBe(400);
    expect(bad.json.errorCode).toBe('E0000001');
    expect(JSON.stringify(bad.json.errorCauses)).toMatch(/supports only SAML_2_0/);
    const created = await okta.call('POST', '/api/v1/apps', AWS_APP_BODY);
    const kid = created.json.credentials.signing.kid as string;
    const asJson = await okta.call('GET', `/api/v1/apps/${created.json.id}/sso/saml/metadata?kid=${kid}`, undefined, { accept: 'application/json' });
    expect(asJson.status).toBe(400);
    expect(asJson.json.errorCode).toBe('E0000019');
    const asXml = await okta.call('GET', `/api/v1/apps/${created.json.id}/sso/saml/metadata?kid=${kid}`, undefined, { accept: 'application/xml' });
    expect(asXml.status).toBe(200);
    expect(asXml.text).toContain('EntityDescriptor');
    await okta.call('POST', `/api/v1/apps/${created.json.id}/lifecycle/deactivate`);
    expect((await okta.call('DELETE', `/api/v1/apps/${created.json.id}`)).status).toBe(204);
  });

  it('creates the AWS app raw, finds it by filter and q, and keeps settings.app through a replace', async () => {
    const created = await okta.call('POST', '/api/v1/apps?activate=true', AWS_APP_BODY);
    expect(created.status).toBe(200);
    expect(created.json.id).toMatch(/^0oa/);
    expect(created.json.status).toBe('ACTIVE');
    expect(created.json.settings.app).toEqual(AWS_APP_BODY.settings.app);
    expect(created.json.credentials.signing.kid).toEqual(expect.any(String));
    expect(created.headers.get('x-rate-limit-limit')).toBe('1000');

    const byFilter = await okta.call('GET', `/api/v1/apps?filter=${encodeURIComponent('name eq "amazon_aws_sso"')}`);
    expect(byFilter.status).toBe(200);
    expect(byFilter.json.map((a: any) => a.id)).toEqual([created.json.id]);
    const byQ = await okta.call('GET', '/api/v1/apps?q=AWS%20IAM');
    expect(byQ.json.map((a: any) => a.id)).toContain(created.json.id);
    const none = await okta.call('GET', `/api/v1/apps?filter=${encodeURIComponent('name eq "bookmark"')}`);
    expect(none.json).toEqual([]);

    const replaced = await okta.call('PUT', `/api/v1/apps/${created.json.id}`, { ...created.json, label: 'AWS SSO (renamed)', settings: { app: { acsURL: 'https://new.example/acs', entityID: 'https://new.example/issuer' } } });
    expect(replaced.status).toBe(200);
    const got = await okta.call('GET', `/api/v1/apps/${created.json.id}`);
    expect(got.json.label).toBe('AWS SSO (renamed)');
    expect(got.json.settings.app).toEqual({ acsURL: 'https://new.example/acs', entityID: 'https://new.example/issuer' });

    const deact = await okta.call('POST', `/api/v1/apps/${created.json.id}/lifecycle/deactivate`);
    expect(deact.status).toBe(200);
    expect((await okta.call('GET', `/api/v1/apps/${created.json.id}`)).json.status).toBe('INACTIVE');
    await okta.call('POST', `/api/v1/apps/${created.json.id}/lifecycle/activate`);
    expect((await okta.call('GET', `/api/v1/apps/${created.json.id}`)).json.status).toBe('ACTIVE');
  });

  it('serves IdP metadata with a real X.509 certificate and generates keys', async () => {
    const app = (await okta.call('POST', '/api/v1/apps', AWS_APP_BODY)).json;
    const kid = app.credentials.signing.kid;
    const res = await okta.call('GET', `/api/v1/apps/${app.id}/sso/saml/metadata?kid=${encodeURIComponent(kid)}`, undefined, { accept: 'application/xml' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/xml;charset=ISO-8859-1');
    const xml = new XMLParser({ ignoreAttributes: false, removeNSPrefix: true }).parse(res.text);
    const ed = xml.EntityDescriptor;
    expect(ed['@_entityID']).toMatch(/^http:\/\/www\.okta\.com\/exk/);
    const exk = ed['@_entityID'].split('/').pop();
    const sso = ed.IDPSSODescriptor.SingleSignOnService;
    expect(sso).toHaveLength(2);
    expect(sso.map((s: any) => s['@_Location'])).toEqual([`${okta.url}/app/amazon_aws_sso/${exk}/sso/saml`, `${okta.url}/app/amazon_aws_sso/${exk}/sso/saml`]);
    expect(ed.IDPSSODescriptor.KeyDescriptor['@_use']).toBe('signing');
    const b64 = String(ed.IDPSSODescriptor.KeyDescriptor.KeyInfo.X509Data.X509Certificate).replace(/\s+/g, '');
    const cert = new crypto.X509Certificate(Buffer.from(b64, 'base64'));
    const years = (new Date(cert.validTo).getTime() - Date.now()) / (365.25 * 86_400_000);
    expect(years).toBeGreaterThan(9.9);
    expect(cert.verify(cert.publicKey)).toBe(true);

    const unknownKid = await okta.call('GET', `/api/v1/apps/${app.id}/sso/saml/metadata?kid=nope`, undefined, { accept: 'application/xml' });
    expect(unknownKid.status).toBe(404);
    expect(unknownKid.json.errorCode).toBe('E0000007');
    const missingKid = await okta.call('GET', `/api/v1/apps/${app.id}/sso/saml/metadata`);
    expect(missingKid.status).toBe(400);
    expect(missingKid.json.errorCode).toBe('E0000001');

    const gen = await okta.call('POST', `/api/v1/apps/${app.id}/credentials/keys/generate?validityYears=2`);
    expect(gen.status).toBe(201);
    expect(gen.json.kid).not.toBe(kid);
    const genCert = new crypto.X509Certificate(Buffer.from(gen.json.x5c[0], 'base64'));
    expect(new Date(genCert.validTo).toISOString()).toBe(gen.json.expiresAt);
    const keys = await okta.call('GET', `/api/v1/apps/${app.id}/credentials/keys`);
    expect(keys.json.map((k: any) => k.kid).sort()).toEqual([kid, gen.json.kid].sort());

    // Test hook: a key that has already expired.
    const past = new Date(Date.now() - 86_400_000);
    await okta.emulator.debug.setKeyExpiry(app.id, kid, past);
    const expired = await okta.call('GET', `/api/v1/apps/${app.id}/credentials/keys/${encodeURIComponent(kid)}`);
    expect(Math.abs(new Date(expired.json.expiresAt).getTime() - past.getTime())).toBeLessThan(2000);
    const md = await okta.call('GET', `/api/v1/apps/${app.id}/sso/saml/metadata?kid=${encodeURIComponent(kid)}`, undefined, { accept: 'application/xml' });
    const mdCert = String(new XMLParser({ removeNSPrefix: true }).parse(md.text).EntityDescriptor.IDPSSODescriptor.KeyDescriptor.KeyInfo.X509Data.X509Certificate).replace(/\s+/g, '');
    expect(new Date(new crypto.X509Certificate(Buffer.from(mdCert, 'base64')).validTo).getTime()).toBeLessThan(Date.now());
  });

  it('works through the real okta-sdk-nodejs Client in SSWS mode, including raw calls', async () => {
    const client = new Client({ orgUrl: okta.url, token: API_TOKEN });
    const created: any = await client.http.postJson(`${okta.url}/api/v1/apps`, { body: JSON.stringify(AWS_APP_BODY) } as Parameters<typeof client.http.postJson>[1]);
    const ids: string[] = [];
    for await (const a of await client.applicationApi.listApplications({ q: 'AWS' })) if (a) ids.push(a.id as string);
    expect(ids).toContain(created.id);
    const group = await client.groupApi.createGroup({ group: { profile: { name: `SDK Group ${created.id}` } } });
    expect(group.id).toMatch(/^00g/);
    await client.applicationApi.assignGroupToApplication({ appId: created.id, groupId: group.id as string, applicationGroupAssignment: {} });
    const assigned: string[] = [];
    for await (const g of await client.applicationApi.listApplicationGroupAssignments({ appId: created.id })) if (g) assigned.push(g.id as string);
    expect(assigned).toEqual([group.id]);
    const xml = await client.applicationApi.previewSAMLmetadataForApplication({ appId: created.id, kid: created.credentials.signing.kid });
    expect(String(xml)).toContain('IDPSSODescriptor');
  });
});

describe('Okta emulator: groups, users, pagination and errors', () => {
  it('creates groups, refuses duplicates, searches and paginates with Link headers', async () => {
    const names = ['awsssoAdmins', 'awsssoPowerUsers', 'awsssoReadOnly', 'AWS Users', 'Other'];
    for (const name of names) expect((await okta.call('POST', '/api/v1/groups', { profile: { name, description: 'x' } })).status).toBe(200);
    const dup = await okta.call('POST', '/api/v1/groups', { profile: { name: 'AWS Users' } });
    expect(dup.status).toBe(400);
    expect(dup.json.errorCode).toBe('E0000001');
    expect(dup.json.errorCauses[0].errorSummary).toContain('name: An object with this field already exists');
    expect(dup.json).toEqual(expect.objectContaining({ errorLink: 'E0000001', errorId: expect.any(String), errorSummary: expect.any(String) }));

    const eq = await okta.call('GET', `/api/v1/groups?search=${encodeURIComponent('profile.name eq "AWS Users"')}`);
    expect(eq.json.map((g: any) => g.profile.name)).toEqual(['AWS Users']);
    const sw = await okta.call('GET', `/api/v1/groups?search=${encodeURIComponent('profile.name sw "awssso"')}&limit=2`);
    expect(sw.json.map((g: any) => g.profile.name)).toEqual(['awsssoAdmins', 'awsssoPowerUsers']);
    const link = sw.headers.get('link') ?? '';
    expect(link).toContain('rel="self"');
    const next = /<([^>]+)>; rel="next"/.exec(link)?.[1];
    expect(next).toBeDefined();
    const page2 = await okta.call('GET', (next as string).slice(okta.url.length));
    expect(page2.json.map((g: any) => g.profile.name)).toEqual(['awsssoReadOnly']);
    expect(page2.headers.get('link')).not.toContain('rel="next"');
    const q = await okta.call('GET', '/api/v1/groups?q=aws');
    expect(q.json).toHaveLength(4);
    const bad = await okta.call('GET', `/api/v1/groups?search=${encodeURIComponent('profile.name zz "x"')}`);
    expect(bad.status).toBe(400);
  });

  it('rejects requests the spec forbids with E0000001 and the validation error in errorCauses', async () => {
    const numName = await okta.call('POST', '/api/v1/groups', { profile: { name: 123 } });
    expect(numName.status).toBe(400);
    expect(numName.json.errorCode).toBe('E0000001');
    expect(numName.json.errorCauses.map((c: any) => c.errorSummary).join(' ')).toContain('body.profile.name: must be string');
    const badQuery = await okta.call('POST', '/api/v1/users?activate=perhaps', { profile: { login: 'a@example.com', email: 'a@example.com', firstName: 'A', lastName: 'B' } });
    expect(badQuery.status).toBe(400);
    expect(badQuery.json.errorCauses[0].errorSummary).toContain('query.activate');
    const notJson = await okta.call('POST', '/api/v1/groups', '{not json');
    expect(notJson.status).toBe(400);
    expect(notJson.json.errorCode).toBe('E0000003');
    const badToken = await okta.call('GET', '/api/v1/groups', undefined, { authorization: 'SSWS wrong' });
    expect(badToken.status).toBe(401);
    expect(badToken.json.errorCode).toBe('E0000011');
    const missing = await okta.call('GET', '/api/v1/groups/00gdoesnotexist');
    expect(missing.status).toBe(404);
    expect(missing.json.errorCode).toBe('E0000007');
    const samlWithoutFields = await okta.call('POST', '/api/v1/apps', { ...AWS_APP_BODY, settings: { ...AWS_APP_BODY.settings, signOn: { ssoAcsUrl: 'https://x' } } });
    expect(samlWithoutFields.status).toBe(400);
    expect(samlWithoutFields.json.errorCauses.map((c: any) => c.errorSummary).join(' ')).toContain('settings.signOn');
  });

  it('creates users with a password and groupIds, finds them by id, login, search and filter', async () => {
    const g = (await okta.call('POST', '/api/v1/groups', { profile: { name: 'Test Group U' } })).json;
    const body = { profile: { firstName: 'Tess', lastName: 'Tester', email: 'tess@example.com', login: 'tess@example.com', displayName: 'Tess Tester' }, credentials: { password: { value: 'Xy7!kq2Lmn#p' } }, groupIds: [g.id] };
    const created = await okta.call('POST', '/api/v1/users?activate=true&nextLogin=changePassword', body);
    expect(created.status).toBe(200);
    expect(created.json.status).toBe('PASSWORD_EXPIRED');
    expect(created.text).not.toContain('Xy7!kq2Lmn#p');
    expect((await okta.call('GET', '/api/v1/users/tess@example.com')).json.id).toBe(created.json.id);
    const bySearch = await okta.call('GET', `/api/v1/users?search=${encodeURIComponent('profile.login eq "tess@example.com"')}`);
    expect(bySearch.json.map((u: any) => u.id)).toEqual([created.json.id]);
    const byFilter = await okta.call('GET', `/api/v1/users?filter=${encodeURIComponent('profile.login eq "tess@example.com"')}`);
    expect(byFilter.json).toHaveLength(1);
    const members = await okta.call('GET', `/api/v1/groups/${g.id}/users`);
    expect(members.json.map((u: any) => u.id)).toEqual([created.json.id]);
    const again = await okta.call('POST', '/api/v1/users', body);
    expect(again.status).toBe(400);
    expect(again.json.errorCauses.map((c: any) => c.errorSummary).join(' ')).toContain('login: An object with this field already exists');
    const weak = await okta.call('POST', '/api/v1/users', { ...body, profile: { ...body.profile, login: 'weak@example.com', email: 'weak@example.com' }, credentials: { password: { value: 'short' } } });
    expect(weak.status).toBe(400);
    expect(weak.text).toContain('Password requirements were not met');
    expect(weak.text).not.toContain('short"');
  });

  it('supports and/or search expressions and user lifecycle transitions', async () => {
    await okta.call('POST', '/api/v1/groups', { profile: { name: 'Lifecycle A' } });
    await okta.call('POST', '/api/v1/groups', { profile: { name: 'Lifecycle B' } });
    const and = await okta.call('GET', `/api/v1/groups?search=${encodeURIComponent('profile.name sw "Lifecycle" and type eq "OKTA_GROUP" and profile.name co "B"')}`);
    expect(and.json.map((g: any) => g.profile.name)).toEqual(['Lifecycle B']);
    const or = await okta.call('GET', `/api/v1/groups?search=${encodeURIComponent('profile.name eq "Lifecycle A" or profile.name eq "Lifecycle B"')}`);
    expect(or.json).toHaveLength(2);
    const badFilter = await okta.call('GET', `/api/v1/apps?filter=${encodeURIComponent('label eq "x"')}`);
    expect(badFilter.status).toBe(400);

    const staged = await okta.call('POST', '/api/v1/users?activate=false', { profile: { firstName: 'Sam', lastName: 'Staged', email: 'sam@example.com', login: 'sam@example.com' } });
    expect(staged.json.status).toBe('STAGED');
    const act = await okta.call('POST', `/api/v1/users/${staged.json.id}/lifecycle/activate?sendEmail=false`);
    expect(act.status).toBe(200);
    expect(act.json.activationUrl).toEqual(expect.any(String));
    expect((await okta.call('GET', `/api/v1/users/${staged.json.id}`)).json.status).toBe('PROVISIONED');
    const setPw = await okta.call('POST', `/api/v1/users/${staged.json.id}`, { credentials: { password: { value: 'Gh5&tYu8Kl!o' } } });
    expect(setPw.status).toBe(200);
    expect(setPw.json.passwordChanged).toEqual(expect.any(String));
    expect((await okta.call('POST', `/api/v1/users/${staged.json.id}/lifecycle/deactivate`)).status).toBe(200);
    expect((await okta.call('GET', `/api/v1/users/${staged.json.id}`)).json.status).toBe('DEPROVISIONED');
    expect((await okta.call('DELETE', `/api/v1/users/${staged.json.id}`)).status).toBe(204);
    expect((await okta.call('GET', `/api/v1/users/${staged.json.id}`)).status).toBe(404);
  });

  it('answers 429 E0000047 with rate-limit headers when a bucket is exhausted, and fault answers', async () => {
    const small = await startOkta({ options: { rateLimitPerMinute: 3 } });
    try {
      const statuses: number[] = [];
      let last;
      for (let i = 0; i < 4; i++) {
        last = await small.call('GET', '/api/v1/groups');
        statuses.push(last.status);
      }
      expect(statuses).toEqual([200, 200, 200, 429]);
      expect(last?.json.errorCode).toBe('E0000047');
      expect(last?.headers.get('x-rate-limit-limit')).toBe('3');
      expect(last?.headers.get('x-rate-limit-remaining')).toBe('0');
      expect(Number(last?.headers.get('x-rate-limit-reset'))).toBeGreaterThan(Date.now() / 1000);
      // Another endpoint family has its own bucket.
      expect((await small.call('GET', '/api/v1/users')).status).toBe(200);
      const req = { method: 'GET', path: '/api/v1/apps', query: new URLSearchParams(), headers: {}, body: Buffer.alloc(0) };
      const t = small.emulator.faultResponse('throttle', req);
      expect(t.status).toBe(429);
      expect(JSON.parse(String(t.body)).errorCode).toBe('E0000047');
      expect(t.headers?.['x-rate-limit-remaining']).toBe('0');
      expect(t.operation).toBe('listApplications');
      const e = small.emulator.faultResponse('error', req);
      expect(e.status).toBe(500);
      expect(JSON.parse(String(e.body)).errorSummary).toEqual(expect.any(String));
    } finally {
      await small.close();
    }
  });

  it('reports the operationId and mutating flag, and round-trips state through snapshot/restore', async () => {
    const req = (method: string, path: string, body?: unknown) => ({
      method,
      path,
      query: new URLSearchParams(),
      headers: { authorization: `SSWS ${API_TOKEN}`, 'content-type': 'application/json' },
      body: Buffer.from(body === undefined ? '' : JSON.stringify(body)),
    });
    const r = await okta.emulator.handle(req('POST', '/api/v1/groups', { profile: { name: 'Snapshot Group' } }));
    expect(r.operation).toBe('createGroup');
    expect(r.mutating).toBe(true);
    const gid = JSON.parse(String(r.body)).id;
    const snap = JSON.parse(JSON.stringify(okta.emulator.snapshot()));
    const fresh = await startOkta();
    try {
      fresh.emulator.restore(snap);
      const g = await fresh.call('GET', `/api/v1/groups/${gid}`);
      expect(g.status).toBe(200);
      expect(g.json.profile.name).toBe('Snapshot Group');
      const apps = await fresh.call('GET', `/api/v1/apps?filter=${encodeURIComponent('name eq "amazon_aws_sso"')}`);
      expect(apps.json.length).toBeGreaterThan(0);
      const app = apps.json[0];
      const md = await fresh.call('GET', `/api/v1/apps/${app.id}/sso/saml/metadata?kid=${encodeURIComponent(app.credentials.signing.kid)}`, undefined, { accept: 'application/xml' });
      expect(md.status).toBe(200);
      expect(JSON.stringify(fresh.emulator.snapshot())).toBe(JSON.stringify(snap));
    } finally {
      await fresh.close();
    }
    const get = await okta.emulator.handle(req('GET', `/api/v1/groups/${gid}`));
    expect(get.operation).toBe('getGroup');
    expect(get.mutating).toBe(false);
  });

  it('refuses to serve an answer that breaks the spec: 500 "sandbox response failed spec validation"', async () => {
    const broken = await startOkta();
    try {
      const t = new Date().toISOString();
      broken.emulator.restore({ apps: {}, users: {}, groups: { '00gbroken': { id: '00gbroken', profile: { name: 42 }, created: t, lastUpdated: t, lastMembershipUpdated: t, members: [] } } });
      const res = await broken.call('GET', '/api/v1/groups/00gbroken');
      expect(res.status).toBe(500);
      expect(res.text).toMatch(/^sandbox response failed spec validation: getGroup 200: .*profile\.name must be string/);
    } finally {
      await broken.close();
    }
  });
});
