/**
 * The sandbox request log: one JSON line per request the emulators answered (or that a fault
 * answered or dropped), at <dir>/requests.jsonl and in memory. Never bodies, headers or query
 * strings: they may hold tokens. Admin calls (/__sandbox/...) are not logged.
 *
 * Tests read it to prove, for example, that a --dry-run sent no mutating request.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { ServiceName } from './types.js';

export const REQUEST_LOG_FILE = 'requests.jsonl';

export interface RequestLogEntry {
  /** ISO time the request arrived. */
  ts: string;
  service: ServiceName;
  /** e.g. "POST /api/v1/apps", "SWBExternalService.CreatePermissionSet", "SCIM POST /Users". */
  operation: string;
  mutating: boolean;
  /** HTTP status answered; 0 when the connection was dropped by fault injection. */
  status: number;
  /** Wall time to answer, in ms (includes injected latency). */
  ms: number;
  /** Set when fault injection produced the answer (or the drop). */
  fault?: 'drop' | 'throttle' | 'error' | 'lost';
}

export class RequestLog {
  private readonly entries: RequestLogEntry[] = [];
  /** Index of entries[0] in the whole log (old entries are dropped past `limit`). */
  private offset = 0;

  constructor(
    /** JSON-lines file to append to; undefined = memory only. */
    readonly file: string | undefined,
    private readonly limit = 200_000,
  ) {}

  append(entry: RequestLogEntry): void {
    this.entries.push(entry);
    if (this.entries.length > this.limit) {
      const drop = this.entries.length - this.limit;
      this.entries.splice(0, drop);
      this.offset += drop;
    }
    if (this.file) {
      try {
        // Synchronous so that a reader sees the line as soon as the answer is out.
        fs.appendFileSync(this.file, `${JSON.stringify(entry)}\n`, { mode: 0o600 });
      } catch (e) {
        console.error(`sandbox: cannot append to the request log ${this.file}: ${(e as Error).message}`);
      }
    }
  }

  /** Number of entries ever appended (the `next` cursor for since()). */
  get size(): number {
    return this.offset + this.entries.length;
  }

  /** Entries with index >= since (0 = from the start). */
  since(since = 0): { entries: RequestLogEntry[]; next: number } {
    const from = Math.max(0, since - this.offset);
    return { entries: this.entries.slice(from), next: this.size };
  }

  counts(): { total: number; mutating: number; byService: Record<string, number> } {
    const byService: Record<string, number> = {};
    let mutating = 0;
    for (const e of this.entries) {
      byService[e.service] = (byService[e.service] ?? 0) + 1;
      if (e.mutating) mutating++;
    }
    return { total: this.size, mutating, byService };
  }
}

export interface ReadRequestLogOptions {
  /** Skip the first N entries (a cursor taken earlier with readRequestLog(...).length). */
  since?: number;
  service?: ServiceName;
  mutatingOnly?: boolean;
}

/** Reads <dir>/requests.jsonl (or the file itself when given a path ending in .jsonl). Missing file = []. */
export async function readRequestLogFile(dirOrFile: string, opts: ReadRequestLogOptions = {}): Promise<RequestLogEntry[]> {
  const file = dirOrFile.endsWith('.jsonl') ? dirOrFile : path.join(dirOrFile, REQUEST_LOG_FILE);
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const all = text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as RequestLogEntry);
  return filterEntries(all.slice(opts.since ?? 0), opts);
}

export function filterEntries(entries: RequestLogEntry[], opts: ReadRequestLogOptions): RequestLogEntry[] {
  return entries.filter((e) => (opts.service === undefined || e.service === opts.service) && (!opts.mutatingOnly || e.mutating));
}
