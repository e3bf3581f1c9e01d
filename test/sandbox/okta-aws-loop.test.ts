/* eslint-disable @typescript-eslint/no-explicit-any -- loosely typed JSON answers */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ListGroupMembershipsCommand, ListGroupsCommand, ListUsersCommand } from '@aws-sdk/client-identitystore';
import { AWS_APP_BODY, startOkta, type RunningOkta } from './okta-helpers.js';
import { startAws, type AwsFixture } from './aws-helpers.js';

let okta: RunningOkta;
let aws: AwsFixture;

beforeAll(async () => {
  okta = await startOkta();
  aws = await startAws();
});
afterAll(async () => {
  await okta.close();
  await aws.close();
});

describe('Okta emulator against the real AWS emulator (SAML metadata and SCIM)', () => {
  it('IdP metadata is accepted by Identity Center, and users/groups reach its identity store', async () => {
    const app = (await okta.call('POST', '/api/v1/apps', AWS_APP_BODY)).json;
    const md = await okta.call('GET', `/api/v1/apps/${app.id}/sso/saml/metadata?kid=${encodeURIComponent(app.credentials.signing.kid)}`, undefined, { accept: 'application/xml' });
    expect(() => aws.emu.console.uploadIdpMetadata({ xml: md.text })).not.toThrow();

    const enabled = aws.emu.console.enableAutomaticProvisioning();
    const endpoint = enabled.answers?.['scim-endpoint'] as string;
    const token = enabled.secrets?.['scim-token'] as string;
    await okta.emulator.console.configureProvisioning({ appId: app.id, baseUrl: endpoint, token });
    await okta.call('PUT', `/api/v1/apps/${app.id}/features/USER_PROVISIONING`, { create: { lifecycleCreate: { status: 'ENABLED' } }, update: { lifecycleDeactivate: { status: 'ENABLED' } } });

    const assigned = (await okta.call('POST', '/api/v1/groups', { profile: { name: 'AWS Users' } })).json;
    const push = (await okta.call('POST', '/api/v1/groups', { profile: { name: 'awsssoPowerUsers' } })).json;
    await okta.call('PUT', `/api/v1/apps/${app.id}/groups/${assigned.id}`, {});
    const m = await okta.call('POST', `/api/v1/apps/${app.id}/group-push/mappings`, { sourceGroupId: push.id, targetGroupName: 'awsssoPowerUsers', status: 'ACTIVE' });
    expect(m.status).toBe(201);
    const user = (await okta.call('POST', '/api/v1/users?activate=true', {
      profile: { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com', login: 'ada@example.com', displayName: 'Ada Lovelace' },
      credentials: { password: { value: 'Nm4$wq9Zpx!e' } },
      groupIds: [assigned.id, push.id],
    })).json;
    await okta.emulator.idle();

    const appUser = (await okta.call('GET', `/api/v1/apps/${app.id}/users/${user.id}`)).json;
    expect(appUser.syncState).toBe('SYNCHRONIZED');
    const mapping = (await okta.call('GET', `/api/v1/apps/${app.id}/group-push/mappings/${m.json.id}`)).json;
    expect(mapping.status).toBe('ACTIVE');

    const ids = aws.ids();
    const storeId = aws.emu.info().identityStoreId;
    const users = await ids.send(new ListUsersCommand({ IdentityStoreId: storeId, Filters: [{ AttributePath: 'UserName', AttributeValue: 'ada@example.com' }] }));
    expect(users.Users?.map((u) => u.DisplayName)).toEqual(['Ada Lovelace']);
    const groups = await ids.send(new ListGroupsCommand({ IdentityStoreId: storeId, Filters: [{ AttributePath: 'DisplayName', AttributeValue: 'awsssoPowerUsers' }] }));
    expect(groups.Groups).toHaveLength(1);
    const members = await ids.send(new ListGroupMembershipsCommand({ IdentityStoreId: storeId, GroupId: groups.Groups?.[0]?.GroupId as string }));
    expect(members.GroupMemberships?.map((gm) => (gm.MemberId as any)?.UserId)).toEqual([users.Users?.[0]?.UserId]);
  });
});
