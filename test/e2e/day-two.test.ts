/**
 * Day two, through the real binary against one sandbox setup made by `init --sandbox --yes` (a copy
 * of the shared finished run, test/helpers/finished-run.ts): `profiles` writes the AWS CLI
 * configuration for the test user's access; `rotate scim-token` and `rotate saml-cert` run as a
 * script would, the console actions done with `sandbox console`.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseIni } from 'ini';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliInProcess as runCli } from '../helpers/cli.js';
import { findAwsCli } from '../helpers/aws-cli.js';
import { mutatingRequests, readRequestLog } from '../helpers/sandbox.js';
import { expectWritesMatchPlan } from '../helpers/plan-log.js';
import { readInfoFile } from '../../src/sandbox/info-file.js';
import { copyFinishedRun, FINISHED_RUN_PASSWORD, type FinishedRun } from '../helpers/finished-run.js';

// The test user's password (chosen by the shared run) lets the rotations prove a sign-in.
const env = { CI: 'true', OKTA_AWS_SSO_TEST_USER_PASSWORD: FINISHED_RUN_PASSWORD };
let run: FinishedRun;
let dir = '';
let config = '';
/** A rotation's plan as `--dry-run --json` printed it: the rotation that follows is compared with it. */
interface RotationPlanDoc {
  data: { rotation: { phases: { id: string; doneAt?: string; writes: { service: 'okta' | 'aws'; operation: string; count: number }[] }[] } };
}
const plans: Record<string, RotationPlanDoc['data']['rotation']> = {};
/** The rotation sent exactly the writes of the phases its plan had still to do (test/helpers/plan-log.ts). */
async function expectRotationAsPlanned(kind: string, cursor: number): Promise<void> {
  const todo = plans[kind]!.phases.filter((p) => p.doneAt === undefined);
  expectWritesMatchPlan(await readRequestLog(sandboxDir(), { since: cursor }), todo, `rotate ${kind}`);
}

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
  }, 120_000); // three CLI runs and up to four AWS CLI calls: over a minute on a loaded machine

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

// ------------------------------------------------------------------------------------------------
// Rotations, as a script runs them against real consoles: the sandbox is switched to manual console
// actions (the marker `sandbox start --manual-console` leaves), so each console action stops the run
// with exit 3 and a hint; `sandbox console <id>` does what the person would; the hint is run as printed.

// Functions: `dir` is known once the shared run is copied (beforeAll).
const sandboxDir = (): string => path.join(dir, '.okta-aws-sso', 'sandbox');
const manualMarker = (): string => path.join(sandboxDir(), 'manual-console');
const statePath = (): string => path.join(dir, 'okta-aws-sso.state.json');
type StateDoc = {
  steps: Record<string, { outputs: Record<string, unknown> }>;
  rotations?: Record<string, { finishedAt?: string; phases: Record<string, string>; facts?: Record<string, string> }>;
};
const readStateDoc = (): StateDoc => JSON.parse(fs.readFileSync(statePath(), 'utf8')) as StateDoc;

