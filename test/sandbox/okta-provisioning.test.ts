/* eslint-disable @typescript-eslint/no-explicit-any -- loosely typed JSON answers */
import { afterEach, describe, expect, it } from 'vitest';
import { AWS_APP_BODY, startOkta, startScim, type RunningOkta } from './okta-helpers.js';

const SCIM_TOKEN = 'scim-token-abc123';
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function setup(provisioningApi: 'unknown' | 'supported' = 'unknown', scimOpts: { bearer?: boolean } = {}) {
  const okta = await startOkta({ options: { provisioningApi } });
  const scim = await startScim(SCIM_TOKEN, scimOpts);
  cleanups.push(() => okta.close(), () => scim.close());
  return { okta, scim };
}

async function enableCreate(okta: RunningOkta, appId: string) {
  const r = await okta.call('PUT', `/api/v1/apps/${appId}/features/USER_PROVISIONING`, {
    create: { lifecycleCreate: { status: 'ENABLED' } },
    update: { profile: { status: 'ENABLED' }, lifecycleDeactivate: { status: 'ENABLED' } },
  });
  expect(r.status).toBe(200);
  return r.json;
}

const userBody = (login: string, groupIds: string[] = [], displayName: string | null = 'Pat Example') => ({
  profile: { firstName: 'Pat', lastName: 'Example', email: login, login, ...(displayName ? { displayName } : {}) },
  credentials: { password: { value: 'Qz8#vLm2Rt!w' } },
  groupIds,
});

describe('Okta emulator: provisioning connection', () => {
  it('answers UNKNOWN for amazon_aws_sso by default and stores nothing; features need a connection', async () => {
    const { okta, scim } = await setup('unknown');
    const app = (await okta.call('POST', '/api/v1/apps', AWS_APP_BODY)).json;
    const post = await okta.call('POST', `/api/v1/apps/${app.id}/connections/default?activate=true`, { baseUrl: scim.baseUrl, profile: { authScheme: 'TOKEN', token: SCIM_TOKEN } });
    expect(post.status).toBe(200);
    expect(post.json.status).toBe('UNKNOWN');
    expect(post.json.authScheme).toBe('UNKNOWN');
    expect(post.text).not.toContain(SCIM_TOKEN);
    expect((await okta.call('GET', `/api/v1/apps/${app.id}/connections/default`)).json.status).toBe('UNKNOWN');
    const features = await okta.call('GET', `/api/v1/apps/${app.id}/features`);
    expect(features.status).toBe(400);
    expect(features.json.errorCode).toBe('E0000001');
    expect(features.json.errorCauses[0].errorSummary).toBe('Provisioning is not enabled for the app instance.');
    expect(scim.log).toEqual([]);

    // The console path works for this app and really tests the credentials.
    await expect(okta.emulator.console.configureProvisioning({ appId: app.id, baseUrl: scim.baseUrl, token: 'wrong' })).rejects.toThrow(/Unauthorized/);
    const ok = await okta.emulator.console.configureProvisioning({ appId: app.id, baseUrl: scim.baseUrl, token: SCIM_TOKEN });
    expect(ok.message).toContain('enabled');
    expect(scim.log.at(-1)).toEqual(expect.objectContaining({ method: 'GET', path: '/scim/v2/ServiceProviderConfig', auth: `Bearer ${SCIM_TOKEN}` }));
    // ...but the APIs still do not serve the app: UNKNOWN, and 400 on the features (spec example ErrorAppFeatureAPIValidationFailed).
    const conn = await okta.call('GET', `/api/v1/apps/${app.id}/connections/default`);
    expect(conn.json).toEqual(expect.objectContaining({ status: 'UNKNOWN', authScheme: 'UNKNOWN' }));
    expect(conn.text).not.toContain(SCIM_TOKEN);
    for (const [method, path] of [['GET', 'features'], ['GET', 'features/USER_PROVISIONING'], ['PUT', 'features/USER_PROVISIONING']] as const) {
      const r = await okta.call(method, `/api/v1/apps/${app.id}/${path}`, method === 'PUT' ? { create: { lifecycleCreate: { status: 'ENABLED' } } } : undefined);
      expect(r.status, `${method} ${path}`).toBe(400);
      expect(r.json).toEqual(expect.objectContaining({ errorCode: 'E0000001', errorSummary: 'Api validation failed: feature', errorCauses: [{ errorSummary: 'Provisioning is not enabled for the app instance.' }] }));
    }
  });

  it("with provisioningApi 'supported' the console action's ticks are readable: Create/Update/Deactivate Users on, or as the person left them", async () => {
    const { okta, scim } = await setup('supported');
    const app = (await okta.call('POST', '/api/v1/apps', AWS_APP_BODY)).json;
    okta.emulator.setOptions({ consoleProvisioning: { createUsers: false } });
    const r = await okta.emulator.console.configureProvisioning({ appId: app.id, baseUrl: scim.baseUrl, token: SCIM_TOKEN });
    expect(r.message).toContain('left off: createUsers');
    expect((await okta.call('GET', `/api/v1/apps/${app.id}/connections/default`)).json.status).toBe('ENABLED');
    const feature = (await okta.call('GET', `/api/v1/apps/${app.id}/features/USER_PROVISIONING`)).json;
    expect(feature.capabilities.create.lifecycleCreate.status).toBe('DISABLED');
    expect(feature.capabilities.update.profile.status).toBe('ENABLED');
    const updated = await enableCreate(okta, app.id);
    expect(updated.capabilities.create.lifecycleCreate.status).toBe('ENABLED');
    expect(updated.capabilities.update.password.status).toBe('DISABLED');
  });

  it("with provisioningApi 'supported' stores the connection: DISABLED in the answer, then ENABLED", async () => {
    const { okta, scim } = await setup('supported');
    const app = (await okta.call('POST', '/api/v1/apps', AWS_APP_BODY)).json;
    const bad = await okta.call('POST', `/api/v1/apps/${app.id}/connections/default?activate=true`, { baseUrl: `${scim.baseUrl}/`, profile: { authScheme: 'TOKEN', token: SCIM_TOKEN } });
    expect(bad.status).toBe(400);
    expect(bad.json.errorCauses[0].errorSummary).toContain('Error authenticating');
    const post = await okta.call('POST', `/api/v1/apps/${app.id}/connections/default?activate=true`, { baseUrl: scim.baseUrl, profile: { authScheme: 'TOKEN', token: SCIM_TOKEN } });
    expect(post.status).toBe(200);
    expect(post.json.status).toBe('DISABLED');
    expect(post.json.authScheme).toBe('TOKEN');
    expect((await okta.call('GET', `/api/v1/apps/${app.id}/connections/default`)).json.status).toBe('ENABLED');
    expect((await okta.call('POST', `/api/v1/apps/${app.id}/connections/default/lifecycle/deactivate`)).status).toBe(204);
    expect((await okta.call('GET', `/api/v1/apps/${app.id}/connections/default`)).json.status).toBe('DISABLED');
    expect((await okta.call('POST', `/api/v1/apps/${app.id}/connections/default/lifecycle/activate`)).status).toBe(204);
    expect((await okta.call('GET', `/api/v1/apps/${app.id}/connections/default`)).json.status).toBe('ENABLED');
  });
});

