/**
 * One command = one module under src/cli/commands/ (like gh's pkg/cmd/<name>): it defines its
 * options on its parent commander command and runs, returning a CommandResult that the one renderer
 * (src/cli/render.ts) prints as text or JSON. Commands never print their closing output themselves.
 */
import type { Command } from 'commander';
import type { CliContext, GlobalOpts } from '../context.js';
import type { CommandResult } from '../render.js';

export interface CliCommand {
  /** As shown in --json's "command": "init", "sandbox start", ... */
  name: string;
  /** Adds the command with its options and help to its parent (the program, or `sandbox`). */
  define(parent: Command): Command;
  run(ctx: CliContext, g: GlobalOpts, opts: Record<string, unknown>, args: readonly string[]): Promise<CommandResult>;
}

export const EXIT_CODES_HELP = `
Exit codes:
  0    done (every step complete), or the command succeeded
  1    a step failed (the state file records which and why; the next run retries it)
  2    usage error or invalid input (bad flag, bad --config, bad state file, missing answer in a non-interactive run, state file locked)
  3    waiting for a console action only a person can do (non-interactive run); do it, then resume with --console-done <id>
  4    authentication or permission failure (Okta 401/403, AWS credentials or AccessDenied)
  5    \`access plan\` only: changes pending (the live state differs from the access file; 0 means none)
  130  interrupted (Ctrl-C); the state is saved: run \`okta-aws-sso resume\` to continue
`;

/**
 * The day-two commands (profiles, access, destroy, rotate) work on a setup: `--sandbox` names the local
 * sandbox it was made in (read from the state file when omitted), and the exit codes close the help.
 */
export function withSetupOptions(c: Command): Command {
  return c
    .option('--sandbox', 'the setup was made with --sandbox: use the local sandbox (read from the state file when omitted)')
    .option('--sandbox-dir <dir>', 'sandbox folder (default .okta-aws-sso/sandbox)')
    .addHelpText('after', EXIT_CODES_HELP);
}
