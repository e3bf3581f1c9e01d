/**
 * The one place that decides how a question is answered (the model is the AWS CDK CLI's I/O host):
 * an answer from flags/env/--config/sandbox/state wins; otherwise an interactive run prompts
 * through a Prompter; a non-interactive run takes the step's default or fails with exit 2 naming
 * the flag and environment variable. `--yes` approves confirmations and takes the step's proposed
 * default instead of prompting; it never invents a value where no default exists.
 *
 * Every line of output passes through redact(): a secret the run has seen is never printed.
 */
import { ANSWERS, consoleDoneCommand, howToAnswer, type AnswerKey, type AnswerSpec, type SecretKey } from '../../core/answers.js';
import type {
  AskOptions,
  ConfirmOptions,
  ConsoleAction,
  Io,
  Progress,
  SecretOptions,
  SelectOptions,
} from '../../steps/contract.js';
import { MissingAnswerError, UsageError, WaitingForConsoleError } from '../../errors.js';
import { excerpt } from '../../safe/text.js';
import { ioMessage, maskMessage, type CodeAt, type DataArgs, type IoMessage, type MessageCode, type MessageData } from '../../messages.js';
import type { AnswerSource, AnswerValue } from './answer-source.js';

/** How a terminal (or a test driving the real prompts) asks questions. */
export interface Prompter {
  input(opts: { message: string; default?: string; validate?: (v: string) => true | string }): Promise<string>;
  select<T extends string>(opts: { message: string; choices: readonly { value: T; name: string; description?: string }[]; default?: T }): Promise<T>;
  confirm(opts: { message: string; default: boolean }): Promise<boolean>;
  password(opts: { message: string; validate?: (v: string) => true | string }): Promise<string>;
}

/** Where human-readable output goes (terminal renderer, JSON mode's stderr, a test capture). */
export interface OutputSink {
  /** One message record (src/messages.ts): the terminal prints its text, --json and tests keep it. */
  message(m: IoMessage): void;
  /** Shown to the person only, never logged or put in --json output. */
  secretOnce(label: string, value: string): void;
  /** A spinner, its texts as records (BaseIo builds and masks them). */
  progress(start: IoMessage): OutputProgress;
  consoleAction(action: ConsoleAction): void;
}

/** A spinner as the output draws it: records in, the start's text kept when an outcome has none. */
export interface OutputProgress {
  update(m: IoMessage): void;
  succeed(m?: IoMessage): void;
  fail(m?: IoMessage): void;
  stop(): void;
}

/** --sandbox: performs a console action the way a person would, returning what they would copy. */
export type ConsolePerformer = (action: ConsoleAction) => Promise<{ answers?: Record<string, string>; secrets?: Record<string, string>; message?: string }>;

export interface BaseIoOptions {
  answers: AnswerSource;
  output: OutputSink;
  /** Present in interactive runs only. */
  prompter?: Prompter;
  yes?: boolean;
  consolePerformer?: ConsolePerformer;
  /**
   * A `sandbox start --manual-console` sandbox: how a script performs the action there (the
   * `sandbox console` command, with a payload file it writes), put before the resume hint.
   */
  consoleHint?: (action: ConsoleAction) => string | undefined;
  /** The command that continues this run after a console action (default `okta-aws-sso resume`). */
  continueCommand?: string;
}

/** Tuning knobs and advanced settings are never asked: their default holds unless an answer is given. */
function notAsked(spec: AnswerSpec): boolean {
  return spec.tuning === true || spec.advanced === true;
}

export class BaseIo implements Io {
  readonly interactive: boolean;
  private readonly secretsSeen = new Set<string>();
  private readonly answers: AnswerSource;
  private readonly output: OutputSink;
  private readonly prompter: Prompter | undefined;
  private readonly yes: boolean;
  private readonly performer: ConsolePerformer | undefined;
  private readonly consoleHint: ((action: ConsoleAction) => string | undefined) | undefined;
  private readonly continueCommand: string;

  constructor(opts: BaseIoOptions) {
    this.answers = opts.answers;
    this.output = opts.output;
    this.prompter = opts.prompter;
    this.interactive = opts.prompter !== undefined;
    this.yes = opts.yes ?? false;
    this.performer = opts.consolePerformer;
    this.consoleHint = opts.consoleHint;
    this.continueCommand = opts.continueCommand ?? 'okta-aws-sso resume';
  }

  // -------------------------------------------------------------------------------- questions

  /** The step's check and the catalog's (src/steps/answers.ts), in that order. */
  private validator(key: AnswerKey, stepCheck?: (v: string) => true | string): (v: string) => true | string {
    const spec: AnswerSpec = ANSWERS[key];
    return (v) => {
      const ok = stepCheck ? stepCheck(v) : true;
      if (ok !== true) return ok;
      if (spec.kind === 'list') {
        const items = v.split(',').map((x) => x.trim()).filter(Boolean);
        return this.answers.checkValue(key, items);
      }
      if (spec.path) return v.trim() === '' ? true : this.answers.checkValue(key, this.answers.resolvePath(v));
      return this.answers.checkValue(key, v.trim());
    };
  }