describe('Okta emulator: outbound SCIM loop', () => {
  it('provisions assigned users and pushes groups with their provisioned members, then follows membership changes', async () => {
    const { okta, scim } = await setup('unknown');
    const app = (await okta.call('POST', '/api/v1/apps', AWS_APP_BODY)).json;
    // The console action ticks Create Users, Update User Attributes and Deactivate Users.
    await okta.emulator.console.configureProvisioning({ appId: app.id, baseUrl: scim.baseUrl, token: SCIM_TOKEN });
    const awsUsers = (await okta.call('POST', '/api/v1/groups', { profile: { name: 'AWS Users' } })).json;
    const power = (await okta.call('POST', '/api/v1/groups', { profile: { name: 'awsssoPowerUsers' } })).json;
    expect((await okta.call('PUT', `/api/v1/apps/${app.id}/groups/${awsUsers.id}`, {})).status).toBe(200);

    // Same group for assignment and push is refused.
    const same = await okta.call('POST', `/api/v1/apps/${app.id}/group-push/mappings`, { sourceGroupId: awsUsers.id, targetGroupName: 'AWS Users' });
    expect(same.status).toBe(400);
    const both = await okta.call('POST', `/api/v1/apps/${app.id}/group-push/mappings`, { sourceGroupId: power.id, targetGroupName: 'x', targetGroupId: 'y' });
    expect(both.status).toBe(400);
    expect(both.json.errorCauses[0].errorSummary).toContain('Exactly one of targetGroupName or targetGroupId');
    const neither = await okta.call('POST', `/api/v1/apps/${app.id}/group-push/mappings`, { sourceGroupId: power.id });
    expect(neither.status).toBe(400);

    const mapping = await okta.call('POST', `/api/v1/apps/${app.id}/group-push/mappings`, { sourceGroupId: power.id, targetGroupName: 'awsssoPowerUsers', status: 'ACTIVE' });
    expect(mapping.status).toBe(201);
    expect(mapping.json.status).toBe('ACTIVE');

    const pat = (await okta.call('POST', '/api/v1/users?activate=true', userBody('pat@example.com', [awsUsers.id, power.id]))).json;
    await okta.emulator.idle();
    const scimUser = [...scim.users.values()].find((u) => u.userName === 'pat@example.com');
    expect(scimUser).toEqual(expect.objectContaining({
      userName: 'pat@example.com',
      externalId: pat.id,
      displayName: 'Pat Example',
      name: { givenName: 'Pat', familyName: 'Example' },
      emails: [{ value: 'pat@example.com', type: 'work', primary: true }],
      active: true,
    }));
    const post = scim.log.find((r) => r.method === 'POST' && r.path === '/scim/v2/Users');
    expect(post?.auth).toBe(`Bearer ${SCIM_TOKEN}`);
    const appUser = (await okta.call('GET', `/api/v1/apps/${app.id}/users/${pat.id}`)).json;
    expect(appUser).toEqual(expect.objectContaining({ scope: 'GROUP', status: 'PROVISIONED', syncState: 'SYNCHRONIZED', externalId: scimUser.id }));
    const pushed = [...scim.groups.values()].find((g) => g.displayName === 'awsssoPowerUsers');
    expect(pushed?.externalId).toBe(power.id);
    expect(pushed?.members).toEqual([{ value: scimUser.id }]);
    const listed = await okta.call('GET', `/api/v1/apps/${app.id}/group-push/mappings?sourceGroupId=${power.id}`);
    expect(listed.json).toHaveLength(1);
    expect(listed.json[0].lastPush).toEqual(expect.any(String));

    // A member of the pushed group who is not assigned to the app is not pushed.
    const outsider = (await okta.call('POST', '/api/v1/users', userBody('out@example.com', [power.id]))).json;
    await okta.emulator.idle();
    expect([...scim.users.values()].some((u) => u.userName === 'out@example.com')).toBe(false);
    expect(pushed?.members).toHaveLength(1);
    // ...until assigned directly.
    const direct = await okta.call('POST', `/api/v1/apps/${app.id}/users`, { id: outsider.id, scope: 'USER' });
    expect(direct.status).toBe(200);
    expect(direct.json.scope).toBe('USER');
    await okta.emulator.idle();
    expect(pushed?.members).toHaveLength(2);

    // A profile update is pushed with a SCIM PUT (update.profile is ENABLED).
    const renamed = await okta.call('POST', `/api/v1/users/${outsider.id}`, { profile: { displayName: 'Pat Renamed' } });
    expect(renamed.status).toBe(200);
    expect(renamed.json.profile.login).toBe('out@example.com');
    await okta.emulator.idle();
    expect([...scim.users.values()].find((u) => u.userName === 'out@example.com')?.displayName).toBe('Pat Renamed');
    expect(scim.log.filter((r) => r.method === 'PUT')).toHaveLength(1);

    // Removing Pat from the pushed group removes the membership downstream.
    expect((await okta.call('DELETE', `/api/v1/groups/${power.id}/users/${pat.id}`)).status).toBe(204);
    await okta.emulator.idle();
    expect(pushed?.members.map((m: any) => m.value)).not.toContain(scimUser.id);

    // Deactivating Pat deactivates the downstream user.
    expect((await okta.call('POST', `/api/v1/users/${pat.id}/lifecycle/deactivate`)).status).toBe(200);
    await okta.emulator.idle();
    expect(scim.users.get(scimUser.id).active).toBe(false);

    // A push mapping can only be deleted once INACTIVE.
    expect((await okta.call('DELETE', `/api/v1/apps/${app.id}/group-push/mappings/${mapping.json.id}?deleteTargetGroup=false`)).status).toBe(400);
    expect((await okta.call('PATCH', `/api/v1/apps/${app.id}/group-push/mappings/${mapping.json.id}`, { status: 'INACTIVE' })).json.status).toBe('INACTIVE');
    expect((await okta.call('DELETE', `/api/v1/apps/${app.id}/group-push/mappings/${mapping.json.id}?deleteTargetGroup=true`)).status).toBe(204);
    await okta.emulator.idle();
    expect([...scim.groups.values()].some((g) => g.displayName === 'awsssoPowerUsers')).toBe(false);
  });

  it('records a user provisioning error (missing displayName) and a push mapping ERROR after the token is revoked', async () => {
    const { okta, scim } = await setup('unknown');
    const app = (await okta.call('POST', '/api/v1/apps', AWS_APP_BODY)).json;
    // The console action ticks Create Users, Update User Attributes and Deactivate Users.
    await okta.emulator.console.configureProvisioning({ appId: app.id, baseUrl: scim.baseUrl, token: SCIM_TOKEN });
    const assigned = (await okta.call('POST', '/api/v1/groups', { profile: { name: 'AWS Users' } })).json;
    await okta.call('PUT', `/api/v1/apps/${app.id}/groups/${assigned.id}`, {});
    const noName = (await okta.call('POST', '/api/v1/users', userBody('nodisplay@example.com', [assigned.id], null))).json;
    await okta.emulator.idle();
    const failed = (await okta.call('GET', `/api/v1/apps/${app.id}/users/${noName.id}`)).json;
    expect(failed.syncState).toBe('ERROR');
    expect(failed._embedded.syncError.errorSummary).toContain('Request is unparsable');

    scim.revokeToken('rotated-token');
    const push = (await okta.call('POST', '/api/v1/groups', { profile: { name: 'awsssoAdmins' } })).json;
    const m = (await okta.call('POST', `/api/v1/apps/${app.id}/group-push/mappings`, { sourceGroupId: push.id, targetGroupName: 'awsssoAdmins' })).json;
    await okta.emulator.idle();
    const after = (await okta.call('GET', `/api/v1/apps/${app.id}/group-push/mappings/${m.id}`)).json;
    expect(after.status).toBe('ERROR');
    expect(after.errorSummary).toBe('Error while verifying if group exists: Unauthorized');
    const later = (await okta.call('POST', '/api/v1/users', userBody('later@example.com', [assigned.id]))).json;
    await okta.emulator.idle();
    const laterAppUser = (await okta.call('GET', `/api/v1/apps/${app.id}/users/${later.id}`)).json;
    expect(laterAppUser.syncState).toBe('ERROR');
    expect(laterAppUser._embedded.syncError.errorSummary).toContain('Error while verifying if user exists: Unauthorized');
    // An ERROR mapping may be deleted.
    const del = await okta.call('DELETE', `/api/v1/apps/${app.id}/group-push/mappings/${m.id}?deleteTargetGroup=false`);
    expect(del.text).toBe('');
    expect(del.status).toBe(204);
  });

  it('console push rules map existing and future groups by prefix; the Header Auth app sends the raw token', async () => {
    const { okta, scim } = await setup('unknown', { bearer: false });
    const created = await okta.call('POST', '/api/v1/apps', { name: 'scim2headerauth', label: 'SCIM 2.0 TestApp', signOnMode: 'AUTO_LOGIN', visibility: { autoSubmitToolbar: false, hide: { iOS: true, web: true } } });
    expect(created.text).toContain('"status":"ACTIVE"');
    const app = created.json;
    await expect(okta.emulator.console.createPushRule({ appId: app.id, name: 'awssso', prefix: 'awssso' })).rejects.toThrow(/enable provisioning/);
    await okta.emulator.console.configureProvisioning({ appId: app.id, baseUrl: scim.baseUrl, token: SCIM_TOKEN });
    expect(scim.log.at(-1)?.auth).toBe(SCIM_TOKEN);
    const early = (await okta.call('POST', '/api/v1/groups', { profile: { name: 'awsssoEarly' } })).json;
    await okta.call('POST', '/api/v1/groups', { profile: { name: 'unrelated' } });
    const res = await okta.emulator.console.createPushRule({ appId: app.id, name: 'awssso groups', prefix: 'awssso' });
    expect(res.message).toContain('1 group');
    const late = (await okta.call('POST', '/api/v1/groups', { profile: { name: 'awsssoLate' } })).json;
    const mappings = (await okta.call('GET', `/api/v1/apps/${app.id}/group-push/mappings`)).json;
    expect(mappings.map((m: any) => m.sourceGroupId).sort()).toEqual([early.id, late.id].sort());
    await okta.emulator.idle();
    expect([...scim.groups.values()].map((g) => g.displayName).sort()).toEqual(['awsssoEarly', 'awsssoLate']);
    expect(scim.log.filter((r) => r.method === 'POST').every((r) => r.auth === SCIM_TOKEN)).toBe(true);
  });
});
