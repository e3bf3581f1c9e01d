/**
 * The one retry policy for every service the wizard calls (Okta, AWS, SCIM): one backoff formula,
 * one sleep, the defaults in one place, and a budget per OPERATION (attempts and time), never per
 * client, so a fault late in a long run gets the same allowance as one at the start.
 *
 * Retries are never nested: the AWS SDK clients run this policy as their retry strategy
 * (src/aws/retry-strategy.ts) and application code retries only what the SDK cannot (a
 * ConflictException); the Okta executor (src/okta/retry.ts) retries at the HTTP level and the Okta
 * client's create-or-adopt (src/okta/client.ts) only re-sends a create after looking the object up.
 * Plain HTTP calls outside the SDKs (verify's headless sign-in) use src/retry/fetch.ts, alone.
 */
import { InterruptedError } from '../errors.js';

export interface RetryPolicy {
  /** First backoff ceiling in ms (doubled per attempt). */
  baseMs: number;
  /** Largest single backoff in ms. */
  capMs: number;
  /** Sends per operation, including the first. */
  maxAttempts: number;
  /** Time an operation may spend retrying, in ms (after it, the last error is final). */
  budgetMs: number;
  /** Longest wait for a 429's X-Rate-Limit-Reset / Retry-After, in ms. */
  rateLimitMaxWaitMs: number;
}

/** The defaults, in one place. */
export const RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  baseMs: 250,
  capMs: 10_000,
  maxAttempts: 8,
  budgetMs: 120_000,
  rateLimitMaxWaitMs: 60_000,
});

/**
 * A probe: a read that checks values given to the wizard before anything is written with them (the
 * SCIM endpoint's ServiceProviderConfig with the token), that a person waits on, and whose failure
 * stops the run with an error naming the fix (the next run starts again at that step). The policy's
 * backoff with fewer sends than a write gets (5: still more than the 3 of the AWS and Okta SDKs'
 * defaults) and a shorter rate-limit wait: a service that fails every request is reported in
 * seconds (worstCaseWaitMs), while one transient failure in five sends is still ridden out.
 */
export const PROBE_POLICY: Readonly<RetryPolicy> = Object.freeze({
  ...RETRY_POLICY,
  maxAttempts: 5,
  budgetMs: 30_000,
  rateLimitMaxWaitMs: 10_000,
});

/**
 * The longest an operation on `p` can spend waiting between its sends: each retry waits at most its
 * backoff ceiling or, after a 429, the capped rate-limit wait; RetryBudget never lets a wait end past
 * the operation's budget. (The sends themselves are bounded by the caller's timeout.)
 */
export function worstCaseWaitMs(p: RetryPolicy, rateLimited = true): number {
  let total = 0;
  for (let attempt = 0; attempt < p.maxAttempts - 1; attempt++) {
    const backoff = Math.min(p.capMs, p.baseMs * 2 ** attempt);
    total += rateLimited ? Math.max(backoff, p.rateLimitMaxWaitMs) : backoff;
  }
  return Math.min(total, p.budgetMs);
}

/**
 * Okta's asynchronous provisioning jobs (a group push, a user's creation in Identity Center) that end in
 * ERROR after a SCIM failure are started again at most this many times per wait, through the documented
 * way for each (re-activating the push mapping; re-assigning the test user through its assignment
 * group). These are not HTTP retries and wrap none: each trigger is one ordinary request on this policy.
 */
export const PROVISIONING_RETRIES = 4;

/** Full jitter in [ceiling/2, ceiling], ceiling = min(cap, base * 2^attempt); attempt counts from 0. */
export function backoffDelay(attempt: number, p: Pick<RetryPolicy, 'baseMs' | 'capMs'> = RETRY_POLICY, random: () => number = Math.random): number {
  const ceiling = Math.min(p.capMs, p.baseMs * 2 ** Math.max(0, attempt));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
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

/** The one sleep: rejects with InterruptedError (exit 130) when the signal aborts. */
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

/**
 * The allowance of one operation: created when the operation starts, asked before each retry.
 * `next(delay)` returns the delay to wait, or undefined when the attempts or the time are spent.
 */
export class RetryBudget {
  private attempts = 1;
  private readonly deadline: number;

  constructor(
    private readonly policy: RetryPolicy = RETRY_POLICY,
    private readonly now: () => number = Date.now,
  ) {
    this.deadline = now() + policy.budgetMs;
  }

  /** Retries used so far. */
  get retries(): number {
    return this.attempts - 1;
  }

  /** The backoff for the next retry (or `wanted`, e.g. a rate-limit reset), or undefined when spent. */
  next(wanted?: number): number | undefined {
    if (this.attempts >= this.policy.maxAttempts) return undefined;
    const delay = wanted ?? backoffDelay(this.attempts - 1, this.policy);
    if (this.now() + delay > this.deadline) return undefined;
    this.attempts++;
    return delay;
  }
}

/**
 * Milliseconds until an Okta X-Rate-Limit-Reset (epoch seconds), capped; undefined if absent.
 *
 * Judged against the server's clock, as Okta's SDK does (Reset - Date + 1 s, the second "to account for
 * sub second differences between the clocks that create these headers"). The Date header is whole
 * seconds: the server's time was somewhere in [Date, Date + 1 s). Within that second the local clock
 * says where, when it agrees with Date; a local clock outside that second (skewed, or a late reading)
 * is not trusted and the nearer bound is used. So the retry always lands at or after Reset on the
 * server's clock (never earlier than Reset - Date + 1 s from the answer's true time would), without
 * the up-to-a-second excess of reading Date as the start of its second.
 */
export function rateLimitDelayMs(resetHeader: string | null, dateHeader: string | null, nowMs: number, capMs: number = RETRY_POLICY.rateLimitMaxWaitMs): number | undefined {
  if (!resetHeader || resetHeader.includes(',')) return undefined;
  const reset = Number.parseInt(resetHeader, 10);
  if (!Number.isFinite(reset)) return undefined;
  const date = dateHeader ? Date.parse(dateHeader) : Number.NaN;
  const base = Number.isFinite(date) ? Math.min(Math.max(nowMs, date), date + 999) : nowMs;
  const ms = reset * 1000 - base + 1000;
  return Math.min(Math.max(ms, 0), capMs);
}