  async ask(opts: AskOptions): Promise<string> {
    const spec: AnswerSpec = ANSWERS[opts.key];
    const given = this.answers.get(opts.key);
    if (given) {
      const value = Array.isArray(given.value) ? given.value.join(',') : String(given.value);
      this.validateGiven(opts.key, value, given.source, spec.path ? opts.validate : this.validator(opts.key, opts.validate));
      return value;
    }
    // Tuning knobs (rates, waits) are never asked: flags, env and --config set them.
    if (this.prompter && !(this.yes && opts.default !== undefined) && !(notAsked(spec) && opts.default !== undefined)) {
      const check = this.validator(opts.key, spec.path ? undefined : opts.validate);
      let value = (await this.prompter.input({ message: opts.message, default: opts.default, validate: check })).trim();
      if (spec.path && value !== '') value = this.answers.resolvePath(value);
      if (spec.path && opts.validate && value !== '') this.validateGiven(opts.key, value, 'your answer', opts.validate);
      this.answers.remember(opts.key, value);
      return value;
    }
    if (opts.default !== undefined) {
      this.validateGiven(opts.key, opts.default, 'the default', opts.validate);
      this.debug('ANSWER_DEFAULT', { question: opts.message, value: opts.default, how: `${howToAnswer(opts.key)} to change it`, key: opts.key });
      this.answers.remember(opts.key, opts.default);
      return opts.default;
    }
    throw this.missing(opts.key, opts.message);
  }

  async select<T extends string>(opts: SelectOptions<T>): Promise<T> {
    const given = this.answers.get(opts.key);
    if (given) {
      const value = String(given.value);
      const match = opts.choices.find((c) => c.value === value);
      if (!match) {
        throw new UsageError(`${given.source} is "${excerpt(this.redact(value))}", which is not one of: ${opts.choices.map((c) => c.value).join(', ')}.`, {
          code: 'INVALID_ANSWER',
          hint: `Give ${(ANSWERS[opts.key] as AnswerSpec).flag ?? opts.key} one of those values.`,
        });
      }
      return match.value;
    }
    if (this.prompter && !(this.yes && opts.default !== undefined) && !(notAsked(ANSWERS[opts.key]) && opts.default !== undefined)) {
      const value = await this.prompter.select({ message: opts.message, choices: opts.choices, default: opts.default });
      this.answers.remember(opts.key, value);
      return value;
    }
    if (opts.default !== undefined) {
      this.debug('ANSWER_DEFAULT', { question: opts.message, value: opts.default, how: 'the default', key: opts.key });
      this.answers.remember(opts.key, opts.default);
      return opts.default;
    }
    throw this.missing(opts.key, opts.message, `one of: ${opts.choices.map((c) => c.value).join(', ')}`);
  }

  async confirm(opts: ConfirmOptions): Promise<boolean> {
    if (opts.key) {
      const given = this.answers.get(opts.key);
      if (given) return given.value === true || given.value === 'true';
      if (this.yes || notAsked(ANSWERS[opts.key])) {
        this.debug('CONFIRM_DEFAULT', { question: opts.message, answer: opts.default ? 'yes' : 'no', why: this.yes ? '--yes takes the proposed answer' : `the default; ${howToAnswer(opts.key)} to change it`, key: opts.key });
        this.answers.remember(opts.key, opts.default);
        return opts.default;
      }
      if (this.prompter) {
        const value = await this.prompter.confirm({ message: opts.message, default: opts.default });
        this.answers.remember(opts.key, value);
        return value;
      }
      return opts.default;
    }
    // An approval.
    if (this.yes) {
      this.debug('APPROVED_BY_YES', { question: opts.message });
      return true;
    }
    if (this.prompter) return this.prompter.confirm({ message: opts.message, default: opts.default });
    throw new UsageError(`This run needs your approval: ${opts.message}`, {
      code: 'APPROVAL_NEEDED',
      hint: 'Run it again with --yes to approve, or run it in a terminal to answer the question.',
    });
  }

  async secret(opts: SecretOptions): Promise<string | undefined> {
    const given = this.answers.getSecret(opts.key);
    if (given) {
      this.registerSecret(given.value);
      if (opts.validate) {
        const ok = opts.validate(given.value);
        if (ok !== true) throw new UsageError(`The value from ${given.source} is not valid: ${ok}`, { code: 'INVALID_SECRET', hint: `Fix the value in ${given.source}.` });
      }
      return given.value;
    }
    if (opts.optional) return undefined;
    if (this.prompter) {
      const value = (await this.prompter.password({ message: opts.message, validate: opts.validate })).trim();
      this.registerSecret(value);
      return value;
    }
    throw this.missing(opts.key, opts.message);
  }

  hasAnswer(key: AnswerKey): boolean {
    return this.answers.has(key);
  }

  answerSource(key: AnswerKey): string | undefined {
    return this.answers.sourceOf(key);
  }

