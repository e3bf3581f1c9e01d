/** `okta-aws-sso sandbox start`: start the sandbox (or report the running one) and print its environment. */
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../../../errors.js';
import type { SandboxOptions } from '../../../sandbox/types.js';
import { MANUAL_CONSOLE_MARKER, loadSandboxApi, manualConsole } from '../../sandbox.js';
import { line, type CommandResult, type TextBlock } from '../../render.js';
import type { CliCommand } from '../command.js';
import { chosenDir, dirOptions, endpointLines, intOption, publicInfo } from './shared.js';

async function readPolicy(api: { policyProblems(p: unknown): Promise<string[]> }, file: string): Promise<Record<string, unknown>> {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UsageError(`--aws-policy ${file} is not a readable JSON file (${(e as Error).message}).`, { hint: 'Give an IAM policy document in JSON, e.g. docs/iam-policy.json.' });
  }
  const problems = await api.policyProblems(doc);
  if (problems.length > 0) {
    throw new UsageError(`--aws-policy ${file} is not a valid IAM policy: ${problems.slice(0, 3).join('; ')}.`, { hint: 'Fix the policy document (see docs/iam-policy.json for an example) and start again.' });
  }
  return doc as Record<string, unknown>;
}

export const sandboxStartCommand: CliCommand = {
  name: 'sandbox start',
  define(parent) {
    const c = parent
      .command('start')
      .description('start the sandbox (or report the running one)')
      .option('--port <n>', 'port of the sandbox (default: a free port)')
      .option('--okta-provisioning-api <mode>', 'what the Okta provisioning API does: unknown or supported', 'unknown')
      .option('--assignment-delay <ms>', 'delay before an account assignment completes')
      .option('--accounts <n>', 'number of member accounts')
      .option('--aws-policy <file>', "the AWS caller's IAM policy (JSON); a call it does not allow answers AccessDeniedException (default: everything allowed)")
      .option('--aws-caller <who>', 'who calls AWS: management (default) or delegated-admin (the Identity Center delegated administrator account)')
      .option('--manual-console', 'the sandbox does not perform console actions for --sandbox runs: they stop at each one, as against real consoles (do it with `sandbox console <id>`)');
    for (const o of dirOptions()) c.addOption(o);
    return c;
  },
  async run(ctx, _g, o): Promise<CommandResult> {
    const api = await loadSandboxApi();
    const dir = await chosenDir(ctx, o);
    const options: SandboxOptions = {};
    const okta: NonNullable<typeof options.okta> = {};
    const aws: NonNullable<typeof options.aws> = {};
    if (o['oktaProvisioningApi'] !== undefined) {
      const v = String(o['oktaProvisioningApi']);
      if (v !== 'unknown' && v !== 'supported') throw new UsageError(`--okta-provisioning-api must be unknown or supported, not "${v}".`, { hint: 'Use --okta-provisioning-api unknown or --okta-provisioning-api supported.' });
      okta.provisioningApi = v;
    }
    if (o['assignmentDelay'] !== undefined) aws.assignmentDelayMs = intOption('--assignment-delay', o['assignmentDelay']);
    if (o['accounts'] !== undefined) aws.memberAccounts = intOption('--accounts', o['accounts']);
    if (o['awsPolicy'] !== undefined) aws.callerPolicy = await readPolicy(api, path.resolve(ctx.cwd, String(o['awsPolicy'])));
    if (o['awsCaller'] !== undefined) {
      const v = String(o['awsCaller']);
      if (v !== 'management' && v !== 'delegated-admin') throw new UsageError(`--aws-caller must be management or delegated-admin, not "${v}".`, { hint: 'Use --aws-caller delegated-admin to call as the Identity Center delegated administrator.' });
      aws.caller = v;
    }
    if (Object.keys(okta).length > 0) options.okta = okta;
    if (Object.keys(aws).length > 0) options.aws = aws;
    const port = o['port'] !== undefined ? intOption('--port', o['port']) : undefined;
    const r = await api.ensureSandbox({ dir, ...(port !== undefined ? { port } : {}), options });
    const marker = path.join(dir, MANUAL_CONSOLE_MARKER);
    if (o['manualConsole'] === true) writeFileSync(marker, 'Runs against this sandbox stop at each console action (sandbox start --manual-console).\n');
    else if (r.started) rmSync(marker, { force: true });
    const text: TextBlock[] = [line(r.started ? 'SANDBOX_STARTED' : 'SANDBOX_ALREADY_RUNNING', { pid: r.info.pid, dir })];
    const asked = port !== undefined || o['assignmentDelay'] !== undefined || o['accounts'] !== undefined || o['oktaProvisioningApi'] !== 'unknown' || o['awsPolicy'] !== undefined || o['awsCaller'] !== undefined;
    if (!r.started && asked) text.push(line('SANDBOX_OPTIONS_KEPT'));
    text.push(...endpointLines(r.info));
    // The environment other tools need. The sandbox's API token goes only into a 0600 file to
    // `source`, never to the terminal or a log.
    const env = api.sandboxEnv(r.info);
    const envFile = path.join(dir, 'sandbox.env');
    writeFileSync(envFile, Object.entries(env).map(([k, v]) => `export ${k}=${JSON.stringify(v)}\n`).join(''), { mode: 0o600 });
    chmodSync(envFile, 0o600);
    text.push(line('SANDBOX_ENV_HEADING'));
    for (const [k, v] of Object.entries(env)) text.push(line('SANDBOX_ENV_EXPORT', { name: k, value: k === 'OKTA_API_TOKEN' ? `<in ${envFile}>` : v }));
    text.push(line('SANDBOX_ENV_SOURCE', { file: envFile }), line('SANDBOX_RUN_WITH'));
    if (manualConsole(dir)) text.push(line('SANDBOX_MANUAL_CONSOLE'));
    return { result: 'ok', exitCode: 0, stateFile: null, data: { ...publicInfo(r.info, r.started), manualConsole: manualConsole(dir) }, text };
  },
};
