/**
 * Waits and limits of the AWS steps. The defaults suit real AWS; tests and the benchmark shorten
 * the waits (setAwsTuning) so that nothing waits real-world time.
 */
import { sleep } from './retry.js';
import { RETRY_POLICY } from '../retry/policy.js';

export interface AwsTuning {
  /** First DescribeAccountAssignmentCreationStatus after this many ms, then x pollFactor up to pollMaxMs. */
  assignmentPollInitialMs: number;
  assignmentPollMaxMs: number;
  pollFactor: number;
  /** Give up on one account's creation after this long (it is then FAILED and retried on the next run). */
  assignmentTimeoutMs: number;
  /** DescribePermissionSetProvisioningStatus cadence and limit. */
  provisionPollInitialMs: number;
  provisionPollMaxMs: number;
  provisionTimeoutMs: number;
  /** GetGroupId / GetUserId cadence while waiting for SCIM. */
  scimPollMs: number;
  /** Identity Center's limits: requests per second (all sso-admin calls) and outstanding creations. */
  requestsPerSecond: number;
  maxOutstanding: number;
  /** Application-level retry of Throttling/Conflict. */
  retryBaseMs: number;
  retryCapMs: number;
  retryMaxAttempts: number;
}

export const DEFAULT_TUNING: AwsTuning = {
  assignmentPollInitialMs: 2_000,
  assignmentPollMaxMs: 15_000,
  pollFactor: 1.5,
  assignmentTimeoutMs: 10 * 60_000,
  provisionPollInitialMs: 2_000,
  provisionPollMaxMs: 15_000,
  provisionTimeoutMs: 10 * 60_000,
  scimPollMs: 5_000,
  requestsPerSecond: 20,
  maxOutstanding: 10,
  retryBaseMs: RETRY_POLICY.baseMs,
  retryCapMs: RETRY_POLICY.capMs,
  retryMaxAttempts: RETRY_POLICY.maxAttempts,
};

let current: AwsTuning = { ...DEFAULT_TUNING };

export function awsTuning(): AwsTuning {
  return current;
}

/** Override some values (tests, benchmark); returns the previous tuning. */
export function setAwsTuning(patch: Partial<AwsTuning>): AwsTuning {
  const prev = current;
  current = { ...current, ...patch };
  return prev;
}

/** Evenly spaced request starts: never more than `perSecond` in any one-second window. */
export class Pacer {
  private next = 0;
  private readonly spacingMs: number;
  constructor(perSecond: number, marginFraction = 0.03) {
    this.spacingMs = (1000 / Math.max(0.1, perSecond)) * (1 + marginFraction);
  }
  /** Resolves when the caller may send its request. */
  async slot(signal?: AbortSignal): Promise<void> {
    const now = Date.now();
    const at = Math.max(now, this.next);
    this.next = at + this.spacingMs;
    const wait = at - now;
    if (wait > 0) await sleep(wait, signal);
  }
}

/** A counting semaphore (outstanding creations). */
export class Semaphore {
  private free: number;
  private readonly waiters: (() => void)[] = [];
  constructor(n: number) {
    this.free = n;
  }
  async acquire(): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return;
    }
    await new Promise<void>((resolve) => this.waiters.push(resolve));
  }
  release(): void {
    const w = this.waiters.shift();
    if (w) w();
    else this.free++;
  }
}
