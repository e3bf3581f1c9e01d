/** Okta's per-endpoint rate limits: one bucket per method family and path family, X-Rate-Limit-* headers. */
export class RateLimiter {
  private readonly buckets = new Map<string, { windowStart: number; count: number }>();

  constructor(private readonly limit: () => number) {}

  /** The headers for `bucket`; `consume` counts one request against it (`exceeded` when over the limit). */
  headers(bucket: string, consume: boolean): { headers: Record<string, string>; exceeded: boolean } {
    const limit = this.limit();
    const t = Date.now();
    let b = this.buckets.get(bucket);
    if (!b || t - b.windowStart >= 60_000) {
      b = { windowStart: t, count: 0 };
      this.buckets.set(bucket, b);
    }
    let exceeded = false;
    if (consume) {
      if (b.count >= limit) exceeded = true;
      else b.count++;
    }
    return {
      exceeded,
      headers: {
        'x-rate-limit-limit': String(limit),
        'x-rate-limit-remaining': String(Math.max(0, limit - b.count)),
        'x-rate-limit-reset': String(Math.ceil((b.windowStart + 60_000) / 1000)),
      },
    };
  }
}

export function bucketOf(method: string, template: string): string {
  const family = template.split('/').slice(0, 5).join('/');
  return `${method === 'GET' ? 'read' : 'write'} ${family}`;
}
