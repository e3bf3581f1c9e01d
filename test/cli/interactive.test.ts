/**
 * Interactive runs of the real CLI code (runCli) in-process, with terminal-like streams: the real
 * @inquirer/prompts read the keys typed here. Steps are small test steps (not mocks).
 */
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';

import { Capture, useLineEditingTerminal } from '../helpers/terminal.js';
import { runCli } from '../../src/cli/run.js';
import type { AnyStep } from '../../src/steps/contract.js';
import { tmpWorkDir } from '../helpers/cli.js';

useLineEditingTerminal();

/** A wide terminal screen that keeps what is drawn. */
class Screen extends Capture {
  isTTY = true;
  columns = 200;
}

function tty(): { stdin: PassThrough & { isTTY: boolean; setRawMode: (b: boolean) => void }; stdout: Screen; stderr: Screen } {
  const stdin = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => undefined });
  return { stdin, stdout: new Screen(), stderr: new Screen() };
}

/** Wait until the screen shows `marker` (after `from`), then type `keys`. */
async function when(screen: Screen, marker: string, keys: string, stdin: PassThrough, from = 0): Promise<number> {
  const start = Date.now();
  while (screen.plain().indexOf(marker, from) < 0) {
    if (Date.now() - start > 15_000) throw new Error(`"${marker}" never appeared:\n${screen.plain()}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  const at = screen.plain().indexOf(marker, from) + marker.length;
  stdin.write(keys);
  return at;
}

function steps(log: string[]): AnyStep[] {
  return [
    {
      id: 'preflight',
      title: 'Interactive preflight',
      kind: 'api',
      needs: [],
      async observe() {
        return undefined;
      },
      plan() {
        return [];
      },
      async apply(ctx) {
        const orgUrl = await ctx.io.ask({ key: 'okta-org-url', message: 'Okta org URL', validate: (v) => (v.startsWith('https://') ? true : 'Give an https:// URL.') });
        const token = await ctx.io.secret({ key: 'okta-api-token', message: 'Okta API token' });
        log.push(`preflight:${orgUrl}:${token?.length}`);
        return { okta: { orgUrl } } as never;
      },
    },
    {
      id: 'idp-metadata',
      title: 'Interactive console step',
      kind: 'console',
      needs: [],
      async observe() {
        return undefined;
      },
      plan() {
        return [{ op: 'console', resource: { kind: 'console-action', id: 'upload-idp-metadata' }, summary: 'upload', risk: 'read-only' }];
      },
      async apply(ctx) {
        await ctx.io.consoleAction({ id: 'upload-idp-metadata', title: 'Upload the IdP metadata', where: 'AWS console', instructions: ['Upload it'] });
        log.push('console-done');
        return { path: 'idp-saml.xml' } as never;
      },
    },
  ];
}

describe('interactive CLI', () => {
  it('prompts for a missing answer and a hidden secret, confirms the console action, saves answers but not the secret', async () => {
    const dir = tmpWorkDir();
    const t = tty();
    const log: string[] = [];
    const secret = 'typed-secret-token-0042';
    const run = runCli(['init'], { steps: steps(log), ...t, env: {}, cwd: dir });
    let at = await when(t.stdout, 'Okta org URL', 'https://typed.okta.com\r', t.stdin);
    at = await when(t.stdout, 'Okta API token', `${secret}\r`, t.stdin, at);
    await when(t.stdout, 'Done with "Upload the IdP metadata"?', '\r', t.stdin, at);
    expect(await run).toBe(0);
    expect(log).toEqual([`preflight:https://typed.okta.com:${secret.length}`, 'console-done']);
    expect(t.stdout.plain()).toContain('Console action: Upload the IdP metadata');
    expect(t.stdout.text).not.toContain(secret);
    const stateText = fs.readFileSync(path.join(dir, 'okta-aws-sso.state.json'), 'utf8');
    expect(stateText).not.toContain(secret);
    expect(JSON.parse(stateText).inputs).toEqual({ 'okta-org-url': 'https://typed.okta.com' });
  });

  it('init on an existing state says so and asks; "no" changes nothing (exit 2)', async () => {
    const dir = tmpWorkDir();
    const file = path.join(dir, 'okta-aws-sso.state.json');
    const first = runCli(['init', '--okta-org-url', 'https://a.okta.com'], { steps: steps([]), env: { OKTA_API_TOKEN: 'tok-123456' }, cwd: dir, stdin: new PassThrough(), stdout: new Screen(), stderr: new Screen() });
    expect(await first).toBe(3); // non-interactive (not a TTY): waits for the console action
    const before = fs.readFileSync(file, 'utf8');
    const t = tty();
    const run = runCli(['init'], { steps: steps([]), ...t, env: { OKTA_API_TOKEN: 'tok-123456' }, cwd: dir });
    await when(t.stdout, 'Continue it from where it stopped?', 'n\r', t.stdin);
    expect(await run).toBe(2);
    expect(t.stdout.plain()).toContain('A setup is already in progress');
    expect(t.stderr.plain()).toContain('Not continuing the setup');
    expect(fs.readFileSync(file, 'utf8')).toBe(before);
  });

  it('Ctrl-C while a prompt waits: exit 130 and the state is saved', async () => {
    const dir = tmpWorkDir();
    const t = tty();
    const ac = new AbortController();
    const run = runCli(['init'], { steps: steps([]), ...t, env: {}, cwd: dir, signal: ac.signal });
    await when(t.stdout, 'Okta org URL', '', t.stdin);
    ac.abort();
    expect(await run).toBe(130);
    expect(t.stderr.plain()).toContain('okta-aws-sso resume');
    const state = JSON.parse(fs.readFileSync(path.join(dir, 'okta-aws-sso.state.json'), 'utf8'));
    expect(state.steps.preflight).toMatchObject({ status: 'pending', error: { code: 'INTERRUPTED' } });
    expect(fs.existsSync(path.join(dir, 'okta-aws-sso.state.json.lock'))).toBe(false);
  });
});
