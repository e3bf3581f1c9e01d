/**
 * Driving the real @inquirer/prompts from a test: an output stream that records what was drawn, a
 * typist that sends keystrokes once a prompt has drawn itself, and a TERM that keeps line editing on.
 */
import { PassThrough, Writable } from 'node:stream';
import { stripVTControlCharacters } from 'node:util';
import { afterAll, beforeAll } from 'vitest';

/** Node's readline turns line editing off under TERM=dumb (some CI shells): type as in a real terminal. */
export function useLineEditingTerminal(): void {
  const savedTerm = process.env['TERM'];
  beforeAll(() => {
    if (savedTerm === 'dumb' || savedTerm === undefined) process.env['TERM'] = 'xterm-256color';
  });
  afterAll(() => {
    if (savedTerm === undefined) delete process.env['TERM'];
    else process.env['TERM'] = savedTerm;
  });
}

/** An output stream that keeps everything written to it. */
export class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
  plain(): string {
    return stripVTControlCharacters(this.text);
  }
}

/** Types `keys` (one write each, 5 ms apart) once the prompt has drawn itself (its first write to `output`). */
export function typeWhenDrawn(input: PassThrough, output: Capture, keys: readonly string[]): void {
  const start = output.text.length;
  const tick = (): void => {
    if (output.text.length === start) {
      setTimeout(tick, 5);
      return;
    }
    let i = 0;
    const next = (): void => {
      if (i >= keys.length) return;
      input.write(keys[i++]);
      setTimeout(next, 5);
    };
    next();
  };
  tick();
}