  private validateGiven(key: AnswerKey, value: string, source: string, validate?: (v: string) => true | string): void {
    if (!validate) return;
    const ok = validate(value);
    if (ok !== true) {
      throw new UsageError(`The value "${excerpt(this.redact(value))}" from ${source} is not valid: ${excerpt(this.redact(ok), 400)}`, {
        code: 'INVALID_ANSWER',
        hint: `Correct ${source === 'the default' ? howToAnswer(key) : source} and run again; nothing done so far is lost.`,
      });
    }
  }

  private missing(key: AnswerKey, message: string, extra?: string): MissingAnswerError {
    return new MissingAnswerError(
      key,
      `Missing answer in a non-interactive run: ${message}${extra ? ` (${extra})` : ''}.`,
      `Supply it with ${howToAnswer(key)}.`,
    );
  }

  // -------------------------------------------------------------------------------- console actions

  async consoleAction(action: ConsoleAction): Promise<void> {
    const done = this.answers.get('console-done');
    const doneIds = Array.isArray(done?.value) ? done.value : [];
    if (doneIds.includes(action.id)) {
      this.debug('CONSOLE_ACTION_MARKED_DONE', { id: action.id, source: done?.source ?? '--console-done' });
      return;
    }
    if (action.evidence && action.evidence.length > 0 && action.evidence.every((k) => this.answers.has(k))) {
      this.debug('CONSOLE_ACTION_EVIDENCE', { id: action.id, answered: action.evidence.join(', ') });
      return;
    }
    this.output.consoleAction(action);
    if (this.performer) {
      const result = await this.performer(action);
      for (const [k, v] of Object.entries(result.secrets ?? {})) {
        this.registerSecret(v);
        this.answers.injectSecret(k as SecretKey, v);
      }
      for (const [k, v] of Object.entries(result.answers ?? {})) this.answers.inject(k as AnswerKey, v as AnswerValue);
      this.info('SANDBOX_PERFORMED', { id: action.id, title: action.title, result: result.message ? `: ${result.message.replace(/\.+$/, '')}` : '' });
      return;
    }
    if (this.prompter) {
      const how = this.consoleHint?.(action);
      if (how) this.info('CONSOLE_ACTION_SCRIPTED', { how });
      const ok = await this.prompter.confirm({ message: `Done with "${action.title}"?`, default: true });
      if (ok) return;
      if (action.optional) return;
      throw new WaitingForConsoleError(
        action.id,
        `Stopped before "${action.title}" was done.`,
        `Run \`${this.continueCommand}\` when it is done; every step so far is saved.`,
      );
    }
    const how = this.consoleHint?.(action);
    throw new WaitingForConsoleError(
      action.id,
      `Waiting for a console action only a person can do: ${action.title}.`,
      `${how ? `${how}, or do` : 'Do'} it as shown above, then run ${consoleDoneCommand(action.id, this.continueCommand)}` +
        (action.evidence && action.evidence.length > 0 ? ` (the answers also come from ${action.evidence.map((k) => howToAnswer(k)).join('; ')})` : '') +
        '.',
    );
  }

  // -------------------------------------------------------------------------------- output

  info<C extends CodeAt<'info' | 'result'>>(code: C, ...data: DataArgs<C>): void {
    this.emit(ioMessage(code, ...data));
  }

  warn<C extends CodeAt<'warn'>>(code: C, ...data: DataArgs<C>): void {
    this.emit(ioMessage(code, ...data));
  }

  debug<C extends CodeAt<'debug'>>(code: C, ...data: DataArgs<C>): void {
    this.emit(ioMessage(code, ...data));
  }

  notify(m: IoMessage): void {
    this.emit(m);
  }

  /** Every message passes here. */
  private emit(m: IoMessage): void {
    this.output.message(this.masked(m));
  }

  /** A record with its text and its data's strings masked. */
  private masked(m: IoMessage): IoMessage {
    return maskMessage(m, (t) => this.redact(t));
  }

  progress<C extends CodeAt<'progress'>>(code: C, ...data: DataArgs<C>): Progress {
    const p = this.output.progress(this.masked(ioMessage(code, ...data)));
    const rec = (c: MessageCode | undefined, d: MessageData | undefined): IoMessage | undefined => (c === undefined ? undefined : this.masked(ioMessage(c as CodeAt<'progress'>, d as never)));
    return {
      update: (c: MessageCode, d?: MessageData) => p.update(rec(c, d)!),
      succeed: (c: MessageCode, d?: MessageData) => p.succeed(rec(c, d)),
      fail: (c?: MessageCode, d?: MessageData) => p.fail(rec(c, d)),
      stop: () => p.stop(),
    };
  }

  showSecretOnce(label: string, value: string): void {
    this.registerSecret(value);
    this.output.secretOnce(label, value);
  }

  registerSecret(value: string): void {
    if (value && value.length >= 4) this.secretsSeen.add(value);
  }

  /** Replace every secret seen in this run with a mask. */
  redact(text: string): string {
    let out = text;
    for (const s of this.secretsSeen) if (out.includes(s)) out = out.split(s).join('****');
    return out;
  }

  /** Non-secret answers used in this run, for the state file. */
  savedAnswers(): Record<string, AnswerValue> {
    return this.answers.toSaved();
  }
}
