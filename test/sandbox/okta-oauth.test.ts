/* eslint-disable @typescript-eslint/no-explicit-any -- loosely typed JSON answers */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@okta/okta-sdk-nodejs';
import { SignJWT, exportJWK, generateKeyPair, type JWK } from 'jose';
import { AWS_APP_BODY, startOkta, type RunningOkta } from './okta-helpers.js';

let okta: RunningOkta;
let privateJwk: JWK;
let otherPrivateJwk: JWK;
const CLIENT_ID = '0oasandboxserviceapp';
const READ_ONLY_ID = '0oasandboxreadonly';

beforeAll(async () => {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  const other = await generateKeyPair('RS256', { extractable: true });
  privateJwk = { ...(await exportJWK(privateKey)), kid: 'k1', alg: 'RS256' };
  otherPrivateJwk = { ...(await exportJWK(other.privateKey)), kid: 'k1', alg: 'RS256' };
  const publicJwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256' };
  okta = await startOkta({
    oauthClients: [
      { clientId: CLIENT_ID, jwks: [publicJwk], scopes: ['okta.apps.read', 'okta.apps.manage', 'okta.groups.read', 'okta.groups.manage', 'okta.users.read', 'okta.users.manage'] },
      { clientId: READ_ONLY_ID, jwks: [publicJwk], scopes: ['okta.apps.read', 'okta.groups.read'] },
    ],
  });
});
afterAll(async () => {
  await okta.close();
});

async function assertion(clientId: string, key: JWK, aud = `${okta.url}/oauth2/v1/token`): Promise<string> {
  const { importJWK } = await import('jose');
  return new SignJWT({})
    .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .setIssuer(clientId)
    .setSubject(clientId)
    .setAudience(aud)
    .setIssuedAt()
    .setExpirationTime('5m')
    .setJti(crypto.randomUUID())
    .sign(await importJWK(key, 'RS256'));
}

async function token(clientId: string, key: JWK, scope: string, aud?: string) {
  const res = await fetch(`${okta.url}/oauth2/v1/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      scope,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: await assertion(clientId, key, aud),
    }).toString(),
  });
  return { status: res.status, json: (await res.json()) as any };
}

describe('Okta emulator: OAuth service apps', () => {
  it('the real SDK in PrivateKey mode gets a Bearer token and manages groups', async () => {
    const client = new Client({ orgUrl: okta.url, authorizationMode: 'PrivateKey', clientId: CLIENT_ID, scopes: ['okta.groups.manage', 'okta.groups.read'], privateKey: privateJwk, keyId: 'k1' });
    const g = await client.groupApi.createGroup({ group: { profile: { name: 'OAuth Group' } } });
    expect(g.id).toMatch(/^00g/);
    const names: string[] = [];
    for await (const x of await client.groupApi.listGroups({ search: 'profile.name eq "OAuth Group"' })) if (x) names.push(String(x.profile?.name));
    expect(names).toEqual(['OAuth Group']);
  });

  it('verifies the client assertion for real: another key, a wrong audience or an unknown client are refused', async () => {
    const good = await token(CLIENT_ID, privateJwk, 'okta.apps.read');
    expect(good.status).toBe(200);
    expect(good.json.token_type).toBe('Bearer');
    expect(good.json.scope).toBe('okta.apps.read');
    const forged = await token(CLIENT_ID, otherPrivateJwk, 'okta.apps.read');
    expect(forged.status).toBe(401);
    expect(forged.json.error).toBe('invalid_client');
    const wrongAud = await token(CLIENT_ID, privateJwk, 'okta.apps.read', 'https://elsewhere.example/oauth2/v1/token');
    expect(wrongAud.status).toBe(401);
    const unknown = await token('0oanobody', privateJwk, 'okta.apps.read');
    expect(unknown.status).toBe(401);
    const notGranted = await token(READ_ONLY_ID, privateJwk, 'okta.apps.read okta.apps.manage');
    expect(notGranted.status).toBe(400);
    expect(notGranted.json.error).toBe('invalid_scope');
    expect(notGranted.json.error_description).toContain('okta.apps.manage');
  });

  it("enforces each operation's scopes from the spec: 403 E0000006 when the token lacks one", async () => {
    const t = await token(READ_ONLY_ID, privateJwk, 'okta.apps.read okta.groups.read');
    const auth = { authorization: `Bearer ${t.json.access_token}` };
    const list = await okta.call('GET', '/api/v1/apps', undefined, auth);
    expect(list.status).toBe(200);
    const create = await okta.call('POST', '/api/v1/apps', AWS_APP_BODY, auth);
    expect(create.status).toBe(403);
    expect(create.json.errorCode).toBe('E0000006');
    expect(create.headers.get('www-authenticate')).toContain('insufficient_scope');
    const users = await okta.call('GET', '/api/v1/users', undefined, auth);
    expect(users.status).toBe(403);
    // Group push reads need both apps.read and groups.read: this token has both.
    const bogus = await okta.call('GET', '/api/v1/apps', undefined, { authorization: 'Bearer not-a-token' });
    expect(bogus.status).toBe(401);
    expect(bogus.json.errorCode).toBe('E0000011');
  });
});
