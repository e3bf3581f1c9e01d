/**
 * The state file's lock: `<state>.lock` holding {pid, host, startedAt}, created exclusively.
 * A second run on the same state refuses (exit 2) naming the holder; a lock left by a process
 * that no longer exists on this host is taken over with a warning.
 */
import { open, readFile, unlink } from 'node:fs/promises';
import { unlinkSync } from 'node:fs';
import os from 'node:os';
import { z } from 'zod';
import { UsageError } from '../errors.js';

const lockSchema = z.object({ pid: z.number().int().positive(), host: z.string(), startedAt: z.string() });
export type LockInfo = z.infer<typeof lockSchema>;

export function lockPathFor(stateFile: string): string {
  return `${stateFile}.lock`;
}

/** True when a process with this pid exists (EPERM: it exists but belongs to someone else). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface StateLock {
  readonly file: string;
  readonly info: LockInfo;
  /** Remove the lock file if it is still ours. Safe to call twice. */
  release(): Promise<void>;
  /** Synchronous release for process exit handlers. */
  releaseSync(): void;
}

async function readLock(file: string): Promise<LockInfo | undefined | 'unreadable'> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return 'unreadable';
  }
  try {
    const parsed = lockSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : 'unreadable';
  } catch {
    return 'unreadable';
  }
}

export async function acquireLock(stateFile: string, opts: { warn?: (message: string) => void; now?: () => Date } = {}): Promise<StateLock> {
  const file = lockPathFor(stateFile);
  const info: LockInfo = { pid: process.pid, host: os.hostname(), startedAt: (opts.now ?? (() => new Date()))().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fh = await open(file, 'wx', 0o600);
      try {
        await fh.writeFile(`${JSON.stringify(info)}\n`);
        await fh.sync();
      } finally {
        await fh.close();
      }
      let released = false;
      const stillOurs = async (): Promise<boolean> => {
        const cur = await readLock(file);
        return typeof cur === 'object' && cur.pid === info.pid && cur.host === info.host && cur.startedAt === info.startedAt;
      };
      return {
        file,
        info,
        async release() {
          if (released) return;
          released = true;
          if (await stillOurs()) await unlink(file).catch(() => undefined);
        },
        releaseSync() {
          if (released) return;
          released = true;
          try {
            unlinkSync(file);
          } catch {
            // already gone
          }
        },
      };
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') {
        throw new UsageError(`Cannot create the lock file ${file} (${code ?? String(e)}).`, {
          code: 'STATE_LOCK_FAILED',
          hint: 'Check that the state file\'s folder exists and is writable, or pass --state <path>.',
        });
      }
    }
    const holder = await readLock(file);
    if (holder === undefined) continue; // released meanwhile: try again
    if (holder === 'unreadable') {
      throw new UsageError(`The state file is locked by ${file}, and that lock file cannot be read.`, {
        code: 'STATE_LOCKED',
        hint: `If no other okta-aws-sso run is using ${stateFile}, delete ${file} and run again.`,
      });
    }
    if (holder.host === os.hostname() && !pidAlive(holder.pid)) {
      // Remove it only if it is still that same stale lock (another run may have taken it over meanwhile).
      const again = await readLock(file);
      if (typeof again === 'object' && again.pid === holder.pid && again.startedAt === holder.startedAt) {
        opts.warn?.(`Taking over a stale lock on ${stateFile}: process ${holder.pid} (started ${holder.startedAt}) no longer runs.`);
        await unlink(file).catch(() => undefined);
      }
      continue;
    }
    throw new UsageError(
      `Another okta-aws-sso run is using ${stateFile}: process ${holder.pid} on ${holder.host}, started ${holder.startedAt}.`,
      {
        code: 'STATE_LOCKED',
        hint:
          holder.host === os.hostname()
            ? `Wait for it to finish (or stop it with Ctrl-C; it saves its state), then run again.`
            : `Wait for that run to finish. If it is gone (its machine crashed), delete ${file} and run again.`,
      },
    );
  }
  throw new UsageError(`Could not lock ${stateFile}: the lock file ${file} keeps changing.`, {
    code: 'STATE_LOCKED',
    hint: 'Another run is starting at the same time; wait for it and run again.',
  });
}
