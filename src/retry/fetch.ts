/**
 * Plain `fetch` on the one retry policy (src/retry/policy.ts), for the HTTP calls no SDK makes for us
 * (verify's headless sign-in: Okta authn, the session cookie redirect, the app's SSO link, the ACS post).
 *
 * One budget per call (attempts and time). Retried: 5xx answers, 429 (waiting X-Rate-Limit-Reset or
 * Retry-After, capped by the policy, and at least the backoff) and dropped connections / per-attempt
 * timeouts. Never retried: any other answer (401 wrong password, 403 not assigned, a 200 saying
 * MFA_REQUIRED...), which is a definite answer for the caller to judge. When the budget is spent the
 * last answer is returned (or the last connection error thrown), so callers report it as before.
 * Callers must not wrap this in another retry loop.
 */
import { InterruptedError } from '../errors.js';
import { RETRY_POLICY, RetryBudget, backoffDelay, rateLimitDelayMs, sleep, type RetryPolicy } from './policy.js';

export interface RetryFetchOptions {
  /** The operation's signal (interruption): aborting it stops at once, never retried. */
  signal?: AbortSignal;
  /** Timeout of one attempt in ms (default 30 s); an attempt that times out counts as a dropped connection. */
  attemptTimeoutMs?: number;
  /** Overrides of the policy (tests). */
  policy?: Partial<RetryPolicy>;
}

/** Milliseconds asked by a Retry-After header (seconds or an HTTP date), capped; undefined if absent or unreadable. */
export function retryAfterMs(header: string | null, nowMs: number, capMs: number = RETRY_POLICY.rateLimitMaxWaitMs): number | undefined {
  if (!header) return undefined;
  const t = header.trim();
  let ms: number;
  if (/^\d+$/.test(t)) ms = Number.parseInt(t, 10) * 1000;
  else {
    const at = Date.parse(t);
    if (!Number.isFinite(at)) return undefined;
    ms = at - nowMs;
  }
  return Math.min(Math.max(ms, 0), capMs);
}

/** The wait a 429 asks for (Okta's X-Rate-Limit-Reset first, then Retry-After), capped by the policy. */
export function rateLimitWaitMs(res: Response, policy: RetryPolicy, nowMs: number = Date.now()): number | undefined {
  return rateLimitDelayMs(res.headers.get('x-rate-limit-reset'), res.headers.get('date'), nowMs, policy.rateLimitMaxWaitMs) ?? retryAfterMs(res.headers.get('retry-after'), nowMs, policy.rateLimitMaxWaitMs);
}

export async function fetchWithRetry(url: string, init: RequestInit, opts: RetryFetchOptions = {}): Promise<Response> {
  const policy: RetryPolicy = { ...RETRY_POLICY, ...opts.policy };
  const budget = new RetryBudget(policy);
  const timeoutMs = opts.attemptTimeoutMs ?? 30_000;
  const outer = opts.signal;
  for (;;) {
    if (outer?.aborted) throw new InterruptedError();
    const attempt = outer ? AbortSignal.any([outer, AbortSignal.timeout(timeoutMs)]) : AbortSignal.timeout(timeoutMs);
    let res: Response;
    try {
      res = await fetch(url, { ...init, signal: attempt });
    } catch (e) {
      if (outer?.aborted) throw new InterruptedError();
      // A dropped connection (fetch failed: socket closed / reset) or this attempt's timeout.
      const delay = budget.next();
      if (delay === undefined) throw e;
      await sleep(delay, outer);
      continue;
    }
    if (res.status !== 429 && res.status < 500) return res;
    let delay: number | undefined;
    if (res.status === 429) {
      const asked = rateLimitWaitMs(res, policy);
      delay = budget.next(asked === undefined ? undefined : Math.max(asked, backoffDelay(budget.retries, policy)));
    } else {
      delay = budget.next();
    }
    if (delay === undefined) return res;
    await res.arrayBuffer().catch(() => undefined);
    await sleep(delay, outer);
  }
}
