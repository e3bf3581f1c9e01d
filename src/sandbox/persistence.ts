/**
 * Emulator state on disk: <dir>/state.json, written atomically (write-file-atomic) after mutating
 * requests (bursts coalesce into one write), on a slow timer when the emulators changed on their own
 * (asynchronous provisioning), and on close. Restored at start, so a restarted sandbox continues
 * where it stopped.
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import type { AwsEmulatorOptions, OktaEmulatorOptions } from './types.js';

export const STATE_FILE = 'state.json';
const STATE_VERSION = 1;

export interface PersistedState {
  version: number;
  savedAt: string;
  options: { okta?: OktaEmulatorOptions; aws?: AwsEmulatorOptions };
  okta: unknown;
  aws: unknown;
}

export class StateFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StateFileError';
  }
}

export async function readState(dir: string): Promise<PersistedState | undefined> {
  const file = path.join(dir, STATE_FILE);
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  let parsed: PersistedState;
  try {
    parsed = JSON.parse(text) as PersistedState;
  } catch (e) {
    throw new StateFileError(`The sandbox state file ${file} is not valid JSON (${(e as Error).message}).`);
  }
  if (parsed?.version !== STATE_VERSION) {
    throw new StateFileError(`The sandbox state file ${file} has format version ${String(parsed?.version)}, this version reads ${STATE_VERSION}.`);
  }
  return parsed;
}

export async function deleteState(dir: string): Promise<void> {
  await fsp.rm(path.join(dir, STATE_FILE), { force: true });
}

/**
 * Serialised, change-detecting writer of state.json. A write costs O(state) (a large organization:
 * megabytes), so writes coalesce: one in flight, at most one waiting behind it (it takes the state
 * as it is when it starts), and a save on the timer or after a request starts no sooner than 10x the
 * last write's duration after it (writing takes at most about a tenth of the time, whatever the
 * size). saveNow() (start, reset, close) does not wait out that gap.
 */
export class StateWriter {
  private last: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private interval: NodeJS.Timeout | undefined;
  /** The write waiting behind the one in flight, if any. */
  private queued: Promise<void> | undefined;
  private flushing = false;
  private skipGap: (() => void) | undefined;
  private lastEnd = 0;
  private lastCost = 0;

  constructor(
    private readonly file: string,
    private readonly take: () => Omit<PersistedState, 'version' | 'savedAt'>,
    private readonly coalesceMs = 100,
  ) {}

  private lastActivity = 0;

  /**
   * Also save every `ms` when the state changed by itself (background work such as Okta pushing
   * groups, which follows requests): checked only for `activeMs` after the last request.
   */
  startTimer(ms = 1000, activeMs = 10_000): void {
    this.interval = setInterval(() => {
      if (Date.now() - this.lastActivity <= activeMs) void this.enqueue(false);
    }, ms);
    this.interval.unref();
  }

  /** A request arrived (mutating or not): background work may follow. */
  touch(): void {
    this.lastActivity = Date.now();
  }

  /** A mutating request happened: save soon, one write per burst. */
  schedule(): void {
    this.touch();
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.enqueue(false);
    }, this.coalesceMs);
    this.timer.unref();
  }

  /** Writes when the state differs from the last write, without waiting out the gap. Writes never overlap. */
  saveNow(): Promise<void> {
    return this.enqueue(true);
  }

  private enqueue(flush: boolean): Promise<void> {
    if (flush) {
      this.flushing = true;
      this.skipGap?.();
    }
    if (this.queued) return this.queued;
    const next = this.running.then(async () => {
      const wait = 10 * this.lastCost - (Date.now() - this.lastEnd);
      if (!this.flushing && wait > 0) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, wait);
          t.unref();
          this.skipGap = () => {
            clearTimeout(t);
            resolve();
          };
        });
      }
      this.skipGap = undefined;
      this.flushing = false;
      this.queued = undefined;
      const t0 = Date.now();
      try {
        await this.write();
      } finally {
        this.lastEnd = Date.now();
        this.lastCost = this.lastEnd - t0;
      }
    });
    this.queued = next;
    this.running = next;
    return next;
  }

  private async write(): Promise<void> {
    let body: string;
    try {
      const s = this.take();
      // Compare without the timestamp, then stamp.
      body = JSON.stringify({ version: STATE_VERSION, options: s.options, okta: s.okta, aws: s.aws });
    } catch (e) {
      console.error(`sandbox: cannot take a snapshot: ${(e as Error).message}`);
      return;
    }
    if (body === this.last) return;
    const stamped = `{"savedAt":${JSON.stringify(new Date().toISOString())},${body.slice(1)}`;
    try {
      await writeFileAtomic(this.file, stamped, { mode: 0o600 });
      this.last = body;
    } catch (e) {
      console.error(`sandbox: cannot write ${this.file}: ${(e as Error).message}`);
    }
  }

  /** Stops the timers and writes what is pending. */
  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.interval) clearInterval(this.interval);
    this.interval = undefined;
    await this.saveNow();
  }
}
