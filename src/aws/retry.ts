/**
 * Application-level retries, on the one retry policy (src/retry/policy.ts): for what the SDK does not
 * retry (ConflictException: "a previous write has not propagated yet"), and for the assignment
 * engine's client, which runs with SDK retries off and retries here instead (never both).
 */
import { RETRY_POLICY, backoffDelay as policyBackoff, sleep } from '../retry/policy.js';
import { awsErrorMessage, awsErrorName } from './clients.js';

export interface BackoffOptions {
  /** First delay ceiling in ms. */
  baseMs: number;
  /** Largest delay in ms. */
  capMs: number;
  /** Total attempts including the first. */
  maxAttempts: number;
  /** Random source in [0, 1); injectable for tests. */
  random?: () => number;
}

/** The one policy's numbers (src/retry/policy.ts). */
export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: RETRY_POLICY.baseMs, capMs: RETRY_POLICY.capMs, maxAttempts: RETRY_POLICY.maxAttempts };

/** The one backoff formula (src/retry/policy.ts), with explicit numbers. */
export function backoffDelay(attempt: number, opts: BackoffOptions): number {
  return policyBackoff(attempt, opts, opts.random);
}

const THROTTLES = new Set(['ThrottlingException', 'TooManyRequestsException', 'Throttling', 'RequestLimitExceeded', 'ProvisionedThroughputExceededException']);

export function isThrottle(e: unknown): boolean {
  return THROTTLES.has(awsErrorName(e));
}

/**
 * A ConflictException worth retrying ("another operation is in progress"): not "already exists" or
 * "already attached" (`isAlreadyThere`: that one means adopt, and sending again only meets it again).
 */
export function isRetryableConflict(e: unknown): boolean {
  return awsErrorName(e) === 'ConflictException' && !isAlreadyThere(e);
}

/** ConflictException saying the object is already there ("already exists", "already attached"). */
export function isAlreadyThere(e: unknown): boolean {
  return awsErrorName(e) === 'ConflictException' && /already (exists|attached)/i.test(awsErrorMessage(e));
}

/**
 * A create that survives a dropped connection: the SDK sends a create again after a lost answer or a
 * 5xx (src/aws/retry-strategy.ts), and when the lost attempt was carried out, the second one meets a
 * ConflictException ("already exists"). The object is then looked up (by name, or by the tuple the
 * create names) and adopted; when the lookup finds nothing, the conflict stands and is thrown.
 * Used for every create the wizard makes in AWS (CreatePermissionSet, AttachManagedPolicyToPermissionSet;
 * CreateAccountAssignment is idempotent and retried through its "in progress" conflict instead).
 */
export async function createOrAdoptAws<T>(create: () => Promise<T>, find: () => Promise<T | undefined>, isDuplicate: (e: unknown) => boolean = isAlreadyThere): Promise<{ value: T; adopted: boolean }> {
  try {
    return { value: await create(), adopted: false };
  } catch (e) {
    if (!isDuplicate(e)) throw e;
    const found = await find();
    if (found === undefined) throw e;
    return { value: found, adopted: true };
  }
}

export function isTransient(e: unknown): boolean {
  if (isThrottle(e) || isRetryableConflict(e)) return true;
  const name = awsErrorName(e);
  if (name === 'InternalServerException' || name === 'ServiceUnavailableException' || name === 'TimeoutError') return true;
  const code = (e as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && ['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNREFUSED'].includes(code);
}

export { sleep };

export interface RetryOptions extends Partial<BackoffOptions> {
  signal?: AbortSignal;
  isRetryable?: (e: unknown) => boolean;
  /** Called before each wait (for debug output and tests). */
  onRetry?: (e: unknown, attempt: number, delayMs: number) => void;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** Run `fn`, retrying transient AWS errors with jittered exponential backoff. */
export async function withRetry<T>(fn: () => Promise<T>, opts: RetryOptions = {}): Promise<T> {
  const o: BackoffOptions = {
    baseMs: opts.baseMs ?? DEFAULT_BACKOFF.baseMs,
    capMs: opts.capMs ?? DEFAULT_BACKOFF.capMs,
    maxAttempts: opts.maxAttempts ?? DEFAULT_BACKOFF.maxAttempts,
    random: opts.random,
  };
  const retryable = opts.isRetryable ?? isTransient;
  const wait = opts.sleep ?? sleep;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (attempt + 1 >= o.maxAttempts || !retryable(e)) throw e;
      const d = backoffDelay(attempt, o);
      opts.onRetry?.(e, attempt, d);
      await wait(d, opts.signal);
    }
  }
}
