/**
 * The terminal binding of the I/O core: a Prompter over @inquirer/prompts (streams are injectable,
 * so tests drive the real prompts) and an OutputSink with chalk + ora (spinners only on a TTY and
 * not in CI). Human output goes to stdout, or to stderr with --json.
 */
import { PassThrough, type Writable, type Readable } from 'node:stream';
import { Chalk, type ChalkInstance } from 'chalk';
import type { ConsoleAction } from '../../steps/contract.js';
import type { OutputProgress, OutputSink, Prompter } from './base-io.js';

/** A spinner as drawn: texts already filled and escaped. */
interface TextProgress {
  update(text: string): void;
  succeed(text?: string): void;
  fail(text?: string): void;
  stop(): void;
}
import { ioMessage, type DataArgs, type IoMessage, type MessageCode } from '../../messages.js';
import { escapeControl } from '../../safe/text.js';

export interface ColorInput {
  /** --no-color given. */
  noColorFlag: boolean;
  env: NodeJS.ProcessEnv;
  /** Is the stream the human output goes to a terminal? */
  isTTY: boolean;
}

/**
 * Color rules: FORCE_COLOR wins (0 = off, 1/2/3 = that level, empty/true = 1); then --no-color or
 * NO_COLOR (any non-empty value) turn it off; otherwise color only on a terminal.
 */
export function colorLevel(c: ColorInput): 0 | 1 | 2 | 3 {
  const force = c.env['FORCE_COLOR'];
  if (force !== undefined) {
    if (force === '0' || force === 'false') return 0;
    if (force === '2') return 2;
    if (force === '3') return 3;
    return 1;
  }
  if (c.noColorFlag) return 0;
  if (c.env['NO_COLOR'] !== undefined && c.env['NO_COLOR'] !== '') return 0;
  return c.isTTY ? 1 : 0;
}

export function isTTY(s: unknown): boolean {
  return Boolean((s as { isTTY?: boolean } | undefined)?.isTTY);
}

/**
 * Can a spinner be drawn on this stream? Only a terminal with a size: a pseudo-terminal of size 0x0
 * (`script` without a real terminal, `docker run -t` in CI) makes a redraw loop clear an infinite
 * number of lines, so there output degrades to plain lines.
 */
export function canDrawSpinner(s: unknown): boolean {
  if (!isTTY(s)) return false;
  const { columns, rows } = s as { columns?: unknown; rows?: unknown };
  return typeof columns === 'number' && columns > 0 && typeof rows === 'number' && rows > 0;
}

/**
 * The stream ora draws on: forwards writes and cursor moves to `target`, but reports a missing size
 * (undefined) instead of 0, so a terminal resized to 0x0 while a spinner runs cannot start an endless
 * redraw (ora then assumes 80 columns).
 */
