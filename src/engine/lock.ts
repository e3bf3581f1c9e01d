/**
 * The state file's lock: `<state>.lock` holding {pid, host, startedAt}, created exclusively.
 * A second run on the same state refuses (exit 2) naming the holder; a lock left by a process
 * that no longer exists on this host is taken over with a warning.
 */
import { link, open, readFile, stat, unlink } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
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

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Create the lock file with its content in one atomic step: write a private temporary file, then
 * hard-link it to the lock name (link fails with EEXIST when a lock exists), so nobody ever reads a
 * half-written lock. Where hard links are not supported, fall back to an exclusive create.
 */
async function createLockFile(file: string, text: string): Promise<boolean> {
  const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const fh = await open(tmp, 'wx', 0o600);
  try {
    await fh.writeFile(text);
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await link(tmp, file);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS' && code !== 'EOPNOTSUPP') throw e;
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
  try {
    const fh2 = await open(file, 'wx', 0o600);
    try {
      await fh2.writeFile(text);
      await fh2.sync();
    } finally {
      await fh2.close();
    }
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
}

/**
 * Only one run at a time may replace a stale lock: the holder of `<lock>.takeover` (created
 * exclusively). A takeover file older than 30 s is itself left over from a crash and is removed.
 */
async function withTakeover<T>(file: string, fn: () => Promise<T>): Promise<T | 'busy'> {
  const mutex = `${file}.takeover`;
  try {
    const fh = await open(mutex, 'wx', 0o600);
    await fh.close();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    const st = await stat(mutex).catch(() => undefined);
    if (st && Date.now() - st.mtimeMs > 30_000) await unlink(mutex).catch(() => undefined);
    return 'busy';
  }
  try {
    return await fn();
  } finally {
    await unlink(mutex).catch(() => undefined);
  }
}

export async function acquireLock(stateFile: string, opts: { warn?: (message: string) => void; now?: () => Date } = {}): Promise<StateLock> {
  const file = lockPathFor(stateFile);
  const info: LockInfo = { pid: process.pid, host: os.hostname(), startedAt: (opts.now ?? (() => new Date()))().toISOString() };
  const text = `${JSON.stringify(info)}\n`;
  const cannotCreate = (e: unknown): UsageError => {
    const code = (e as NodeJS.ErrnoException).code;
    return new UsageError(`Cannot create the lock file ${file} (${code ?? String(e)}).`, {
      code: 'STATE_LOCK_FAILED',
      hint: 'Check that the state file\'s folder exists and is writable, or pass --state <path>.',
    });
  };
  for (let attempt = 0; attempt < 40; attempt++) {
    let created: boolean;
    try {
      created = await createLockFile(file, text);
    } catch (e) {
      throw cannotCreate(e);
    }
    if (created) return ownedLock(file, info);

    const holder = await readLock(file);
    if (holder === undefined) continue; // released meanwhile: try again
    if (holder === 'unreadable') {
      throw new UsageError(`The state file is locked by ${file}, and that lock file cannot be read.`, {
        code: 'STATE_LOCKED',
        hint: `If no other okta-aws-sso run is using ${stateFile}, delete ${file} and run again.`,
      });
    }
    if (holder.host === os.hostname() && !pidAlive(holder.pid)) {
      let took: boolean | 'busy';
      try {
        took = await withTakeover(file, async () => {
          // Still that same stale lock? (Another run may have replaced it meanwhile.)
          const again = await readLock(file);
          if (typeof again !== 'object' || again.pid !== holder.pid || again.startedAt !== holder.startedAt) return false;
          opts.warn?.(`Taking over a stale lock on ${stateFile}: process ${holder.pid} (started ${holder.startedAt}) no longer runs.`);
          await unlink(file).catch(() => undefined);
          return createLockFile(file, text);
        });
      } catch (e) {
        throw cannotCreate(e);
      }
      if (took === true) return ownedLock(file, info);
      if (took === 'busy') await sleep(25); // another run is taking it over: look again
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

function ownedLock(file: string, info: LockInfo): StateLock {
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
}
