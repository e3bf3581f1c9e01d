import type { AwsState } from './state.js';

export interface ResolvedAwsOptions {
  region: string;
  memberAccounts: number;
  assignmentDelayMs: number;
  /** 0 = every operation takes assignmentDelayMs; above it, a seeded uniform draw in [assignmentDelayMs, assignmentDelayMaxMs]. */
  assignmentDelayMaxMs: number;
  failingAccounts: string[];
  requestsPerSecond: number;
  maxOutstandingAssignments: number;
  /** The caller's IAM identity policy; absent: every call is allowed. */
  callerPolicy?: Record<string, unknown>;
  /** Who calls: the management account, or the member account registered as Identity Center delegated administrator. */
  caller: 'management' | 'delegated-admin';
}

/** What a service handler gets for one request. */
export interface OpContext {
  state: AwsState;
  opts: ResolvedAwsOptions;
  now: number;
  /** Region from the SigV4 credential scope (home region when the request is unsigned). */
  region: string;
  /** Per-permission-set write lock: PermissionSetArn -> in-flight write. */
  locks: Set<string>;
  /** How long a permission-set write holds its lock, in ms. */
  writeLockMs: number;
  /** What the emulator saw (tests and the benchmark read it): see AwsObserved. */
  observed: AwsObserved;
}

/**
 * Highest number of account assignment operations of one kind that were IN_PROGRESS when a new one
 * arrived, counting the new one (so a value above maxOutstandingAssignments means a caller sent one
 * too many and was throttled), and how many were refused for that reason.
 */
export interface AwsObserved {
  maxOutstanding: { create: number; delete: number };
  outstandingThrottles: { create: number; delete: number };
  /** Delays given to accepted operations: count and total ms (the benchmark's floor uses their mean). */
  delays: { create: { count: number; totalMs: number }; delete: { count: number; totalMs: number } };
}

export function emptyObserved(): AwsObserved {
  return { maxOutstanding: { create: 0, delete: 0 }, outstandingThrottles: { create: 0, delete: 0 }, delays: { create: { count: 0, totalMs: 0 }, delete: { count: 0, totalMs: 0 } } };
}

export type Input = Record<string, unknown>;
export type Output = Record<string, unknown>;

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Epoch seconds with milliseconds, as the JSON 1.1 protocol sends timestamps. */
export const epoch = (ms: number): number => Math.round(ms) / 1000;

/** ExternalIds[].Issuer given to SCIM-provisioned users and groups (see docs/sandbox-aws.md). */
export function scimIssuer(s: AwsState): string {
  return `https://scim.${s.region}.amazonaws.com/${s.scim.tenantId}`;
}
