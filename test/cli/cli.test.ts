/**
 * End-to-end tests of the CLI: the real binary as a process where the test is about the process (help
 * and --version without the SDKs, a usage error's exit code, Ctrl-C, the SDK warning filter), and the
 * same CLI with three small test steps (fixtures/steps.mjs) for runs that wait, fail or owe a console
 * action: in this test's process (runCliInProcess, docs/testing.md) unless the test is about the
 * process, then as one of its own (fixtures/steps-cli.mjs).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ROOT, STEPS_CLI, fixtureSteps, runCli, runCliInProcess, spawnCli, tmpWorkDir, waitForOutput } from '../helpers/cli.js';
import type { JsonDocument } from '../../src/cli/report.js';
import type { WizardState } from '../../src/engine/state.js';

const ORG = ['--okta-org-url', 'https://example.okta.com'];
const SECRET = 'ssws-00TopSecretTokenValue-42';

function readState(dir: string): WizardState {
  return JSON.parse(fs.readFileSync(path.join(dir, 'okta-aws-sso.state.json'), 'utf8')) as WizardState;
}

/** The CLI with the test steps, in this process (the runs below are not about the process). */
async function fixture(args: string[], dir: string, env: Record<string, string | undefined> = {}) {
  return runCliInProcess(args, { cwd: dir, env, steps: await fixtureSteps() });
}
/** The same as a process of its own (fixtures/steps-cli.mjs), for the tests about the process. */
function fixtureProcess(args: string[], dir: string, env: Record<string, string | undefined> = {}) {
  return runCli(args, { entry: STEPS_CLI, cwd: dir, env });
}

function parseDoc(stdout: string): JsonDocument {
  // exactly one JSON document and nothing else on stdout
  return JSON.parse(stdout) as JsonDocument;
}

