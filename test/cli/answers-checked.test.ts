/**
 * A person's mistakes never trap them: every answer is checked before any step runs and before
 * anything is saved, lists split on commas only, paths resolve as typed, --yes takes the proposed
 * answer also in a terminal, tables fit the terminal, a closed pipe ends quietly.
 */
import fs from 'node:fs';

import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AnswerSource } from '../../src/cli/io/answer-source.js';
import { BaseIo, type OutputSink, type Prompter } from '../../src/cli/io/base-io.js';
import { statusTable } from '../../src/cli/report.js';
import { STEPS } from '../../src/steps/index.js';
import { runCli, tmpWorkDir } from '../helpers/cli.js';
import { spawnSync } from 'node:child_process';
import { BIN } from '../helpers/cli.js';

const sink: OutputSink = { message: () => undefined, secretOnce: () => undefined, progress: () => ({ update: () => undefined, succeed: () => undefined, fail: () => undefined, stop: () => undefined }), consoleAction: () => undefined };

describe('answers checked at start-up', () => {
  it('a bad flag value fails at once (exit 2) and never reaches a state file; all problems in one message', async () => {
    const dir = tmpWorkDir();
    const r = await runCli(['init', '--non-interactive', '--session-duration', '5 hours', '--test-user-email', 'not-an-email', '--assignment-rate', '30', '--region', 'xx-fake-9'], { cwd: dir });
    expect(r.code, r.stderr).toBe(2);
    for (const t of ['--session-duration "5 hours"', '--test-user-email "not-an-email"', 'from 1 to 20', 'there is no AWS region "xx-fake-9"']) expect(r.stderr).toContain(t);
    expect(r.stderr).toContain('What to do:');
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('a non-interactive run names every missing answer it can know, before any step runs', async () => {
    const dir = tmpWorkDir();
    const r = await runCli(['init', '--non-interactive'], { cwd: dir });
    expect(r.code).toBe(2);
    for (const f of ['--okta-org-url', '--test-user-first-name', '--test-user-last-name', '--test-user-email']) expect(r.stderr).toContain(f);
    expect(fs.readdirSync(dir)).toEqual([]);
    const skip = await runCli(['init', '--non-interactive', '--skip-test-user'], { cwd: dir });
    expect(skip.stderr).not.toContain('--test-user-email');
  });

  it('--ou beside --accounts is a usage error; a flag wins over a remembered answer it excludes', () => {
    const both = new AnswerSource({ flags: { accounts: '111122223333', ou: 'ou-abcd-12345678' } });
    expect(both.checkAll({ interactive: false }).map((p) => p.message).join()).toMatch(/--accounts and --ou exclude each other/);
    const file = path.join(tmpWorkDir(), 'sp.xml');
    fs.writeFileSync(file, '<x/>');
    const a = new AnswerSource({ flags: { 'acs-url': 'https://us-east-2.signin.aws.amazon.com/platform/saml/acs/x' }, saved: { 'sp-metadata': file } });
    expect(a.checkAll({ interactive: false })).toEqual([]);
    expect(a.has('sp-metadata')).toBe(false); // the remembered file no longer wins over --acs-url
  });

  it('a saved answer that no longer validates: a script fails naming the flag; a terminal asks again', () => {
    const saved = { 'session-duration': '5 hours' };
    const script = new AnswerSource({ saved });
    const p = script.checkAll({ interactive: false });
    expect(p[0]?.message).toContain('saved in the state file for --session-duration is no longer valid');
    expect(p[0]?.hint).toContain('--session-duration');
    const terminal = new AnswerSource({ saved });
    expect(terminal.checkAll({ interactive: true })).toEqual([]);
    expect(terminal.has('session-duration')).toBe(false);
  });

  it('lists split on commas only: a group name keeps its spaces', () => {
    const a = new AnswerSource({ flags: { 'push-groups': 'awssso Data Team, awsssoOps' } });
    expect(a.get('push-groups')?.value).toEqual(['awssso Data Team', 'awsssoOps']);
  });

  it('a relative --sp-metadata resolves against the current folder; ~ is expanded', () => {
    const cwd = tmpWorkDir();
    fs.writeFileSync(path.join(cwd, 'sp.xml'), '<x/>');
    expect(new AnswerSource({ flags: { 'sp-metadata': 'sp.xml' }, cwd }).get('sp-metadata')?.value).toBe(path.join(cwd, 'sp.xml'));
    expect(new AnswerSource({ flags: { 'sp-metadata': '~/md.xml' }, env: { HOME: '/home/ada' }, cwd }).get('sp-metadata')?.value).toBe('/home/ada/md.xml');
    const missing = new AnswerSource({ flags: { 'sp-metadata': 'nope.xml' }, cwd }).checkAll({ interactive: false });
    expect(missing[0]?.message).toContain(`there is no file ${path.join(cwd, 'nope.xml')}`);
  });
});

describe('prompts', () => {
  /** The prompt layer's contract: input() keeps asking until validate() passes (as inquirer does). */
  function typist(answers: string[], asked: string[]): Prompter {
    return {
      async input(o) {
        for (;;) {
          const v = answers.shift();
          if (v === undefined) throw new Error(`no more answers for ${o.message}`);
          asked.push(v);
          const ok = o.validate ? o.validate(v) : true;
          if (ok === true) return v === '' && o.default !== undefined ? o.default : v;
        }
      },
      select: () => Promise.reject(new Error('not expected')),
      confirm: () => Promise.reject(new Error('--yes must not ask')),
      password: () => Promise.reject(new Error('not expected')),
    };
  }

  it('a path that does not exist is asked again (no folder created); ~ is expanded', async () => {
    const home = tmpWorkDir('oas-home-');
    fs.writeFileSync(path.join(home, 'sp.xml'), '<x/>');
    const asked: string[] = [];
    const io = new BaseIo({ answers: new AnswerSource({ env: { HOME: home }, cwd: tmpWorkDir() }), output: sink, prompter: typist(['/no/such/dir/sp.xml', '~/sp.xml'], asked) });
    expect(await io.ask({ key: 'sp-metadata', message: 'SP metadata' })).toBe(path.join(home, 'sp.xml'));
    expect(asked).toEqual(['/no/such/dir/sp.xml', '~/sp.xml']);
    expect(fs.existsSync('/no/such/dir')).toBe(false);
    const out: string[] = [];
    const io2 = new BaseIo({ answers: new AnswerSource({ cwd: tmpWorkDir() }), output: sink, prompter: typist(['/no/such/dir/idp.xml', ''], out) });
    expect(await io2.ask({ key: 'idp-metadata-file', message: 'Where to save', default: 'idp-saml.xml' })).toBe('idp-saml.xml');
    expect(fs.existsSync('/no/such/dir')).toBe(false);
  });

  it('--yes answers every confirmation with its proposed default, also in a terminal', async () => {
    const io = new BaseIo({ answers: new AnswerSource(), output: sink, prompter: typist([], []), yes: true });
    expect(await io.confirm({ key: 'skip-test-user', message: 'Skip the test user?', default: false })).toBe(false);
    expect(await io.confirm({ message: 'Create the group?', default: true })).toBe(true);
  });
});

describe('output', () => {
  it('the step table fits 60 columns without cutting a word', () => {
    const now = '2026-12-02T03:38:05.000Z';
    const state = { schemaVersion: 1 as const, toolVersion: '0', createdAt: now, updatedAt: now, inputs: {}, steps: { preflight: { status: 'failed' as const, error: { code: 'X', message: 'The Okta org https://example.okta.com answered 401 Unauthorized for the token from OKTA_API_TOKEN' } } } };
    const lines = statusTable(STEPS, state, undefined, 60);
    for (const l of lines) expect(l.length, l).toBeLessThanOrEqual(60);
    const words = lines.join(' ').split(/\s+/);
    for (const w of ['Unauthorized', 'OKTA_API_TOKEN', 'https://example.okta.com']) expect(words).toContain(w);
  });

  it('writing into a closed pipe ends quietly', () => {
    const dir = tmpWorkDir();
    for (const cmd of [`status`, `help init`]) {
      const r = spawnSync('sh', ['-c', `"${process.execPath}" "${BIN}" ${cmd} | head -1`], { cwd: dir, encoding: 'utf8' });
      expect(r.stderr, cmd).not.toMatch(/EPIPE|unexpected failure/i);
      expect(r.stdout.split('\n').filter(Boolean)).toHaveLength(1);
    }
  });

  it('--json without a command prints a JSON error document', async () => {
    const r = await runCli(['--json'], { cwd: tmpWorkDir() });
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({ result: 'error', exitCode: 2, error: { code: 'NO_COMMAND' } });
  });

  it('help shows each default once', async () => {
    const r = await runCli(['init', '--help']);
    for (const l of r.stdout.split('\n')) expect((l.match(/\(default:/g) ?? []).length, l).toBeLessThanOrEqual(1);
  });
});

