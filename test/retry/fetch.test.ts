/**
 * fetchWithRetry (src/retry/fetch.ts), the one policy for verify's headless sign-in calls, against a
 * real local HTTP server that answers a scripted sequence: transient faults (5xx, 429, a dropped
 * connection) are retried with a budget per call; definite answers (401, 403, a 200) never are.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fetchWithRetry, retryAfterMs } from '../../src/retry/fetch.js';
import { InterruptedError } from '../../src/errors.js';

type Step = { status: number; headers?: Record<string, string>; body?: string } | 'drop';

let script: Step[] = [];
let hits: { method: string; body: string }[] = [];
let server: http.Server;
let url: string;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      hits.push({ method: req.method ?? '', body });
      const step = script.shift() ?? { status: 200, body: 'ok' };
      if (step === 'drop') {
        req.socket.destroy();
        return;
      }
      res.writeHead(step.status, { 'content-type': 'text/plain', ...step.headers });
      res.end(step.body ?? String(step.status));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/x`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  script = [];
  hits = [];
});

const fast = { baseMs: 1, capMs: 5, maxAttempts: 5, budgetMs: 10_000, rateLimitMaxWaitMs: 50 };

describe('fetchWithRetry', () => {
  it('retries 5xx, a 429 (Retry-After / X-Rate-Limit-Reset) and a dropped connection, resending the same POST body', async () => {
    script = [{ status: 500 }, { status: 429, headers: { 'retry-after': '0' } }, 'drop', { status: 429, headers: { 'x-rate-limit-reset': String(Math.floor(Date.now() / 1000)) } }, { status: 503 }, { status: 200, body: 'done' }];
    const res = await fetchWithRetry(url, { method: 'POST', body: 'a=1' }, { policy: { ...fast, maxAttempts: 8 } });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('done');
    expect(hits).toHaveLength(6);
    expect(hits.every((h) => h.method === 'POST' && h.body === 'a=1')).toBe(true);
  });

  it.each([401, 403, 404, 400])('never retries a definite answer (%i)', async (status) => {
    script = [{ status, body: 'no' }];
    const res = await fetchWithRetry(url, { method: 'POST', body: 'x' }, { policy: fast });
    expect(res.status).toBe(status);
    expect(await res.text()).toBe('no');
    expect(hits).toHaveLength(1);
  });

  it('a budget per call: after maxAttempts the last 5xx is returned to the caller; the next call has a fresh budget', async () => {
    script = Array.from({ length: 3 }, () => ({ status: 500, body: 'E0000009' }));
    const res = await fetchWithRetry(url, {}, { policy: { ...fast, maxAttempts: 3 } });
    expect(res.status).toBe(500);
    expect(await res.text()).toBe('E0000009');
    expect(hits).toHaveLength(3);
    script = [{ status: 500 }, { status: 500 }];
    const again = await fetchWithRetry(url, {}, { policy: { ...fast, maxAttempts: 3 } });
    expect(again.status).toBe(200);
    expect(hits).toHaveLength(6);
  });

  it('connections dropped every time: the last error is thrown once the budget is spent', async () => {
    script = ['drop', 'drop'];
    await expect(fetchWithRetry(url, {}, { policy: { ...fast, maxAttempts: 2 } })).rejects.toThrow(/fetch failed/);
    expect(hits).toHaveLength(2);
  });

  it('an interruption stops at once and is not retried', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(fetchWithRetry(url, {}, { signal: ac.signal, policy: fast })).rejects.toBeInstanceOf(InterruptedError);
    expect(hits).toHaveLength(0);
  });

  it('Retry-After in seconds or as a date, capped by the policy', () => {
    expect(retryAfterMs('3', 0, 60_000)).toBe(3000);
    expect(retryAfterMs('120', 0, 60_000)).toBe(60_000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4000, 60_000)).toBe(6000);
    expect(retryAfterMs('soon', 0)).toBeUndefined();
    expect(retryAfterMs(null, 0)).toBeUndefined();
  });
});
