/**
 * The request executor the SDK client uses: the SDK's own executor retries only 429 (and then only a
 * couple of times). This one retries:
 *  - 429 after X-Rate-Limit-Reset (relative to the answer's Date header), the wait capped;
 *  - 5xx answers and dropped connections with jittered exponential backoff. A POST is retried on a
 *    dropped connection only when it never reached the server (ECONNREFUSED), and on 5xx only for 502,
 *    503, 504 (the gateway did not process it): re-running the step adopts anything created anyway.
 */
import { RequestExecutor } from '@okta/okta-sdk-nodejs';

export interface RetryOptions {
  /** Attempts after the first one (default 4). */
  maxRetries?: number;
  /** First backoff in ms, doubled each time, with full jitter (default 500). */
  baseDelayMs?: number;
  /** Longest wait for one retry, including a 429 reset (default 30 s). */
  maxDelayMs?: number;
  /** Called before each wait (for a progress line). */
  onRetry?: (info: { attempt: number; delayMs: number; reason: string; method: string; url: string }) => void;
}

type FetchRequest = Parameters<InstanceType<typeof RequestExecutor>['fetch']>[0];
type Response = Awaited<ReturnType<InstanceType<typeof RequestExecutor>['fetch']>>;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function rateLimitDelayMs(resetHeader: string | null, dateHeader: string | null, nowMs: number, capMs: number): number | undefined {
  if (!resetHeader || resetHeader.includes(',')) return undefined;
  const reset = Number.parseInt(resetHeader, 10);
  if (!Number.isFinite(reset)) return undefined;
  const now = dateHeader ? Date.parse(dateHeader) : nowMs;
  const base = Number.isFinite(now) ? now : nowMs;
  const ms = reset * 1000 - base + 1000;
  return Math.min(Math.max(ms, 0), capMs);
}

export function backoffMs(attempt: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
  const exp = Math.min(capMs, baseMs * 2 ** attempt);
  return Math.round(exp / 2 + random() * (exp / 2));
}

export class RetryingExecutor extends RequestExecutor {
  private readonly maxRetries: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly onRetry: RetryOptions['onRetry'];

  constructor(opts: RetryOptions = {}) {
    super();
    this.maxRetries = opts.maxRetries ?? 4;
    this.baseDelayMs = opts.baseDelayMs ?? 500;
    this.maxDelayMs = opts.maxDelayMs ?? 30_000;
    this.onRetry = opts.onRetry;
  }

  override async fetch(request: FetchRequest): Promise<Response> {
    const r = request as { method?: string; url?: string };
    const method = String(r.method ?? 'GET').toUpperCase();
    const url = String(r.url ?? '');
    for (let attempt = 0; ; attempt++) {
      let res: Response | undefined;
      let reason: string;
      let delay: number;
      try {
        res = await super.fetch(request);
      } catch (e) {
        const code = (e as { code?: string }).code ?? (e as Error).name;
        const safe = method !== 'POST' || code === 'ECONNREFUSED';
        if (!safe || attempt >= this.maxRetries) throw e;
        reason = `connection problem (${code})`;
        delay = backoffMs(attempt, this.baseDelayMs, this.maxDelayMs);
        this.onRetry?.({ attempt: attempt + 1, delayMs: delay, reason, method, url });
        await sleep(delay);
        continue;
      }
      if (res.status === 429) {
        if (attempt >= this.maxRetries) return res;
        delay = rateLimitDelayMs(res.headers.get('x-rate-limit-reset'), res.headers.get('date'), Date.now(), this.maxDelayMs) ?? backoffMs(attempt, this.baseDelayMs, this.maxDelayMs);
        reason = 'rate limited (429)';
      } else if (res.status >= 500) {
        const safe = method !== 'POST' || [502, 503, 504].includes(res.status);
        if (!safe || attempt >= this.maxRetries) return res;
        delay = backoffMs(attempt, this.baseDelayMs, this.maxDelayMs);
        reason = `server error (${res.status})`;
      } else {
        return res;
      }
      // Drain the body so the socket is reused.
      await res.text().catch(() => undefined);
      this.onRetry?.({ attempt: attempt + 1, delayMs: delay, reason, method, url });
      await sleep(delay);
    }
  }
}
