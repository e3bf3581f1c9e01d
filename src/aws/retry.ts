/**
 * Application-level retries for Identity Center writes: the SDK's adaptive mode retries throttling,
 * but ConflictException ("a previous write has not propagated yet") is not retried by the SDK, and
 * bulk assignment runs meet both. Full-jitter exponential backoff.
 */
import { InterruptedError } from '../errors.js';
import { awsErrorMessage, awsErrorName } from './clients.js';

export interface BackoffOptions {
  /** First delay ceiling in ms. */
  baseMs: number;
  /** Largest delay in ms. */
  capMs: number;
  /** Total attempts including the first. */
  maxAttempts: number;
  /** Random source in [0, 1); injectable for tests. */
  random?: () => number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 200, capMs: 10_000, maxAttempts: 8 };

/** Full jitter: a random delay in [ceiling/2, ceiling], ceiling = min(cap, base * 2^attempt). attempt counts from 0. */
export function backoffDelay(attempt: number, opts: BackoffOptions): number {
  const ceiling = Math.min(opts.capMs, opts.baseMs * 2 ** Math.max(0, attempt));
  const r = (opts.random ?? Math.random)();
  return Math.round(ceiling / 2 + (ceiling / 2) * r);
}

const THROTTLES = new Set(['ThrottlingException', 'TooManyRequestsException', 'Throttling', 'RequestLimitExceeded', 'ProvisionedThroughputExceededException']);

export function isThrottle(e: unknown): boolean {
  return THROTTLES.has(awsErrorName(e));
}

/** A ConflictException worth retrying: not "PermissionSet with name X already exists" (that one means adopt). */
export function isRetryableConflict(e: unknown): boolean {
  return awsErrorName(e) === 'ConflictException' && !/already exists/i.test(awsErrorMessage(e));
}

export function isTransient(e: unknown): boolean {
  if (isThrottle(e) || isRetryableConflict(e)) return true;
  const name = awsErrorName(e);
  if (name === 'InternalServerException' || name === 'ServiceUnavailableException' || name === 'TimeoutError') return true;
  const code = (e as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && ['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNREFUSED'].includes(code);
}

/**
 * The sleepers waiting on each signal. One abort listener per signal serves all of them, however many
 * requests wait at once (a listener per sleeper gave MaxListenersExceededWarning beyond 10).
 */
const sleepers = new WeakMap<AbortSignal, Set<() => void>>();

function onAbortOnce(signal: AbortSignal, cancel: () => void): () => void {
  let set = sleepers.get(signal);
  if (!set) {
    const fresh = new Set<() => void>();
    set = fresh;
    sleepers.set(signal, fresh);
    signal.addEventListener(
      'abort',
      () => {
        sleepers.delete(signal);
        for (const c of [...fresh]) c();
      },
      { once: true },
    );
  }
  set.add(cancel);
  return () => {
    set.delete(cancel);
  };
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(new InterruptedError());
  return new Promise((resolve, reject) => {
    let release = (): void => undefined;
    const t = setTimeout(() => {
      release();
      resolve();
    }, ms);
    if (signal) {
      release = onAbortOnce(signal, () => {
        clearTimeout(t);
        reject(new InterruptedError());
      });
    }
  });
}

export interface RetryOptions extends Partial<BackoffOptions> {
  signal?: AbortSignal;
  isRetryable?: (e: unknown) => boolean;
  /** Called before each wait (for debug output and tests). */
  onRetry?: (e: unknown, attempt: number, delayMs: number) => void;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** Run `fn`, retrying transient AWS errors with jittered exponential backoff. */
export async function withRetry<T>(fn: () => Promise<T>, opts: RetryOptions = {}): Promise<T> {
  const o: BackoffOptions = {
    baseMs: opts.baseMs ?? DEFAULT_BACKOFF.baseMs,
    capMs: opts.capMs ?? DEFAULT_BACKOFF.capMs,
    maxAttempts: opts.maxAttempts ?? DEFAULT_BACKOFF.maxAttempts,
    random: opts.random,
  };
  const retryable = opts.isRetryable ?? isTransient;
  const wait = opts.sleep ?? sleep;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (attempt + 1 >= o.maxAttempts || !retryable(e)) throw e;
      const d = backoffDelay(attempt, o);
      opts.onRetry?.(e, attempt, d);
      await wait(d, opts.signal);
    }
  }
}
