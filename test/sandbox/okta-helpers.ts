/* eslint-disable @typescript-eslint/no-explicit-any -- loosely typed JSON in test helpers */
/**
 * Test helpers for the Okta emulator: serve it over real HTTP, a raw JSON client, and a tiny
 * in-test SCIM 2.0 server that records what Okta pushes.
 */
import crypto from 'node:crypto';
import { serve, type Served } from '../../src/sandbox/http.js';
import { createOktaEmulator, type OktaEmulator, type OktaOAuthClient } from '../../src/sandbox/okta/index.js';
import type { OktaEmulatorOptions, SandboxRequest, SandboxResponse } from '../../src/sandbox/types.js';

export const API_TOKEN = '00sandbox-test-token-0123456789abcdef';

export interface RunningOkta {
  emulator: OktaEmulator;
  served: Served;
  url: string;
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; headers: Headers; json: any; text: string }>;
  close(): Promise<void>;
}

export async function startOkta(opts: { options?: OktaEmulatorOptions; oauthClients?: OktaOAuthClient[] } = {}): Promise<RunningOkta> {
  const emulator = createOktaEmulator({ apiToken: API_TOKEN, oauthClients: opts.oauthClients, options: opts.options });
  const served = await serve((r) => emulator.handle(r));
  emulator.setBaseUrl(served.url);
  const call: RunningOkta['call'] = async (method, path, body, headers = {}) => {
    const res = await fetch(`${served.url}${path}`, {
      method,
      headers: { authorization: `SSWS ${API_TOKEN}`, accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let json: any;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, json, text };
  };
  return { emulator, served, url: served.url, call, close: () => served.close() };
}

export const AWS_APP_BODY = {
  name: 'amazon_aws_sso',
  label: 'AWS IAM Identity Center',
  signOnMode: 'SAML_2_0',
  visibility: { autoSubmitToolbar: false, hide: { iOS: true, web: true } },
  settings: { app: { acsURL: 'https://us-east-2.signin.aws/platform/saml/acs/abc-123', entityID: 'https://us-east-2.signin.aws/platform/saml/d-1234567890' } },
};

export interface ScimRecord {
  method: string;
  path: string;
  auth: string;
  body: any;
}

/** A minimal SCIM 2.0 server (Users, Groups, ServiceProviderConfig) with a bearer token. */
export async function startScim(token: string, opts: { bearer?: boolean } = {}) {
  const users = new Map<string, any>();
  const groups = new Map<string, any>();
  const log: ScimRecord[] = [];
  let acceptedToken = token;
  const expected = (): string => (opts.bearer === false ? acceptedToken : `Bearer ${acceptedToken}`);
  const json = (status: number, body: unknown): SandboxResponse => ({ status, headers: { 'content-type': 'application/scim+json' }, body: JSON.stringify(body) });
  const err = (status: number, detail: string): SandboxResponse => json(status, { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: String(status), detail });
  const handle = async (req: SandboxRequest): Promise<SandboxResponse> => {
    const body = req.body.length > 0 ? JSON.parse(req.body.toString('utf8')) : undefined;
    log.push({ method: req.method, path: req.path + (req.query.size > 0 ? `?${req.query.toString()}` : ''), auth: req.headers.authorization ?? '', body });
    if (req.headers.authorization !== expected()) return err(401, 'Unauthorized');
    const path = req.path.replace(/^\/scim\/v2/, '');
    const filter = req.query.get('filter');
    const eq = filter ? /^(\w+) eq "(.*)"$/.exec(filter) : null;
    if (path === '/ServiceProviderConfig') return json(200, { schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'], patch: { supported: true } });
    if (path === '/Users' && req.method === 'GET') {
      const list = [...users.values()].filter((u) => !eq || u[eq[1] as string] === eq[2]);
      return json(200, { schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], totalResults: list.length, Resources: list });
    }
    if (path === '/Users' && req.method === 'POST') {
      if ([...users.values()].some((u) => u.userName === body.userName)) return err(409, 'Duplicate userName');
      if (!body.displayName) return err(400, 'Request is unparsable, syntactically incorrect, or violates schema.');
      const u = { ...body, id: crypto.randomUUID() };
      users.set(u.id, u);
      return json(201, u);
    }
    const um = /^\/Users\/([^/]+)$/.exec(path);
    if (um && req.method === 'PUT') {
      const u = users.get(um[1] as string);
      if (!u) return err(404, 'not found');
      const next = { ...body, id: u.id };
      users.set(u.id, next);
      return json(200, next);
    }
    if (um && req.method === 'PATCH') {
      const u = users.get(um[1] as string);
      if (!u) return err(404, 'not found');
      for (const op of body.Operations) if (op.path === 'active') u.active = op.value;
      return json(200, u);
    }
    if (path === '/Groups' && req.method === 'GET') {
      const list = [...groups.values()].filter((g) => !eq || g[eq[1] as string] === eq[2]);
      return json(200, { schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], totalResults: list.length, Resources: list });
    }
    if (path === '/Groups' && req.method === 'POST') {
      if ([...groups.values()].some((g) => g.displayName === body.displayName)) return err(409, 'Duplicate displayName');
      const g = { ...body, id: crypto.randomUUID(), members: [] };
      groups.set(g.id, g);
      return json(201, g);
    }
    const gm = /^\/Groups\/([^/]+)$/.exec(path);
    if (gm) {
      const g = groups.get(gm[1] as string);
      if (!g) return err(404, 'not found');
      if (req.method === 'DELETE') {
        groups.delete(g.id);
        return { status: 204 };
      }
      if (req.method === 'PATCH') {
        for (const op of body.Operations) {
          if (op.op === 'add' && op.path === 'members') for (const m of op.value) if (!g.members.some((x: any) => x.value === m.value)) g.members.push({ value: m.value });
          const rm = op.op === 'remove' ? /^members\[value eq "(.*)"\]$/.exec(op.path) : null;
          if (rm) g.members = g.members.filter((x: any) => x.value !== rm[1]);
        }
        return { status: 204 };
      }
    }
    return err(404, `no route ${req.method} ${path}`);
  };
  const served = await serve(handle);
  return {
    served,
    baseUrl: `${served.url}/scim/v2`,
    users,
    groups,
    log,
    revokeToken(newToken: string) {
      acceptedToken = newToken;
    },
    close: () => served.close(),
  };
}
