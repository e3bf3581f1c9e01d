/**
 * The CLI in a real pseudo-terminal (util-linux `script`): a terminal of size 0x0 (script without a
 * real terminal, `docker run -t` in CI) gets plain lines instead of a spinner, the output stays small,
 * and SIGINT / SIGTERM end the run with 130. A terminal with a size still gets the spinner.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { STEPS_CLI, cleanEnv, tmpWorkDir, waitForOutput } from '../helpers/cli.js';

const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

function inPty(dir: string, setup: string): { done: Promise<number | null>; out: () => string } {
  const cmd = `${setup}exec ${q(process.execPath)} ${q(STEPS_CLI)} init --okta-org-url https://example.okta.com`;
  const child = spawn('script', ['-qfec', cmd, '/dev/null'], {
    cwd: dir,
    env: { ...cleanEnv({ FIXTURE_WAIT: '1', FIXTURE_SPIN: '1', TERM: 'xterm-256color' }) } as NodeJS.ProcessEnv,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString('latin1')));
  child.stderr.on('data', (d: Buffer) => (out += d.toString('latin1')));
  const done = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve(code));
  });
  return { done, out: () => out };
}

async function pidOf(out: () => string): Promise<number> {
  await waitForOutput(out, 'WAITING-FOR-SIGNAL pid=', 20_000);
  await waitForOutput(out, '\n', 1000);
  const m = /WAITING-FOR-SIGNAL pid=(\d+)/.exec(out());
  expect(m).not.toBeNull();
  return Number(m![1]);
}

describe('a pseudo-terminal without a size', () => {
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    it(`draws plain lines, keeps the output small, and ${sig} ends the run with 130`, async () => {
      const dir = tmpWorkDir();
      const run = inPty(dir, '');
      const pid = await pidOf(run.out);
      const before = run.out().length;
      process.kill(pid, sig);
      const code = await run.done;
      expect(code, run.out()).toBe(130);
      expect(before).toBeLessThan(4000);
      expect(run.out().length).toBeLessThan(8000);
      expect(run.out()).toContain('Waiting for the group "Fixture" to arrive through SCIM');
      expect(run.out()).not.toContain('\x1b[?25l'); // no spinner: the cursor was never hidden
      expect(run.out()).toContain('okta-aws-sso resume');
    });
  }
});

describe('a pseudo-terminal with a size', () => {
  it('still draws the spinner, and Ctrl-C ends the run with 130', async () => {
    const dir = tmpWorkDir();
    const run = inPty(dir, 'stty cols 80 rows 24; ');
    const pid = await pidOf(run.out);
    await waitForOutput(run.out, 'Waiting for the group "Fixture" to arrive through SCIM', 5000);
    process.kill(pid, 'SIGINT');
    const code = await run.done;
    expect(code, run.out()).toBe(130);
    expect(run.out()).toContain('\x1b[?25l'); // ora hid the cursor to draw its frames
  });
});
