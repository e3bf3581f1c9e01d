/**
 * An AWS CLI (v1 or v2) against the emulator. It has its own serializers and error parsing (botocore
 * for v1), so it checks the wire format independently of the JS SDK.
 *
 * Which CLI: /usr/bin/aws (Debian's awscli, which .ci/run installs) first, then every `aws` on PATH,
 * the first that answers `aws --version` (a pyenv shim without an installed aws does not). With none,
 * the suite is skipped with a one-line reason, except on CI (CI set), where a missing CLI is a failure.
 * (`--version` may take long on a loaded machine: a pyenv shim starts Python twice.)
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreatePermissionSetCommand } from '@aws-sdk/client-sso-admin';
import { startAws, scim, scimUser, type AwsFixture } from './aws-helpers.js';
import { locateAwsCli as findAwsCli } from '../helpers/aws-cli.js';

const run = promisify(execFile);

const cli = findAwsCli();
const AWS = 'bin' in cli ? cli.bin : '';
const skip = !('bin' in cli) && !process.env.CI;
if (skip && 'reason' in cli) console.warn(`AWS CLI interoperability tests skipped: ${cli.reason}; install one (apt-get install awscli, or AWS CLI v2) to run them.`);

let fx: AwsFixture;
let home: string;

async function aws(args: string[], region = fx.emu.info().region): Promise<{ code: number; out: Record<string, unknown>; err: string }> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    AWS_ACCESS_KEY_ID: 'sandbox',
    AWS_SECRET_ACCESS_KEY: 'sandbox',
    AWS_CONFIG_FILE: path.join(home, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_PAGER: '',
  };
  try {
    const r = await run(AWS, [...args, '--endpoint-url', fx.url, '--region', region, '--output', 'json'], { env, timeout: 60_000 });
    return { code: 0, out: r.stdout.trim() ? (JSON.parse(r.stdout) as Record<string, unknown>) : {}, err: r.stderr };
  } catch (e) {
    const x = e as { code?: number; stderr?: string };
    return { code: typeof x.code === 'number' ? x.code : 1, out: {}, err: x.stderr ?? String(e) };
  }
}

type CliResult = Awaited<ReturnType<typeof aws>>;
const results: Record<string, CliResult> = {};

describe.skipIf(skip)(`AWS CLI (${'bin' in cli ? `${cli.bin}, ${cli.version}` : 'none'}) against the emulator`, () => {
  beforeAll(async () => {
    if (!('bin' in cli)) throw new Error(`${cli.reason}: on CI, .ci/run should have installed the awscli package.`);
    fx = await startAws();
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'aws-cli-home-'));
    const token = fx.emu.console.enableAutomaticProvisioning().secrets!['scim-token']!;
    expect((await scim(fx, token, 'POST', '/Users', scimUser('cli-user@example.com'))).status).toBe(201);
  });
  afterAll(async () => {
    await fx?.close();
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  // Each CLI start costs a second or two of CPU: start them all at once, then check each answer.
  beforeAll(async () => {
    await fx.sso().send(new CreatePermissionSetCommand({ InstanceArn: fx.emu.info().instanceArn, Name: 'CliSet' }));
    const calls: Record<string, Promise<CliResult>> = {
      instances: aws(['sso-admin', 'list-instances']),
      otherRegion: aws(['sso-admin', 'list-instances'], 'ap-southeast-2'),
      accounts: aws(['organizations', 'list-accounts']),
      users: aws(['identitystore', 'list-users', '--identity-store-id', fx.emu.info().identityStoreId]),
      caller: aws(['sts', 'get-caller-identity']),
      duplicate: aws(['sso-admin', 'create-permission-set', '--instance-arn', fx.emu.info().instanceArn, '--name', 'CliSet']),
    };
    for (const [k, v] of Object.entries(calls)) results[k] = await v;
  });

  it('aws sso-admin list-instances: the instance in the home region, none elsewhere', () => {
    const home = results.instances!;
    expect(home.code, home.err).toBe(0);
    expect(home.out.Instances).toEqual([expect.objectContaining({ InstanceArn: fx.emu.info().instanceArn, IdentityStoreId: fx.emu.info().identityStoreId })]);
    const other = results.otherRegion!;
    expect(other.code, other.err).toBe(0);
    expect(other.out.Instances).toEqual([]);
  });

  it('aws organizations list-accounts', () => {
    const r = results.accounts!;
    expect(r.code, r.err).toBe(0);
    // Every account of the emulated organization (management, members, the suspended one), all pages.
    const ids = (fx.emu.snapshot() as { accounts: { id: string }[] }).accounts.map((a) => a.id).sort();
    expect(ids.length).toBeGreaterThanOrEqual(25);
    expect((r.out.Accounts as { Id: string }[]).map((a) => a.Id).sort()).toEqual(ids);
  });

  it('aws identitystore list-users shows the SCIM-provisioned user', () => {
    const r = results.users!;
    expect(r.code, r.err).toBe(0);
    expect((r.out.Users as { UserName: string }[]).map((u) => u.UserName)).toEqual(['cli-user@example.com']);
  });

  it('aws sts get-caller-identity (Query protocol)', () => {
    const r = results.caller!;
    expect(r.code, r.err).toBe(0);
    expect(r.out.Account).toBe(fx.emu.info().managementAccountId);
  });

  it("surfaces the emulator's error code and message (ConflictException on a duplicate permission set)", () => {
    const dup = results.duplicate!;
    expect(dup.code).not.toBe(0);
    expect(dup.err).toContain('ConflictException');
    expect(dup.err).toContain('PermissionSet with name CliSet already exists.');
  });
});
