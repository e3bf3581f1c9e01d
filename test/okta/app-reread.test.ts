/**
 * A second look at an app within one check (OktaClient.getAppAsJustRead, used by the sign-in proof
 * right after verify read the app): served from that read only while the client has written nothing;
 * after any write, and for an app not read yet, it reads live. Against the sandbox's Okta emulator,
 * counting the requests the client really sends.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OktaClient, type Transport } from '../../src/okta/client.js';
import { withSandbox, type TestSandbox } from '../helpers/sandbox.js';

let sb: TestSandbox;
beforeAll(async () => {
  sb = await withSandbox();
});
afterAll(async () => {
  await sb.close();
});

function counted(): { client: OktaClient; sent: string[] } {
  const sent: string[] = [];
  const transport: Transport = async (url, init) => {
    sent.push(`${init.method} ${new URL(url).pathname}`);
    return fetch(url, { method: init.method, headers: { ...init.headers, Authorization: `SSWS ${sb.info.oktaApiToken}` }, body: init.body });
  };
  const client = new OktaClient({ orgUrl: sb.info.oktaUrl, transport, describe: { orgUrl: sb.info.oktaUrl, authMode: 'ssws', credentialSource: 'test' } });
  return { client, sent };
}

describe('a second look at an app', () => {
  it('reuses the read until the client writes, then reads live again', async () => {
    const { client, sent } = counted();
    const [listed] = await client.findAppsByName('amazon_aws_sso');
    expect(listed).toBeDefined();
    const id = listed!.id;
    const appPath = `/api/v1/apps/${id}`;

    // Not read yet: a live read.
    const first = await client.getAppAsJustRead(id);
    expect(first?.id).toBe(id);
    expect(sent.filter((s) => s === `GET ${appPath}`)).toHaveLength(1);

    // Read just now, nothing written: the same object, no request; a copy (changing it changes nothing).
    const again = await client.getAppAsJustRead(id);
    expect(again).toEqual(first);
    again!.label = 'changed by the caller';
    expect((await client.getAppAsJustRead(id))?.label).toBe(first?.label);
    expect(sent.filter((s) => s === `GET ${appPath}`)).toHaveLength(1);

    // Any write through the client (here a group, not even the app): the next look is live.
    await client.createGroup('awsssoRereadAfterWrite', 'test');
    await client.getAppAsJustRead(id);
    expect(sent.filter((s) => s === `GET ${appPath}`)).toHaveLength(2);

    // getApp itself always reads live.
    await client.getApp(id);
    expect(sent.filter((s) => s === `GET ${appPath}`)).toHaveLength(3);
  });
});