/** The continuing command of "What to do: ... then run `okta-aws-sso rotate ...`" as an argv, `<file>` filled in. */
function hintedCommand(stderr: string, file?: string): string[] {
  const m = /What to do:[^]*?`(okta-aws-sso rotate [^`]+)`/.exec(stderr);
  expect(m, stderr).not.toBeNull();
  return m![1]!.split(/\s+/).slice(1).map((a) => (a === '<file>' ? file! : a));
}

/** The manual-console sandbox's own hint: "do it with `okta-aws-sso sandbox console <id> ...`", run as printed. */
async function hintedConsole(stderr: string, id: string): Promise<string> {
  const m = /do it with `(okta-aws-sso sandbox console [^`]+)`/.exec(stderr);
  expect(m, stderr).not.toBeNull();
  const argv = m![1]!.split(/\s+/).slice(1);
  expect(argv.slice(0, 3)).toEqual(['sandbox', 'console', id]);
  const r = await runCli(argv, { cwd: dir, env });
  expect(r.code, r.stdout + r.stderr).toBe(0);
  return r.stdout;
}

async function probe(endpoint: string, token: string): Promise<number> {
  const info = await readInfoFile(sandboxDir());
  const u = new URL(endpoint);
  const res = await fetch(`${info!.awsUrl}${u.pathname}/ServiceProviderConfig`, { headers: { authorization: `Bearer ${token}` } });
  return res.status;
}

async function consoleAction(id: string, payload?: Record<string, unknown>): Promise<string> {
  const args = ['sandbox', 'console', id];
  if (payload) {
    const f = path.join(dir, `${id}-payload.json`);
    fs.writeFileSync(f, JSON.stringify(payload));
    args.push('--payload-file', f);
  }
  const r = await runCli(args, { cwd: dir, env });
  expect(r.code, r.stdout + r.stderr).toBe(0);
  return r.stdout;
}

describe('okta-aws-sso rotate scim-token', () => {
  beforeAll(() => fs.writeFileSync(manualMarker(), ''));
  afterAll(() => fs.rmSync(manualMarker(), { force: true }));

  it('--dry-run prints the plan and changes nothing', async () => {
    const before = fs.readFileSync(statePath(), 'utf8');
    const since = (await readRequestLog(sandboxDir())).length;
    const r = await runCli(['rotate', 'scim-token', '--dry-run', '--json'], { cwd: dir, env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/1\. Generate a second access token in Identity Center \[console action\]/);
    expect(r.stderr).toMatch(/5\. Delete the old token in Identity Center \[console action\]/);
    expect(r.stderr).toMatch(/Dry run: nothing was changed/);
    plans['scim-token'] = (JSON.parse(r.stdout) as RotationPlanDoc).data.rotation;
    expect(fs.readFileSync(statePath(), 'utf8')).toBe(before);
    expect(await mutatingRequests(sandboxDir(), since)).toEqual([]);
  });

  it('refuses SCIM_TOKEN together with --scim-token-file: the variable would win and may hold the old token', async () => {
    const f = path.join(dir, 'some-token.txt');
    fs.writeFileSync(f, 'a-new-token-value-0123456789\n', { mode: 0o600 });
    const r = await runCli(['rotate', 'scim-token', '--scim-token-file', f], { cwd: dir, env: { ...env, SCIM_TOKEN: 'an-old-token-value-0123456789' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/SCIM_TOKEN is set and --scim-token-file is given/);
    expect(r.stderr + r.stdout).not.toMatch(/an-old-token-value|a-new-token-value/);
    expect(readStateDoc().rotations?.['scim-token']).toBeUndefined();
  });

  it('the console refuses a third token; a rotation runs end to end as a script; a deleted token stops working', async () => {
    const scim = readStateDoc().steps['scim-endpoint']!.outputs as { endpoint: string; tokenEnteredAt: string };
    const tokenFile = path.join(dir, 'scim-token.txt');

    // The person generates the second token first (the script's console step)...
    const created = await consoleAction('create-scim-token');
    expect(created).toMatch(/Access token [0-9a-f-]{36} generated \(2 of 2\)/);
    const newToken = fs.readFileSync(tokenFile, 'utf8').trim();
    expect(await probe(scim.endpoint, newToken)).toBe(200);
    // ...and a third is refused until one is deleted, as the console does.
    const third = await runCli(['sandbox', 'console', 'create-scim-token'], { cwd: dir, env });
    expect(third.code).not.toBe(0);
    expect(third.stderr).toMatch(/up to 2 access tokens/);

    // The rotation stops at the console action, with the command that continues it.
    const cursor = (await readRequestLog(sandboxDir())).length;
    const first = await runCli(['rotate', 'scim-token'], { cwd: dir, env });
    expect(first.code, first.stdout + first.stderr).toBe(3);
    expect(first.stdout).toMatch(/Console action: Generate a second SCIM access token/);
    const next = hintedCommand(first.stderr, tokenFile);
    expect(next.slice(0, 4)).toEqual(['rotate', 'scim-token', '--console-done', 'create-scim-token']);

    const second = await runCli(next, { cwd: dir, env });
    expect(second.code, second.stdout + second.stderr).toBe(3);
    expect(second.stdout).toMatch(/The SCIM endpoint accepts the new token/);
    expect(second.stdout).toMatch(/Okta reads the connection as UNKNOWN/);
    expect(second.stderr).toMatch(/configure-okta-provisioning/);
    // The person pastes the new token in Okta (the sandbox uses the token its Identity Center issued
    // last; the printed command's payload file holds no token).
    await hintedConsole(second.stderr, 'configure-okta-provisioning');

    const third3 = await runCli(hintedCommand(second.stderr), { cwd: dir, env });
    expect(third3.code, third3.stdout + third3.stderr).toBe(3);
    expect(third3.stdout).toMatch(/Provisioning works with the new token/);
    expect(third3.stderr).toMatch(/rotate scim-token --console-done delete-scim-token/);
    // The person deletes the old token (the older of the two).
    expect(await hintedConsole(third3.stderr, 'delete-scim-token')).toMatch(/Deleted 1 access token\(s\).*1 left/);

    const last = await runCli(hintedCommand(third3.stderr), { cwd: dir, env });
    expect(last.code, last.stdout + last.stderr).toBe(0);
    expect(last.stdout).toMatch(/Provisioning works after the old token was deleted/);
    expect(last.stdout).toMatch(/The rotation of the SCIM access token is complete/);
    // Its four runs together sent the writes the dry run planned (the push proofs), nothing else.
    await expectRotationAsPlanned('scim-token', cursor);
    const st = readStateDoc();
    expect(st.rotations?.['scim-token']?.finishedAt).toBeDefined();
    expect(Object.keys(st.rotations!['scim-token']!.phases)).toHaveLength(6);
    expect(fs.readFileSync(statePath(), 'utf8')).not.toContain(newToken);
    for (const out of [first, second, third3, last]) expect(out.stdout + out.stderr).not.toContain(newToken);
    // The new token works; the setup records when it was entered (no drift for verify).
    expect(await probe(scim.endpoint, newToken)).toBe(200);
    const entered = (st.steps['scim-endpoint']!.outputs as { tokenEnteredAt: string }).tokenEnteredAt;
    expect(entered > scim.tokenEnteredAt).toBe(true);
    expect((st.steps['okta-provisioning']!.outputs as { scimTokenEnteredAt: string }).scimTokenEnteredAt).toBe(entered);

    // A token deleted in the console stops working at once.
    const extra = await consoleAction('create-scim-token');
    const extraId = /Access token ([0-9a-f-]{36})/.exec(extra)![1]!;
    const extraToken = fs.readFileSync(tokenFile, 'utf8').trim();
    expect(await probe(scim.endpoint, extraToken)).toBe(200);
    await consoleAction('delete-scim-token', { tokenId: extraId });
    expect(await probe(scim.endpoint, extraToken)).toBe(401);
    expect(await probe(scim.endpoint, newToken)).toBe(200);
  }, 240_000);
});

describe('okta-aws-sso rotate saml-cert', () => {
  afterAll(() => fs.rmSync(manualMarker(), { force: true }));

  it('refuses to switch before the upload is confirmed, then switches and proves the sign-in; verify --sign-in passes', async () => {
    fs.writeFileSync(manualMarker(), '');
    const info = (await readInfoFile(sandboxDir()))!;
    const app = readStateDoc().steps['okta-app']!.outputs as { appId: string; signingKid: string };
    const liveKid = async (): Promise<string> => {
      const res = await fetch(`${info.oktaUrl}/api/v1/apps/${app.appId}`, { headers: { authorization: `SSWS ${info.oktaApiToken}`, accept: 'application/json' } });
      return ((await res.json()) as { credentials: { signing: { kid: string } } }).credentials.signing.kid;
    };
    const oldKid = await liveKid();

    const dry = await runCli(['rotate', 'saml-cert', '--dry-run', '--json'], { cwd: dir, env });
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stderr).toMatch(/Order matters/);
    expect(readStateDoc().rotations?.['saml-cert']).toBeUndefined();
    plans['saml-cert'] = (JSON.parse(dry.stdout) as RotationPlanDoc).data.rotation;

    const cursor = (await readRequestLog(sandboxDir())).length;
    const first = await runCli(['rotate', 'saml-cert'], { cwd: dir, env });
    expect(first.code, first.stdout + first.stderr).toBe(3);
    expect(first.stdout).toMatch(/Console action: Upload the new Okta IdP metadata/);
    expect(first.stdout).toMatch(/Order matters/);
    const rec = readStateDoc().rotations!['saml-cert']!;
    const newKid = rec.facts!['newKid']!;
    expect(newKid).not.toBe(oldKid);
    expect(await liveKid()).toBe(oldKid);

    // Run again without confirming the upload: still refused, still the old key.
    const again = await runCli(['rotate', 'saml-cert'], { cwd: dir, env });
    expect(again.code).toBe(3);
    expect(await liveKid()).toBe(oldKid);
    expect(readStateDoc().rotations!['saml-cert']!.phases['switched']).toBeUndefined();

    // The person uploads the new metadata (the file the rotation wrote), then the hint continues.
    const file = rec.facts!['metadataFile']!;
    expect(await hintedConsole(again.stderr, 'upload-idp-metadata')).toMatch(/Identity source changed/);
    const next = hintedCommand(again.stderr);
    expect(next).toEqual(['rotate', 'saml-cert', '--console-done', 'upload-idp-metadata']);
    const done = await runCli(next, { cwd: dir, env });
    expect(done.code, done.stdout + done.stderr).toBe(0);
    expect(done.stdout).toMatch(/Signed in with the new key: Identity Center accepted the SAML response/);
    // The three runs sent the planned writes (a key generated, the app switched once), nothing else.
    await expectRotationAsPlanned('saml-cert', cursor);
    expect(await liveKid()).toBe(newKid);
    const st = readStateDoc();
    expect((st.steps['okta-app']!.outputs as { signingKid: string }).signingKid).toBe(newKid);
    expect((st.steps['idp-metadata']!.outputs as { path: string }).path).toBe(file);

    // After the rotation, the whole sign-in proof passes (the sandbox approves the device code itself again).
    fs.rmSync(manualMarker(), { force: true });
    const verify = await runCli(['verify', '--sign-in', '--json'], { cwd: dir, env });
    expect(verify.code, verify.stderr).toBe(0);
    const rows = (JSON.parse(verify.stdout) as { health: { id: string; status: string }[] }).health;
    expect(rows.find((r) => r.id === 'acs')?.status).toBe('passed');
    expect(rows.filter((r) => r.status === 'failed')).toEqual([]);
  }, 240_000);

  it('an app switched to a new key in the wrong order (before the upload) fails verify: Identity Center does not have its metadata', async () => {
    const info = (await readInfoFile(sandboxDir()))!;
    const app = readStateDoc().steps['okta-app']!.outputs as { appId: string; signingKid: string };
    const headers = { authorization: `SSWS ${info.oktaApiToken}`, accept: 'application/json', 'content-type': 'application/json' };
    const gen = await fetch(`${info.oktaUrl}/api/v1/apps/${app.appId}/credentials/keys/generate?validityYears=2`, { method: 'POST', headers });
    expect(gen.status).toBe(201);
    const kid = ((await gen.json()) as { kid: string }).kid;
    const put = async (k: string): Promise<void> => {
      const cur = (await (await fetch(`${info.oktaUrl}/api/v1/apps/${app.appId}`, { headers })).json()) as { credentials: { signing: { kid: string } } };
      cur.credentials.signing.kid = k;
      expect((await fetch(`${info.oktaUrl}/api/v1/apps/${app.appId}`, { method: 'PUT', headers, body: JSON.stringify(cur) })).status).toBe(200);
    };
    await put(kid);
    try {
      const r = await runCli(['verify', '--sign-in', '--json'], { cwd: dir, env });
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(/Identity Center (still has the old IdP metadata|needs the new IdP metadata)/);
      const rows = (JSON.parse(r.stdout) as { health: { id: string; status: string }[] }).health;
      expect(rows.find((x) => x.id === 'steps')?.status).toBe('failed');
    } finally {
      await put(app.signingKid);
    }
  }, 120_000);
});
