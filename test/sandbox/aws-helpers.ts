/** Shared setup for the AWS emulator tests: an emulator served over real HTTP and SDK clients for it. */
import { SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { IdentitystoreClient } from '@aws-sdk/client-identitystore';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { STSClient } from '@aws-sdk/client-sts';
import { serve, type Served } from '../../src/sandbox/http.js';
import { createAwsEmulator, type AwsEmulator } from '../../src/sandbox/aws/index.js';
import type { AwsEmulatorOptions } from '../../src/sandbox/types.js';
import { loadModel, validateOutput, type AwsServiceId } from '../../src/sandbox/aws/models.js';

const SERVICES: Record<string, AwsServiceId> = { SWBExternalService: 'sso-admin', AWSIdentityStore: 'identitystore', AWSOrganizationsV20161128: 'organizations' };

export const credentials = { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' };

export interface AwsFixture {
  emu: AwsEmulator;
  served: Served;
  /** Answers that broke the model's output shape (tests assert it stays empty). */
  outputViolations: string[];
  url: string;
  sso(region?: string): SSOAdminClient;
  ids(region?: string): IdentitystoreClient;
  org(): OrganizationsClient;
  sts(): STSClient;
  close(): Promise<void>;
}

export async function startAws(options: AwsEmulatorOptions = {}, seed = 'test-seed', writeLockMs?: number): Promise<AwsFixture> {
  const emu = createAwsEmulator({ options: { assignmentDelayMs: 20, requestsPerSecond: 1000, ...options }, seed, writeLockMs });
  const outputViolations: string[] = [];
  const served = await serve(async (req) => {
    const res = await emu.handle(req);
    // Every successful JSON answer must satisfy the operation's output shape in the model.
    const [prefix, op] = (req.headers['x-amz-target'] ?? '').split('.');
    const svc = prefix ? SERVICES[prefix] : undefined;
    if (svc && op && res.status === 200) {
      const v = validateOutput(loadModel(svc), op, JSON.parse(String(res.body)));
      if (v) outputViolations.push(`${op}: ${v}`);
    }
    return res;
  });
  emu.setBaseUrl(served.url);
  const region = emu.info().region;
  // maxAttempts 1: the tests look at the emulator's own answers, not at the SDK's retries.
  const common = { endpoint: served.url, credentials, maxAttempts: 1 };
  return {
    emu,
    served,
    outputViolations,
    url: served.url,
    sso: (r = region) => new SSOAdminClient({ ...common, region: r }),
    ids: (r = region) => new IdentitystoreClient({ ...common, region: r }),
    org: () => new OrganizationsClient({ ...common, region: 'us-east-1' }),
    sts: () => new STSClient({ ...common, region }),
    close: () => served.close(),
  };
}

export async function waitFor<T>(fn: () => Promise<T>, done: (v: T) => boolean, tries = 200, delayMs = 10): Promise<T> {
  let v = await fn();
  for (let i = 0; i < tries && !done(v); i++) {
    await new Promise((r) => setTimeout(r, delayMs));
    v = await fn();
  }
  return v;
}

/** A raw SCIM call against the emulator's endpoint. */
export async function scim(
  fx: AwsFixture,
  token: string | undefined,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const headers: Record<string, string> = { 'content-type': 'application/scim+json' };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${fx.emu.info().scimEndpoint}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

export function scimUser(userName: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    userName,
    externalId: `ext-${userName}`,
    displayName: `Display ${userName}`,
    name: { givenName: 'Given', familyName: 'Family' },
    emails: [{ value: userName, type: 'work', primary: true }],
    active: true,
    ...extra,
  };
}
