/**
 * Creates that survive the first time: an Okta POST that was carried out but answered 500 (or whose
 * answer was lost with the connection) is looked up and adopted, never sent twice; one that never
 * reached Okta is sent again after the policy's backoff. Against the sandbox's real Okta emulator,
 * with a transport that loses answers the way a flaky network does.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OktaClient, type RawResponse, type Transport } from '../../src/okta/client.js';
import { withSandbox, type TestSandbox } from '../helpers/sandbox.js';

let sb: TestSandbox;
beforeAll(async () => {
  sb = await withSandbox();
});
afterAll(async () => {
  await sb.close();
});

type Mode = 'answer-500-after-doing-it' | 'drop-after-doing-it' | 'drop-before-sending';

/** A transport to the sandbox that spoils the first `spoil` POSTs in the given way. */
function flaky(mode: Mode, spoil: number): { transport: Transport; posts: () => number } {
  let posts = 0;
  let spoiled = 0;
  const transport: Transport = async (url, init) => {
    const spoilThis = init.method === 'POST' && spoiled < spoil;
    if (init.method === 'POST') posts++;
    if (spoilThis) spoiled++;
    if (spoilThis && mode === 'drop-before-sending') throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const res = await fetch(url, { method: init.method, headers: { ...init.headers, Authorization: `SSWS ${sb.info.oktaApiToken}` }, body: init.body });
    if (spoilThis && mode === 'drop-after-doing-it') throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    if (spoilThis) return { status: 500, headers: new Headers(), text: async () => '{"errorCode":"E0000009","errorSummary":"Internal Server Error"}' } satisfies RawResponse;
    return res;
  };
  return { transport, posts: () => posts };
}

function client(t: Transport): OktaClient {
  return new OktaClient({ orgUrl: sb.info.oktaUrl, transport: t, describe: { orgUrl: sb.info.oktaUrl, authMode: 'ssws', credentialSource: 'test' }, retryPolicy: { baseMs: 5, capMs: 20 } });
}

async function groupsNamed(name: string): Promise<number> {
  const res = await fetch(`${sb.info.oktaUrl}/api/v1/groups?q=${encodeURIComponent(name)}`, { headers: { Authorization: `SSWS ${sb.info.oktaApiToken}`, Accept: 'application/json' } });
  return ((await res.json()) as { profile: { name: string } }[]).filter((g) => g.profile.name === name).length;
}

describe('Okta create-or-adopt', () => {
  it('a group created but answered 500 is adopted, not created twice', async () => {
    const f = flaky('answer-500-after-doing-it', 1);
    const g = await client(f.transport).createGroup('awsssoAdopt500', 'test');
    expect(g.profile.name).toBe('awsssoAdopt500');
    expect(f.posts()).toBe(1);
    expect(await groupsNamed('awsssoAdopt500')).toBe(1);
  });

  it('a group whose answer was lost with the connection is adopted', async () => {
    const f = flaky('drop-after-doing-it', 1);
    const g = await client(f.transport).createGroup('awsssoAdoptDrop', 'test');
    expect(g.id).toMatch(/^00g/);
    expect(f.posts()).toBe(1);
    expect(await groupsNamed('awsssoAdoptDrop')).toBe(1);
  });

  it('a create that never reached Okta is sent again, and made once', async () => {
    const f = flaky('drop-before-sending', 2);
    const g = await client(f.transport).createGroup('awsssoRetried', 'test');
    expect(g.profile.name).toBe('awsssoRetried');
    expect(f.posts()).toBe(3);
    expect(await groupsNamed('awsssoRetried')).toBe(1);
  });

  it('a user created but answered 500 is adopted by login', async () => {
    const f = flaky('answer-500-after-doing-it', 1);
    const login = 'grace.hopper@example.com';
    const u = await client(f.transport).createUser({ profile: { login, email: login, firstName: 'Grace', lastName: 'Hopper' } as never, password: 'Str0ng-Passw0rd!x', groupIds: [], nextLoginChangePassword: false });
    expect(u.profile.login).toBe(login);
    expect(f.posts()).toBe(1);
  });

  it('gives up after the operation budget with the last error', async () => {
    const f = flaky('drop-before-sending', 100);
    const err = await client(f.transport).createGroup('awsssoNever', 'test').catch((e: unknown) => e);
    expect((err as { code?: string }).code).toBe('ECONNRESET');
    expect(f.posts()).toBe(8); // RETRY_POLICY.maxAttempts sends, no more
    expect(await groupsNamed('awsssoNever')).toBe(0);
  });
});
