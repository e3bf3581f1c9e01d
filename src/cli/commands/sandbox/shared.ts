/**
 * What the `sandbox` subcommands share: their definition (the --dir option, the sandbox's process API
 * loaded, the folder resolved) and the public part of the sandbox's info.
 */
import { Option, type Command } from 'commander';
import type { SandboxInfo } from '../../../sandbox/types.js';
import { UsageError } from '../../../errors.js';
import { loadSandboxApi, sandboxDir, type SandboxProcessApi } from '../../sandbox.js';
import type { CliContext } from '../../context.js';
import { line, type CommandResult, type TextBlock } from '../../render.js';
import type { CliCommand } from '../command.js';

function dirOptions(): Option[] {
  return [new Option('--dir <dir>', 'sandbox folder (default .okta-aws-sso/sandbox)'), new Option('--sandbox-dir <dir>', 'same as --dir').hideHelp()];
}

function chosenDir(ctx: CliContext, o: Record<string, unknown>): Promise<string> {
  return sandboxDir((o['dir'] as string | undefined) ?? (o['sandboxDir'] as string | undefined), ctx.cwd);
}

/** What a sandbox subcommand runs with: the sandbox folder (--dir) and the sandbox's process API. */
export interface SandboxRun {
  ctx: CliContext;
  api: SandboxProcessApi;
  dir: string;
  opts: Record<string, unknown>;
  args: readonly string[];
}

export interface SandboxCommandSpec {
  /** The subcommand and its arguments, as commander takes them: "console <action-id>". */
  usage: string;
  description: string;
  /** The subcommand's own options (every one also takes --dir). */
  options?: (c: Command) => Command;
  run(r: SandboxRun): Promise<CommandResult>;
}

/** A `sandbox <sub>` command: its options plus --dir; run gets the folder and the lazily loaded API. */
export function sandboxCommand(spec: SandboxCommandSpec): CliCommand {
  return {
    name: `sandbox ${spec.usage.split(' ')[0]}`,
    define(parent) {
      const c = parent.command(spec.usage).description(spec.description);
      spec.options?.(c);
      for (const o of dirOptions()) c.addOption(o);
      return c;
    },
    async run(ctx, _g, opts, args) {
      const api = await loadSandboxApi();
      return spec.run({ ctx, api, dir: await chosenDir(ctx, opts), opts, args });
    },
  };
}

export function publicInfo(info: SandboxInfo, started?: boolean): Record<string, unknown> {
  // Never the sandbox's secrets (API token, AWS secret key).
  return {
    pid: info.pid,
    dir: info.dir,
    startedAt: info.startedAt,
    oktaUrl: info.oktaUrl,
    awsUrl: info.awsUrl,
    adminUrl: info.adminUrl,
    region: info.region,
    ...(started !== undefined ? { started } : {}),
  };
}

/** Where a running sandbox answers: the lines `status` and `start` show. */
export function addressLines(info: SandboxInfo): TextBlock[] {
  return [line('SANDBOX_OKTA_URL', { url: info.oktaUrl }), line('SANDBOX_AWS_URL', { url: info.awsUrl, region: info.region }), line('SANDBOX_ADMIN_URL', { url: info.adminUrl })];
}

export function intOption(name: string, raw: unknown): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`${name} must be a whole number, not "${String(raw)}".`, { code: 'USAGE', hint: `Give ${name} a whole number.` });
  return n;
}
