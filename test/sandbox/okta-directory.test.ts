/**
 * The default sandbox org holds a directory bigger than one page of a list (250 people, 250 groups,
 * limit=200), and the wizard's Okta client still finds its own objects among them: through the pages
 * of an unfiltered list (Link rel="next"), by exact name, by prefix, and by login.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OktaClient, type OktaGroup, type OktaUser, type Transport } from '../../src/okta/client.js';
import { withSandbox, type TestSandbox } from '../helpers/sandbox.js';

let sb: TestSandbox;
let okta: OktaClient;
beforeAll(async () => {
  sb = await withSandbox();
  const transport: Transport = (url, init) => fetch(url, { method: init.method, headers: { ...init.headers, Authorization: `SSWS ${sb.info.oktaApiToken}` }, body: init.body });
  okta = new OktaClient({ orgUrl: sb.info.oktaUrl, transport, describe: { orgUrl: sb.info.oktaUrl, authMode: 'ssws', credentialSource: 'test' } });
});
afterAll(async () => {
  await sb.close();
});

describe('the default sandbox directory', () => {
  it('spans more than one page of groups and users, and the wizard finds its objects', async () => {
    const first = await fetch(`${sb.info.oktaUrl}/api/v1/groups?limit=200`, { headers: { Authorization: `SSWS ${sb.info.oktaApiToken}`, Accept: 'application/json' } });
    expect(((await first.json()) as unknown[]).length).toBe(200);
    expect(first.headers.get('link')).toMatch(/rel="next"/);

    // The wizard's objects, made after the directory: they sit on the second page of every list.
    const mine = await okta.createGroup('awsssoPowerUsers', 'pushed');
    const also = await okta.createGroup('awsssoReadOnly', 'pushed');
    const user = await okta.createUser({ profile: { login: 'ada.lovelace@example.com', email: 'ada.lovelace@example.com', firstName: 'Ada', lastName: 'Lovelace' }, password: 'Str0ng-Passw0rd!x', groupIds: [mine.id], nextLoginChangePassword: false });

    const groups = await okta.listAll<OktaGroup>('/api/v1/groups', { limit: 200 });
    expect(groups.length).toBe(252);
    expect(new Set(groups.map((g) => g.id)).size).toBe(252);
    expect(groups.map((g) => g.id)).toEqual(expect.arrayContaining([mine.id, also.id]));
    const users = await okta.listAll<OktaUser>('/api/v1/users', { limit: 200 });
    expect(users.length).toBe(251);
    expect(users.map((u) => u.id)).toContain(user.id);

    expect((await okta.findGroupByName('awsssoPowerUsers'))?.id).toBe(mine.id);
    expect((await okta.findGroupsByPrefix('awsssoP')).map((g) => g.id)).toEqual([mine.id]);
    expect((await okta.findGroupsByPrefix('awssso')).map((g) => g.profile.name).sort()).toEqual(['awsssoPowerUsers', 'awsssoReadOnly']);
    expect((await okta.getUser('ada.lovelace@example.com'))?.id).toBe(user.id);
    expect((await okta.listUserGroups(user.id)).map((g) => g.id)).toContain(mine.id);
    // A seeded person is found by login too, and belongs to a department.
    const sam = await okta.getUser('sam.example.250@example.com');
    expect(sam?.profile.lastName).toBe('Example 250');
    expect((await okta.listUserGroups(sam!.id)).map((g) => g.profile.name)).toEqual(['Department 250']);
  });

  it('an empty org stays available as an explicit option', async () => {
    const empty = await withSandbox({ okta: { directory: { users: 0, groups: 0 } } });
    try {
      const res = await fetch(`${empty.info.oktaUrl}/api/v1/users?limit=200`, { headers: { Authorization: `SSWS ${empty.info.oktaApiToken}`, Accept: 'application/json' } });
      expect(await res.json()).toEqual([]);
    } finally {
      await empty.close();
    }
  });
});

describe('X-Rate-Limit-* per endpoint family (Okta Workforce Identity defaults)', () => {
  it('answers each family with its documented limit', async () => {
    const limitOf = async (method: string, p: string): Promise<string | null> => {
      const res = await fetch(`${sb.info.oktaUrl}${p}`, { method, headers: { Authorization: `SSWS ${sb.info.oktaApiToken}`, Accept: 'application/json' } });
      await res.arrayBuffer();
      return res.headers.get('x-rate-limit-limit');
    };
    const g = (await okta.findGroupByName('Department 001'))!;
    const u = (await okta.getUser('sam.example.001@example.com'))!;
    expect(await limitOf('GET', '/api/v1/apps')).toBe('100');
    expect(await limitOf('GET', '/api/v1/apps/0oanothere')).toBe('500');
    expect(await limitOf('GET', '/api/v1/groups')).toBe('500');
    expect(await limitOf('GET', `/api/v1/groups/${g.id}`)).toBe('1000');
    expect(await limitOf('GET', '/api/v1/users')).toBe('600');
    expect(await limitOf('GET', `/api/v1/users/${u.id}`)).toBe('2000');
    expect(await limitOf('GET', `/api/v1/groups/${g.id}/users`)).toBe('1200');
    const res = await fetch(`${sb.info.oktaUrl}/api/v1/groups`, { headers: { Authorization: `SSWS ${sb.info.oktaApiToken}`, Accept: 'application/json' } });
    await res.arrayBuffer();
    const remaining = Number(res.headers.get('x-rate-limit-remaining'));
    const reset = Number(res.headers.get('x-rate-limit-reset'));
    expect(remaining).toBeLessThan(500);
    expect(reset * 1000).toBeGreaterThan(Date.now());
    expect(reset * 1000).toBeLessThanOrEqual(Date.now() + 61_000);
  });
});