describe('help and version', () => {
  it('--help and --version load neither the AWS nor the Okta SDK', async () => {
    const dir = tmpWorkDir();
    for (const args of [['--help'], ['--version'], ['init', '--help'], ['sandbox', '--help']]) {
      const record = path.join(dir, `imports-${args.join('_')}.txt`);
      const r = await runCli(args, {
        cwd: dir,
        nodeArgs: ['--import', path.join(ROOT, 'test/cli/fixtures/record-imports.mjs')],
        env: { RECORD_IMPORTS_FILE: record },
      });
      expect(r.code, r.stderr).toBe(0);
      const loaded = fs.readFileSync(record, 'utf8');
      expect(loaded).toContain('/bin/okta-aws-sso.js'); // the hook really records (commander is bundled, --help/--version load nothing more)
      expect(loaded).not.toMatch(/@aws-sdk|@smithy|@okta\/okta-sdk-nodejs|\/dist\/sandbox\//);
    }
  });

  it('--help documents the exit codes and init --help every answer flag (secrets only as files)', async () => {
    const top = await runCliInProcess(['--help']);
    expect(top.stdout).toMatch(/Exit codes:[\s\S]*130/);
    for (const c of ['init', 'resume', 'status', 'verify', 'sandbox']) expect(top.stdout).toContain(c);
    const init = await runCliInProcess(['init', '--help']);
    for (const f of ['--okta-org-url <value>', '--okta-token-file <file>', '--push-groups <list>', '--skip-test-user', '--wait-timeout <n>', '--console-done <list>', '--sandbox', 'OKTA_ORG_URL']) {
      expect(init.stdout).toContain(f);
    }
    expect(init.stdout).not.toMatch(/--okta-api-token\b/);
    const v = await runCliInProcess(['--version']);
    expect(v.stdout.trim()).toBe(JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version);
  });

  it('an unknown option or command is a usage error (exit 2)', async () => {
    // The real process's exit code once; the other usage errors in this process.
    const r = await runCli(['init', '--no-such-flag']);
    expect(r.code).toBe(2);
    // the same Error: / What to do: form as every other error
    expect(r.stderr).toMatch(/^Error: Unknown option '--no-such-flag'\.\nWhat to do: Run `okta-aws-sso --help`/);
    const r2 = await runCliInProcess(['frobnicate']);
    expect(r2.code).toBe(2);
    for (const args of [[], ['sandbox']]) {
      const h = await runCliInProcess(args);
      expect(h.code, `okta-aws-sso ${args.join(' ')}`).toBe(2);
      expect(h.stderr).toContain('Usage: okta-aws-sso');
    }
    expect((await runCliInProcess(['help', 'init'])).code).toBe(0);
    const r3 = await runCliInProcess(['status', '--json', '--bogus']);
    expect(r3.code).toBe(2);
    expect(parseDoc(r3.stdout)).toMatchObject({ result: 'error', exitCode: 2, error: { code: 'USAGE' } });
  });
});

describe('runs', () => {
  it('non-interactive: a missing answer fails at once with exit 2 naming the flag and the environment variable', async () => {
    const dir = tmpWorkDir();
    const r = await fixture(['init', '--non-interactive'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Missing answer in a non-interactive run: Okta org URL');
    expect(r.stderr).toContain('--okta-org-url');
    expect(r.stderr).toContain('OKTA_ORG_URL');
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    // found before any step ran: nothing was done, not even a state file written
    expect(fs.existsSync(path.join(dir, 'okta-aws-sso.state.json'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'mutations.log'))).toBe(false);
  });

  it('--json: stdout is exactly one JSON document, human output goes to stderr, secrets appear nowhere', async () => {
    const dir = tmpWorkDir();
    // A process of its own: nothing but the document reaches the real stdout.
    const r = await fixtureProcess(['init', '--json', ...ORG, '--console-done', 'upload-idp-metadata'], dir, { OKTA_API_TOKEN: SECRET });
    expect(r.code, r.stderr).toBe(0);
    const doc = parseDoc(r.stdout);
    expect(doc).toMatchObject({ tool: 'okta-aws-sso', command: 'init', result: 'done', exitCode: 0, dryRun: false, error: null });
    expect(doc.stateFile).toBe(path.join(dir, 'okta-aws-sso.state.json'));
    expect(doc.steps.map((s) => [s.id, s.status])).toEqual([
      ['preflight', 'done'],
      ['sp-metadata', 'done'],
      ['okta-app', 'done'],
    ]);
    expect(doc.steps[0]?.outputs).toMatchObject({ okta: { orgUrl: 'https://example.okta.com', credentialSource: 'OKTA_API_TOKEN' } });
    expect(r.stderr).toContain('Using the token **** from the environment.');
    expect(r.stderr).toContain('Fixture SP metadata');
    const stateText = fs.readFileSync(path.join(dir, 'okta-aws-sso.state.json'), 'utf8');
    for (const text of [r.stdout, r.stderr, stateText]) expect(text).not.toContain(SECRET);
    expect(readState(dir).inputs).toEqual({ 'okta-org-url': 'https://example.okta.com' }); // not console-done: it vouches for one run
    expect(fs.statSync(path.join(dir, 'okta-aws-sso.state.json')).mode & 0o777).toBe(0o600);
    expect(fs.existsSync(path.join(dir, 'okta-aws-sso.state.json.lock'))).toBe(false);
  });

  it('a console action owed in a non-interactive run: exit 3, the action in --json and in status; resume with --console-done', async () => {
    const dir = tmpWorkDir();
    const r = await fixture(['init', '--json', ...ORG], dir);
    expect(r.code).toBe(3);
    const doc = parseDoc(r.stdout);
    expect(doc.result).toBe('waiting-for-console');
    expect(doc.error?.code).toBe('WAITING_FOR_CONSOLE');
    expect(doc.pendingConsoleActions).toEqual([
      {
        stepId: 'okta-app',
        id: 'upload-idp-metadata',
        title: 'Upload the IdP metadata',
        where: 'AWS console > IAM Identity Center > Settings > Identity source',
        instructions: ['Choose Actions > Change identity source', 'Upload idp-saml.xml'],
        values: [{ label: 'File', value: 'idp-saml.xml' }],
        planned: false,
        resumeWith: 'okta-aws-sso resume --console-done upload-idp-metadata',
      },
    ]);
    expect(r.stderr).toContain('Console action: Upload the IdP metadata');
    expect(r.stderr).toContain('--console-done upload-idp-metadata');

    const st = await fixture(['status'], dir);
    expect(st.code).toBe(0);
    expect(st.stdout).toMatch(/okta-app\s+waiting-for-console/);
    expect(st.stdout).toContain('Owed console action for "okta-app": Upload the IdP metadata');
    expect(st.stdout).toMatch(/preflight\s+done\s+\S+ \S+\s+accountId=111122223333 region=us-east-2 orgUrl=https:\/\/example.okta.com/);
    const stj = await fixture(['status', '--json'], dir);
    const sdoc = parseDoc(stj.stdout);
    expect(sdoc.result).toBe('status');
    expect(sdoc.pendingConsoleActions[0]?.id).toBe('upload-idp-metadata');

    const res = await fixture(['resume', '--console-done', 'upload-idp-metadata'], dir);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain('Done: every step is complete.');
    // the org URL came from the state file this time
    expect(readState(dir).steps['okta-app']?.status).toBe('done');
  });

  it('resume after a failure retries from the failed step; resume without a state file is a usage error', async () => {
    const dir = tmpWorkDir();
    const none = await fixture(['resume'], dir);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('There is no state file');
    expect(none.stderr).toContain('okta-aws-sso init');

    const r = await fixture(['init', ...ORG], dir, { FIXTURE_FAIL: '1' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Error: The fixture step failed on purpose.');
    expect(r.stderr).toContain('What to do: Unset FIXTURE_FAIL.');
    expect(readState(dir).steps['sp-metadata']?.status).toBe('failed');
    const res = await fixture(['resume', '--console-done', 'upload-idp-metadata'], dir);
    expect(res.code, res.stderr).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'mutations.log'), 'utf8').trim().split('\n')).toEqual(['apply:preflight', 'apply:sp-metadata', 'apply:okta-app']);
  });

  it('an unexpected error (a bug in a step) is one line and a hint; the stack only with --verbose', async () => {
    const dir = tmpWorkDir();
    const r = await fixture(['init', ...ORG], dir, { FIXTURE_CRASH: '1' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Error: The step "sp-metadata" failed unexpectedly: Cannot read properties of null/);
    expect(r.stderr).toContain('What to do: Run again with --verbose');
    expect(r.stdout + r.stderr).not.toMatch(/\n\s+at /);
    expect(readState(dir).steps['sp-metadata']?.error?.code).toBe('UNEXPECTED');
    const v = await fixture(['resume', '--verbose'], dir, { FIXTURE_CRASH: '1' });
    expect(v.code).toBe(1);
    expect(v.stdout).toMatch(/TypeError: Cannot read properties of null[\s\S]*\n\s+at .*steps\.mjs/);
  });

  it('drift found by check() on resume is reported and the step re-applied', async () => {
    const dir = tmpWorkDir();
    expect((await fixture(['init', ...ORG, '--console-done', 'upload-idp-metadata'], dir)).code).toBe(0);
    const r = await fixture(['resume', '--json'], dir, { FIXTURE_DRIFT: '1' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('Drift in "preflight": the Okta org answers differently now');
    expect(parseDoc(r.stdout).drift).toEqual([{ stepId: 'preflight', messages: ['the Okta org answers differently now'] }]);
    expect(fs.readFileSync(path.join(dir, 'mutations.log'), 'utf8').match(/apply:preflight/g)).toHaveLength(2);
  });

  it('verify re-checks every done step and re-runs the last step; drift is exit 1', async () => {
    const dir = tmpWorkDir();
    expect((await fixture(['verify'], dir)).code).toBe(2); // no state yet
    expect((await fixture(['init', ...ORG, '--console-done', 'upload-idp-metadata'], dir)).code).toBe(0);
    const v = await fixture(['verify', '--console-done', 'upload-idp-metadata'], dir);
    expect(v.code, v.stderr).toBe(0);
    expect(v.stdout).toContain('Checked "Fixture preflight": still holds.');
    expect(v.stdout).toContain('Verified');
    const d = await fixture(['verify', '--json', '--console-done', 'upload-idp-metadata'], dir, { FIXTURE_DRIFT: '1' });
    expect(d.code).toBe(1);
    expect(parseDoc(d.stdout).error?.code).toBe('DRIFT');
    expect(d.stderr).toContain('okta-aws-sso resume');
  });

  it('init on an existing state says so and asks; non-interactive it needs --yes', async () => {
    const dir = tmpWorkDir();
    expect((await fixture(['init', ...ORG], dir)).code).toBe(3);
    const before = fs.readFileSync(path.join(dir, 'okta-aws-sso.state.json'), 'utf8');
    const r = await fixture(['init', '--non-interactive'], dir);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('A setup is already in progress');
    expect(r.stderr).toContain('--yes');
    expect(fs.readFileSync(path.join(dir, 'okta-aws-sso.state.json'), 'utf8')).toBe(before);
    const y = await fixture(['init', '--yes', '--console-done', 'upload-idp-metadata'], dir);
    expect(y.code, y.stderr).toBe(0);
    // continued: preflight was not applied again
    expect(fs.readFileSync(path.join(dir, 'mutations.log'), 'utf8').match(/apply:preflight/g)).toHaveLength(1);
  });

  it('--dry-run prints the plan and the console actions to come, makes no mutating call and writes no file', async () => {
    const dir = tmpWorkDir();
    const r = await fixture(['init', '--dry-run', '--json', ...ORG], dir);
    expect(r.code, r.stderr).toBe(0);
    const doc = parseDoc(r.stdout);
    expect(doc.result).toBe('planned');
    expect(doc.dryRun).toBe(true);
    expect(doc.steps.map((s) => [s.id, s.changes?.map((c) => c.op)])).toEqual([
      ['preflight', []],
      ['sp-metadata', []],
      ['okta-app', ['console']],
    ]);
    expect(doc.steps.map((s) => s.notes)).toEqual([['check: credentials'], [expect.stringMatching(/^pending: needs the result of "preflight"/)], []]);
    expect(doc.pendingConsoleActions).toEqual([{ stepId: 'okta-app', title: 'Upload the IdP metadata', instructions: ['in the AWS console'], planned: true }]);
    const heading = doc.messages.find((m) => m.code === 'DRY_RUN_CONSOLE_ACTIONS');
    expect(heading?.level).toBe('info');
    expect(r.stderr).toContain(`${heading?.text}\n  - Upload the IdP metadata [okta-app]: in the AWS console`);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('a second run on the same state is refused (exit 2); a lock left by a dead process is taken over', async () => {
    const dir = tmpWorkDir();
    const lock = path.join(dir, 'okta-aws-sso.state.json.lock');
    fs.writeFileSync(lock, JSON.stringify({ pid: process.pid, host: os.hostname(), startedAt: '2026-11-29T10:00:00.000Z' }));
    const r = await fixture(['init', ...ORG], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`Another okta-aws-sso run is using ${path.join(dir, 'okta-aws-sso.state.json')}: process ${process.pid}`);
    expect(fs.existsSync(lock)).toBe(true);

    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    fs.writeFileSync(lock, JSON.stringify({ pid: dead, host: os.hostname(), startedAt: '2026-11-29T10:00:00.000Z' }));
    const r2 = await fixture(['init', ...ORG, '--console-done', 'upload-idp-metadata'], dir);
    expect(r2.code, r2.stderr).toBe(0);
    expect(r2.stdout).toContain(`Taking over a stale lock`);
    expect(fs.existsSync(lock)).toBe(false);
  });

  it('a broken state file gives exit 2 naming the file and is never overwritten', async () => {
    const dir = tmpWorkDir();
    const file = path.join(dir, 'okta-aws-sso.state.json');
    const broken = '{"schemaVersion":1,"toolVersion":"0.1.0","createdAt":"2026-11-29T10:00:00.000Z","steps":{';
    fs.writeFileSync(file, broken);
    for (const args of [['resume'], ['init', '--yes', ...ORG], ['status']]) {
      const r = await fixture(args, dir);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`The state file ${file} is truncated`);
      expect(r.stderr).toContain('What to do:');
    }
    fs.writeFileSync(file, JSON.stringify({ schemaVersion: 2, toolVersion: '9.0.0' }));
    const r = await fixture(['resume', '--json'], dir);
    expect(r.code).toBe(2);
    expect(parseDoc(r.stdout).error?.code).toBe('STATE_NEWER_VERSION');
    expect(fs.readFileSync(file, 'utf8')).toBe(JSON.stringify({ schemaVersion: 2, toolVersion: '9.0.0' }));
  });

  it('--config answers in YAML; an unknown key or a secret in it is exit 2', async () => {
    const dir = tmpWorkDir();
    fs.writeFileSync(path.join(dir, 'answers.yaml'), 'okta-org-url: https://from-config.okta.com\nconsole-done: [upload-idp-metadata]\n');
    const r = await fixture(['init', '--config', 'answers.yaml'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(readState(dir).steps['preflight']?.outputs).toMatchObject({ okta: { orgUrl: 'https://from-config.okta.com' } });

    fs.writeFileSync(path.join(dir, 'bad.json'), JSON.stringify({ 'okta-org-ur': 'x' }));
    const bad = await fixture(['init', '--state', 'other.json', '--config', 'bad.json'], dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown answer "okta-org-ur"');
    fs.writeFileSync(path.join(dir, 'secret.yaml'), `okta-api-token: ${SECRET}\n`);
    const sec = await fixture(['init', '--state', 'other.json', '--config', 'secret.yaml'], dir);
    expect(sec.code).toBe(2);
    expect(sec.stderr).toContain('secrets never go in config files');
    expect(sec.stderr).not.toContain(SECRET);
    expect(fs.existsSync(path.join(dir, 'other.json'))).toBe(false);
  });

  it('Ctrl-C while a step waits: exit 130, state saved with the step\'s progress, the message says how to resume', async () => {
    const dir = tmpWorkDir();
    const run = spawnCli(['init', ...ORG], { entry: STEPS_CLI, cwd: dir, env: { FIXTURE_WAIT: '1' } });
    await waitForOutput(run.stdout, 'WAITING-FOR-SIGNAL');
    expect(fs.existsSync(path.join(dir, 'okta-aws-sso.state.json.lock'))).toBe(true);
    run.child.kill('SIGINT');
    const r = await run.done;
    expect(r.code).toBe(130);
    expect(r.stderr).toContain('run `okta-aws-sso resume` to continue');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const state = readState(dir);
    expect(state.steps['preflight']?.status).toBe('done');
    expect(state.steps['sp-metadata']).toMatchObject({ status: 'pending', progress: { started: true }, error: { code: 'INTERRUPTED' } });
    expect(fs.existsSync(path.join(dir, 'okta-aws-sso.state.json.lock'))).toBe(false);

    const st = await fixture(['status'], dir);
    expect(st.stdout).toMatch(/sp-metadata\s+pending\s+.*interrupted; resumes here/);
    expect(st.stdout).toContain('Next: `okta-aws-sso resume` continues with "sp-metadata".');
    const res = await fixture(['resume', '--console-done', 'upload-idp-metadata'], dir);
    expect(res.code, res.stderr).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'mutations.log'), 'utf8').trim().split('\n')).toEqual(['apply:preflight', 'apply:sp-metadata', 'apply:okta-app']);
  });

  it('the AWS SDK\'s NodeVersionSupportWarning is dropped, other warnings are still shown', async () => {
    const dir = tmpWorkDir();
    const live = await fixtureProcess(['init', ...ORG, '--console-done', 'upload-idp-metadata'], dir, { FIXTURE_WARN: '1' });
    expect(live.code, live.stderr).toBe(0);
    expect(live.stderr).toContain('Some other warning that must still be shown');
    expect(live.stderr).not.toContain('NodeVersionSupportWarning');
  });

  it('human output has no color codes when not a terminal, and FORCE_COLOR wins over --no-color', async () => {
    const dir = tmpWorkDir();
    const plain = await fixture(['init', '--dry-run', ...ORG], dir);
    expect(plain.stdout).not.toContain('\u001b[');
    const forced = await fixture(['init', ...ORG, '--no-color'], dir, { FORCE_COLOR: '1', FIXTURE_FAIL: '1' });
    expect(forced.stderr).toContain('\u001b[31m');
    const nc = await fixture(['status'], dir, { NO_COLOR: '1' });
    expect(nc.stdout).not.toContain('\u001b[');
  });
});
