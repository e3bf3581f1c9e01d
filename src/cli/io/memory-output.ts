/**
 * An output sink that keeps every line in memory: what tests read to assert on what a person
 * would see, and what --json mode uses to collect messages.
 */
import type { ConsoleAction, Progress } from '../../steps/contract.js';
import type { OutputSink } from './base-io.js';
import type { IoMessage, MessageCode } from '../../messages.js';

export interface OutputLine {
  level: 'info' | 'warn' | 'debug' | 'secret' | 'progress' | 'console';
  text: string;
  /** Messages only: the registered code. */
  code?: MessageCode;
}

export class MemoryOutput implements OutputSink {
  readonly lines: OutputLine[] = [];
  /** Every message record, in order (what tests assert codes on). */
  readonly messages: IoMessage[] = [];
  readonly consoleActions: ConsoleAction[] = [];

  message(m: IoMessage): void {
    this.messages.push(m);
    this.lines.push({ level: m.level === 'warn' || m.level === 'debug' ? m.level : 'info', text: m.text, code: m.code });
  }

  /** The codes of the messages so far, in order. */
  codes(): MessageCode[] {
    return this.messages.map((m) => m.code);
  }
  secretOnce(label: string, value: string): void {
    this.lines.push({ level: 'secret', text: `${label}: ${value}` });
  }
  progress(text: string): Progress {
    this.lines.push({ level: 'progress', text });
    return {
      update: (t) => this.lines.push({ level: 'progress', text: t }),
      succeed: (t) => this.lines.push({ level: 'progress', text: `done: ${t ?? text}` }),
      fail: (t) => this.lines.push({ level: 'progress', text: `failed: ${t ?? text}` }),
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
