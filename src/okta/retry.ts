/**
 * The request executor the Okta SDK client uses, on the one retry policy (src/retry/policy.ts):
 *  - 429: waits until X-Rate-Limit-Reset (relative to the answer's Date header), capped by the policy;
 *  - 5xx answers and dropped connections: jittered exponential backoff, for reads and for writes
 *    that are safe to repeat (GET, PUT, DELETE, PATCH; a POST only when it never reached the server,
 *    ECONNREFUSED, or on 502/503/504). A POST answered 500 or dropped mid-way may have been done:
 *    the Okta client's create-or-adopt looks the object up before sending it again.
 * Each request has its own budget (attempts and time), never shared with other requests.
 */
import { RequestExecutor } from './sdk-lite.js';
import { RETRY_POLICY, RetryBudget, backoffDelay, rateLimitDelayMs, sleep, type RetryPolicy } from '../retry/policy.js';

export { rateLimitDelayMs };

export interface RetryOptions {
  /** Overrides of the policy (tests). */
  policy?: Partial<RetryPolicy>;
  /** Called before each wait (for a progress line). */
  onRetry?: (info: { attempt: number; delayMs: number; reason: string; method: string; url: string }) => void;
}

type FetchRequest = Parameters<InstanceType<typeof RequestExecutor>['fetch']>[0];
type Response = Awaited<ReturnType<InstanceType<typeof RequestExecutor>['fetch']>>;

/** The policy's backoff with explicit numbers (kept for callers and tests). */
export function backoffMs(attempt: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
  return backoffDelay(attempt, { baseMs, capMs }, random);
}

export class RetryingExecutor extends RequestExecutor {
  private readonly policy: RetryPolicy;
  private readonly onRetry: RetryOptions['onRetry'];

  constructor(opts: RetryOptions = {}) {
    super();
    this.policy = { ...RETRY_POLICY, ...opts.policy };
    this.onRetry = opts.onRetry;
  }

  override async fetch(request: FetchRequest): Promise<Response> {
    const r = request as { method?: string; url?: string };
    const method = String(r.method ?? 'GET').toUpperCase();
    const url = String(r.url ?? '');
    const budget = new RetryBudget(this.policy);
    for (;;) {
      let res: Response | undefined;
      let reason: string;
      let delay: number | undefined;
      try {
        res = await super.fetch(request);
      } catch (e) {
        const code = (e as { code?: string }).code ?? (e as Error).name;
        const safe = method !== 'POST' || code === 'ECONNREFUSED';
        delay = safe ? budget.next() : undefined;
        if (delay === undefined) throw e;
        reason = `connection problem (${code})`;
        this.onRetry?.({ attempt: budget.retries, delayMs: delay, reason, method, url });
        await sleep(delay);
        continue;
      }
      if (res.status === 429) {
        const reset = rateLimitDelayMs(res.headers.get('x-rate-limit-reset'), res.headers.get('date'), Date.now(), this.policy.rateLimitMaxWaitMs);
        delay = budget.next(reset);
        if (delay === undefined) return res;
        reason = 'rate limited (429)';
      } else if (res.status >= 500) {
        const safe = method !== 'POST' || [502, 503, 504].includes(res.status);
        delay = safe ? budget.next() : undefined;
        if (delay === undefined) return res;
        reason = `server error (${res.status})`;
      } else {
        return res;
      }
      // Drain the body so the socket is reused.
      await res.text().catch(() => undefined);
      this.onRetry?.({ attempt: budget.retries, delayMs: delay, reason, method, url });
      await sleep(delay);
    }
  }
}
