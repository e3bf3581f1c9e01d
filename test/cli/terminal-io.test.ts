/**
 * The terminal binding driven for real: @inquirer/prompts reading keystrokes from a stream, BaseIo
 * on top of it, and the chalk/ora output sink.
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';

import { AnswerSource } from '../../src/cli/io/answer-source.js';
import { BaseIo } from '../../src/cli/io/base-io.js';
import { InquirerPrompter, TerminalOutput, colorLevel } from '../../src/cli/io/terminal.js';
import { printError } from '../../src/cli/render.js';
import { WizardError } from '../../src/errors.js';
import { ioMessage } from '../../src/messages.js';
import { Capture, typeWhenDrawn, useLineEditingTerminal } from '../helpers/terminal.js';

useLineEditingTerminal();

function terminal(): { input: PassThrough; output: Capture; prompter: InquirerPrompter } {
  const input = new PassThrough();
  const output = new Capture();
  return { input, output, prompter: new InquirerPrompter({ input, output }) };
}

describe('InquirerPrompter (real @inquirer/prompts over streams)', () => {
  it('input: takes typed text, offers the default, and re-asks until validate passes', async () => {
    const t = terminal();
    typeWhenDrawn(t.input, t.output, ['not-a-url', '\r', '\u007f'.repeat(9), 'https://acme.okta.com', '\r']);
    const v = await t.prompter.input({ message: 'Okta org URL', validate: (s) => (s.startsWith('https://') ? true : 'Give an https:// URL.') });
    expect(v).toBe('https://acme.okta.com');
    expect(t.output.plain()).toContain('Give an https:// URL.');

    const t2 = terminal();
    typeWhenDrawn(t2.input, t2.output, ['\r']);
    expect(await t2.prompter.input({ message: 'Label', default: 'AWS IAM Identity Center' })).toBe('AWS IAM Identity Center');
  });

  it('select and confirm answer from arrow keys and y/n', async () => {
    const t = terminal();
    typeWhenDrawn(t.input, t.output, ['\u001b[B', '\r']);
    const v = await t.prompter.select({
      message: 'Which app provisions users?',
      choices: [
        { value: 'identity-center', name: 'The Identity Center app' },
        { value: 'scim-test-app', name: 'A separate SCIM 2.0 app' },
      ],
    });
    expect(v).toBe('scim-test-app');
    const t2 = terminal();
    typeWhenDrawn(t2.input, t2.output, ['n', '\r']);
    expect(await t2.prompter.confirm({ message: 'Create the app?', default: true })).toBe(false);
  });

  it('password: masks what is typed', async () => {
    const t = terminal();
    const secret = 'hunter2-very-secret';
    typeWhenDrawn(t.input, t.output, [secret, '\r']);
    expect(await t.prompter.password({ message: 'Okta API token' })).toBe(secret);
    expect(t.output.text).not.toContain(secret);
    expect(t.output.plain()).toContain('*'.repeat(secret.length));
  });

  it('BaseIo prompts through it in an interactive run and remembers the answer for the state file', async () => {
    const t = terminal();
    const answers = new AnswerSource({ env: {} });
    const out = new Capture();
    const io = new BaseIo({ answers, output: new TerminalOutput({ stream: out, color: 0, spinners: false, verbose: false }), prompter: t.prompter });
    typeWhenDrawn(t.input, t.output, ['awsssoAdmins', '\r']);
    expect(await io.ask({ key: 'push-prefix', message: 'Group prefix' })).toBe('awsssoAdmins');
    expect(io.savedAnswers()).toEqual({ 'push-prefix': 'awsssoAdmins' });

    // A later step asking the same question in this run gets the typed answer without a new prompt.
    const drawnBefore = t.output.text.length;
    expect(await io.ask({ key: 'push-prefix', message: 'Push every Okta group whose name starts with', default: 'awssso' })).toBe('awsssoAdmins');
    expect(t.output.text.length).toBe(drawnBefore);
  });

  it('an abort signal ends a waiting prompt (Ctrl-C path)', async () => {
    const input = new PassThrough();
    const output = new Capture();
    const ac = new AbortController();
    const p = new InquirerPrompter({ input, output, signal: ac.signal }).input({ message: 'Waiting' });
    setTimeout(() => ac.abort(), 20);
    await expect(p).rejects.toMatchObject({ name: 'AbortPromptError' });
  });
});

describe('TerminalOutput and color rules', () => {
  it('colorLevel: FORCE_COLOR wins, then --no-color / NO_COLOR, else only on a terminal', () => {
    expect(colorLevel({ noColorFlag: true, env: { FORCE_COLOR: '1' }, isTTY: false })).toBe(1);
    expect(colorLevel({ noColorFlag: false, env: { FORCE_COLOR: '0' }, isTTY: true })).toBe(0);
    expect(colorLevel({ noColorFlag: false, env: { FORCE_COLOR: '3' }, isTTY: false })).toBe(3);
    expect(colorLevel({ noColorFlag: true, env: {}, isTTY: true })).toBe(0);
    expect(colorLevel({ noColorFlag: false, env: { NO_COLOR: '1' }, isTTY: true })).toBe(0);
    expect(colorLevel({ noColorFlag: false, env: { NO_COLOR: '' }, isTTY: true })).toBe(1);
    expect(colorLevel({ noColorFlag: false, env: {}, isTTY: true })).toBe(1);
    expect(colorLevel({ noColorFlag: false, env: {}, isTTY: false })).toBe(0);
  });

  it('breaks long lines between words at the terminal width, indented under their text', () => {
    const s = Object.assign(new Capture(), { isTTY: true, columns: 60 });
    const o = new TerminalOutput({ stream: s, color: 0, spinners: false, verbose: false });
    const info = 'You are signed in to the management account 505824698023: it can receive assignments only with --include-management-account.';
    const ins = 'Open https://us-east-2.console.aws.amazon.com/singlesignon/home?region=us-east-2 as the management or delegated administrator account.';
    o.info(info);
    o.warn('The SCIM access token expires on 2027-01-01, in 30 days: rotate it with okta-aws-sso rotate scim-token.');
    o.consoleAction({ id: 'download-sp-metadata', title: 'Download', where: 'AWS console (region us-east-2) > IAM Identity Center > Settings > Identity source', instructions: [ins] });
    const lines = s.text.split('\n');
    const words = [info, ins].join(' ').split(' ');
    const tokens = new Set(lines.flatMap((l) => l.trim().split(/\s+/)));
    for (const w of words) expect(tokens.has(w), `"${w}" was cut:\n${s.text}`).toBe(true);
    // Only a word longer than the line (the URL) may overflow.
    for (const l of lines) if (l.length > 59) expect(l.trim().split(/\s+/).some((w) => w.length > 40), l).toBe(true);
    expect(s.text).toMatch(/^ {5}\S/m); // "  1. " continuation lines sit under the text
    expect(s.text).toMatch(/^ {2}--include-management-account\.$/m);
    // A pipe (no width) keeps each line whole.
    const p = new Capture();
    new TerminalOutput({ stream: p, color: 0, spinners: false, verbose: false }).info(info);
    expect(p.text).toBe(`${info}\n`);
  });

  it('an error and its hint wrap at the terminal width too, never inside a `quoted command`', () => {
    const s = Object.assign(new Capture(), { isTTY: true, columns: 50 });
    const o = new TerminalOutput({ stream: s, color: 0, spinners: false, verbose: false });
    const e = new WizardError('Okta answered 403 E0000006 to GET /api/v1/apps: You do not have permission to perform the requested action.', {
      hint: 'Give the token the rights it lacks, then run `okta-aws-sso resume --state-file ./okta-aws-sso.state.json` to continue.',
    });
    printError(s, o, e, (t) => t);
    const lines = s.text.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^Error: Okta answered 403/);
    for (const l of lines) if (!l.includes('`')) expect(l.length, l).toBeLessThan(50);
    expect(lines.slice(1).every((l) => l.startsWith('  ') || l.startsWith('What to do:'))).toBe(true);
    // The command is one piece on one line, exactly as it must be typed.
    expect(lines.some((l) => l.includes('`okta-aws-sso resume --state-file ./okta-aws-sso.state.json`'))).toBe(true);
    // Joined again, nothing was lost or changed.
    expect(lines.map((l) => l.trim()).join(' ')).toBe(`Error: ${e.message} What to do: ${e.hint}`);
    // A pipe (no width): each on its one line, as scripts and tests read it.
    const p = new Capture();
    printError(p, new TerminalOutput({ stream: p, color: 0, spinners: false, verbose: false }), e, (t) => t);
    expect(p.text).toBe(`Error: ${e.message}\nWhat to do: ${e.hint}\n`);
  });

  it('shows console actions with numbered steps and values; debug only with --verbose', () => {
    const s = new Capture();
    const o = new TerminalOutput({ stream: s, color: 0, spinners: false, verbose: false });
    o.consoleAction({
      id: 'enable-automatic-provisioning',
      title: 'Enable automatic provisioning',
      where: 'AWS console > IAM Identity Center > Settings',
      instructions: ['Choose Enable', 'Copy the SCIM endpoint'],
      values: [{ label: 'Region', value: 'us-east-2' }],
    });
    o.debug('hidden detail');
    const p = o.progress(ioMessage('ACCOUNTS_PROGRESS', { done: 0, total: 7 }));
    p.update(ioMessage('ACCOUNTS_PROGRESS', { done: 3, total: 7 }));
    p.succeed(ioMessage('ACCOUNTS_DONE', { done: 7, total: 7, summary: '7 assigned' }));
    expect(s.text).toContain('Console action: Enable automatic provisioning  [enable-automatic-provisioning]');
    expect(s.text).toContain('  1. Choose Enable\n  2. Copy the SCIM endpoint');
    expect(s.text).toContain('Region: us-east-2');
    expect(s.text).toContain('✔ 7/7 accounts (7 assigned)');
    expect(s.text).not.toContain('hidden detail');
    expect(s.text).not.toContain('\u001b[');
    const v = new Capture();
    new TerminalOutput({ stream: v, color: 0, spinners: false, verbose: true }).debug('shown detail');
    expect(v.text).toContain('shown detail');
  });

  it('on a terminal, progress is an ora spinner; other lines are printed around it', async () => {
    // what ora needs from a tty.WriteStream
    const s = Object.assign(new Capture(), { isTTY: true, columns: 120, cursorTo: () => true, clearLine: () => true, moveCursor: () => true });
    const o = new TerminalOutput({ stream: s, color: 0, spinners: true, verbose: false });
    await o.ready();
    const early = o.progress(ioMessage('DESTROY_READING'));
    early.succeed(ioMessage('DESTROY_READ'));
    const p = o.progress(ioMessage('ACCOUNTS_PROGRESS', { done: 0, total: 5 }));
    p.update(ioMessage('ACCOUNTS_PROGRESS', { done: 2, total: 5 }));
    o.info('A line while the spinner runs');
    p.succeed(ioMessage('ACCOUNTS_DONE', { done: 5, total: 5, summary: '5 assigned' }));
    await new Promise((r) => setTimeout(r, 20));
    const text = s.plain();
    expect(text).toContain('Read what the setup created.');
    expect(text).toContain('A line while the spinner runs\n');
    expect(text).toContain('5/5 accounts (5 assigned)');
    expect(text.indexOf('A line while')).toBeLessThan(text.lastIndexOf('5/5 accounts (5 assigned)'));
  });

  it('a value shown once is never written to a stream that is not a terminal', () => {
    const s = new Capture();
    new TerminalOutput({ stream: s, color: 0, spinners: false, verbose: true }).secretOnce('Test user password', 'P@ssw0rd-shown-once');
    expect(s.text).not.toContain('P@ssw0rd-shown-once');
    expect(s.text).toContain('not shown because the output is not a terminal');
  });
});
