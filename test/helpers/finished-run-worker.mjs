#!/usr/bin/env node
/**
 * Makes the shared finished run (test/helpers/finished-run.ts): runs `okta-aws-sso init --sandbox
 * --yes ...` in <base>/run, stops its sandbox (which saves its state), then writes <base>/result.json
 * with the exit code, stdout, stderr and the sandbox's ports. Started detached by the first test
 * that needs the run (or by the global setup for a whole-suite run), so it outlives that test file.
 *
 *   node test/helpers/finished-run-worker.mjs <base> <json: { bin, args, env }>
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const [base, json] = process.argv.slice(2);
const { bin, args, env } = JSON.parse(json);
const dir = path.join(base, 'run');
const sbDir = path.join(dir, '.okta-aws-sso', 'sandbox');

function run(argv) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...argv], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', (e) => resolve({ code: 1, stdout, stderr: `${stderr}\n${e.message}` }));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const startedAt = new Date().toISOString();
const init = await run(args);
const stop = await run(['sandbox', 'stop', '--dir', sbDir]);
let ports = null;
try {
  ports = JSON.parse(fs.readFileSync(path.join(sbDir, 'ports.json'), 'utf8'));
} catch {
  // no sandbox was started: the tests fail on `code` and show the run's output
}
const result = {
  code: stop.code === 0 ? init.code : (init.code || 1),
  stdout: init.stdout,
  stderr: stop.code === 0 ? init.stderr : `${init.stderr}\nsandbox stop: ${stop.stdout}${stop.stderr}`,
  startedAt,
  dir,
  ports,
};
fs.writeFileSync(path.join(base, 'result.json.tmp'), JSON.stringify(result));
fs.renameSync(path.join(base, 'result.json.tmp'), path.join(base, 'result.json'));
