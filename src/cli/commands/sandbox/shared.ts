/** What the `sandbox` subcommands share: the --dir option and the public part of the sandbox's info. */
import { Option } from 'commander';
import type { SandboxInfo } from '../../../sandbox/types.js';
import { UsageError } from '../../../errors.js';
import { sandboxDir } from '../../sandbox.js';
import type { CliContext } from '../../context.js';
import { line, type TextBlock } from '../../render.js';

/** Where a running sandbox answers: its Okta, AWS and admin addresses (start and status show them). */
export function endpointLines(info: SandboxInfo): TextBlock[] {
  return [line('SANDBOX_OKTA_URL', { url: info.oktaUrl }), line('SANDBOX_AWS_URL', { url: info.awsUrl, region: info.region }), line('SANDBOX_ADMIN_URL', { url: info.adminUrl })];
}

export function dirOptions(): Option[] {
  return [new Option('--dir <dir>', 'sandbox folder (default .okta-aws-sso/sandbox)'), new Option('--sandbox-dir <dir>', 'same as --dir').hideHelp()];
}

export function chosenDir(ctx: CliContext, o: Record<string, unknown>): Promise<string> {
  return sandboxDir((o['dir'] as string | undefined) ?? (o['sandboxDir'] as string | undefined), ctx.cwd);
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

export function intOption(name: string, raw: unknown): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`${name} must be a whole number, not "${String(raw)}".`, { code: 'USAGE', hint: `Give ${name} a whole number.` });
  return n;
}
