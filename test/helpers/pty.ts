/**
 * The real binary in a real pseudo-terminal (@lydell/node-pty: prebuilt binaries, no compiler): what a
 * person sees and types, keystroke by keystroke, including Ctrl-C.
 */
import { stripVTControlCharacters } from 'node:util';
import pty from '@lydell/node-pty';
import { BIN, cleanEnv } from './cli.js';

export interface Terminal {
  /** Everything drawn so far, without escape sequences. */
  screen(): string;
  /** Waits until `text` appears after `from` (default: anywhere); returns the index just past it. */
  waitFor(text: string | RegExp, from?: number, timeoutMs?: number): Promise<number>;
  type(keys: string): void;
  exited: Promise<number>;
}

export function spawnTerminal(args: string[], opts: { cwd: string; env?: Record<string, string | undefined>; cols?: number }): Terminal {
  const env = cleanEnv({ TERM: 'xterm-256color', ...(opts.env ?? {}) });
  const p = pty.spawn(process.execPath, [BIN, ...args], { cols: opts.cols ?? 80, rows: 40, cwd: opts.cwd, env });
  let raw = '';
  p.onData((d) => {
    raw += d;
  });
  const exited = new Promise<number>((resolve) => p.onExit((e) => resolve(e.exitCode)));
  const screen = (): string => stripVTControlCharacters(raw).replace(/\r/g, '');
  return {
    screen,
    async waitFor(text, from = 0, timeoutMs = 45_000) {
      const start = Date.now();
      for (;;) {
        const s = screen().slice(from);
        const m = typeof text === 'string' ? (s.includes(text) ? { index: s.indexOf(text), len: text.length } : undefined) : ((r) => (r ? { index: r.index, len: r[0].length } : undefined))(text.exec(s));
        if (m) return from + m.index + m.len;
        if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${String(text)} on the screen:\n${screen().slice(-3000)}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    type(keys) {
      p.write(keys);
    },
    exited,
  };
}
