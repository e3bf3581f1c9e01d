/**
 * The commander program: global options, and every command from src/cli/commands/ registered on it.
 * Parsing only records which command was chosen (and its options); runCli() runs it.
 */
import { Command } from 'commander';
import { DEFAULT_STATE_FILE } from '../engine/defaults.js';
import { toolVersion, type CliContext, type GlobalOpts } from './context.js';
import { EXIT_CODES_HELP, type CliCommand } from './commands/command.js';
import { initCommand } from './commands/init.js';
import { resumeCommand } from './commands/resume.js';
import { verifyCommand } from './commands/verify.js';
import { statusCommand } from './commands/status.js';
import { profilesCommand } from './commands/profiles.js';
import { destroyCommand } from './commands/destroy.js';
import { rotateScimTokenCommand } from './commands/rotate-scim-token.js';
import { rotateSamlCertCommand } from './commands/rotate-saml-cert.js';
import { sandboxStartCommand } from './commands/sandbox/start.js';
import { sandboxStopCommand } from './commands/sandbox/stop.js';
import { sandboxStatusCommand } from './commands/sandbox/status.js';
import { sandboxResetCommand } from './commands/sandbox/reset.js';
import { sandboxConsoleCommand } from './commands/sandbox/console.js';
import { accessPlanCommand } from './commands/access/plan.js';
import { accessApplyCommand } from './commands/access/apply.js';
import { accessExportCommand } from './commands/access/export.js';

/** The command chosen on the command line, with its merged global options. */
export interface Chosen {
  command: CliCommand;
  globals: GlobalOpts;
  opts: Record<string, unknown>;
  args: string[];
}

export const TOP_COMMANDS: readonly CliCommand[] = [initCommand, resumeCommand, verifyCommand, statusCommand, profilesCommand, destroyCommand];
export const ACCESS_COMMANDS: readonly CliCommand[] = [accessPlanCommand, accessApplyCommand, accessExportCommand];
export const ROTATE_COMMANDS: readonly CliCommand[] = [rotateScimTokenCommand, rotateSamlCertCommand];
export const SANDBOX_COMMANDS: readonly CliCommand[] = [sandboxStartCommand, sandboxStopCommand, sandboxStatusCommand, sandboxResetCommand, sandboxConsoleCommand];

/** commander's "error: unknown option '--x'\n(Did you mean --y?)" as Error: / What to do:. */
export function commanderErrorText(s: string): string {
  const text = s.trim().replace(/^error:\s*/i, '');
  const [first, ...rest] = text.split('\n');
  const msg = (first ?? '').replace(/^./, (c) => c.toUpperCase());
  const suggestion = rest.join(' ').trim();
  return `Error: ${msg}${/[.?!]$/.test(msg) ? '' : '.'}${suggestion ? ` ${suggestion}` : ''}\nWhat to do: Run \`okta-aws-sso --help\` (or \`okta-aws-sso <command> --help\`) for the commands and options.\n`;
}

export function buildProgram(ctx: CliContext, holder: { chosen?: Chosen }): Command {
  const program = new Command('okta-aws-sso');
  program
    .description('Connects Okta to AWS IAM Identity Center end to end: SAML, SCIM provisioning, group push, permission sets and account assignments.')
    .version(toolVersion(), '-V, --version', 'print the version')
    .option('--state <path>', 'state file', `./${DEFAULT_STATE_FILE}`)
    .option('--dry-run', 'print the plan of every step (and the console actions to come); change nothing')
    .option('-y, --yes', 'approve every confirmation and take proposed defaults (never invents a value)')
    .option('--non-interactive', 'never prompt; a missing answer fails with exit 2 (implied when CI is set or stdin/stdout is not a terminal)')
    .option('--json', 'print one JSON document on stdout at the end; human output goes to stderr')
    .option('--no-color', 'no colors (also NO_COLOR; FORCE_COLOR wins)')
    .option('--verbose', 'show details (debug lines, stack traces of unexpected errors)')
    .option('--config <file>', 'answers in a JSON or YAML file, keys = flag names without "--"')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => ctx.stdout.write(s),
      writeErr: (s) => ctx.stderr.write(s),
      // Unknown options and bad arguments: the same Error: / What to do: form as every other error.
      outputError: (s, write) => write(commanderErrorText(s)),
    })
    .showSuggestionAfterError(true)
    .addHelpText('after', EXIT_CODES_HELP);

  const register = (parent: Command, cmd: CliCommand): void => {
    cmd
      .define(parent)
      .exitOverride()
      .action((...a: unknown[]) => {
        const c = a[a.length - 1] as Command;
        const opts = a[a.length - 2] as Record<string, unknown>;
        const args = a.slice(0, -2).map(String);
        holder.chosen = { command: cmd, globals: c.optsWithGlobals() as GlobalOpts, opts, args };
      });
  };
  for (const cmd of TOP_COMMANDS) register(program, cmd);
  const rot = program.command('rotate').description('day two: rotate the SCIM access token or the SAML signing certificate, guided and resumable (docs/lifecycle.md)').exitOverride();
  for (const cmd of ROTATE_COMMANDS) register(rot, cmd);
  const sb = program.command('sandbox').description('a local Okta + AWS emulator to try the wizard without real accounts').exitOverride();
  for (const cmd of SANDBOX_COMMANDS) register(sb, cmd);
  const ac = program.command('access').description('access as code: permission sets and assignments from an access file (plan, apply, export)').exitOverride();
  for (const cmd of ACCESS_COMMANDS) register(ac, cmd);
  return program;
}
