/**
 * connectAws against the sandbox and without credentials; AWS error mapping.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectAwsThroughIo } from '../../src/steps/connect.js';
import type { Io } from '../../src/core/io.js';

/** The steps' connection: the questions through Io, the environment passed in (the test process's). */
const connectAws = (io: Io): ReturnType<typeof connectAwsThroughIo> => connectAwsThroughIo(io, process.env);
import { awsCallError } from '../../src/aws/errors.js';
import { AuthError, ExitCode, WizardError } from '../../src/errors.js';
import { withSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { stepHarness } from '../helpers/step-harness.js';

let sb: TestSandbox;
const saved = { ...process.env };
const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'oas-aws-noconf-'));

function awsError(name: string, message: string): Error {
  const e = new Error(message);
  e.name = name;
  return e;
}

beforeAll(async () => {
  sb = await withSandbox();
});
afterAll(async () => {
  // Put back in place (not a new object: vi.stubEnv and the next test file in this worker use this one).
  for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
  Object.assign(process.env, saved);
  await sb?.close();
});

function isolate(env: Record<string, string>): void {
  for (const k of Object.keys(process.env)) if (k.startsWith('AWS_')) delete process.env[k];
  fs.writeFileSync(path.join(empty, 'config'), '');
  fs.writeFileSync(path.join(empty, 'credentials'), '');
  Object.assign(process.env, {
    AWS_CONFIG_FILE: path.join(empty, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(empty, 'credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    ...env,
  });
}

describe('connectAws', () => {
  it('connects through the default chain (environment + AWS_ENDPOINT_URL) and says who the caller is', async () => {
    isolate(sb.env);
    const h = stepHarness();
    const aws = await connectAws(h.io);
    expect(aws.caller.accountId).toBe(sb.aws.info().managementAccountId);
    expect(aws.caller.arn).toMatch(/^arn:aws:iam::\d{12}:/);
    expect(aws.credentialSource).toBe('environment');
    expect(aws.region).toBe(sb.info.region);
    expect(process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED).toBe('true');
    aws.destroy();
  });

  it('no credentials anywhere: exit 4 with the fix', async () => {
    isolate({ AWS_REGION: 'us-east-2', AWS_ENDPOINT_URL: sb.env.AWS_ENDPOINT_URL! });
    const err = await connectAws(stepHarness().io).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect((err as AuthError).exitCode).toBe(ExitCode.Auth);
    expect((err as AuthError).code).toBe('AWS_NO_CREDENTIALS');
    expect((err as AuthError).hint).toMatch(/--profile/);
  });

  it('an unknown --profile is named in the message', async () => {
    isolate({ AWS_REGION: 'us-east-2' });
    const err = await connectAws(stepHarness({ flags: { 'aws-profile': 'nope' } }).io).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect(`${(err as Error).message} ${(err as AuthError).hint}`).toMatch(/nope/);
  });

  it('an expired SSO session: exit 4 naming `aws sso login --profile`', async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'oas-aws-home-'));
    const startUrl = 'https://corp-example.awsapps.com/start';
    // A config file of its own: the SDK caches the files it has read, by path.
    const config = path.join(home, 'config');
    isolate({ AWS_REGION: 'us-east-2', AWS_CONFIG_FILE: config });
    fs.writeFileSync(
      config,
      `[profile corp]\nsso_start_url = ${startUrl}\nsso_region = us-east-1\nsso_account_id = 111111111111\nsso_role_name = Admin\nregion = us-east-2\n`,
    );
    const cache = path.join(home, '.aws', 'sso', 'cache');
    fs.mkdirSync(cache, { recursive: true });
    const { createHash } = await import('node:crypto');
    fs.writeFileSync(
      path.join(cache, `${createHash('sha1').update(startUrl).digest('hex')}.json`),
      JSON.stringify({ startUrl, region: 'us-east-1', accessToken: 'expired-token', expiresAt: '2020-01-01T00:00:00Z' }),
    );
    const prevHome = process.env.HOME;
    process.env.HOME = home;
    try {
      const err = await connectAws(stepHarness({ flags: { 'aws-profile': 'corp' } }).io).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AuthError);
      expect((err as AuthError).code).toBe('AWS_SSO_EXPIRED');
      expect((err as AuthError).hint).toContain('aws sso login --profile corp');
    } finally {
      process.env.HOME = prevHome;
    }
  });
});

describe('AWS error mapping', () => {
  it('AccessDenied -> exit 4 naming the IAM action; expired token -> exit 4; others -> step failure', () => {
    const denied = awsCallError(awsError('AccessDeniedException', 'User is not authorized'), 'creating the permission set', 'sso:CreatePermissionSet');
    expect(denied).toBeInstanceOf(AuthError);
    expect(denied.hint).toContain('sso:CreatePermissionSet');
    expect(awsCallError(awsError('ExpiredTokenException', 'expired'), 'x', 'y').exitCode).toBe(ExitCode.Auth);
    const other = awsCallError(awsError('InternalServerException', 'boom'), 'listing', 'sso:List');
    expect(other).toBeInstanceOf(WizardError);
    expect(other.exitCode).toBe(ExitCode.StepFailed);
    expect(other.message).toMatch(/InternalServerException: boom/);
  });
});
