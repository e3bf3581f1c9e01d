/**
 * The one renderer: every command returns a CommandResult; this prints it as text (stdout, or stderr
 * with --json) and, with --json, as the one JSON document on stdout. Errors are printed here too, in
 * the one `Error:` / `What to do:` form.
 */
import type { Writable } from 'node:stream';
import type { StepInfo } from '../steps/catalog.js';
import { ExitCode, type WizardError } from '../errors.js';
import type { StepStatus, WizardState } from '../engine/state.js';
import { capMessage, errorJson, pendingConsoleActions, statusTable, wrapWords, type JsonDocument, type JsonPendingConsoleAction, type JsonResult, type JsonStep } from './report.js';
import { toolVersion, type CliContext, type GlobalOpts } from './context.js';
import { TerminalOutput, colorLevel, isTTY } from './io/terminal.js';
import { escapeKeepingColor, safeMessage } from '../safe/text.js';
import { healthLines, type HealthRow } from '../verify/rows.js';
import { ioMessage, maskMessage, messageText, type CodeAt, type DataArgs, type IoMessage } from '../messages.js';

/**
 * One piece of what a person reads at the end of a command. What is said is a coded message (src/messages.ts),
 * printed by its level and kept for --json's `messages`; what is shown of data --json carries in full
 * (the step table, a plan, a diff) is a view: lines a formatter made of that data.
 */
export type TextBlock =
  /** Printed by its level: `result` in green, `warn` as a warning, `info` plain. */
  | { kind: 'message'; message: IoMessage }
  | { kind: 'blank' }
  /** A message wrapped at the terminal's width on word boundaries, continuation lines indented. */
  | { kind: 'paragraph'; message: IoMessage; indent: number }
  /** Lines a formatter made of data that --json carries in full (`of` names which). */
  | { kind: 'view'; of: 'plan' | 'planned-console-actions' | 'access-plan' | 'rotation-plan' | 'destroy-plan' | 'profiles-diff' | 'profiles' | 'sandbox-values'; lines: readonly string[] }
  | { kind: 'status-table'; steps: readonly StepInfo[]; state: WizardState | undefined }
  | { kind: 'owed-console-actions'; steps: readonly StepInfo[]; state: WizardState | undefined }
  /** verify's health table: the details wrap between words under their column (src/verify/rows.ts). */
  | { kind: 'health'; rows: readonly HealthRow[]; indent: number };

/** What a command returns: the renderer prints it as text and, with --json, as the JSON document. */
export interface CommandResult {
  result: JsonResult;
  exitCode: number;
  stateFile: string | null;
  steps?: JsonStep[];
  pendingConsoleActions?: JsonPendingConsoleAction[];
  drift?: { stepId: string; messages: string[] }[];
  error?: WizardError | undefined;
  /** verify: the health table, one row per check (docs/verify.md). */
  health?: unknown[];
  /** Command-specific data (sandbox status, ...). */
  data?: unknown;
  /** What a person reads at the end (progress was shown while the command ran). */
  text: TextBlock[];
}

/** A coded message block: `code` of a level a command ends with, and the data its template needs. */
export function line<C extends CodeAt<'info' | 'result' | 'warn'>>(code: C, ...data: DataArgs<C>): TextBlock {
  return { kind: 'message', message: ioMessage(code, ...data) };
}

/** A coded message wrapped under an indent (the closing summary). */
export function paragraph(message: IoMessage, indent: number): TextBlock {
  return { kind: 'paragraph', message, indent };
}

export const blank: TextBlock = { kind: 'blank' };

/** Lines a formatter made of data --json carries in full (never a sentence of its own: say those with line()). */
export function view(of: Extract<TextBlock, { kind: 'view' }>['of'], lines: readonly string[]): TextBlock {
  return { kind: 'view', of, lines };
}

export function jsonDocument(
  command: string,
  g: Pick<GlobalOpts, 'dryRun'>,
  r: Pick<CommandResult, 'result' | 'exitCode' | 'stateFile'> & Partial<CommandResult>,
  messages: readonly IoMessage[] = [],
): JsonDocument {
  return {
    tool: 'okta-aws-sso',
    version: toolVersion(),
    command,
    stateFile: r.stateFile,
    dryRun: g.dryRun ?? false,
    result: r.result,
    exitCode: r.exitCode,
    steps: r.steps ?? [],
    pendingConsoleActions: r.pendingConsoleActions ?? [],
    drift: r.drift ?? [],
    messages: messages.map((m) => ({ ...m, text: capMessage(m.text) })),
    error: errorJson(r.error),
    ...(r.health !== undefined ? { health: r.health } : {}),
    ...(r.data !== undefined ? { data: r.data } : {}),
  };
}

function paintStatus(out: TerminalOutput): (s: StepStatus, t: string) => string {
  const c = out.chalk;
  return (s, t) =>
    s === 'done' ? c.green(t) : s === 'failed' ? c.red(t) : s === 'waiting-for-console' ? c.magenta(t) : s === 'skipped' ? c.dim(t) : s === 'running' ? c.yellow(t) : t;
}

