/**
 * The message registry (src/messages.ts) is complete and documented: every error code raised in src/
 * (outside the separate sandbox program) is registered, docs/messages.md lists exactly the registered
 * codes with their level and exit code (regenerate: node test/fixtures/gen-messages-doc.mjs), and a
 * template fills its data. Every message the wizard shows is coded: no Io call and no output call
 * in src/ passes free text (the Io methods' types refuse it too; this scan also covers the CLI's
 * own output and any cast).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MESSAGES, ioMessage, messageText, type MessageSpec } from '../src/messages.js';
import { ROOT } from './helpers/cli.js';
import { PassThrough } from 'node:stream';
import { TerminalOutput } from '../src/cli/io/terminal.js';
import { MemoryOutput } from '../src/cli/io/memory-output.js';
import { BaseIo } from '../src/cli/io/base-io.js';
import { AnswerSource } from '../src/cli/io/answer-source.js';
import { closingSummary } from '../src/cli/report.js';
import { blank, line, paragraph, renderBlocks, view } from '../src/cli/render.js';
import type { WizardState } from '../src/engine/state.js';

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return p.endsWith(`${path.sep}sandbox`) ? [] : sources(p);
    return p.endsWith('.ts') ? [p] : [];
  });
}

describe('the message registry', () => {
  it('has every code raised in src/', () => {
    const used = new Set<string>();
    for (const f of sources(path.join(ROOT, 'src'))) {
      for (const m of fs.readFileSync(f, 'utf8').matchAll(/code: '([A-Z0-9_]+)'/g)) used.add(m[1]!);
    }
    expect(used.size).toBeGreaterThan(50);
    const missing = [...used].filter((c) => !(c in MESSAGES));
    expect(missing, 'add these codes to src/messages.ts and regenerate docs/messages.md').toEqual([]);
  });

  it('docs/messages.md lists exactly the registered codes, with level and exit code', () => {
    const doc = fs.readFileSync(path.join(ROOT, 'docs/messages.md'), 'utf8');
    const rows = [...doc.matchAll(/^\| `([A-Z0-9_]+)` \| (\w+) \| ([\d-]+) \|/gm)].map((m) => [m[1], m[2], m[3]]);
    const expected = (Object.entries(MESSAGES) as [string, MessageSpec][]).map(([code, s]) => [code, s.level, s.exitCode === undefined ? '-' : String(s.exitCode)]);
    expect(rows.sort()).toEqual(expected.sort());
  });

  it('no message in src/ is free text: info/warn/debug, spinners and closing lines take a registered code, the CLI prints through the renderer', () => {
    const free: string[] = [];
    const codes = new Set<string>();
    for (const f of sources(path.join(ROOT, 'src'))) {
      const rel = path.relative(ROOT, f);
      // The renderer and the terminal print the text of records and result blocks; nothing else prints.
      if (rel === path.join('src', 'cli', 'render.ts') || rel === path.join('src', 'cli', 'io', 'terminal.ts')) continue;
      const text = fs.readFileSync(f, 'utf8');
      text.split('\n').forEach((l, i) => {
        for (const m of l.matchAll(/\.(info|warn|debug)\(\s*([^,)]*)/g)) {
          const arg = m[2]!.trim();
          const coded = /^'[A-Z0-9_]+'$/.test(arg) || /^\w+ \? '[A-Z0-9_]+' : '[A-Z0-9_]+'$/.test(arg) || arg === 'code';
          if (!coded) free.push(`${rel}:${i + 1}: ${l.trim()}`);
          for (const c of arg.matchAll(/'([A-Z0-9_]+)'/g)) codes.add(c[1]!);
        }
        // A spinner's texts and a command's closing lines: a code (or a record built from one), never a string.
        for (const m of l.matchAll(/(?:\.(?:progress|update|succeed|fail)|\bline)\(\s*([^,)]*)/g)) {
          const arg = m[1]!.trim();
          // A string or template written in place is free text; a code literal, a record or a variable (typed) is not.
          const literal = /^[`"]/.test(arg) || /^'(?![A-Z0-9_]+')/.test(arg) || arg.includes('`') || /\? '[^']*[a-z ][^']*'/.test(arg);
          if (literal) free.push(`${rel}:${i + 1}: ${l.trim()}`);
          for (const c of arg.matchAll(/'([A-Z0-9_]+)'/g)) codes.add(c[1]!);
        }
        // A view shows lines a formatter made of data, never a sentence written in place.
        if (/\bview\(\s*'[a-z-]+',\s*\[?\s*[`'"]/.test(l)) free.push(`${rel}:${i + 1}: ${l.trim()}`);
        for (const c of l.matchAll(/(?:ioMessage|notify|messageText)\(\s*'([A-Z0-9_]+)'/g)) codes.add(c[1]!);
        if (/\b(out|output)\.(info|warn|line)\(/.test(l)) free.push(`${rel}:${i + 1}: ${l.trim()}`);
      });
    }
    expect(free, 'emit a registered code with its data (src/messages.ts), or render a TextBlock').toEqual([]);
    expect([...codes].filter((c) => !(c in MESSAGES))).toEqual([]);
    expect(codes.size).toBeGreaterThan(100);
  });

  it('every error thrown in src/ names its code (WizardError.code is a MessageCode, so an unregistered one does not compile)', () => {
    const unnamed: string[] = [];
    for (const f of sources(path.join(ROOT, 'src'))) {
      const text = fs.readFileSync(f, 'utf8');
      for (const m of text.matchAll(/new (WizardError|UsageError|AuthError)\(/g)) {
        // The call's text, to its closing parenthesis (strings and templates skipped).
        let i = m.index + m[0].length;
        let depth = 1;
        let quote: string | undefined;
        for (; i < text.length && depth > 0; i++) {
          const c = text[i]!;
          if (quote) {
            if (c === '\\') i++;
            else if (c === quote) quote = undefined;
          } else if (c === '"' || c === "'" || c === '`') quote = c;
          else if (c === '(') depth++;
          else if (c === ')') depth--;
        }
        if (!/\bcode\s*(:|,|\})/.test(text.slice(m.index, i))) unnamed.push(`${path.relative(ROOT, f)}:${text.slice(0, m.index).split('\n').length}`);
      }
    }
    expect(unnamed, 'give each error its code from src/messages.ts').toEqual([]);
  });

  it('every template names its data as {name} (no leftover code in a template)', () => {
    for (const [code, s] of Object.entries(MESSAGES) as [string, MessageSpec][]) {
      expect(`${s.text} ${s.hint ?? ''}`, code).not.toMatch(/\$\{|=>/);
      // A name is a word in lowerCamelCase: `{0}`, `{NAME}` or a leftover expression is a broken template.
      for (const [, name] of `${s.text} ${s.hint ?? ''}`.matchAll(/\{([^}]*)\}/g)) expect(name, `${code}: {${name}}`).toMatch(/^[a-z][A-Za-z0-9]*$/);
    }
  });

  it('builds a record: time, level and code from the registry, the text filled from the data', () => {
    const m = ioMessage('DRIFT_FOUND', { stepId: 'groups', message: 'the group is gone' });
    expect(m).toEqual({ time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), level: 'warn', code: 'DRIFT_FOUND', text: 'Drift in "groups": the group is gone', data: { stepId: 'groups', message: 'the group is gone' } });
  });

  it('the terminal prints a record by its level and keeps it for --json (debug ones only with --verbose)', () => {
    const run = (verbose: boolean): { printed: string; kept: string[] } => {
      const stream = new PassThrough();
      let printed = '';
      stream.on('data', (b: Buffer) => (printed += b.toString()));
      const kept: string[] = [];
      const out = new TerminalOutput({ stream, color: 0, spinners: false, verbose, record: (m) => kept.push(m.code) });
      out.notify('STATE_MOVED_ASIDE', { aside: '/x/old.json' });
      out.message(ioMessage('DRIFT_FOUND', { stepId: 'groups', message: 'gone' }));
      out.notify('STEP_DONE_EARLIER', { title: 'Okta groups' });
      return { printed, kept };
    };
    const quiet = run(false);
    expect(quiet.kept).toEqual(['STATE_MOVED_ASIDE', 'DRIFT_FOUND']);
    expect(quiet.printed).toBe('Starting over: the earlier state file was moved to /x/old.json.\nWarning: Drift in "groups": gone\n');
    const verbose = run(true);
    expect(verbose.kept).toEqual(['STATE_MOVED_ASIDE', 'DRIFT_FOUND', 'STEP_DONE_EARLIER']);
    expect(verbose.printed).toContain('Okta groups: done earlier; still holds.');
  });

  it('BaseIo masks a secret in the text and the data of a record', () => {
    const output = new MemoryOutput();
    const io = new BaseIo({ answers: new AnswerSource({ env: {} }), output });
    io.registerSecret('s3cr3t-value');
    io.warn('DRIFT_FOUND', { stepId: 'scim-endpoint', message: 'token s3cr3t-value refused' });
    expect(output.messages).toEqual([expect.objectContaining({ code: 'DRIFT_FOUND', text: 'Drift in "scim-endpoint": token **** refused', data: { stepId: 'scim-endpoint', message: 'token **** refused' } })]);
  });

  it('fills templates, and leaves a missing name visible', () => {
    expect(messageText('NO_STATE', { file: '/x/state.json', kind: 'resume' })).toBe('There is no state file at /x/state.json, so there is nothing to resume.');
    expect(messageText('STATUS_NEXT', {})).toContain('{stepId}');
  });

  it('a spinner is coded: its start and outcome are records (for --json), its updates only redrawn', () => {
    const output = new MemoryOutput();
    const io = new BaseIo({ answers: new AnswerSource({ env: {} }), output });
    io.registerSecret('s3cr3t-value');
    const p = io.progress('GROUP_WAIT', { name: 'awsssoPowerUsers' });
    p.update('GROUP_WAIT_SECONDS', { name: 'awsssoPowerUsers', seconds: 5, timeout: 600 });
    p.succeed('GROUP_ARRIVED', { name: 'awsssoPowerUsers', id: 's3cr3t-value' });
    const q = io.progress('ACCOUNTS_PROGRESS', { done: 0, total: 3 });
    q.fail();
    expect(output.messages.map((m) => [m.level, m.code])).toEqual([
      ['progress', 'GROUP_WAIT'],
      ['progress', 'GROUP_ARRIVED'],
      ['progress', 'ACCOUNTS_PROGRESS'],
    ]);
    expect(output.messages[1]?.data).toEqual({ name: 'awsssoPowerUsers', id: '****' });
    expect(output.lines.filter((l) => l.level === 'progress').map((l) => l.code)).toEqual(['GROUP_WAIT', 'GROUP_WAIT_SECONDS', 'GROUP_ARRIVED', 'ACCOUNTS_PROGRESS', 'ACCOUNTS_PROGRESS']);
  });

  it('the closing summary is coded: what was created, adopted, what is still to do, the portal', () => {
    const done = (outputs: Record<string, unknown>): { status: 'done'; outputs: Record<string, unknown> } => ({ status: 'done', outputs });
    const state = {
      steps: {
        'okta-app': done({ label: 'AWS IAM Identity Center', adopted: true }),
        groups: done({ assignmentGroup: { name: 'AWS Users' }, pushGroups: [{ name: 'awsssoPowerUsers' }] }),
        'permission-set': done({ name: 'PowerUser', created: true }),
        'account-assignments': done({ results: [{ status: 'SUCCEEDED' }, { status: 'SUCCEEDED' }, { status: 'EXISTING' }, { status: 'SKIPPED' }] }),
        'test-user': done({ login: 'test.user@example.com', created: true }),
        verify: done({ portalUrl: 'https://d-1234567890.awsapps.com/start' }),
      },
    } as unknown as WizardState;
    const real = closingSummary(state, { sandbox: false });
    expect(real.map((m) => m.code)).toEqual(['SUMMARY_CREATED', 'SUMMARY_ADOPTED', 'SUMMARY_GROUPS', 'SUMMARY_TODO_SKIPPED', 'SUMMARY_TODO_SIGN_IN', 'SUMMARY_PORTAL', 'SUMMARY_DETAILS']);
    expect(real.every((m) => m.level === 'result')).toBe(true);
    expect(real.find((m) => m.code === 'SUMMARY_TODO_SKIPPED')?.data).toEqual({ count: 1 });
    expect(real.find((m) => m.code === 'SUMMARY_TODO_SIGN_IN')?.data).toEqual({ login: 'test.user@example.com', url: 'https://d-1234567890.awsapps.com/start' });
    expect(real.find((m) => m.code === 'SUMMARY_CREATED')?.data['items']).toBe('permission set "PowerUser", 2 account assignment(s), test user test.user@example.com');
    // A repair the engine recorded in the attempt that finished a step is named with its reason.
    const repairedState = {
      steps: {
        ...state.steps,
        verify: {
          ...done({ portalUrl: 'https://d-1234567890.awsapps.com/start' }),
          attempts: [
            {
              startedAt: '2026-12-02T10:00:00.000Z',
              finishedAt: '2026-12-02T10:01:00.000Z',
              outcome: 'done',
              applied: [
                { op: 'update', resource: { kind: 'okta-user', name: 'test.user@example.com' }, summary: 'Assign test.user@example.com again through "AWS Users"', risk: 'modifies-existing', repair: { reason: 'Okta reports its provisioning in ERROR', approval: 'asked' } },
              ],
            },
          ],
        },
      },
    } as unknown as WizardState;
    const repaired = closingSummary(repairedState, { sandbox: false });
    expect(repaired.map((m) => m.code)).toEqual(['SUMMARY_CREATED', 'SUMMARY_ADOPTED', 'SUMMARY_REPAIRED', 'SUMMARY_GROUPS', 'SUMMARY_TODO_SKIPPED', 'SUMMARY_TODO_SIGN_IN', 'SUMMARY_PORTAL', 'SUMMARY_DETAILS']);
    expect(repaired.find((m) => m.code === 'SUMMARY_REPAIRED')?.data).toEqual({ count: 1, items: 'Assign test.user@example.com again through "AWS Users" (Okta reports its provisioning in ERROR)' });
    // Against the sandbox nobody signs in by hand; with nothing owed the summary says so.
    const sandbox = closingSummary({ steps: { ...state.steps, 'account-assignments': done({ results: [{ status: 'EXISTING' }] }) } } as unknown as WizardState, { sandbox: true });
    expect(sandbox.map((m) => m.code)).toEqual(['SUMMARY_CREATED', 'SUMMARY_ADOPTED', 'SUMMARY_GROUPS', 'SUMMARY_TODO_NOTHING', 'SUMMARY_PORTAL', 'SUMMARY_DETAILS']);
  });

  it('the renderer prints coded blocks by level and keeps them for --json; a view of data is printed, not kept', () => {
    const stream = new PassThrough();
    let printed = '';
    stream.on('data', (b: Buffer) => (printed += b.toString()));
    const kept: string[] = [];
    const out = new TerminalOutput({ stream, color: 0, spinners: false, verbose: false, record: (m) => kept.push(m.code) });
    renderBlocks(
      out,
      [line('RUN_DONE'), paragraph(ioMessage('SUMMARY_PORTAL', { url: 'https://d-1.awsapps.com/start?t=s3cr3t' }), 2), blank, line('SANDBOX_OPTIONS_KEPT'), view('plan', ['1. Preflight [preflight]', '   - no change'])],
      (t) => t.replace('s3cr3t', '****'),
    );
    expect(kept).toEqual(['RUN_DONE', 'SUMMARY_PORTAL', 'SANDBOX_OPTIONS_KEPT']);
    expect(printed).toBe(
      'Done: every step is complete.\n  AWS access portal: https://d-1.awsapps.com/start?t=****\n\nWarning: The running sandbox keeps the options it was started with; run `okta-aws-sso sandbox stop` first to change them.\n1. Preflight [preflight]\n   - no change\n',
    );
  });
});
