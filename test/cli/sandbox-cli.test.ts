/**
 * The sandbox commands and --sandbox wiring through the real binary against a real sandbox process:
 * start/status/console/stop, and a --dry-run whose request log shows reads and no mutating call.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCliInProcess as runCli, tmpWorkDir } from '../helpers/cli.js';
import type { JsonDocument } from '../../src/cli/report.js';

const work = tmpWorkDir('oas-sbcli-');
const sb = path.join(work, 'sb');

afterAll(async () => {
  await runCli(['sandbox', 'stop', '--dir', sb], { cwd: work });
});

describe('sandbox commands', () => {
  it('start, status, console, dry-run against it, stop', async () => {
    const none = await runCli(['sandbox', 'status', '--dir', sb], { cwd: work });
    expect(none.code).toBe(0);
    expect(none.stdout).toContain('No sandbox running');

    const start = await runCli(['sandbox', 'start', '--dir', sb, '--json', '--accounts', '3'], { cwd: work });
    expect(start.code, start.stderr).toBe(0);
    const doc = JSON.parse(start.stdout) as JsonDocument;
    const data = doc.data as { started: boolean; oktaUrl: string; pid: number };
    expect(data.started).toBe(true);
    expect(data.oktaUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const info = JSON.parse(fs.readFileSync(path.join(sb, 'sandbox.json'), 'utf8')) as { oktaApiToken: string; awsUrl: string };
    expect(start.stdout + start.stderr).not.toContain(info.oktaApiToken);
    // The environment for other tools: printed without the token, which is only in a 0600 file.
    expect(start.stderr).toContain(`export AWS_ENDPOINT_URL=${info.awsUrl}`);
    expect(start.stderr).toMatch(/export OKTA_API_TOKEN=<in .*sandbox\.env>/);
    const envFile = path.join(sb, 'sandbox.env');
    expect(fs.readFileSync(envFile, 'utf8')).toContain(`export OKTA_API_TOKEN="${info.oktaApiToken}"`);
    expect(fs.statSync(envFile).mode & 0o777).toBe(0o600);

    const status = await runCli(['sandbox', 'status', '--sandbox-dir', sb, '--json'], { cwd: work });
    expect((JSON.parse(status.stdout) as JsonDocument).data).toMatchObject({ running: true, info: { pid: data.pid } });

    // --sandbox --dry-run: the plan reads live (preflight) and the sandbox saw no mutating request.
    const logFile = path.join(sb, 'requests.jsonl');
    const before = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').split('\n').filter(Boolean).length : 0;
    const dry = await runCli(['init', '--sandbox', '--sandbox-dir', sb, '--dry-run', '--json'], { cwd: work });
    expect(dry.code, dry.stderr).toBe(0);
    const plan = JSON.parse(dry.stdout) as JsonDocument;
    expect(plan.result).toBe('planned');
    expect(plan.steps).toHaveLength(13);
    expect(plan.steps.every((s) => Array.isArray(s.changes) && Array.isArray(s.notes))).toBe(true);
    const entries = fs
      .readFileSync(logFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .slice(before)
      .map((l) => JSON.parse(l) as { operation: string; mutating: boolean });
    expect(entries.length).toBeGreaterThan(0);
    expect(entries.filter((e) => e.mutating)).toEqual([]);
    // Preflight is planned once: its lines are printed once and the organization is read once.
    expect(dry.stderr.match(/AWS caller: /g)).toHaveLength(1);
    expect(dry.stderr.match(/Okta org: /g)).toHaveLength(1);
    // ...and the --json document carries each of them once, as coded records.
    const codes = (plan as unknown as { messages: { code: string }[] }).messages.map((m) => m.code);
    expect(codes.filter((c) => c === 'PREFLIGHT_AWS_CALLER')).toHaveLength(1);
    expect(codes.filter((c) => c === 'PREFLIGHT_OKTA_ORG')).toHaveLength(1);
    expect(entries.filter((e) => e.operation.endsWith('DescribeOrganization'))).toHaveLength(1);
    expect(fs.existsSync(path.join(work, 'okta-aws-sso.state.json'))).toBe(false);
    expect(dry.stdout + dry.stderr).not.toContain(info.oktaApiToken);

    const con = await runCli(['sandbox', 'console', 'download-sp-metadata', '--dir', sb], { cwd: work });
    expect(con.code, con.stderr).toBe(0);
    expect(con.stdout).toContain('Sandbox performed "download-sp-metadata"');
    const saved = fs.readdirSync(work).filter((f) => f.endsWith('.xml'));
    expect(saved.length).toBe(1);
    expect(fs.readFileSync(path.join(work, saved[0]!), 'utf8')).toContain('EntityDescriptor');

    const bad = await runCli(['sandbox', 'start', '--dir', sb, '--okta-provisioning-api', 'maybe'], { cwd: work });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--okta-provisioning-api must be unknown or supported');

    const stop = await runCli(['sandbox', 'stop', '--dir', sb], { cwd: work });
    expect(stop.code).toBe(0);
    expect(stop.stdout).toContain('stopped');
    const after = await runCli(['sandbox', 'status', '--dir', sb], { cwd: work });
    expect(after.stdout).toContain('No sandbox running');
  });
});
