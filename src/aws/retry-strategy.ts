/**
 * The AWS SDK clients' retry strategy: the one retry policy (src/retry/policy.ts) plugged into the
 * SDK's retry middleware, with a fresh budget (attempts and time) for every operation. The SDK's own
 * strategies share a retry quota per client, so after a long run under faults a single 500 could
 * fail at once; here every call gets the full allowance. Throttling waits at least the server's
 * Retry-After hint (capped); client errors (4xx other than throttling) are never retried.
 */
import type { RetryErrorInfo, RetryStrategyV2, RetryToken } from '@smithy/types';
import { RETRY_POLICY, RetryBudget, backoffDelay, type RetryPolicy } from '../retry/policy.js';

interface PolicyToken extends RetryToken {
  budget: RetryBudget;
}

function token(budget: RetryBudget, delay: number): PolicyToken {
  const count = budget.retries;
  return { budget, getRetryCount: () => count, getRetryDelay: () => delay };
}

export class PolicyRetryStrategy implements RetryStrategyV2 {
  readonly mode = 'standard';
  private readonly policy: RetryPolicy;

  constructor(policy: Partial<RetryPolicy> = {}) {
    this.policy = { ...RETRY_POLICY, ...policy };
  }

  acquireInitialRetryToken(): Promise<RetryToken> {
    return Promise.resolve(token(new RetryBudget(this.policy), 0));
  }

  refreshRetryTokenForRetry(t: RetryToken, info: RetryErrorInfo): Promise<RetryToken> {
    if (info.errorType === 'CLIENT_ERROR') return Promise.reject(new Error('not retryable'));
    const budget = (t as PolicyToken).budget;
    let wanted: number | undefined;
    if (info.retryAfterHint) {
      const hint = Math.min(Math.max(info.retryAfterHint.getTime() - Date.now(), 0), this.policy.rateLimitMaxWaitMs);
      wanted = Math.max(hint, backoffDelay(budget.retries, this.policy));
    }
    const delay = budget.next(wanted);
    if (delay === undefined) return Promise.reject(new Error('retry budget spent'));
    return Promise.resolve(token(budget, delay));
  }

  recordSuccess(): void {
    // budgets are per operation: nothing to give back
  }
}

/** The SDK client settings for the policy (every client but the assignment engine's, which retries itself). */
export function sdkRetrySettings(policy: Partial<RetryPolicy> = {}): { retryStrategy: RetryStrategyV2; maxAttempts: number } {
  const p = { ...RETRY_POLICY, ...policy };
  return { retryStrategy: new PolicyRetryStrategy(p), maxAttempts: p.maxAttempts };
}
