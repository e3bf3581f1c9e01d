/**
 * The sandbox as its own process: `node dist/sandbox/main.js --dir D [--port N] [--options JSON]`.
 * Started detached by `okta-aws-sso sandbox start` / `init --sandbox` (src/sandbox/process.ts), so a
 * killed wizard leaves the "remote" Okta and AWS state running. Writes <dir>/sandbox.json when ready
 * and removes it on SIGTERM/SIGINT after saving the state.
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { SandboxInputError } from './faults.js';
import { removeInfoFile, writeInfoFile } from './info-file.js';
import { sandboxStatus } from './process.js';
import { parseSandboxOptions } from './options.js';
import { SandboxStartError, startSandboxServer } from './server.js';
import type { SandboxOptions } from './types.js';

/** Lines process.ts looks for in sandbox.log when a start fails. */
function fail(message: string, hint: string, code = 2): never {
  console.error(`sandbox: error: ${message}`);
  console.error(`sandbox: hint: ${hint}`);
  process.exit(code);
}

async function main(): Promise<void> {
  const t0 = performance.now();
  let values: { dir?: string; port?: string; options?: string };
  try {
    ({ values } = parseArgs({ options: { dir: { type: 'string' }, port: { type: 'string' }, options: { type: 'string' } }, strict: true }));
  } catch (e) {
    fail((e as Error).message, 'Usage: node dist/sandbox/main.js --dir <folder> [--port <n>] [--options <json>]');
  }
  if (!values.dir) fail('--dir is required.', 'Usage: node dist/sandbox/main.js --dir <folder> [--port <n>] [--options <json>]');
  const dir = path.resolve(values.dir);
  let port: number | undefined;
  if (values.port !== undefined) {
    port = Number(values.port);
    if (!Number.isInteger(port) || port < 1 || port > 65534) fail(`--port must be a port number from 1 to 65534, not "${values.port}".`, 'Leave --port out to use free ports.');
  }
  let options: SandboxOptions = {};
  if (values.options !== undefined) {
    try {
      options = parseSandboxOptions(JSON.parse(values.options));
    } catch (e) {
      const msg = e instanceof SandboxInputError ? e.message : `--options is not valid JSON (${(e as Error).message}).`;
      fail(msg, 'Pass the sandbox options as a JSON object, e.g. --options \'{"aws":{"memberAccounts":20}}\'.');
    }
  }

  await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
  const existing = await sandboxStatus(dir);
  if (existing.running && existing.info && existing.info.pid !== process.pid) {
    fail(`A sandbox is already running in ${dir} (pid ${existing.info.pid}).`, 'Stop it first with `okta-aws-sso sandbox stop`, or use it as it is.');
  }

  let sandbox;
  try {
    sandbox = await startSandboxServer({ dir, port, options });
  } catch (e) {
    if (e instanceof SandboxStartError) fail(e.message, e.hint);
    throw e;
  }

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    console.log(`sandbox: ${signal}: saving the state and stopping`);
    sandbox
      .close()
      .then(() => removeInfoFile(dir, process.pid))
      .then(() => process.exit(0))
      .catch((e: unknown) => {
        console.error(`sandbox: error while stopping: ${(e as Error).message}`);
        process.exit(1);
      });
  };
  // A sandbox stays up through a failure in one request's background work; the log says what happened.
  process.on('unhandledRejection', (e: unknown) => console.error(`sandbox: unhandled rejection: ${(e as Error)?.stack ?? String(e)}`));
  process.on('uncaughtException', (e: Error) => console.error(`sandbox: uncaught exception: ${e.stack ?? String(e)}`));
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  await writeInfoFile(dir, sandbox.info);
  const ms = Math.round(performance.now() - t0);
  // CPU time since the process started (node start-up included): what the start costs on an idle machine.
  const cpu = process.cpuUsage();
  const cpuMs = Math.round((cpu.user + cpu.system) / 1000);
  console.log(`sandbox: ready in ${ms} ms, ${cpuMs} ms CPU since process start (pid ${process.pid}): okta ${sandbox.info.oktaUrl}, aws ${sandbox.info.awsUrl}, admin ${sandbox.info.adminUrl}`);
}

main().catch((e: unknown) => {
  console.error(`sandbox: error: ${e instanceof Error ? e.message : String(e)}`);
  if (e instanceof Error && e.stack) console.error(e.stack);
  console.error('sandbox: hint: This is a bug in the sandbox; please report it with the lines above.');
  process.exit(1);
});