export function renderBlocks(out: TerminalOutput, blocks: readonly TextBlock[], redact: (t: string) => string = (t) => t): void {
  for (const b of blocks) {
    switch (b.kind) {
      case 'message':
        out.message(maskMessage(b.message, redact));
        break;
      case 'blank':
        out.line();
        break;
      case 'view':
        for (const l of b.lines) out.info(redact(l));
        break;
      case 'paragraph': {
        const m = maskMessage(b.message, redact);
        out.keep(m);
        const width = out.columns();
        const pad = ' '.repeat(b.indent);
        if (width === undefined) out.info(`${pad}${m.text}`);
        else wrapWords(m.text, Math.max(20, width - b.indent - 2)).forEach((l, i) => out.info(`${pad}${i > 0 ? '  ' : ''}${l}`));
        break;
      }
      case 'status-table':
        for (const l of statusTable(b.steps, b.state, { status: paintStatus(out) }, out.columns())) out.line(escapeKeepingColor(l));
        break;
      case 'health': {
        const width = out.columns();
        const pad = ' '.repeat(b.indent);
        for (const l of healthLines(b.rows, width === undefined ? undefined : width - b.indent - 1)) out.info(`${pad}${redact(l)}`);
        break;
      }
      case 'owed-console-actions':
        // The actions are in --json's pendingConsoleActions: shown here, not kept as messages.
        for (const p of pendingConsoleActions(b.steps, b.state)) {
          out.line();
          out.info(messageText('OWED_CONSOLE_ACTION', { stepId: p.stepId, title: p.title }));
          if (p.where) out.info(messageText('OWED_CONSOLE_ACTION_WHERE', { where: p.where }));
          (p.instructions ?? []).forEach((ins, i) => out.info(messageText('OWED_CONSOLE_ACTION_STEP', { n: i + 1, instruction: ins })));
          for (const v of p.values ?? []) out.info(messageText('OWED_CONSOLE_ACTION_VALUE', { label: v.label, value: v.value }));
          out.info(messageText('OWED_CONSOLE_ACTION_WHEN_DONE', { command: p.resumeWith ?? 'okta-aws-sso resume' }));
        }
        break;
    }
  }
}


/** `Error:` (or `Waiting:` / `Interrupted:`) and `What to do:`, on stderr. */
export function printError(stream: Writable, out: TerminalOutput, e: WizardError, redact: (t: string) => string): void {
  const c = out.chalk;
  const write = (t: string): void => {
    stream.write(`${t}\n`);
  };
  const label = e.exitCode === ExitCode.WaitingForConsole ? 'Waiting' : e.exitCode === ExitCode.Interrupted ? 'Interrupted' : 'Error';
  // Wrapped at the terminal's width between words (a `quoted command` is never broken), continuation
  // lines under the text; a pipe or a file gets each on one line.
  const lines = (head: string, text: string): string[] => out.fit(`${head} ${text}`.trimEnd(), 2);
  for (const l of lines(`${label}:`, safeMessage(redact(e.message.replace(/^Interrupted\.?\s*/, ''))))) write(c.red(l));
  if (e.hint) lines('What to do:', safeMessage(redact(e.hint))).forEach((l, i) => write(i === 0 ? l.replace(/^What to do:/, c.bold('What to do:')) : l));
}

/** Print a command's result: its text, its error, and with --json the document on stdout. */
export function renderResult(ctx: CliContext, command: string, g: GlobalOpts, r: CommandResult): void {
  const out = ctx.output(g);
  renderBlocks(out, r.text, ctx.redact);
  if (r.error) printError(ctx.stderr, out, r.error, ctx.redact);
  if (g.json) ctx.stdout.write(`${ctx.redact(JSON.stringify(jsonDocument(command, g, r, ctx.messages), null, 2))}\n`);
}

/** A command that failed before it could return a result. */
export function renderFailure(ctx: CliContext, command: string, argv: readonly string[], g: Partial<GlobalOpts>, err: WizardError, stack?: string): void {
  const noColor = g.color === false || argv.includes('--no-color');
  const out = new TerminalOutput({ stream: ctx.stderr, color: colorLevel({ noColorFlag: noColor, env: ctx.env, isTTY: isTTY(ctx.stderr) }), spinners: false, verbose: false });
  printError(ctx.stderr, out, err, ctx.redact);
  if (stack) ctx.stderr.write(`${ctx.redact(stack)}\n`);
  if (argv.includes('--json')) {
    const doc = jsonDocument(command, { dryRun: argv.includes('--dry-run') }, { result: 'error', exitCode: err.exitCode, stateFile: null, error: err }, ctx.messages);
    ctx.stdout.write(`${ctx.redact(JSON.stringify(doc, null, 2))}\n`);
  }
}
