/**
 * The Okta half run interactively: every question goes through the real @inquirer/prompts (the CLI's
 * InquirerPrompter) over streams, answered by keystrokes; console actions are performed by the
 * sandbox. Then a second interactive run adopts everything.
 */
import { PassThrough } from 'node:stream';
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { readRequestLog } from '../helpers/sandbox.js';
import { InquirerPrompter } from '../../src/cli/io/terminal.js';
import type { Prompter } from '../../src/cli/io/base-io.js';
import { awsUpstream, runOktaHalf, oktaSandboxPerTest } from './okta-fixture.js';
import { Capture, typeWhenDrawn } from '../helpers/terminal.js';


type Kind = 'input' | 'select' | 'confirm' | 'password';

/** A Prompter that answers each question by typing keys into a fresh real inquirer prompt. */
class ScriptedTerminal implements Prompter {
  readonly asked: { kind: Kind; message: string }[] = [];
  readonly screens: string[] = [];
  constructor(private readonly script: [RegExp, string[]][]) {}

  private keysFor(kind: Kind, message: string): string[] {
    this.asked.push({ kind, message });
    const rule = this.script.find(([re]) => re.test(message));
    if (rule) return rule[1];
    if (kind === 'password') throw new Error(`No scripted answer for the hidden prompt "${message}"`);
    return ['\r'];
  }

  private drive<T>(kind: Kind, message: string, run: (p: InquirerPrompter) => Promise<T>): Promise<T> {
    const keys = this.keysFor(kind, message);
    const input = new PassThrough();
    const output = new Capture();
    typeWhenDrawn(input, output, keys);
    return run(new InquirerPrompter({ input, output })).finally(() => this.screens.push(stripVTControlCharacters(output.text)));
  }

  input(o: { message: string; default?: string; validate?: (v: string) => true | string }): Promise<string> {
    return this.drive('input', o.message, (p) => p.input(o));
  }
  select<T extends string>(o: { message: string; choices: readonly { value: T; name: string; description?: string }[]; default?: T }): Promise<T> {
    return this.drive('select', o.message, (p) => p.select(o));
  }
  confirm(o: { message: string; default: boolean }): Promise<boolean> {
    return this.drive('confirm', o.message, (p) => p.confirm(o));
  }
  password(o: { message: string; validate?: (v: string) => true | string }): Promise<string> {
    return this.drive('password', o.message, (p) => p.password(o));
  }
}

const sandboxes = oktaSandboxPerTest();

describe('Okta half, interactive', () => {
  it('asks everything through the real prompts, then a second run adopts everything', async () => {
    const sb = await sandboxes.start();
    const up = awsUpstream(sb);
    const script = (): [RegExp, string[]][] => [
      [/Okta org URL/, [sb.info.oktaUrl, '\r']],
      [/sign in to Okta/, ['\r']],
      [/Okta API token/, [sb.info.oktaApiToken, '\r']],
      [/Okta groups pushed/, ['\u007f'.repeat(20), 'awsssoPowerUsers,awsssoReadOnly', '\r']],
      [/first name/, ['Grace', '\r']],
      [/last name/, ['Hopper', '\r']],
      [/Test user email/, ['grace.hopper@example.com', '\r']],
    ];
    const t1 = new ScriptedTerminal(script());
    const first = await runOktaHalf(sb, up, { env: {}, prompter: t1, yes: false });
    const kinds = t1.asked.map((a) => `${a.kind}: ${a.message}`);
    expect(kinds).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^input: Okta org URL/),
        expect.stringMatching(/^select: How should okta-aws-sso sign in/),
        expect.stringMatching(/^password: Okta API token/),
        // The engine's approval for the okta-app step (no question inside its apply).
        expect.stringMatching(/^confirm: Okta "AWS IAM Identity Center" app with SAML settings \(adds\): Create the Okta app "AWS IAM Identity Center"/),
        // The engine's one approval for the groups step (creates only: one risk class).
        expect.stringMatching(/^confirm: Okta groups: assignment group and push groups \(adds\): \d+ changes:\n.*Create the Okta group "AWS Users"/),
        // The engine's one approval for the test-user step, naming what it adds.
        expect.stringMatching(/^confirm: Okta test user in the assignment and push groups \(adds\): Create the Okta user grace\.hopper@example\.com/),
        expect.stringMatching(/^confirm: Generate a strong password/),
      ]),
    );
    // Settings a newcomer cannot judge better than the default are never asked (flags, env or --config set them).
    expect(kinds.filter((k) => /Which Okta app provisions users|Must the test user change the password/.test(k))).toEqual([]);
    // The token typed at the hidden prompt never appears on screen.
    expect(t1.screens.join('\n')).not.toContain(sb.info.oktaApiToken);
    const o = first.outputs;
    expect(o.groups!.pushGroups.map((g) => g.name)).toEqual(['awsssoPowerUsers', 'awsssoReadOnly']);
    expect(o['group-push']!.mappings.map((m) => m.groupName)).toEqual(['awsssoPowerUsers', 'awsssoReadOnly']);
    expect(o['test-user']).toMatchObject({ email: 'grace.hopper@example.com', displayName: 'Grace Hopper', created: true });
    expect(o['test-user']!.groupIds).toHaveLength(3);

    const cursor = (await readRequestLog(sb)).length;
    const t2 = new ScriptedTerminal(script());
    // A re-run with the state of the first run: nothing to create, no console action to repeat.
    const second = await runOktaHalf(sb, up, { env: {}, prompter: t2, yes: false, outputs: { ...o } }, { scimTokenInMemory: false });
    expect(second.h.output.consoleActions).toEqual([]);
    expect(second.outputs['idp-metadata']!.uploadConfirmedAt).toBe(o['idp-metadata']!.uploadConfirmedAt);
    expect(second.outputs['okta-provisioning']!.via).toBe('console');
    expect((await readRequestLog(sb, { since: cursor })).filter((e) => e.service === 'okta' && e.mutating)).toEqual([]);
    expect(t2.asked.filter((a) => a.kind === 'confirm').map((a) => a.message)).toEqual([]);
    // The user the first run created stays marked created (destroy removes it), though this run only found it.
    expect(o['test-user']!.created).toBe(true);
    expect(second.outputs['test-user']).toMatchObject({ userId: o['test-user']!.userId, created: true });
  });
});
