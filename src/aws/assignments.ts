/**
 * The account assignment engine: give one principal one permission set on many accounts, fast and
 * safely under Identity Center's limits (requests per second across sso-admin, at most N creations
 * outstanding), and resumable (each account's result is reported as it finishes).
 *
 * Per account: (existing? -> EXISTING) else CreateAccountAssignment (retrying Throttling/Conflict with
 * jittered backoff) -> DescribeAccountAssignmentCreationStatus with backoff until SUCCEEDED/FAILED.
 * Existing assignments are found in bulk with ListAccountAssignmentsForPrincipal when allowed
 * (management account), else with ListAccountAssignments per account.
 */
import {
  CreateAccountAssignmentCommand,
  DescribeAccountAssignmentCreationStatusCommand,
  ListAccountAssignmentsCommand,
  ListAccountAssignmentsForPrincipalCommand,
  type AccountAssignmentOperationStatus,
  type SSOAdminClient,
} from '@aws-sdk/client-sso-admin';
import type { AccountAssignmentResult } from '../core/outputs.js';
import { InterruptedError } from '../errors.js';
import { awsErrorMessage, awsErrorName } from './clients.js';
import { awsCallError } from './errors.js';
import { sleep, withRetry } from './retry.js';
import { awsTuning, Pacer, Semaphore, type AwsTuning } from './tuning.js';

export interface AssignmentTarget {
  accountId: string;
  accountName?: string;
}

export interface EngineInput {
  client: SSOAdminClient;
  instanceArn: string;
  permissionSetArn: string;
  principalId: string;
  principalType: 'GROUP' | 'USER';
  targets: AssignmentTarget[];
  /** Try ListAccountAssignmentsForPrincipal first (the management account may call it). */
  bulkExisting: boolean;
  signal?: AbortSignal;
  /** Overrides of the global tuning (benchmark, tests). */
  tuning?: Partial<AwsTuning>;
  /** Called once per account as soon as its result is known. */
  onResult?: (r: AccountAssignmentResult) => void | Promise<void>;
  /** Called after every finished account with the counts so far. */
  onProgress?: (done: number, total: number) => void;
  debug?: (m: string) => void;
}

export interface EngineStats {
  requests: number;
  retries: number;
  bulkUsed: boolean;
}

/** Every account where the principal already holds the permission set (bulk; undefined when not allowed). */
async function existingInBulk(input: EngineInput, send: <T>(f: () => Promise<T>) => Promise<T>): Promise<Set<string> | undefined> {
  const out = new Set<string>();
  let token: string | undefined;
  try {
    do {
      const page = await send(() =>
        input.client.send(
          new ListAccountAssignmentsForPrincipalCommand({
            InstanceArn: input.instanceArn,
            PrincipalId: input.principalId,
            PrincipalType: input.principalType,
            NextToken: token,
            MaxResults: 100,
          }),
        ),
      );
      for (const a of page.AccountAssignments ?? []) if (a.PermissionSetArn === input.permissionSetArn && a.AccountId) out.add(a.AccountId);
      token = page.NextToken;
    } while (token);
  } catch (e) {
    const n = awsErrorName(e);
    if (n === 'AccessDeniedException' || n === 'ValidationException') {
      input.debug?.(`ListAccountAssignmentsForPrincipal not usable (${n}); checking account by account.`);
      return undefined;
    }
    throw awsCallError(e, 'listing existing assignments (sso:ListAccountAssignmentsForPrincipal)', 'sso:ListAccountAssignmentsForPrincipal');
  }
  return out;
}

async function existsInAccount(input: EngineInput, accountId: string, send: <T>(f: () => Promise<T>) => Promise<T>): Promise<boolean> {
  let token: string | undefined;
  do {
    const page = await send(() =>
      input.client.send(new ListAccountAssignmentsCommand({ InstanceArn: input.instanceArn, AccountId: accountId, PermissionSetArn: input.permissionSetArn, NextToken: token })),
    );
    if ((page.AccountAssignments ?? []).some((a) => a.PrincipalId === input.principalId && a.PrincipalType === input.principalType)) return true;
    token = page.NextToken;
  } while (token);
  return false;
}

