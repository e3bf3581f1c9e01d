/**
 * Every Okta write is safe to retry, through the real path (the SDK client, our RetryingExecutor, the
 * sdkTransport and the OktaClient) against the sandbox's Okta with injected faults:
 *  - lost answers (the request carried out, the connection dropped before the answer): creates are
 *    looked up and adopted, never made twice; repeatable writes (PUT membership, PUT app assignment,
 *    POST lifecycle/activate) are sent again and land once;
 *  - dropped connections and 5xx answers before the request is carried out: sent again;
 *  - 429: waited until X-Rate-Limit-Reset (the sandbox's window set short by its explicit option).
 */
import { Client } from '@okta/okta-sdk-nodejs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OktaClient } from '../../src/okta/client.js';
import { sdkTransport } from '../../src/okta/connect.js';
import { RetryingExecutor } from '../../src/okta/retry.js';
import { readRequestLog, withSandbox, type TestSandbox } from '../helpers/sandbox.js';

let sb: TestSandbox;
let okta: OktaClient;
const waits: number[] = [];

beforeAll(async () => {
  sb = await withSandbox({ okta: { rateLimitWindowSeconds: 1 } });
  const executor = new RetryingExecutor({ policy: { baseMs: 5, capMs: 20 }, onRetry: (i) => waits.push(i.delayMs) });
  const client = new Client({ orgUrl: sb.info.oktaUrl, authorizationMode: 'SSWS', token: sb.info.oktaApiToken, requestExecutor: executor, cacheMiddleware: null } as never);
  okta = new OktaClient({
    orgUrl: sb.info.oktaUrl,
    transport: sdkTransport(client, 'ssws'),
    describe: { orgUrl: sb.info.oktaUrl, authMode: 'ssws', credentialSource: 'test' },
    retryPolicy: { baseMs: 5, capMs: 20 },
  });
});
afterAll(async () => {
  await sb.close();
});

async function raw<T>(path: string): Promise<T> {
  sb.faults.clear();
  const res = await fetch(`${sb.info.oktaUrl}${path}`, { headers: { Authorization: `SSWS ${sb.info.oktaApiToken}`, Accept: 'application/json' } });
  return (await res.json()) as T;
}

describe('Okta writes under faults', () => {
  it('creates, memberships, app assignments and activations each land once when answers are lost', async () => {
    const since = sb.log.since(0).entries.length;
    sb.faults.apply({ okta: { lostAnswerRate: 0.3, dropRate: 0.1, errorRate: 0.1 } });
    const app = await okta.createApp({
      name: 'amazon_aws_sso',
      label: 'Faulty AWS',
      signOnMode: 'SAML_2_0',
      settings: { app: { acsURL: 'https://us-east-2.signin.aws/platform/saml/acs/abc-123', entityID: 'https://us-east-2.signin.aws/platform/saml/d-1234567890' } },
    });
    await okta.activateApp(app.id);
    const groups = [];
    for (let i = 0; i < 6; i++) groups.push(await okta.createGroup(`awsssoFault${i}`, 'fault test'));
    const user = await okta.createUser({ profile: { login: 'fault.user@example.com', email: 'fault.user@example.com', firstName: 'Fault', lastName: 'User' }, password: 'Str0ng-Passw0rd!x', groupIds: [], nextLoginChangePassword: false });
    for (const g of groups) await okta.addUserToGroup(g.id, user.id);
    await okta.assignGroupToApp(app.id, groups[0]!.id);
    const faults = (await readRequestLog(sb, { since })).filter((e) => e.fault);
    sb.faults.clear();
    expect(faults.some((e) => e.fault === 'lost')).toBe(true); // the faults really happened

    const apps = await raw<{ label: string; status: string }[]>('/api/v1/apps?limit=200');
    expect(apps.filter((a) => a.label === 'Faulty AWS')).toHaveLength(1);
    expect(apps.find((a) => a.label === 'Faulty AWS')?.status).toBe('ACTIVE');
    const allGroups = await raw<{ profile: { name: string } }[]>('/api/v1/groups?q=awsssoFault&limit=200');
    expect(allGroups.map((g) => g.profile.name).sort()).toEqual(groups.map((g) => g.profile.name).sort());
    const users = await raw<{ profile: { login: string } }[]>('/api/v1/users?q=fault.user&limit=200');
    expect(users.filter((u) => u.profile.login === 'fault.user@example.com')).toHaveLength(1);
    const memberOf = await raw<{ id: string }[]>(`/api/v1/users/${user.id}/groups`);
    for (const g of groups) expect(memberOf.map((m) => m.id)).toContain(g.id);
    const assigned = await raw<{ id: string }[]>(`/api/v1/apps/${app.id}/groups`);
    expect(assigned.map((a) => a.id)).toEqual([groups[0]!.id]);
  });

  it('a 429 waits until X-Rate-Limit-Reset (here a 1 s window), then succeeds', async () => {
    waits.length = 0;
    const since = sb.log.since(0).entries.length;
    sb.faults.apply({ okta: { throttleRate: 1 } });
    const pending = okta.getGroup('00gnothere');
    // Every request is throttled until the faults are lifted: the client must be waiting, not failing.
    // Lifted once the sandbox has answered a 429 (not after a fixed time: on a loaded machine the
    // request may not have been sent yet).
    const deadline = Date.now() + 30_000;
    while (!(await readRequestLog(sb, { since })).some((e) => e.fault === 'throttle') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
    }
    sb.faults.clear();
    expect(await pending).toBeUndefined(); // the 404 after the throttling: a definite answer
    expect(waits.length).toBeGreaterThan(0);
    // The wait asked for is the reset of the family's window: at most the 1 s window, plus the rounding
    // of Reset and Date to whole seconds and the client's 1 s margin; not a fixed 30 or 60 s.
    expect(Math.max(...waits)).toBeLessThanOrEqual(3_000);
  });
});
