/**
 * The package as a user gets it: `npm pack` the project, install the tarball into an empty folder
 * (nothing beside it: no shared reference folder, no repository), then `npx okta-aws-sso --version` and
 * `npx okta-aws-sso init --sandbox --yes` to a verified end. The tarball holds only runtime files.
 *
 * `npm install` of the tarball fetches its dependencies from the npm registry (the local npm cache
 * first), so this one test needs the registry, as `npm ci` does.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, cleanEnv } from '../helpers/cli.js';
import { readRequestLog } from '../helpers/sandbox.js';
import { expectRunMatchesState } from '../helpers/plan-log.js';
import type { WizardState } from '../../src/engine/state.js';

const run = promisify(execFile);
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string; engines: { node: string } };

const base = fs.mkdtempSync(path.join(os.tmpdir(), 'oas-pack-'));
const app = path.join(base, 'app');
let tarball = '';
let files: string[] = [];

/** npm with the developer's npm cache (so installs are quick) but no CI/AWS/Okta settings. */
function npmEnv(): NodeJS.ProcessEnv {
  return cleanEnv({ npm_config_cache: process.env.npm_config_cache ?? path.join(os.homedir(), '.npm'), npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' }) as NodeJS.ProcessEnv;
}

beforeAll(async () => {
  // dist/ is fresh (vitest's global setup): pack it as is, without re-running `prepare`.
  const { stdout } = await run(NPM, ['pack', '--json', '--ignore-scripts', '--pack-destination', base], { cwd: ROOT, env: npmEnv(), maxBuffer: 64 * 1024 * 1024 });
  const info = (JSON.parse(stdout) as { filename: string; files: { path: string }[] }[])[0]!;
  tarball = path.join(base, info.filename);
  files = info.files.map((f) => f.path).sort();
  fs.mkdirSync(app);
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'pack-test', version: '1.0.0', private: true }));
}, 240_000);

afterAll(async () => {
  const bin = path.join(app, 'node_modules', pkg.name, 'bin/okta-aws-sso.js');
  if (fs.existsSync(bin)) await run(process.execPath, [bin, 'sandbox', 'stop'], { cwd: app, env: npmEnv() }).catch(() => undefined);
  fs.rmSync(base, { recursive: true, force: true });
}, 120_000);

describe('the npm package', () => {
  it('packs only runtime files and declares Node >= 20.17', () => {
    expect(fs.existsSync(tarball)).toBe(true);
    for (const f of files) {
      expect(f, `unexpected file in the package: ${f}`).toMatch(/^(bin\/|dist\/|data\/|README\.md$|CHANGELOG\.md$|LICENSE|package\.json$)/);
      expect(f).not.toMatch(/^(src|test|docs|scripts|vendor|\.okta-aws-sso|\.ci)\//);
      expect(f).not.toMatch(/\.map$|\.ts$|^dist\/bench\//);
    }
    for (const needed of ['bin/okta-aws-sso.js', 'dist/cli/main.js', 'dist/sandbox/main.js', 'data/okta-spec-subset.json', 'data/aws-models/sso-admin.json', 'package.json', 'README.md']) {
      expect(files).toContain(needed);
    }
    expect(pkg.engines.node).toBe('>=20.17');
  });

  it('installs into an empty folder and runs: --version, then init --sandbox --yes to a verified end', async () => {
    expect(fs.existsSync(path.join(base, '..', 'shared'))).toBe(false);
    await run(NPM, ['install', '--prefer-offline', '--no-audit', '--no-fund', '--omit=dev', tarball], { cwd: app, env: npmEnv(), maxBuffer: 64 * 1024 * 1024 });
    const installed = JSON.parse(fs.readFileSync(path.join(app, 'node_modules', pkg.name, 'package.json'), 'utf8')) as { version: string; engines: { node: string } };
    expect(installed.engines.node).toBe('>=20.17');
    expect(fs.existsSync(path.join(app, 'node_modules', pkg.name, 'src'))).toBe(false);

    // The two commands side by side (neither reads what the other writes): --version is done long
    // before init has passed its first console action.
    const since = new Date().toISOString();
    const [v, r] = await Promise.all([
      run('npx', ['okta-aws-sso', '--version'], { cwd: app, env: npmEnv() }),
      run('npx', ['okta-aws-sso', 'init', '--sandbox', '--yes'], { cwd: app, env: { ...npmEnv(), CI: 'true' }, maxBuffer: 64 * 1024 * 1024 }).catch(
        (e: { code?: number; stdout?: string; stderr?: string }) => ({ failed: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? '' }),
      ),
    ]);
    expect(v.stdout.trim()).toBe(pkg.version);
    expect('failed' in r ? r.failed : 0, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Done: every step is complete\./);
    const state = JSON.parse(fs.readFileSync(path.join(app, 'okta-aws-sso.state.json'), 'utf8')) as WizardState;
    // The installed package applied exactly its planned writes.
    expect(expectRunMatchesState(await readRequestLog(path.join(app, '.okta-aws-sso', 'sandbox')), state, { since }).length).toBeGreaterThan(8);
    // Every step done; the optional app sign-in policy step (--require-mfa) skipped.
    const { 'app-sign-on-policy': mfa, ...rest } = state.steps;
    expect(mfa?.status).toBe('skipped');
    expect(Object.values(rest).map((s) => s.status)).toEqual(Array(12).fill('done'));
  }, 600_000);
});
