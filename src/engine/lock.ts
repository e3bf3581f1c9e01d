/**
 * The state file's lock: `<state>.lock` holding {pid, host, startedAt}, created exclusively.
 * A second run on the same state refuses (exit 2) naming the holder; a lock left by a process
 * that no longer exists on this host is taken over with a warning.
 */
import { ioMessage, type IoMessage } from '../messages.js';
import { link, open, readdir, stat, unlink } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { UsageError } from '../errors.js';
import { READ_LIMITS, readBoundedSync } from '../safe/read.js';

const lockSchema = z.object({
  pid: z.number().int().positive(),
  host: z.string().max(255),
  startedAt: z.string().max(64),
  /** Which process holds the pid: "<boot id>:<start time in clock ticks>" (Linux), so a reused pid is told apart. */
  procStart: z.string().max(128).optional(),
});
export type LockInfo = z.infer<typeof lockSchema>;

/**
 * Linux: "<boot id>:<start time>" of a process (/proc/<pid>/stat field 22), undefined elsewhere or
 * when the process is gone. Two processes that had the same pid never share it.
 */
export function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = fields[19];
    if (!ticks || !/^\d+$/.test(ticks)) return undefined;
    let boot = '';
    try {
      boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    } catch {
      // no boot id: the start time alone
    }
    return `${boot}:${ticks}`;
  } catch {
    return undefined;
  }
}

/**
 * Is the run that wrote this lock (on this host) still running? Its pid must exist and, where the
 * start time is known, still be the same process: not a pid reused by another program, nor this very
 * process in a new container (a container gives every run the same pid).
 */
