/**
 * A person in a real terminal (a pseudo-terminal, keystroke by keystroke): `okta-aws-sso init
 * --sandbox` with its few questions answered, one of them wrongly first; Ctrl-C at a later question;
 * then exactly the resume command the wizard printed, which must work as printed (it remembers the
 * sandbox); the run reaches a verified end, and `okta-aws-sso verify` as printed passes too.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { spawnTerminal } from '../helpers/pty.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oas-pty-'));
const ENTER = '\r';
const CTRL_C = '\x03';
const BACKSPACE = '\x7f';

afterAll(async () => {
  await runCli(['sandbox', 'stop'], { cwd: dir, env: {} });
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('a person in a terminal', () => {
  it('types through init --sandbox with one wrong answer and a Ctrl-C, resumes with the printed hint, reaches a verified end', async () => {
    const t = spawnTerminal(['init', '--sandbox'], { cwd: dir, cols: 60 });
    let at = await t.waitFor('? Create the Okta app');
    t.type(ENTER);
    // A wrong answer: ":" is refused by Identity Center; the prompt says so and asks again.
    at = await t.waitFor('? Okta group assigned to the app(s)', at);
    t.type('AWS:Users');
    t.type(ENTER);
    at = await t.waitFor('choose another name', at);
    t.type(BACKSPACE.repeat(12));
    t.type('AWS Users');
    t.type(ENTER);
    at = await t.waitFor('? Okta groups pushed to Identity Center', at);
    t.type(ENTER);
    // Ctrl-C at the next question: the state is saved and the wizard prints how to continue.
    at = await t.waitFor('? Create the Okta group', at);
    t.type(CTRL_C);
    expect(await t.exited).toBe(130);
    const hint = /run `(okta-aws-sso [^`]+)`/.exec(t.screen().slice(at));
    expect(hint, t.screen().slice(at)).not.toBeNull();
    expect(hint![1]).toBe('okta-aws-sso resume');
    const state = JSON.parse(fs.readFileSync(path.join(dir, 'okta-aws-sso.state.json'), 'utf8')) as { run?: { sandbox?: { dir: string } }; inputs: Record<string, unknown> };
    expect(state.run?.sandbox?.dir).toBe(path.join(dir, '.okta-aws-sso', 'sandbox'));
    expect(state.inputs['assignment-group']).toBe('AWS Users'); // the wrong answer never reached the state file

    // Exactly the printed command, nothing added: it continues against the same sandbox.
    const r = spawnTerminal(hint![1]!.split(' ').slice(1), { cwd: dir, cols: 60 });
    let rat = 0;
    const questions: string[] = [];
    for (;;) {
      const next = await r.waitFor(/\n\? [^\n]*|Done: every step is complete\./, rat, 120_000);
      const seen = r.screen().slice(rat, next);
      rat = next;
      if (seen.includes('Done: every step is complete.')) break;
      questions.push(seen.trim());
      r.type(ENTER);
      rat = await r.waitFor('✔', rat); // the answer is drawn before the next question
    }
    expect(await r.exited).toBe(0);
    expect(r.screen()).toContain('AWS access portal: https://');
    expect(r.screen()).not.toContain('No AWS credentials');
    // The closing summary fits a 60-column terminal without cutting a word.
    const summary = r.screen().slice(r.screen().indexOf('Done: every step')).trimEnd().split('\n');
    expect(summary.length).toBeLessThan(20);
    for (const l of summary) expect(l.length <= 60 || !l.trim().includes(' '), l).toBe(true);
    expect(questions.length).toBeLessThanOrEqual(8);

    const v = spawnTerminal(['verify'], { cwd: dir, cols: 60 });
    await v.waitFor(/Verified: every step still holds|Error:/, 0, 120_000);
    expect(await v.exited, v.screen().slice(-2000)).toBe(0);
    expect(v.screen()).toContain('Verified: every step still holds and the verify step passed.');
  }, 300_000);

});
