/**
 * Okta's per-endpoint rate limits (docs/sandbox-okta.md, "Rate limits"): one bucket per endpoint family
 * with the default per-minute limit Okta publishes for a Workforce Identity org (developer.okta.com
 * /docs/reference/rl-global-mgmt/), and X-Rate-Limit-Limit / -Remaining / -Reset on every answer.
 *
 * The window is Okta's minute unless `options.okta.rateLimitWindowSeconds` sets another (an explicit
 * test option, for fault runs that must not wait a minute per 429); `rateLimitPerMinute` replaces
 * every family's limit (also an explicit option).
 */

/** An endpoint family: its bucket name and Okta's documented default limit per minute. */
export interface RateFamily {
  bucket: string;
  limit: number;
}

/**
 * The family of a request, from the Management rate limits table (Workforce Identity column):
 *  - /api/v1/apps (create or list) 100; /api/v1/apps/{id} (get, update, delete) 500;
 *  - /api/v1/groups (create or list) 500; /api/v1/groups/{id} 1000;
 *  - GET or POST /api/v1/users 600; GET /api/v1/users/{idOrLogin} 2000; POST/PUT/DELETE /api/v1/users/{id} 600;
 *  - /oauth2/v1 (the org authorization server, token requests) 2000;
 *  - most other API actions (/api/v1, including sub-resources such as /api/v1/apps/{id}/groups) 1200.
 */
export function familyOf(method: string, path: string): RateFamily {
  const p = path.replace(/\/+$/, '');
  const seg = p.split('/').filter(Boolean); // ['api','v1','apps','{id}',...]
  if (seg[0] === 'oauth2' && seg[1] === 'v1') return { bucket: '/oauth2/v1', limit: 2000 };
  if (seg[0] === 'api' && seg[1] === 'v1') {
    const family = seg[2];
    if (family === 'apps') {
      if (seg.length === 3) return { bucket: '/api/v1/apps', limit: 100 };
      if (seg.length === 4) return { bucket: '/api/v1/apps/{id}', limit: 500 };
    }
    if (family === 'groups') {
      if (seg.length === 3) return { bucket: '/api/v1/groups', limit: 500 };
      if (seg.length === 4) return { bucket: '/api/v1/groups/{id}', limit: 1000 };
    }
    if (family === 'users') {
      if (seg.length === 3) return { bucket: '/api/v1/users', limit: 600 };
      if (seg.length === 4) return method === 'GET' ? { bucket: 'GET /api/v1/users/{idOrLogin}', limit: 2000 } : { bucket: '/api/v1/users/{id}', limit: 600 };
    }
  }
  return { bucket: '/api/v1', limit: 1200 };
}

export interface RateLimitSettings {
  /** Replaces every family's documented limit (options.okta.rateLimitPerMinute). */
  perMinute?: number;
  /** The window in seconds (default 60, Okta's). */
  windowSeconds?: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, { windowStart: number; count: number }>();

  constructor(private readonly settings: () => RateLimitSettings) {}

  /** The headers for the request's family; `consume` counts one request against it (`exceeded` when over the limit). */
  headers(method: string, path: string, consume: boolean): { headers: Record<string, string>; exceeded: boolean; resetMs: number } {
    const s = this.settings();
    const fam = familyOf(method, path);
    const limit = s.perMinute ?? fam.limit;
    const windowMs = (s.windowSeconds ?? 60) * 1000;
    const t = Date.now();
    let b = this.buckets.get(fam.bucket);
    if (!b || t - b.windowStart >= windowMs) {
      b = { windowStart: t, count: 0 };
      this.buckets.set(fam.bucket, b);
    }
    let exceeded = false;
    if (consume) {
      if (b.count >= limit) exceeded = true;
      else b.count++;
    }
    const resetMs = b.windowStart + windowMs;
    return {
      exceeded,
      resetMs,
      headers: {
        'x-rate-limit-limit': String(limit),
        'x-rate-limit-remaining': String(Math.max(0, limit - b.count)),
        'x-rate-limit-reset': String(Math.ceil(resetMs / 1000)),
      },
    };
  }
}
