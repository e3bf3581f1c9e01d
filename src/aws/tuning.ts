/**
 * Waits and limits of the AWS steps. No value here describes how long AWS (or the sandbox) takes
 * to finish an operation: the assignment engine learns it, and the provisioning wait backs off from
 * a short first look. Tests shorten the SCIM and retry waits (setAwsTuning).
 */
import { sleep } from './retry.js';
import { RETRY_POLICY } from '../retry/policy.js';

export interface AwsTuning {
  /**
   * Account assignments: the engine learns how long an operation takes (nothing here says it).
   * Longest gap between two status listings while it waits, and the cadence at which it lists
   * statuses to confirm results while it is not waiting.
   */
  statusPollMaxMs: number;
  statusConfirmMs: number;
  /**
   * Cadence of the FAILED listing that turns the operations seen leaving IN_PROGRESS into reported
   * results (and the last one, once nothing is outstanding). Each costs a request and only reports.
   */
  failedCheckMs: number;
  /** Backoff factor of the provisioning status listing. */
  pollFactor: number;
  /** Give up on one account's creation after this long (it is then FAILED and retried on the next run). */
  assignmentTimeoutMs: number;
  /** ListPermissionSetProvisioningStatus cadence (first listing, then x pollFactor up to the max) and limit. */
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
  statusPollMaxMs: 5_000,
  statusConfirmMs: 5_000,
  failedCheckMs: 10_000,
  pollFactor: 1.5,
  assignmentTimeoutMs: 10 * 60_000,
  provisionPollInitialMs: 250,
  provisionPollMaxMs: 5_000,
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
