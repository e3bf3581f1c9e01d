/**
 * The one way the wizard reads a file it was pointed at (--sp-metadata, secret files, --config, the
 * state file and its lock, okta.yaml, a private key, a sandbox payload): only a regular file, opened
 * without blocking (a FIFO with no writer cannot hang the run), read in chunks with the size cap
 * enforced WHILE reading (so /dev/zero or a growing file stops at the cap plus one chunk, never after
 * reading the whole thing), and refused with a UsageError (exit 2) that names the file and the fix.
 */
import fs from 'node:fs';
import { UsageError } from '../errors.js';
import type { MessageCode } from '../messages.js';
import { escapeControl } from './text.js';

export const KiB = 1024;
export const MiB = 1024 * 1024;

/** The caps, in one place. */
export const READ_LIMITS = {
  /** A secret (API token, SCIM token, password, private key PEM/JWK): a few KB at most. */
  secret: 64 * KiB,
  /** --config (YAML or JSON answers). */
  config: 1 * MiB,
  /** SAML metadata (SP or IdP): a few KB; 256 KB is generous. */
  metadata: 256 * KiB,
  /** The state file: per-account progress of a large organization fits comfortably. */
  state: 32 * MiB,
  /** The lock file: one line of JSON. */
  lock: 4 * KiB,
  /** ~/.okta/okta.yaml. */
  oktaYaml: 256 * KiB,
  /** sandbox console --payload-file. */
  payload: 1 * MiB,
} as const;

export interface BoundedReadOptions {
  /** Largest accepted size in bytes. */
  maxBytes: number;
  /** How the message names the file, e.g. 'The --config file'. */
  what: string;
  /** What to do instead (the "What to do:" line). */
  hint: string;
  /** Error code for a file that cannot be read (default FILE_UNREADABLE). */
  code?: MessageCode;
  /** Checks the opened file (owner, mode) before anything is read; throws to refuse it. */
  inspect?: (st: fs.Stats) => void;
}

const CHUNK = 64 * KiB;

function refuse(opts: BoundedReadOptions, file: string, why: string, code: MessageCode, hint = opts.hint): UsageError {
  return new UsageError(`${opts.what} "${escapeControl(file)}" ${why}.`, { code, hint });
}

function kind(st: fs.Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isCharacterDevice()) return 'a character device (like /dev/zero)';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

function sizeText(n: number): string {
  return n >= MiB ? `${(n / MiB).toFixed(n % MiB === 0 ? 0 : 1)} MB` : `${Math.round(n / KiB)} KB`;
}

/** Opens `file` for a bounded read: a regular file only. Returns the descriptor. */
function openRegular(file: string, opts: BoundedReadOptions): number {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO that has no writer returns at once instead of waiting for ever.
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw refuse(opts, file, `cannot be read (${code})`, opts.code ?? 'FILE_UNREADABLE');
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw refuse(opts, file, `is ${kind(st)}, not a regular file`, 'FILE_NOT_REGULAR', `${opts.hint} Give the path of a regular file.`);
    opts.inspect?.(st);
    if (st.size > opts.maxBytes) {
      throw refuse(opts, file, `is ${sizeText(st.size)}, more than the ${sizeText(opts.maxBytes)} such a file can be`, 'FILE_TOO_LARGE');
    }
    return fd;
  } catch (e) {
    fs.closeSync(fd);
    throw e;
  }
}

/** Reads at most opts.maxBytes of a regular file as UTF-8 (a leading BOM removed); refuses the rest. */
export function readBoundedSync(file: string, opts: BoundedReadOptions): string {
  const fd = openRegular(file, opts);
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buf = Buffer.allocUnsafe(Math.min(CHUNK, opts.maxBytes + 1 - total));
      let n: number;
      try {
        n = fs.readSync(fd, buf, 0, buf.length, null);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code ?? 'error';
        throw refuse(opts, file, `cannot be read (${code})`, opts.code ?? 'FILE_UNREADABLE');
      }
      if (n === 0) break;
      total += n;
      if (total > opts.maxBytes) {
        throw refuse(opts, file, `is larger than the ${sizeText(opts.maxBytes)} such a file can be`, 'FILE_TOO_LARGE');
      }
      chunks.push(buf.subarray(0, n));
    }
    const text = Buffer.concat(chunks, total).toString('utf8');
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  } finally {
    fs.closeSync(fd);
  }
}

/** The same, for async callers (the read itself is short and bounded, so it runs synchronously). */
export async function readBounded(file: string, opts: BoundedReadOptions): Promise<string> {
  return readBoundedSync(file, opts);
}
