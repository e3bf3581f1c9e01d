/**
 * An output sink that keeps every line in memory: what tests read to assert on what a person
 * would see, and what --json mode uses to collect messages.
 */
import type { ConsoleAction } from '../../steps/contract.js';
import type { OutputProgress, OutputSink } from './base-io.js';
import type { IoMessage, MessageCode, MessageValue } from '../../messages.js';

export interface OutputLine {
  level: 'info' | 'warn' | 'debug' | 'secret' | 'progress' | 'console';
  text: string;
  /** Messages and spinner texts: the registered code and the data of the record. */
  code?: MessageCode;
  data?: Readonly<Record<string, MessageValue>>;
}

export class MemoryOutput implements OutputSink {
  readonly lines: OutputLine[] = [];
  /** Every message record, in order (what tests assert codes on). */
  readonly messages: IoMessage[] = [];
  readonly consoleActions: ConsoleAction[] = [];

  message(m: IoMessage): void {
    this.messages.push(m);
    this.lines.push({ level: m.level === 'warn' || m.level === 'debug' || m.level === 'progress' ? m.level : 'info', text: m.text, code: m.code, data: m.data });
  }

  /** The codes of the messages so far, in order. */
  codes(): MessageCode[] {
    return this.messages.map((m) => m.code);
  }
  secretOnce(label: string, value: string): void {
    this.lines.push({ level: 'secret', text: `${label}: ${value}` });
  }
  /**
   * A spinner: every text a line of level `progress` (with its code); the start and the outcome are
   * also kept in `messages`, as --json keeps them (updates are only redrawn).
   */
  progress(start: IoMessage): OutputProgress {
    const keepLine = (m: IoMessage, prefix = ''): void => void this.lines.push({ level: 'progress', text: `${prefix}${m.text}`, code: m.code, data: m.data });
    this.messages.push(start);
    keepLine(start);
    const outcome = (m: IoMessage | undefined, prefix: string): void => {
      if (m) this.messages.push(m);
      keepLine(m ?? start, prefix);
    };
    return {
      update: (m) => keepLine(m),
      succeed: (m) => outcome(m, 'done: '),
      fail: (m) => outcome(m, 'failed: '),
      stop: () => undefined,
    };
  }
  consoleAction(action: ConsoleAction): void {
    this.consoleActions.push(action);
    this.lines.push({ level: 'console', text: `${action.title} (${action.where})` });
  }

  /** Everything printed, one string, for "does the output contain X" assertions. */
  text(): string {
    return this.lines.map((l) => l.text).join('\n');
  }
}