/** Runs the engine; resolves with one result per target, in target order. */
export async function assignAccounts(input: EngineInput): Promise<{ results: AccountAssignmentResult[]; stats: EngineStats }> {
  const t: AwsTuning = { ...awsTuning(), ...input.tuning };
  const pacer = new Pacer(t.requestsPerSecond);
  const outstanding = new Semaphore(t.maxOutstanding);
  const stats: EngineStats = { requests: 0, retries: 0, bulkUsed: false };
  const retry = { baseMs: t.retryBaseMs, capMs: t.retryCapMs, maxAttempts: t.retryMaxAttempts, signal: input.signal };
  /** Every sso-admin request goes through the pacer, retried on Throttling/Conflict. */
  const send = <T>(f: () => Promise<T>): Promise<T> =>
    withRetry(
      async () => {
        await pacer.slot(input.signal);
        stats.requests++;
        return f();
      },
      {
        ...retry,
        onRetry: (e, attempt, d) => {
          stats.retries++;
          input.debug?.(`${awsErrorName(e)} (attempt ${attempt + 1}); retrying in ${d} ms`);
        },
      },
    );

  let existing: Set<string> | undefined;
  if (input.bulkExisting) {
    existing = await existingInBulk(input, send);
    stats.bulkUsed = existing !== undefined;
  }

  const results = new Map<string, AccountAssignmentResult>();
  let done = 0;
  const finish = async (r: AccountAssignmentResult): Promise<void> => {
    results.set(r.accountId, r);
    done++;
    await input.onResult?.(r);
    input.onProgress?.(done, input.targets.length);
  };

  const one = async (target: AssignmentTarget): Promise<AccountAssignmentResult> => {
    const base = { accountId: target.accountId, ...(target.accountName ? { accountName: target.accountName } : {}) };
    try {
      const has = existing ? existing.has(target.accountId) : await existsInAccount(input, target.accountId, send);
      if (has) return { ...base, status: 'EXISTING' };
    } catch (e) {
      if (e instanceof InterruptedError) throw e;
      return { ...base, status: 'FAILED', failureReason: `could not list existing assignments: ${awsErrorName(e) || 'error'}: ${awsErrorMessage(e)}` };
    }
    await outstanding.acquire();
    try {
      let st: AccountAssignmentOperationStatus | undefined;
      try {
        st = (
          await send(() =>
            input.client.send(
              new CreateAccountAssignmentCommand({
                InstanceArn: input.instanceArn,
                TargetId: target.accountId,
                TargetType: 'AWS_ACCOUNT',
                PermissionSetArn: input.permissionSetArn,
                PrincipalType: input.principalType,
                PrincipalId: input.principalId,
              }),
            ),
          )
        ).AccountAssignmentCreationStatus;
      } catch (e) {
        if (e instanceof InterruptedError || awsErrorName(e) === 'AccessDeniedException') throw e;
        return { ...base, status: 'FAILED', failureReason: `${awsErrorName(e) || 'error'}: ${awsErrorMessage(e)}` };
      }
      const requestId = st?.RequestId;
      let delay = t.assignmentPollInitialMs;
      const started = Date.now();
      while (st?.Status === 'IN_PROGRESS' && requestId) {
        if (Date.now() - started > t.assignmentTimeoutMs) {
          return { ...base, status: 'FAILED', requestId, failureReason: `still IN_PROGRESS after ${Math.round(t.assignmentTimeoutMs / 1000)} s; the next run checks it again` };
        }
        await sleep(delay, input.signal);
        delay = Math.min(t.assignmentPollMaxMs, Math.round(delay * t.pollFactor));
        try {
          st = (
            await send(() =>
              input.client.send(new DescribeAccountAssignmentCreationStatusCommand({ InstanceArn: input.instanceArn, AccountAssignmentCreationRequestId: requestId })),
            )
          ).AccountAssignmentCreationStatus;
        } catch (e) {
          if (e instanceof InterruptedError) throw e;
          return { ...base, status: 'FAILED', requestId, failureReason: `could not read the creation status: ${awsErrorName(e) || 'error'}: ${awsErrorMessage(e)}` };
        }
      }
      if (st?.Status === 'SUCCEEDED') return { ...base, status: 'SUCCEEDED', ...(requestId ? { requestId } : {}) };
      return { ...base, status: 'FAILED', ...(requestId ? { requestId } : {}), failureReason: st?.FailureReason ?? `creation ended ${st?.Status ?? 'without a status'}` };
    } finally {
      outstanding.release();
    }
  };

  // Workers pull accounts from a shared cursor: the outstanding semaphore and the pacer bound the load.
  let cursor = 0;
  let fatal: unknown;
  const workers = Math.max(1, Math.min(input.targets.length, t.maxOutstanding * 2));
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (fatal === undefined && cursor < input.targets.length) {
        const target = input.targets[cursor++]!;
        try {
          await finish(await one(target));
        } catch (e) {
          fatal ??= e;
        }
      }
    }),
  );
  if (fatal !== undefined) throw awsCallError(fatal, 'creating account assignments', 'sso:CreateAccountAssignment, sso:DescribeAccountAssignmentCreationStatus');
  return { results: input.targets.map((x) => results.get(x.accountId)!), stats };
}

export interface HoldingQuery {
  client: SSOAdminClient;
  instanceArn: string;
  permissionSetArn: string;
  principalId: string;
  principalType: 'GROUP' | 'USER';
  /** The accounts asked about. */
  accountIds: readonly string[];
  /** Try ListAccountAssignmentsForPrincipal first (the management account may call it). */
  bulk: boolean;
  debug?: (m: string) => void;
}

/**
 * Which of `accountIds` already give the principal the permission set (matching PrincipalId and
 * PrincipalType): in bulk when allowed, else account by account. The one answer to "which accounts
 * already hold the assignment", used by the account-assignments plan, its drift check and verify.
 */
export async function accountsHoldingAssignment(q: HoldingQuery): Promise<Set<string>> {
  const input: EngineInput = { client: q.client, instanceArn: q.instanceArn, permissionSetArn: q.permissionSetArn, principalId: q.principalId, principalType: q.principalType, targets: [], bulkExisting: q.bulk, ...(q.debug ? { debug: q.debug } : {}) };
  const send = <T>(f: () => Promise<T>): Promise<T> => f();
  const wanted = new Set(q.accountIds);
  const bulk = q.bulk ? await existingInBulk(input, send) : undefined;
  if (bulk) return new Set([...bulk].filter((id) => wanted.has(id)));
  const out = new Set<string>();
  try {
    for (const id of wanted) if (await existsInAccount(input, id, send)) out.add(id);
  } catch (e) {
    throw awsCallError(e, 'listing the account assignments', 'sso:ListAccountAssignments');
  }
  return out;
}
