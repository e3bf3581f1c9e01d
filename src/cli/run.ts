/**
 * The command line's entry: parse (src/cli/program.ts), run the chosen command
 * (src/cli/commands/*), render its result (src/cli/render.ts), and the one place that turns an error
 * into a message, a hint and an exit code (no stack trace for an expected failure).
 *
 * Nothing here loads an AWS or Okta SDK: steps, services and the sandbox are imported lazily.
 */
import { CommanderError } from 'commander';
import { ExitCode, InterruptedError, WizardError, isWizardError } from '../errors.js';
import { CliContext, type CliDeps, type GlobalOpts } from './context.js';
import { buildProgram, type Chosen } from './program.js';
import { jsonDocument, renderResult, renderFailure } from './render.js';
import { forgetRunMemory } from '../verify/run-memory.js';

export { toolVersion, type CliDeps } from './context.js';
export { EXIT_CODES_HELP } from './commands/command.js';

/** Run the CLI; resolves with the exit code (never throws, never prints a stack for an expected failure). */
export async function runCli(argv: readonly string[], deps: CliDeps = {}): Promise<number> {
  forgetRunMemory();
  const ctx = new CliContext(deps);
  const holder: { chosen?: Chosen } = {};
  const program = buildProgram(ctx, holder);
  let g: Partial<GlobalOpts> = {};
  let command = '';
  try {
    try {
      await program.parseAsync([...argv], { from: 'user' });
    } catch (e) {
      if (e instanceof CommanderError) {
        // --help, `help <command>`, --version: 0. Help shown because no (sub)command was given: a usage error.
        if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || (e.code === 'commander.help' && e.exitCode === 0)) return 0;
        if (e.code === 'commander.help') return noCommand(ctx, argv);
        // commander has already printed its message (in the Error: / What to do: form)
        if (argv.includes('--json')) {
          const doc = jsonDocument('', { dryRun: argv.includes('--dry-run') }, { result: 'error', exitCode: ExitCode.Usage, stateFile: null });
          doc.error = { message: e.message.replace(/^error: /, ''), code: 'USAGE', hint: 'Run `okta-aws-sso --help` for the commands and options.' };
          ctx.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
        }
        return ExitCode.Usage;
      }
      throw e;
    }
    g = program.opts() as GlobalOpts;
    const chosen = holder.chosen;
    if (!chosen) {
      program.outputHelp({ error: true });
      return noCommand(ctx, argv);
    }
    command = chosen.command.name;
    g = chosen.globals;
    const result = await chosen.command.run(ctx, chosen.globals, chosen.opts, chosen.args);
    renderResult(ctx, command, chosen.globals, result);
    return result.exitCode;
  } catch (e) {
    const err = toWizardError(e);
    const stack = !isWizardError(e) && !(e instanceof InterruptedError) && argv.includes('--verbose') && e instanceof Error ? e.stack : undefined;
    renderFailure(ctx, command, argv, g, err, stack);
    return err.exitCode;
  }
}

/** No (sub)command: the help went to stderr; with --json a JSON error document goes to stdout. */
function noCommand(ctx: CliContext, argv: readonly string[]): number {
  if (argv.includes('--json')) {
    const doc = jsonDocument('', { dryRun: argv.includes('--dry-run') }, { result: 'error', exitCode: ExitCode.Usage, stateFile: null });
    doc.error = { message: 'No command given.', code: 'NO_COMMAND', hint: 'Give a command: init, resume, verify, status or sandbox start|stop|status|reset|console (okta-aws-sso --help lists them).' };
    ctx.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
  }
  return ExitCode.Usage;
}

function toWizardError(e: unknown): WizardError {
  if (isWizardError(e)) return e;
  const name = (e as { name?: unknown } | null)?.name;
  if (name === 'ExitPromptError' || name === 'AbortPromptError') {
    return new InterruptedError('Interrupted. Nothing more was changed; run `okta-aws-sso resume` to continue.');
  }
  const msg = e instanceof Error ? e.message : String(e);
  return new WizardError(`Unexpected failure: ${msg}`, { code: 'UNEXPECTED', hint: 'Run again with --verbose for details. If it keeps failing, please report it.' });
}