export function holderAlive(holder: { pid: number; procStart?: string | undefined }): boolean {
  if (!pidAlive(holder.pid)) return false;
  if (holder.procStart !== undefined) {
    const now = processStart(holder.pid);
    if (now !== undefined && now !== holder.procStart) return false;
  }
  return true;
}

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
    text = readBoundedSync(file, { maxBytes: READ_LIMITS.lock, what: 'The lock file', hint: '' });
  } catch (e) {
    if ((e as { code?: string }).code === 'FILE_UNREADABLE' && !(await stat(file).catch(() => undefined))) return undefined;
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

/** Create `file` (never overwriting: 'wx', mode 0600) holding `text`, flushed to disk before it returns. */
async function writeNewFile(file: string, text: string): Promise<void> {
  const fh = await open(file, 'wx', 0o600);
  try {
    await fh.writeFile(text);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * Create the lock file with its content in one atomic step: write a private temporary file, then
 * hard-link it to the lock name (link fails with EEXIST when a lock exists), so nobody ever reads a
 * half-written lock. Where hard links are not supported, fall back to an exclusive create.
 */
async function createLockFile(file: string, text: string): Promise<boolean> {
  const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  await writeNewFile(tmp, text);
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
    await writeNewFile(file, text);
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
  const mine = JSON.stringify({ pid: process.pid, procStart: processStart(process.pid) });
  try {
    const fh = await open(mutex, 'wx', 0o600);
    try {
      await fh.writeFile(mine);
    } finally {
      await fh.close();
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    // A takeover file left by a run that died (or is older than 30 s) is removed, so it never blocks.
    const st = await stat(mutex).catch(() => undefined);
    let holder: { pid?: unknown; procStart?: unknown } = {};
    try {
      holder = JSON.parse(readBoundedSync(mutex, { maxBytes: READ_LIMITS.lock, what: 'The takeover file', hint: '' })) as typeof holder;
    } catch {
      // empty (a crash between create and write) or unreadable: judged by its age
    }
    const dead = typeof holder.pid === 'number' && !holderAlive({ pid: holder.pid, procStart: typeof holder.procStart === 'string' ? holder.procStart : undefined });
    const old = st !== undefined && Date.now() - st.mtimeMs > (typeof holder.pid === 'number' ? 30_000 : 2_000);
    if (dead || old) await unlink(mutex).catch(() => undefined);
    return 'busy';
  }
  try {
    return await fn();
  } finally {
    await unlink(mutex).catch(() => undefined);
  }
}

/**
 * Removes what a killed run (SIGKILL, power loss) left next to the state file: write-file-atomic's
 * temporary files (`<state>.<number>`: nobody else writes them while we hold the lock) and lock
 * temporaries (`<state>.lock.<pid>.<hex>.tmp`) of processes that are gone. Returns how many.
 */
export async function removeLeftovers(stateFile: string): Promise<number> {
  const dir = path.dirname(stateFile);
  const base = path.basename(stateFile);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    if (!name.startsWith(`${base}.`)) continue;
    const rest = name.slice(base.length + 1);
    let leftover = /^\d{1,10}$/.test(rest);
    const m = /^lock\.(\d+)\.[0-9a-f]{12}\.tmp$/.exec(rest);
    if (m) leftover = !pidAlive(Number(m[1]));
    if (!leftover) continue;
    const full = path.join(dir, name);
    const st = await stat(full).catch(() => undefined);
    if (!st?.isFile()) continue;
    if (process.getuid && st.uid !== process.getuid()) continue;
    await unlink(full).then(() => removed++, () => undefined);
  }
  return removed;
}

export async function acquireLock(stateFile: string, opts: { warn?: (message: IoMessage) => void; now?: () => Date } = {}): Promise<StateLock> {
  const file = lockPathFor(stateFile);
  const started = processStart(process.pid);
  const info: LockInfo = { pid: process.pid, host: os.hostname(), startedAt: (opts.now ?? (() => new Date()))().toISOString(), ...(started ? { procStart: started } : {}) };
  const text = `${JSON.stringify(info)}\n`;
  const cannotCreate = (e: unknown): UsageError => {
    const code = (e as NodeJS.ErrnoException).code;
    return new UsageError(`Cannot create the lock file ${file} (${code ?? String(e)}).`, {
      code: 'STATE_LOCK_FAILED',
      hint: 'Check that the state file\'s folder exists and is writable, or pass --state <path>.',
    });
  };
  const owned = async (): Promise<StateLock> => {
    const lock = ownedLock(file, info);
    await removeLeftovers(stateFile).catch(() => 0);
    return lock;
  };
  for (let attempt = 0; attempt < 40; attempt++) {
    let created: boolean;
    try {
      created = await createLockFile(file, text);
    } catch (e) {
      throw cannotCreate(e);
    }
    if (created) return owned();

    const holder = await readLock(file);
    if (holder === undefined) continue; // released meanwhile: try again
    if (holder === 'unreadable') {
      throw new UsageError(`The state file is locked by ${file}, and that lock file cannot be read.`, {
        code: 'STATE_LOCKED',
        hint: `If no other okta-aws-sso run is using ${stateFile}, delete ${file} and run again.`,
      });
    }
    if (holder.host === os.hostname() && !holderAlive(holder)) {
      let took: boolean | 'busy';
      try {
        took = await withTakeover(file, async () => {
          // Still that same stale lock? (Another run may have replaced it meanwhile.)
          const again = await readLock(file);
          if (typeof again !== 'object' || again.pid !== holder.pid || again.startedAt !== holder.startedAt) return false;
          opts.warn?.(ioMessage('STATE_LOCK_TAKEN_OVER', { file: stateFile, pid: holder.pid, startedAt: holder.startedAt, reused: pidAlive(holder.pid) ? ' (its pid now belongs to another program)' : '' }));
          await unlink(file).catch(() => undefined);
          return createLockFile(file, text);
        });
      } catch (e) {
        throw cannotCreate(e);
      }
      if (took === true) return owned();
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
    return typeof cur === 'object' && cur.pid === info.pid && cur.host === info.host && cur.startedAt === info.startedAt && cur.procStart === info.procStart;
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
