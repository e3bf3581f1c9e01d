/**
 * The sandbox for tests: an in-process server on free loopback ports with the real emulators, in
 * memory (or persisted to a folder), plus the environment a --sandbox run would get and a reader
 * of the request log (to prove, e.g., that a --dry-run sent no mutating request).
 *
 *   const sb = await withSandbox();
 *   try { ... fetch(`${sb.info.oktaUrl}/api/v1/groups`, ...) ... } finally { await sb.close(); }
 */
import { startSandboxServer, type RunningSandbox } from '../../src/sandbox/server.js';
import { sandboxEnv } from '../../src/sandbox/process.js';
import { filterEntries, readRequestLogFile, type ReadRequestLogOptions, type RequestLogEntry } from '../../src/sandbox/request-log.js';
import type { SandboxOptions } from '../../src/sandbox/types.js';

export type TestSandbox = RunningSandbox & { env: Record<string, string> };

/** Starts an in-process sandbox (in memory unless `dir` is given). Close it in afterAll/finally. */
export async function withSandbox(options?: SandboxOptions, opts: { dir?: string } = {}): Promise<TestSandbox> {
  const sandbox = await startSandboxServer({ options, ...(opts.dir !== undefined ? { dir: opts.dir } : {}) });
  // Object.assign keeps the okta/aws getters live across an admin reset.
  return Object.assign(sandbox, { env: sandboxEnv(sandbox.info) });
}

/**
 * The request log of an in-process sandbox (from memory) or of a sandbox folder (its requests.jsonl,
 * e.g. a sandbox process). `since` is a cursor: the length of an earlier read.
 */
export async function readRequestLog(source: RunningSandbox | string, opts: ReadRequestLogOptions = {}): Promise<RequestLogEntry[]> {
  if (typeof source === 'string') return readRequestLogFile(source, opts);
  return filterEntries(source.log.since(opts.since ?? 0).entries, opts);
}

/** Mutating requests in the log since `since` (empty = a dry run kept its word). */
export async function mutatingRequests(source: RunningSandbox | string, since = 0): Promise<RequestLogEntry[]> {
  return readRequestLog(source, { since, mutatingOnly: true });
}

export type { RequestLogEntry };
