/**
 * The one retry policy: one backoff formula, a budget per operation (attempts and time), the AWS
 * SDK clients running it as their retry strategy (a fresh budget for every call, so a fault late
 * in a long run gets the full allowance), and no application retry of what the SDK already retries.
 */
import { describe, expect, it } from 'vitest';
import type { RetryErrorInfo } from '@smithy/types';
import { PROBE_POLICY, RETRY_POLICY, RetryBudget, backoffDelay, worstCaseWaitMs, type RetryPolicy } from '../../src/retry/policy.js';
import { SCIM_PROBE_TIMEOUT_MS } from '../../src/scim/client.js';
import { PolicyRetryStrategy, sdkRetrySettings } from '../../src/aws/retry-strategy.js';
import { createAwsClients } from '../../src/aws/clients.js';
import { DEFAULT_BACKOFF } from '../../src/aws/retry.js';
import { STSClient } from '@aws-sdk/client-sts';

const serverError: RetryErrorInfo = { errorType: 'SERVER_ERROR' };

describe('the retry policy', () => {
  it('one formula: full jitter between half the ceiling and the ceiling, capped', () => {
    expect(backoffDelay(0, { baseMs: 100, capMs: 1000 }, () => 0)).toBe(50);
    expect(backoffDelay(3, { baseMs: 100, capMs: 1000 }, () => 1)).toBe(800);
    expect(backoffDelay(10, { baseMs: 100, capMs: 1000 }, () => 1)).toBe(1000);
    // AWS application retries use the same numbers.
    expect(DEFAULT_BACKOFF).toMatchObject({ baseMs: RETRY_POLICY.baseMs, capMs: RETRY_POLICY.capMs, maxAttempts: RETRY_POLICY.maxAttempts });
  });

  it('a budget allows maxAttempts sends and stops at its time limit', () => {
    let now = 0;
    const b = new RetryBudget({ ...RETRY_POLICY, maxAttempts: 4, budgetMs: 10_000 }, () => now);
    const delays = [b.next(), b.next(), b.next(), b.next()];
    expect(delays.slice(0, 3).every((d) => typeof d === 'number')).toBe(true);
    expect(delays[3]).toBeUndefined();
    const t = new RetryBudget({ ...RETRY_POLICY, budgetMs: 1000 }, () => now);
    expect(t.next(500)).toBe(500);
    now = 900;
    expect(t.next(500)).toBeUndefined(); // would end after the operation's deadline
  });
});

/** The waits a RetryBudget hands out when every send fails and each asks for `wanted` (fake clock). */
function spentWaits(p: RetryPolicy, wanted: (attempt: number) => number | undefined): number[] {
  let now = 0;
  const b = new RetryBudget(p, () => now);
  const waits: number[] = [];
  for (let d = b.next(wanted(0)); d !== undefined; d = b.next(wanted(waits.length))) {
    waits.push(d);
    now += d;
  }
  return waits;
}

describe('the probe allowance (100% faults end with a clear error in under a minute)', () => {
  it('worstCaseWaitMs is what a budget really hands out, with and without rate-limit waits', () => {
    const ceiling = (a: number) => Math.min(PROBE_POLICY.capMs, PROBE_POLICY.baseMs * 2 ** a);
    // Every send answered 5xx: the backoff at its ceiling (the longest full jitter can draw).
    const errors = spentWaits(PROBE_POLICY, (a) => ceiling(a));
    expect(errors).toHaveLength(PROBE_POLICY.maxAttempts - 1);
    expect(errors.reduce((x, y) => x + y, 0)).toBe(worstCaseWaitMs(PROBE_POLICY, false));
    // Every send answered 429 asking for a long wait: capped by the policy, cut by the budget.
    const throttled = spentWaits(PROBE_POLICY, () => PROBE_POLICY.rateLimitMaxWaitMs);
    expect(throttled.reduce((x, y) => x + y, 0)).toBe(worstCaseWaitMs(PROBE_POLICY));
    expect(worstCaseWaitMs(RETRY_POLICY)).toBe(RETRY_POLICY.budgetMs);
  });

  it("the SCIM probe's worst case is under a minute, its sends included", () => {
    expect(worstCaseWaitMs(PROBE_POLICY)).toBeLessThan(60_000);
    // The whole probe (sends and waits) is cut at SCIM_PROBE_TIMEOUT_MS.
    expect(SCIM_PROBE_TIMEOUT_MS).toBeLessThan(60_000);
    // Every answer a 5xx: a few seconds of backoff (0.25 + 0.5 + 1 + 2 s at most).
    expect(worstCaseWaitMs(PROBE_POLICY, false)).toBe(3_750);
    // Still more sends than the SDKs' defaults (3), on the policy's backoff.
    expect(PROBE_POLICY.maxAttempts).toBeGreaterThan(3);
    expect(PROBE_POLICY).toMatchObject({ baseMs: RETRY_POLICY.baseMs, capMs: RETRY_POLICY.capMs });
  });
});

describe('the AWS SDK retry strategy', () => {
  it('gives every operation its own budget: the 100th call still gets every retry', async () => {
    const s = new PolicyRetryStrategy({ baseMs: 1, capMs: 2 });
    for (let op = 0; op < 100; op++) {
      let token = await s.acquireInitialRetryToken();
      for (let r = 1; r < RETRY_POLICY.maxAttempts; r++) {
        token = await s.refreshRetryTokenForRetry(token, serverError);
        expect(token.getRetryCount()).toBe(r);
      }
      await expect(s.refreshRetryTokenForRetry(token, serverError)).rejects.toThrow(/budget/);
      s.recordSuccess();
    }
  });

  it('never retries a client error, and waits at least a throttle hint (capped)', async () => {
    const s = new PolicyRetryStrategy({ baseMs: 1, capMs: 2 });
    const t = await s.acquireInitialRetryToken();
    await expect(s.refreshRetryTokenForRetry(t, { errorType: 'CLIENT_ERROR' })).rejects.toThrow();
    const hinted = await s.refreshRetryTokenForRetry(t, { errorType: 'THROTTLING', retryAfterHint: new Date(Date.now() + 3000) });
    expect(hinted.getRetryDelay()).toBeGreaterThan(2500);
    const capped = await new PolicyRetryStrategy({ rateLimitMaxWaitMs: 100 }).refreshRetryTokenForRetry(await s.acquireInitialRetryToken(), { errorType: 'THROTTLING', retryAfterHint: new Date(Date.now() + 600_000) });
    expect(capped.getRetryDelay()).toBeLessThanOrEqual(RETRY_POLICY.capMs);
  });

  it('every AWS client runs the policy as its strategy; the assignment engine client retries itself (SDK off)', async () => {
    const sts = new STSClient({ region: 'us-east-1', ...sdkRetrySettings() });
    const clients = createAwsClients({ region: 'us-east-1', credentials: async () => ({ accessKeyId: 'a', secretAccessKey: 'b' }), caller: { accountId: '111122223333', arn: 'arn:aws:iam::111122223333:user/x', userId: 'x' } as never, credentialSource: 'test' }, sts);
    try {
      for (const c of [clients.ssoAdmin('us-east-1'), clients.identityStore('us-east-1'), clients.organizations, sts]) {
        expect(await c.config.retryStrategy()).toBeInstanceOf(PolicyRetryStrategy);
        expect(await c.config.maxAttempts()).toBe(RETRY_POLICY.maxAttempts);
      }
      expect(await clients.ssoAdminEngine('us-east-1').config.maxAttempts()).toBe(1);
    } finally {
      clients.destroy();
    }
  });
});
