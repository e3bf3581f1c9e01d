import type { AwsState } from './state.js';

export interface ResolvedAwsOptions {
  region: string;
  memberAccounts: number;
  assignmentDelayMs: number;
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