function sizedStream(target: Writable): NodeJS.WritableStream {
  const t = target as unknown as Record<string, unknown> & Writable;
  const size = (k: 'columns' | 'rows'): number | undefined => {
    const v = t[k];
    return typeof v === 'number' && v > 0 ? v : undefined;
  };
  const esc = (code: string): boolean => target.write(code);
  const w = {
    get isTTY() {
      return isTTY(target);
    },
    get columns() {
      return size('columns');
    },
    get rows() {
      return size('rows');
    },
    write: (chunk: unknown, enc?: unknown, cb?: unknown) => (target.write as (...a: unknown[]) => boolean)(chunk, enc, cb),
    cursorTo: (x: number) => esc(`\x1b[${Math.max(0, x) + 1}G`),
    moveCursor: (dx: number, dy: number) => esc(`${dx ? `\x1b[${Math.abs(dx)}${dx > 0 ? 'C' : 'D'}` : ''}${dy ? `\x1b[${Math.abs(dy)}${dy > 0 ? 'B' : 'A'}` : ''}`),
    clearLine: (dir: number) => esc(dir < 0 ? '\x1b[1K' : dir > 0 ? '\x1b[0K' : '\x1b[2K'),
    on: (ev: string, fn: (...a: unknown[]) => void) => (target.on(ev, fn), w),
    once: (ev: string, fn: (...a: unknown[]) => void) => (target.once(ev, fn), w),
    removeListener: (ev: string, fn: (...a: unknown[]) => void) => (target.removeListener(ev, fn), w),
    off: (ev: string, fn: (...a: unknown[]) => void) => (target.removeListener(ev, fn), w),
  };
  return w as unknown as NodeJS.WritableStream;
}

export interface PromptStreams {
  input?: Readable;
  output?: Writable;
  signal?: AbortSignal;
}

/**
 * A per-prompt stream that forwards to `target` but never ends it: inquirer ends its output when a
 * prompt closes, which is harmless for process.stdout but would close any other stream (so the next
 * prompt could not draw). Terminal properties (columns, isTTY) are passed through.
 */
function forwardWithoutEnd(target: Writable): NodeJS.WritableStream {
  const w = new PassThrough();
  w.on('data', (chunk: Buffer) => target.write(chunk));
  for (const prop of ['columns', 'rows', 'isTTY'] as const) {
    Object.defineProperty(w, prop, { get: () => (target as unknown as Record<string, unknown>)[prop], configurable: true });
  }
  return w;
}

type OraFactory = (typeof import('ora'))['default'];
let oraFactory: OraFactory | undefined;
let oraLoading: Promise<OraFactory> | undefined;
/** ora is loaded on the first spinner only (keeps --help light). */
function loadOra(): Promise<OraFactory> {
  oraLoading ??= import('ora').then((m) => (oraFactory = m.default));
  return oraLoading;
}

/** Prompter over the real @inquirer/prompts (loaded on first question). */
export class InquirerPrompter implements Prompter {
  constructor(private readonly streams: PromptStreams = {}) {}

  private ctx(): { input?: NodeJS.ReadableStream; output?: NodeJS.WritableStream; signal?: AbortSignal } {
    const c: { input?: NodeJS.ReadableStream; output?: NodeJS.WritableStream; signal?: AbortSignal } = {};
    if (this.streams.input) c.input = this.streams.input;
    if (this.streams.output) c.output = forwardWithoutEnd(this.streams.output);
    if (this.streams.signal) c.signal = this.streams.signal;
    return c;
  }

  async input(opts: { message: string; default?: string; validate?: (v: string) => true | string }): Promise<string> {
    const { input } = await import('@inquirer/prompts');
    return input(
      {
        message: opts.message,
        ...(opts.default !== undefined ? { default: opts.default } : {}),
        ...(opts.validate ? { validate: (v: string) => opts.validate!(v.trim()) } : {}),
      },
      this.ctx(),
    );
  }

  async select<T extends string>(opts: { message: string; choices: readonly { value: T; name: string; description?: string }[]; default?: T }): Promise<T> {
    const { select } = await import('@inquirer/prompts');
    return select<T>(
      {
        message: opts.message,
        choices: opts.choices.map((c) => ({ value: c.value, name: c.name, ...(c.description ? { description: c.description } : {}) })),
        ...(opts.default !== undefined ? { default: opts.default } : {}),
      },
      this.ctx(),
    );
  }

  async confirm(opts: { message: string; default: boolean }): Promise<boolean> {
    const { confirm } = await import('@inquirer/prompts');
    return confirm({ message: opts.message, default: opts.default }, this.ctx());
  }

  async password(opts: { message: string; validate?: (v: string) => true | string }): Promise<string> {
    const { password } = await import('@inquirer/prompts');
    return password(
      { message: opts.message, mask: '*', ...(opts.validate ? { validate: (v: string) => opts.validate!(v.trim()) } : {}) },
      this.ctx(),
    );
  }
}

export interface TerminalOutputOptions {
  stream: Writable;
  color: 0 | 1 | 2 | 3;
  /** Draw ora spinners (a TTY and not CI). */
  spinners: boolean;
  verbose: boolean;
  /** Keeps every message record shown (debug ones with --verbose only): what --json carries. */
  record?: (m: IoMessage) => void;
}

/** Human output for a terminal or a log: chalk for color, ora for spinners. */
export class TerminalOutput implements OutputSink {
  readonly chalk: ChalkInstance;
  private readonly stream: Writable;
  private readonly spinners: boolean;
  private readonly verbose: boolean;
  private readonly streamIsTTY: boolean;
  private readonly record: ((m: IoMessage) => void) | undefined;

  constructor(opts: TerminalOutputOptions) {
    this.stream = opts.stream;
    this.record = opts.record;
    this.chalk = new Chalk({ level: opts.color });
    this.spinners = opts.spinners;
    this.verbose = opts.verbose;
    this.streamIsTTY = isTTY(opts.stream);
  }

  /** The terminal's width, when the output is a terminal that reports one. */
  columns(): number | undefined {
    const c = (this.stream as { columns?: number }).columns;
    return this.streamIsTTY && typeof c === 'number' && c > 0 ? c : undefined;
  }

  /** The spinner being drawn, if any: cleared around other lines so they do not mix. */
  private active: { clear(): unknown; render(): unknown } | undefined;

  line(text = ''): void {
    const sp = this.active;
    if (sp) sp.clear();
    this.stream.write(`${text}\n`);
    if (sp) sp.render();
  }

  /** One message record: kept for --json, its text printed by its level (a result in green). */
  message(m: IoMessage): void {
    if (m.level === 'debug' && !this.verbose) return;
    this.record?.(m);
    if (m.level === 'warn') this.warn(m.text);
    else if (m.level === 'debug') this.debug(m.text);
    else if (m.level === 'error') this.line(this.chalk.red(escapeControl(m.text)));
    else if (m.level === 'result') for (const l of this.fit(escapeControl(m.text))) this.line(this.chalk.green(l));
    else this.info(m.text);
  }

  /** Keep a record for --json that is printed another way (a wrapped paragraph). */
  keep(m: IoMessage): void {
    this.record?.(m);
  }

  /** A message of the CLI's own, by code (src/messages.ts): the commands' way to say something. */
  notify<C extends MessageCode>(code: C, ...data: DataArgs<C>): void {
    this.message(ioMessage(code, ...data));
  }

  /** Text from a step or an error: its control characters are shown, never obeyed (escapeControl). */
  info(message: string): void {
    for (const l of this.fit(escapeControl(message))) this.line(l);
  }

  warn(message: string): void {
    for (const l of this.fit(`Warning: ${escapeControl(message)}`)) this.line(this.chalk.yellow(l));
  }

  /**
   * A line longer than the terminal is wide, broken between words (never inside one, nor inside a
   * `quoted command`, so a printed hint stays one piece to copy), continuation lines indented under the
   * text (after a "1. " or "- " marker, else two spaces more; `hang` overrides). Without a terminal width
   * (a pipe, a file) the line stays whole.
   */
  fit(text: string, hangOverride?: number): string[] {
    const width = this.columns();
    if (width === undefined || text.length < width) return [text];
    const m = /^(\s*)((?:\d+\.|-|\*)\s+)?/.exec(text)!;
    const lead = m[1]!;
    const hang = ' '.repeat(hangOverride ?? (m[2] ? m[0].length : lead.length + 2));
    if (hang.length > width / 2) return [text];
    const limit = width - 1;
    const lines: string[] = [];
    let cur = lead;
    let sep = '';
    for (const [, word, space] of text.slice(lead.length).matchAll(/((?:`[^`\n]*`|[^\s`]+|`)+)(\s*)/g)) {
      if (cur.trim() === '') cur += word;
      else if (cur.length + sep.length + word!.length <= limit) cur += sep + word;
      else {
        lines.push(cur);
        cur = hang + word;
      }
      sep = space!;
    }
    lines.push(cur);
    return lines;
  }

  debug(message: string): void {
    // --verbose detail (a stack trace) keeps its line breaks; every line is still escaped.
    if (this.verbose) for (const l of message.split('\n')) this.line(this.chalk.dim(escapeControl(l)));
  }

  secretOnce(label: string, value: string): void {
    if (this.streamIsTTY) {
      this.line(`${this.chalk.bold(escapeControl(label))}: ${escapeControl(value)}  ${this.chalk.dim('(shown once; it is not saved anywhere)')}`);
    } else {
      this.notify('SECRET_NOT_SHOWN', { label });
    }
  }

  /**
   * A spinner (a plain line without a terminal): its start and its outcome are records kept for
   * --json; the updates are only redrawn (shown with --verbose where no spinner is drawn).
   */
  progress(start: IoMessage): OutputProgress {
    this.record?.(start);
    const p = this.progressRaw(escapeControl(start.text));
    const outcome = (m: IoMessage | undefined): string | undefined => {
      if (m) this.record?.(m);
      return m === undefined ? undefined : escapeControl(m.text);
    };
    return { update: (m) => p.update(escapeControl(m.text)), succeed: (m) => p.succeed(outcome(m)), fail: (m) => p.fail(outcome(m)), stop: () => p.stop() };
  }

  private progressRaw(text: string): TextProgress {
    if (this.spinners) return this.spinner(text);
    this.line(`${this.chalk.cyan('…')} ${text}`);
    let last = text;
    return {
      update: (t) => {
        last = t;
        this.debug(`  ${t}`);
      },
      succeed: (t) => this.line(`${this.chalk.green('✔')} ${t ?? last}`),
      fail: (t) => this.line(`${this.chalk.red('✖')} ${t ?? last}`),
      stop: () => undefined,
    };
  }

  /** Loads ora when spinners are on (the CLI awaits this once, so spinners start in order). */
  async ready(): Promise<void> {
    if (!this.spinners) return;
    await loadOra().catch(() => undefined);
  }

  private spinner(text: string): TextProgress {
    type Spin = { text: string; succeed(t?: string): unknown; fail(t?: string): unknown; stop(): unknown; clear(): unknown; render(): unknown };
    let sp: Spin | undefined;
    let pending: { kind: 'succeed' | 'fail' | 'stop'; t: string | undefined } | undefined;
    let current = text;
    const create = (ora: OraFactory | undefined): void => {
      try {
        // discardStdin off: a prompt may follow, and Ctrl-C must stay a signal.
        sp = ora && canDrawSpinner(this.stream) ? ora({ text: current, stream: sizedStream(this.stream), color: 'cyan', isEnabled: true, discardStdin: false }).start() : this.plainSpinner(current);
      } catch {
        sp = this.plainSpinner(current); // no spinner possible on this stream: plain lines instead
      }
      if (!pending) this.active = sp;
      else if (pending.kind === 'stop') sp.stop();
      else sp[pending.kind](pending.t);
    };
    if (oraFactory) create(oraFactory);
    else loadOra().then(create, () => create(undefined));
    const finish = (kind: 'succeed' | 'fail' | 'stop', t?: string): void => {
      if (sp && this.active === sp) this.active = undefined;
      if (sp) {
        if (kind === 'stop') sp.stop();
        else sp[kind](t);
      } else {
        pending = { kind, t };
      }
    };
    return {
      update: (t) => {
        current = t;
        if (sp) sp.text = t;
      },
      succeed: (t) => finish('succeed', t),
      fail: (t) => finish('fail', t),
      stop: () => finish('stop'),
    };
  }

  private plainSpinner(text: string): { text: string; succeed(t?: string): void; fail(t?: string): void; stop(): void; clear(): void; render(): void } {
    this.stream.write(`${text}\n`);
    return {
      text,
      succeed: (t) => this.stream.write(`${this.chalk.green('✔')} ${t ?? text}\n`),
      fail: (t) => this.stream.write(`${this.chalk.red('✖')} ${t ?? text}\n`),
      stop: () => undefined,
      clear: () => undefined,
      render: () => undefined,
    };
  }

  consoleAction(action: ConsoleAction): void {
    const c = this.chalk;
    const e = escapeControl;
    this.line();
    this.line(c.bold.magenta(`Console action: ${e(action.title)}`) + c.dim(`  [${e(action.id)}]`));
    this.fit(`  Where: ${e(action.where)}`).forEach((l, i) => this.line(i === 0 ? l.replace('Where:', c.bold('Where:')) : l));
    action.instructions.forEach((ins, i) => this.fit(`  ${i + 1}. ${e(ins)}`).forEach((l) => this.line(l)));
    if (action.values && action.values.length > 0) {
      this.line(`  ${c.bold('Values to copy:')}`);
      for (const v of action.values) this.line(`    ${e(v.label)}: ${c.cyan(e(v.value))}`);
    }
    this.line();
  }
}
