/**
 * A script drives a `sandbox start --manual-console` sandbox the way it would drive real consoles:
 * the run stops at each console action (exit 3), the script types the commands the hint prints
 * (`sandbox console <id> ...` to do the action, then `resume --console-done <id> ...`), filling in
 * only the values the console handed back, until the run reaches a verified end. Then the sandbox
 * is reset and the state file is recognised as another sandbox's, and its hint works as printed.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCliInProcess as runCli, type CliResult } from '../helpers/cli.js';
import { readRequestLog } from '../helpers/sandbox.js';
import { expectRunMatchesState } from '../helpers/plan-log.js';
import type { WizardState } from '../../src/engine/state.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oas-manual-console-'));
const env = { CI: 'true' };

afterAll(async () => {
  await runCli(['sandbox', 'stop'], { cwd: dir, env: {} });
  fs.rmSync(dir, { recursive: true, force: true });
});

/** The words of a command as a POSIX shell splits them (plain words and '...' quoting). */
function words(command: string): string[] {
  const out: string[] = [];
  const re = /'((?:[^']|'\\'')*)'|(\S+)/g;
  for (let m = re.exec(command); m; m = re.exec(command)) out.push(m[1] !== undefined ? m[1].replace(/'\\''/g, "'") : m[2]!);
  return out;
}

/** Every `okta-aws-sso ...` command quoted in a "What to do:" hint, in order. */
function hintedCommands(stderr: string): string[][] {
  const hint = stderr.split('\n').find((l) => l.startsWith('What to do:')) ?? '';
  return [...hint.matchAll(/`okta-aws-sso ([^`]+)`/g)].map((m) => words(m[1]!));
}

async function cli(args: string[]): Promise<CliResult> {
  return runCli(args, { cwd: dir, env });
}

describe('a script finishes every console action of a --manual-console sandbox with the printed commands', () => {
  it('reaches a verified end, then recognises the state file after a sandbox reset', async () => {
    const started = await cli(['sandbox', 'start', '--manual-console']);
    expect(started.code, started.stderr).toBe(0);

    const firstRunAt = new Date().toISOString();
    let r = await cli(['init', '--sandbox', '--yes']);
    const done: string[] = [];
    for (let i = 0; i < 10 && r.code === 3; i++) {
      const [perform, ...resumes] = hintedCommands(r.stderr);
      // The first command does the action in this sandbox, exactly as printed.
      expect(perform?.slice(0, 2), r.stderr).toEqual(['sandbox', 'console']);
      const id = perform![2]!;
      const c = await cli(perform!);
      expect(c.code, c.stderr + c.stdout).toBe(0);
      // What the console handed back ("  scim-endpoint: http://...", "pass it with --scim-token-file F").
      const values = new Map<string, string>();
      for (const m of c.stdout.matchAll(/^ {2}([a-z-]+): (\S+)$/gm)) values.set(`--${m[1]}`, m[2]!);
      for (const m of c.stdout.matchAll(/pass it with (--[a-z-]+) (\S+)/g)) values.set(m[1]!, m[2]!);
      // The resume commands: take the first whose placeholders the console's values fill.
      const filled = resumes
        .map((w) => w.map((x, k) => (/^<(value|file)>$/.test(x) ? values.get(w[k - 1]!) ?? x : x)))
        .find((w) => w.every((x) => !/^<(value|file)>$/.test(x)));
      expect(filled, `no resume command could be completed from:\n${r.stderr}\n${c.stdout}`).toBeDefined();
      expect(filled!.slice(0, 3)).toEqual(['resume', '--console-done', id]);
      done.push(id);
      r = await cli(filled!);
    }
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).toMatch(/Done: every step is complete\./);
    // The six console actions of the setup, each finished from the script.
    expect(done).toEqual(['download-sp-metadata', 'upload-idp-metadata', 'enable-automatic-provisioning', 'configure-okta-provisioning', 'push-groups-by-rule']);

    // Every run applied exactly what it planned, attempt by attempt: also a step that wrote and then
    // stopped at its console action (group-push creates its mappings, then offers the push rule).
    const state = JSON.parse(fs.readFileSync(path.join(dir, 'okta-aws-sso.state.json'), 'utf8')) as WizardState;
    const compared = expectRunMatchesState(await readRequestLog(path.join(dir, '.okta-aws-sso', 'sandbox')), state, { since: firstRunAt });
    expect(compared).toEqual(expect.arrayContaining(['sp-metadata', 'okta-app', 'idp-metadata', 'scim-endpoint', 'okta-provisioning', 'group-push', 'permission-set', 'account-assignments', 'test-user', 'verify']));
    const pushAttempts = state.steps['group-push']!.attempts!;
    expect(pushAttempts.map((a) => a.outcome)).toEqual(['waiting-for-console', 'done']);
    expect(pushAttempts[0]!.applied!.some((c) => (c.writes ?? []).length > 0)).toBe(true);

    const status = await cli(['status', '--json']);
    const doc = JSON.parse(status.stdout) as { steps: { id: string; status: string }[] };
    expect(doc.steps.filter((s) => s.status !== 'done').map((s) => `${s.id} ${s.status}`)).toEqual(['app-sign-on-policy skipped']);

    // After `sandbox reset` the state file is another sandbox's: a script is told so, with a hint that works.
    expect((await cli(['sandbox', 'reset'])).code).toBe(0);
    const stale = await cli(['resume', '--json']);
    expect(stale.code, stale.stderr).toBe(2);
    expect((JSON.parse(stale.stdout) as { error: { code: string } }).error.code).toBe('STATE_OTHER_SANDBOX');
    const fresh = hintedCommands(stale.stderr)[0];
    expect(fresh).toEqual(['init', '--sandbox', '--fresh']);
    const again = await cli(fresh!);
    // The new run starts over against this sandbox: it stops at the first console action again.
    expect(again.code, again.stderr).toBe(3);
    expect(again.stdout + again.stderr).toMatch(/sandbox console download-sp-metadata/);
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('okta-aws-sso.state.json.')).length).toBe(1);
  }, 600_000);
});
