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
import { readRequestLog } from '../helpers/sandbox.js';
import { expectRunMatchesState } from '../helpers/plan-log.js';
import type { WizardState } from '../../src/engine/state.js';

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
    const since = new Date().toISOString();
    const t = spawnTerminal(['init', '--sandbox'], { cwd: dir, cols: 60 });
    // The engine's approval of the okta-app step's plan (its apply asks nothing itself).
    let at = await t.waitFor(/\(adds\):\s*Create\s+the\s+Okta\s+app[\s\S]*?Apply\? \(Y\/n\)/);
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
    // Ctrl-C at the next question (the groups step's one approval): the state is saved and the wizard prints how to continue.
    at = await t.waitFor('? Okta groups: assignment group and push groups (adds)', at);
    t.type(CTRL_C);
    expect(await t.exited).toBe(130);
    const hint = /run\s+`(okta-aws-sso [^`]+)`/.exec(t.screen().slice(at));
    expect(hint, t.screen().slice(at)).not.toBeNull();
    expect(hint![1]).toBe('okta-aws-sso resume');
    const state = JSON.parse(fs.readFileSync(path.join(dir, 'okta-aws-sso.state.json'), 'utf8')) as { run?: { sandbox?: { dir: string } }; inputs: Record<string, unknown> };
    expect(state.run?.sandbox?.dir).toBe(path.join(dir, '.okta-aws-sso', 'sandbox'));
    expect(state.inputs['assignment-group']).toBe('AWS Users'); // the wrong answer never reached the state file

    // Exactly the printed command, nothing added: it continues against the same sandbox.
    const r = spawnTerminal(hint![1]!.split(' ').slice(1), { cwd: dir, cols: 60 });
    let rat = 0;
    // Two kinds of prompt: questions about the person's setup (answered with their defaults, as a
    // person accepting the suggestions would), and the plan's approvals ("<step> (<risk>): <change>
    // ... Apply?", once per step and risk class), which a person reads and accepts with "y". Only the
    // former count towards the "at most 8 questions"; approvals are counted on their own.
    // An approval's frame is drawn in one piece, so its "Apply? (y/N)" line is matched with its title.
    const PROMPT = /\n\? (?:[^\n]*\n)*?Apply\? \((?:y\/N|Y\/n)\)|\n\? [^\n]*|Done: every step is complete\./;
    const questions: string[] = [];
    const approvals: string[] = [];
    for (;;) {
      const next = await r.waitFor(PROMPT, rat, 120_000);
      const seen = r.screen().slice(rat, next);
      rat = next;
      if (seen.includes('Done: every step is complete.')) break;
      const prompt = seen.slice(seen.lastIndexOf('\n? ') + 1);
      if (/\nApply\? \((?:y\/N|Y\/n)\)$/.test(prompt)) {
        approvals.push(prompt);
        r.type('y');
      } else {
        questions.push(seen.trim());
      }
      r.type(ENTER);
      rat = await r.waitFor('✔', rat); // the answer is drawn before the next question
    }
    expect(await r.exited).toBe(0);
    // Long lines are broken between words at the terminal's width: read them joined, as a person does.
    const flat = (t: string): string => t.replace(/\n +/g, ' ');
    expect(flat(r.screen())).toContain('AWS access portal: https://');
    expect(flat(r.screen())).not.toContain('No AWS credentials');
    // The closing summary fits a 60-column terminal without cutting a word.
    const summary = r.screen().slice(r.screen().indexOf('Done: every step')).trimEnd().split('\n');
    expect(summary.length).toBeLessThan(20);
    for (const l of summary) expect(l.length <= 60 || !l.trim().includes(' '), l).toBe(true);
    expect(questions.length, questions.join('\n---\n')).toBeLessThanOrEqual(8);
    // The org-wide approval (default No) is reached in the resume run and applied only because "y" was typed.
    expect(approvals.some((a) => a.includes('(ORG-WIDE)') && a.endsWith('Apply? (y/N)')), approvals.join('\n---\n')).toBe(true);
    // At most one approval per remaining step and risk class, never a flood of them.
    expect(approvals.length, approvals.join('\n---\n')).toBeLessThanOrEqual(6);

    // The resume run generated the test user's password and showed it once; a later `verify` (a new
    // process, which cannot know it) asks for it in a hidden prompt to prove the sign-in, and the
    // person types what they were shown.
    const shown = /Test user password \(shown once, not saved anywhere\):\s+(\S+)/.exec(r.screen());
    expect(shown, r.screen().slice(-3000)).not.toBeNull();
    const v = spawnTerminal(['verify'], { cwd: dir, cols: 60 });
    const vat = await v.waitFor(/\n\? Password of the test user|Verified: every step still|Error:/, 0, 120_000);
    if (v.screen().slice(0, vat).endsWith('? Password of the test user')) {
      v.type(shown![1]!);
      v.type(ENTER);
      await v.waitFor(/Verified: every step still|Error:/, vat, 120_000);
    }
    expect(v.screen()).not.toContain(shown![1]!); // typed into a hidden prompt, never echoed
    expect(await v.exited, v.screen().slice(-2000)).toBe(0);
    expect(flat(v.screen())).toContain('Verified: every step still holds and the verify step passed.');
    // The three runs (interrupted at an approval, resumed, verified) sent only planned writes, attempt by attempt.
    const after = JSON.parse(fs.readFileSync(path.join(dir, 'okta-aws-sso.state.json'), 'utf8')) as WizardState;
    expect(after.steps['groups']?.attempts?.map((a) => a.outcome)).toEqual(['interrupted', 'done']);
    expect(expectRunMatchesState(await readRequestLog(path.join(dir, '.okta-aws-sso', 'sandbox')), after, { since })).toEqual(expect.arrayContaining(['okta-app', 'groups', 'group-push', 'account-assignments', 'verify']));
  }, 300_000);

});
