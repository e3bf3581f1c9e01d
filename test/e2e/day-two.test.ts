/**
 * Day two, through the real binary against one sandbox setup made by `init --sandbox --yes` (a copy
 * of the shared finished run, test/helpers/finished-run.ts): `profiles` writes the AWS CLI
 * configuration for the test user's access.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseIni } from 'ini';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { findAwsCli } from '../helpers/aws-cli.js';
import { copyFinishedRun, type FinishedRun } from '../helpers/finished-run.js';

const env = { CI: 'true' };
let run: FinishedRun;
let dir = '';
let config = '';

beforeAll(async () => {
  run = await copyFinishedRun('oas-day-two-');
  expect(run.code, run.stdout + run.stderr).toBe(0);
  dir = run.dir;
  config = path.join(dir, 'aws-config');
}, 240_000);

afterAll(async () => {
  await run?.dispose();
});

describe('okta-aws-sso profiles', () => {
  const existing = '# my own settings\n[default]\nregion = us-east-1\n\n[profile legacy]\nrole_arn = arn:aws:iam::333333333333:role/Admin\nsource_profile = default\n';

  it('--dry-run shows the diff and writes nothing', async () => {
    fs.writeFileSync(config, existing);
    const r = await runCli(['profiles', '--sandbox', '--file', config, '--dry-run', '--json'], { cwd: dir, env });
    expect(r.code, r.stderr).toBe(0);
    expect(fs.readFileSync(config, 'utf8')).toBe(existing);
    expect(r.stderr).toMatch(/^\+\[sso-session okta-aws-sso\]$/m);
    const doc = JSON.parse(r.stdout) as { data: { written: boolean; profiles: { name: string; accountId: string; roleName: string }[] } };
    expect(doc.data.written).toBe(false);
    expect(doc.data.profiles.length).toBeGreaterThan(0);
  });

  it('writes an sso-session and one profile per assigned account for the test user, keeping the rest of the file', async () => {
    const r = await runCli(['profiles', '--sandbox', '--file', config, '--json'], { cwd: dir, env });
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { data: { backup: string; profiles: { name: string; accountId: string; roleName: string }[] } };
    const text = fs.readFileSync(config, 'utf8');
    expect(text.startsWith(existing.trimEnd())).toBe(true);
    expect(fs.readFileSync(doc.data.backup, 'utf8')).toBe(existing);

    // Read back as an INI reader does.
    const ini = parseIni(text) as Record<string, Record<string, string>>;
    const session = ini['sso-session okta-aws-sso']!;
    expect(session['sso_start_url']).toMatch(/^https:\/\/d-[a-z0-9]+\.awsapps\.com\/start$/);
    expect(session['sso_registration_scopes']).toBe('sso:account:access');
    const state = JSON.parse(fs.readFileSync(path.join(dir, 'okta-aws-sso.state.json'), 'utf8')) as {
      steps: { 'account-assignments': { outputs: { results: { accountId: string; status: string }[] } }; 'permission-set': { outputs: { name: string } } };
    };
    const assigned = state.steps['account-assignments'].outputs.results.filter((x) => x.status === 'SUCCEEDED' || x.status === 'EXISTING').map((x) => x.accountId).sort();
    const profiles = Object.entries(ini).filter(([k]) => k.startsWith('profile ') && k !== 'profile legacy');
    expect(profiles.map(([, v]) => v['sso_account_id']).sort()).toEqual(assigned);
    for (const [, v] of profiles) {
      expect(v).toMatchObject({ sso_session: 'okta-aws-sso', sso_role_name: state.steps['permission-set'].outputs.name });
    }
    expect(doc.data.profiles.map((p) => `profile ${p.name}`).sort()).toEqual(profiles.map(([k]) => k).sort());

    // A second run changes nothing.
    const again = await runCli(['profiles', '--sandbox', '--file', config], { cwd: dir, env });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/already up to date/);
    expect(fs.readFileSync(config, 'utf8')).toBe(text);

    // Where an AWS CLI is installed, it reads the profiles back: `configure list-profiles` (v2, recent
    // v1), else `configure get` on one of ours and on the user's own profile.
    const aws = findAwsCli();
    if (aws) {
      const cliEnv = { ...process.env, AWS_CONFIG_FILE: config, HOME: dir, AWS_PAGER: '' };
      const list = spawnSync(aws, ['configure', 'list-profiles'], { env: cliEnv, encoding: 'utf8' });
      if (list.status === 0) {
        const listed = list.stdout.split('\n').filter(Boolean);
        for (const [k] of profiles) expect(listed).toContain(k.slice('profile '.length));
        expect(listed).toContain('legacy');
      } else {
        expect(list.stderr).toMatch(/Invalid choice/);
        const [name, values] = profiles[0]!;
        const got = spawnSync(aws, ['configure', 'get', 'sso_account_id', '--profile', name.slice('profile '.length)], { env: cliEnv, encoding: 'utf8' });
        expect(got.stdout.trim(), got.stderr).toBe(values['sso_account_id']);
        const legacy = spawnSync(aws, ['configure', 'get', 'role_arn', '--profile', 'legacy'], { env: cliEnv, encoding: 'utf8' });
        expect(legacy.stdout.trim(), legacy.stderr).toBe('arn:aws:iam::333333333333:role/Admin');
      }
    }
  });

  it('refuses a user that does not exist and a bad template, with the fix (exit 2)', async () => {
    const r = await runCli(['profiles', '--sandbox', '--file', config, '--user', 'nobody@example.com'], { cwd: dir, env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/No user "nobody@example.com"/);
    expect(r.stderr).toMatch(/What to do:.*--user/);
    const t = await runCli(['profiles', '--sandbox', '--file', config, '--profile-template', 'static'], { cwd: dir, env });
    expect(t.code).toBe(2);
    expect(t.stderr).toMatch(/needs at least one of/);
  });
});
