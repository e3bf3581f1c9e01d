/**
 * The account assignment engine: give (or take away) one principal one permission set on many
 * accounts, at Identity Center's limits (a request rate across sso-admin, at most N operations
 * outstanding), and resumable (each account's result is reported as soon as it is known).
 *
 * One request per account is the goal:
 * - Existing assignments are found in bulk (ListAccountAssignmentsForPrincipal, when the caller may
 *   use it), else with one ListAccountAssignments per account.
 * - Each account costs one CreateAccountAssignment (or DeleteAccountAssignment).
 * - Outstanding operations are tracked in bulk: one ListAccountAssignmentCreationStatus (Filter
 *   Status IN_PROGRESS) page answers for every outstanding request at once; those that left
 *   IN_PROGRESS are matched against one FAILED listing; only a FAILED request is described (once),
 *   for its FailureReason. The result is confirmed in bulk at the end.
 * - Adaptive pacing: the engine does not know how long an operation takes. It learns it from the
 *   status listings (the age at which each request was last seen IN_PROGRESS, and when it was first
 *   seen gone) and, once it has enough samples, frees a slot when a request is older than the learned
 *   upper bound instead of spending a request to find out. Misjudgements (a request seen
 *   IN_PROGRESS past the bound, or an outstanding-limit throttle) widen the bound.
 */
import {
  CreateAccountAssignmentCommand,
  DeleteAccountAssignmentCommand,
  DescribeAccountAssignmentCreationStatusCommand,
  DescribeAccountAssignmentDeletionStatusCommand,
  ListAccountAssignmentCreationStatusCommand,
  ListAccountAssignmentDeletionStatusCommand,
  ListAccountAssignmentsCommand,
  ListAccountAssignmentsForPrincipalCommand,
  type AccountAssignmentOperationStatus,
  type SSOAdminClient,
} from '@aws-sdk/client-sso-admin';
import type { AccountAssignmentResult } from '../core/outputs.js';
import { InterruptedError } from '../errors.js';
import { awsErrorMessage, awsErrorName } from './clients.js';
import { awsCallError } from './errors.js';
import { isThrottle, withRetry } from './retry.js';
import { awsTuning, Pacer, type AwsTuning } from './tuning.js';

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
  /** Called once per account as soon as its result is known (again if the final confirmation changes it). */
  onResult?: (r: AccountAssignmentResult) => void | Promise<void>;
  /** Called after every finished account with the counts so far. */
  onProgress?: (done: number, total: number) => void;
  debug?: (m: string) => void;
}

export type UnassignmentStatus = 'DELETED' | 'ABSENT' | 'FAILED';
export interface AccountUnassignmentResult {
  accountId: string;
  accountName?: string;
  status: UnassignmentStatus;
  requestId?: string;
  failureReason?: string;
}
export interface UnassignInput extends Omit<EngineInput, 'onResult'> {
  onResult?: (r: AccountUnassignmentResult) => void | Promise<void>;
}

export interface EngineStats {
  /** Every sso-admin request sent, retries included. */
  requests: number;
  retries: number;
  bulkUsed: boolean;
  /** CreateAccountAssignment / DeleteAccountAssignment requests (retries included). */
  writes: number;
  /** Status listing pages (IN_PROGRESS and FAILED). */
  statusPages: number;
  /** Describe…Status requests (one per FAILED request, for its reason). */
  describes: number;
  /** Existence checks and the final confirmation (listing pages). */
  listPages: number;
  /** The latency the engine learned, in ms (undefined when nothing finished). */
  learnedMeanMs?: number;
  learnedBoundMs?: number;
  /** Times the learned bound proved too short (request seen IN_PROGRESS past it, or an outstanding-limit throttle). */
  boundMisses: number;
}

type Kind = 'create' | 'delete';
type Outcome = { accountId: string; accountName?: string; outcome: 'done' | 'already' | 'failed'; requestId?: string; failureReason?: string };

interface Tracked {
  target: AssignmentTarget;
  requestId: string;
  /** Just before the write was sent (its server-side start is later). */
  sentAt: number;
  /** When the write's answer arrived (its server-side start is earlier). */
  ackAt: number;
  /** Largest age (since ackAt, at a listing's send time) at which it was seen IN_PROGRESS: a lower bound of its latency. */
  lo: number;
}

/** Samples needed before the engine frees slots on its own judgement. */
const MIN_SAMPLES = 20;

/**
 * Expected completions per IN_PROGRESS listing while creations wait for a slot: the listing gap is
 * this many times mean latency / outstanding limit. A listing costs a request; a finished creation
 * not yet seen keeps its slot idle. The point of that trade is chosen from the simulated frontier
 * (scripts/poll-frontier.mjs, docs/performance.md "Profile 2"): with creations of 0.5-6 s, 0.75
 * costs about 2.4 requests per account at 1.110x of the floor on average (1.133x in the worst of
 * 40 seeded runs). Fewer listings measured too close to 1.15x on the loaded 2-core machine
 * (1 per listing: 1.112x, 1.175x, 1.157x; 0.8: 1.138x, 1.135x, 1.165x).
 */
const COMPLETIONS_PER_LISTING = 0.75;

/**
 * What the engine knows about how long an operation takes, from brackets: an operation seen
 * IN_PROGRESS at age a took longer than a; one first seen gone at age b took less than b.
 */
class LatencyModel {
  samples = 0;
  /** Summed latencies of the finished operations (each at its bracket's middle): the time on test. */
  private finishedSum = 0;
  private tight = 0;
  private sumMid = 0;
  private maxLo = 0;
  private maxTightHi = 0;
  private widen = 1;
  misses = 0;
  constructor(private readonly tightMs: number) {}
  seenInProgress(age: number): void {
    const before = this.bound();
    this.maxLo = Math.max(this.maxLo, age);
    if (before !== undefined && age >= before) this.misses++;
  }
  seenDone(lo: number, hi: number): void {
    this.samples++;
    this.finishedSum += (lo + hi) / 2;
    // Only a narrow bracket says where the latency is (a wide one, from the confirmation cadence,
    // only says "less than b"): the mean and the upper end come from narrow ones.
    const width = hi - lo;
    if (width <= Math.max(0.5 * hi, 2 * this.tightMs)) {
      this.tight++;
      this.sumMid += (lo + hi) / 2;
    }
    if (width <= Math.max(0.25 * hi, this.tightMs)) this.maxTightHi = Math.max(this.maxTightHi, hi);
  }
  /** An outstanding-limit throttle while relying on the bound: it was too short. */
  penalise(): void {
    if (this.bound() === undefined) return;
    this.misses++;
    this.widen *= 1.5;
  }
  mean(): number | undefined {
    return this.tight > 0 ? this.sumMid / this.tight : undefined;
  }
  /**
   * The mean latency for pacing, by time on test: the latencies of the finished operations plus the
   * ages of those still running (`runningAges`), over the number finished. Unlike the mean of the
   * finished ones alone, which early in a run counts only the short ones (the long ones are still
   * running), it does not start low. Undefined until one has finished.
   */
  pacingMean(runningAges: number): number | undefined {
    return this.samples > 0 ? (this.finishedSum + runningAges) / this.samples : undefined;
  }
  /** Age after which an operation is taken as finished for pacing (undefined until learned). */
  bound(): number | undefined {
    if (this.samples < MIN_SAMPLES) return undefined;
    return Math.max(this.maxLo * 1.2, this.maxTightHi) * this.widen + 20;
  }
}

/** Every account where the principal holds the permission set (bulk; undefined when not allowed). */
async function assignedInBulk(input: EngineInput | UnassignInput, send: Sender, stats: EngineStats): Promise<Set<string> | undefined> {
  const out = new Set<string>();
  let token: string | undefined;
  try {
    do {
      stats.listPages++;
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

async function assignedInAccount(input: EngineInput | UnassignInput, accountId: string, send: Sender, stats: EngineStats): Promise<boolean> {
  let token: string | undefined;
  do {
    stats.listPages++;
    const page = await send(() =>
      input.client.send(new ListAccountAssignmentsCommand({ InstanceArn: input.instanceArn, AccountId: accountId, PermissionSetArn: input.permissionSetArn, NextToken: token })),
    );
    if ((page.AccountAssignments ?? []).some((a) => a.PrincipalId === input.principalId && a.PrincipalType === input.principalType)) return true;
    token = page.NextToken;
  } while (token);
  return false;
}

type Sender = <T>(f: () => Promise<T>, onSend?: () => void) => Promise<T>;

const errText = (e: unknown): string => `${awsErrorName(e) || 'error'}: ${awsErrorMessage(e)}`;

async function runEngine(kind: Kind, input: EngineInput | UnassignInput, report: (o: Outcome) => void | Promise<void>): Promise<EngineStats> {
  const t: AwsTuning = { ...awsTuning(), ...input.tuning };
  // Evenly spaced at 1 % under the rate: the engine's requests are the only ones it paces.
  const pacer = new Pacer(t.requestsPerSecond, 0.01);
  const stats: EngineStats = { requests: 0, retries: 0, bulkUsed: false, writes: 0, statusPages: 0, describes: 0, listPages: 0, boundMisses: 0 };
  const retry = { baseMs: t.retryBaseMs, capMs: t.retryCapMs, maxAttempts: t.retryMaxAttempts, signal: input.signal };
  const minGap = 2000 / t.requestsPerSecond;
  const model = new LatencyModel(2 * minGap);

  /** Every sso-admin request goes through the pacer, retried on Throttling/Conflict. */
  const send: Sender = (f, onSend) =>
    withRetry(
      async () => {
        await pacer.slot(input.signal);
        stats.requests++;
        onSend?.();
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
    existing = await assignedInBulk(input, send, stats);
    stats.bulkUsed = existing !== undefined;
  }
  const base = (x: AssignmentTarget) => ({ accountId: x.accountId, ...(x.accountName ? { accountName: x.accountName } : {}) });

  // --------------------------------------------------------------- the scheduler's state
  const todo: AssignmentTarget[] = [];
  for (const x of input.targets) {
    if (existing && existing.has(x.accountId) === (kind === 'create')) await report({ ...base(x), outcome: 'already' });
    else todo.push(x);
  }
  let cursor = 0;
  let launching = 0;
  /** Sent and not yet seen leaving IN_PROGRESS. */
  const outstanding = new Map<string, Tracked>();
  /** Seen leaving IN_PROGRESS, not yet matched against the FAILED listing. */
  const left = new Map<string, Tracked>();
  /** Reported done: confirmed in bulk at the end. */
  const done: Tracked[] = [];
  let fatal: unknown;
  let busy = false; // a status listing (or FAILED check) is running
  let lastPollAt = 0;
  let lastFailedCheckAt = Date.now();
  let emptyPolls = 0;

  let wake: (() => void) | undefined;
  const poke = (): void => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const idle = (ms: number): Promise<void> =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => poke(), Math.max(0, ms));
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  const onAbort = (): void => {
    fatal ??= new InterruptedError();
    poke();
  };
  input.signal?.addEventListener('abort', onAbort, { once: true });

  const statusOf = (r: { AccountAssignmentCreationStatus?: AccountAssignmentOperationStatus; AccountAssignmentDeletionStatus?: AccountAssignmentOperationStatus }) =>
    kind === 'create' ? r.AccountAssignmentCreationStatus : r.AccountAssignmentDeletionStatus;

  const describe = async (requestId: string): Promise<AccountAssignmentOperationStatus | undefined> => {
    stats.describes++;
    const r = await send(() =>
      kind === 'create'
        ? input.client.send(new DescribeAccountAssignmentCreationStatusCommand({ InstanceArn: input.instanceArn, AccountAssignmentCreationRequestId: requestId }))
        : input.client.send(new DescribeAccountAssignmentDeletionStatusCommand({ InstanceArn: input.instanceArn, AccountAssignmentDeletionRequestId: requestId })),
    );
    return statusOf(r);
  };

  /** Request ids with the given status (all pages). */
  const listStatus = async (status: 'IN_PROGRESS' | 'FAILED'): Promise<Set<string>> => {
    const ids = new Set<string>();
    let token: string | undefined;
    do {
      stats.statusPages++;
      const q = { InstanceArn: input.instanceArn, Filter: { Status: status }, MaxResults: 100, NextToken: token } as const;
      if (kind === 'create') {
        const page = await send(() => input.client.send(new ListAccountAssignmentCreationStatusCommand(q)));
        for (const s of page.AccountAssignmentsCreationStatus ?? []) if (s.RequestId) ids.add(s.RequestId);
        token = page.NextToken;
      } else {
        const page = await send(() => input.client.send(new ListAccountAssignmentDeletionStatusCommand(q)));
        for (const s of page.AccountAssignmentsDeletionStatus ?? []) if (s.RequestId) ids.add(s.RequestId);
        token = page.NextToken;
      }
    } while (token);
    return ids;
  };

  const fail = (e: unknown): void => {
    fatal ??= e;
    poke();
  };

  /** One account: (existence check when not known in bulk) then the write. */
  const launch = async (x: AssignmentTarget): Promise<void> => {
    launching++;
    try {
      if (!existing) {
        let has: boolean;
        try {
          has = await assignedInAccount(input, x.accountId, send, stats);
        } catch (e) {
          if (e instanceof InterruptedError) throw e;
          await report({ ...base(x), outcome: 'failed', failureReason: `could not list existing assignments: ${errText(e)}` });
          return;
        }
        if (has === (kind === 'create')) {
          await report({ ...base(x), outcome: 'already' });
          return;
        }
      }
      let sentAt = Date.now();
      const params = {
        InstanceArn: input.instanceArn,
        TargetId: x.accountId,
        TargetType: 'AWS_ACCOUNT' as const,
        PermissionSetArn: input.permissionSetArn,
        PrincipalType: input.principalType,
        PrincipalId: input.principalId,
      };
      let st: AccountAssignmentOperationStatus | undefined;
      try {
        st = statusOf(
          await withRetry(
            async () => {
              await pacer.slot(input.signal);
              stats.requests++;
              stats.writes++;
              sentAt = Date.now();
              return kind === 'create' ? input.client.send(new CreateAccountAssignmentCommand(params)) : input.client.send(new DeleteAccountAssignmentCommand(params));
            },
            {
              ...retry,
              onRetry: (e, attempt, d) => {
                stats.retries++;
                // Paced requests are not throttled for their rate: a throttle here means the outstanding limit.
                if (isThrottle(e)) model.penalise();
                input.debug?.(`${awsErrorName(e)} on ${kind === 'create' ? 'CreateAccountAssignment' : 'DeleteAccountAssignment'} ${x.accountId} (attempt ${attempt + 1}); retrying in ${d} ms`);
              },
            },
          ),
        );
      } catch (e) {
        if (e instanceof InterruptedError || awsErrorName(e) === 'AccessDeniedException') throw e;
        if (kind === 'delete' && awsErrorName(e) === 'ResourceNotFoundException') {
          await report({ ...base(x), outcome: 'already' });
          return;
        }
        await report({ ...base(x), outcome: 'failed', failureReason: errText(e) });
        return;
      }
      const ackAt = Date.now();
      const requestId = st?.RequestId;
      if (st?.Status === 'FAILED' || !requestId) {
        await report({ ...base(x), outcome: 'failed', ...(requestId ? { requestId } : {}), failureReason: st?.FailureReason ?? `the request ended ${st?.Status ?? 'without a status'}` });
        return;
      }
      const tr: Tracked = { target: x, requestId, sentAt, ackAt, lo: 0 };
      if (st?.Status === 'SUCCEEDED') left.set(requestId, tr);
      else outstanding.set(requestId, tr);
    } catch (e) {
      fail(e);
    } finally {
      launching--;
      poke();
    }
  };

  /** One IN_PROGRESS listing: what left it moves to `left`, and the latency model learns. */
  const pollInProgress = async (): Promise<void> => {
    const sentAt = Date.now();
    const ids = await listStatus('IN_PROGRESS');
    const respAt = Date.now();
    lastPollAt = respAt;
    let moved = 0;
    for (const op of [...outstanding.values()]) {
      // Acknowledged after the listing was sent: the listing may predate it.
      if (op.ackAt > sentAt) continue;
      if (ids.has(op.requestId)) {
        op.lo = Math.max(op.lo, sentAt - op.ackAt);
        model.seenInProgress(op.lo);
        if (sentAt - op.ackAt > t.assignmentTimeoutMs) {
          outstanding.delete(op.requestId);
          await report({
            ...base(op.target),
            outcome: 'failed',
            requestId: op.requestId,
            failureReason: `still IN_PROGRESS after ${Math.round(t.assignmentTimeoutMs / 1000)} s; the next run checks it again`,
          });
        }
      } else {
        outstanding.delete(op.requestId);
        model.seenDone(op.lo, respAt - op.sentAt);
        left.set(op.requestId, op);
        moved++;
      }
    }
    emptyPolls = moved > 0 ? 0 : emptyPolls + 1;
  };

  /** Those that left IN_PROGRESS: FAILED (described once, for the reason) or done. */
  const checkFailed = async (): Promise<void> => {
    const batch = [...left.values()];
    lastFailedCheckAt = Date.now();
    const failed = await listStatus('FAILED');
    for (const op of batch) {
      // Interrupted: stop reporting (a later run finds these in its bulk listing).
      if (fatal !== undefined) return;
      left.delete(op.requestId);
      if (failed.has(op.requestId)) {
        let reason: string;
        try {
          const st = await describe(op.requestId);
          reason = st?.FailureReason ?? 'no reason given';
        } catch (e) {
          if (e instanceof InterruptedError) throw e;
          reason = `FAILED; could not read the reason: ${errText(e)}`;
        }
        await report({ ...base(op.target), outcome: 'failed', requestId: op.requestId, failureReason: reason });
      } else {
        done.push(op);
        await report({ ...base(op.target), outcome: 'done', requestId: op.requestId });
      }
    }
  };

  const background = (f: () => Promise<void>): void => {
    busy = true;
    f()
      .catch(fail)
      .finally(() => {
        busy = false;
        poke();
      });
  };

  /** Gap between two IN_PROGRESS listings while waiting on outstanding operations. */
  const pollGap = (): number => {
    const now = Date.now();
    const bound = model.bound();
    let running = 0;
    for (const op of outstanding.values()) running += Math.min(Math.max(0, now - op.ackAt), bound ?? Infinity);
    const mean = model.pacingMean(running);
    // COMPLETIONS_PER_LISTING expected completions per listing once one has finished; a backoff before.
    const g = mean === undefined ? minGap * 1.5 ** emptyPolls : (mean / t.maxOutstanding) * COMPLETIONS_PER_LISTING;
    return Math.min(t.statusPollMaxMs, Math.max(minGap, g));
  };

  // --------------------------------------------------------------- the scheduler
  try {
    for (;;) {
      if (fatal !== undefined) break;
      const now = Date.now();
      const bound = model.bound();
      let active = 0;
      let nextFree = Infinity;
      for (const op of outstanding.values()) {
        if (bound !== undefined && now - op.ackAt >= bound) continue;
        active++;
        if (bound !== undefined) nextFree = Math.min(nextFree, op.ackAt + bound);
      }
      if (cursor < todo.length && active + launching < t.maxOutstanding) {
        void launch(todo[cursor++]!);
        continue;
      }
      const allSent = cursor >= todo.length && launching === 0;
      if (allSent && outstanding.size === 0 && left.size === 0 && !busy) break;
      if (!busy) {
        const failedDue = left.size > 0 && (now - lastFailedCheckAt >= t.failedCheckMs || (allSent && outstanding.size === 0));
        if (failedDue) {
          background(checkFailed);
          continue;
        }
        if (outstanding.size > 0) {
          // Blocked on slots with operations the engine counts as running, or waiting for the last
          // ones: list at the learned cadence, unless the learned bound frees a slot sooner.
          // Otherwise (slots freed by the bound) a listing at the confirmation cadence.
          // When the learned latency varies less than the listing cadence can resolve, a listing
          // frees a slot hardly sooner than the bound does: wait for the bound instead.
          const mean = model.mean();
          const narrow = bound !== undefined && mean !== undefined && bound - mean < 2 * pollGap();
          const blocked = cursor < todo.length && active > 0 && !narrow;
          let pollAt = lastPollAt + t.statusConfirmMs;
          if (blocked || allSent) pollAt = Math.min(pollAt, lastPollAt + pollGap());
          if (blocked && nextFree < pollAt) pollAt = lastPollAt + t.statusConfirmMs;
          if (allSent && narrow) {
            // The last ones: one listing when all of them should be done.
            let lastDone = 0;
            for (const op of outstanding.values()) lastDone = Math.max(lastDone, op.ackAt + bound);
            pollAt = Math.max(pollAt, Math.min(lastDone, lastPollAt + t.statusConfirmMs));
          }
          if (pollAt <= now) {
            background(pollInProgress);
            continue;
          }
          await idle(Math.min(pollAt, nextFree) - now);
          continue;
        }
      }
      await idle(Math.min(nextFree - now, t.statusPollMaxMs));
    }
    // Let the tasks in flight settle before returning or throwing.
    while (launching > 0 || busy) await idle(t.statusPollMaxMs);
  } finally {
    input.signal?.removeEventListener('abort', onAbort);
  }
  if (fatal !== undefined) {
    if (fatal instanceof InterruptedError) throw fatal;
    const what = kind === 'create' ? 'creating account assignments' : 'deleting account assignments';
    throw awsCallError(
      fatal,
      what,
      kind === 'create'
        ? 'sso:CreateAccountAssignment, sso:ListAccountAssignmentCreationStatus, sso:DescribeAccountAssignmentCreationStatus'
        : 'sso:DeleteAccountAssignment, sso:ListAccountAssignmentDeletionStatus, sso:DescribeAccountAssignmentDeletionStatus',
    );
  }

  // --------------------------------------------------------------- confirmation in bulk
  if (done.length > 0) {
    let holds: (id: string) => Promise<boolean>;
    const bulk = stats.bulkUsed ? await assignedInBulk(input, send, stats) : undefined;
    if (bulk) holds = async (id) => bulk.has(id);
    else holds = (id) => assignedInAccount(input, id, send, stats);
    for (const op of done) {
      const ok = (await holds(op.target.accountId)) === (kind === 'create');
      if (ok) continue;
      // Listed otherwise than the status said: ask about this one request.
      const st = await describe(op.requestId).catch(() => undefined);
      if (st?.Status === 'SUCCEEDED') continue;
      await report({
        ...base(op.target),
        outcome: 'failed',
        requestId: op.requestId,
        failureReason: st?.FailureReason ?? `the request ended ${st?.Status ?? 'SUCCEEDED'}, but the assignment is ${kind === 'create' ? 'not listed' : 'still listed'}; run again`,
      });
    }
  }
  stats.learnedMeanMs = model.mean() === undefined ? undefined : Math.round(model.mean()!);
  stats.learnedBoundMs = model.bound() === undefined ? undefined : Math.round(model.bound()!);
  stats.boundMisses = model.misses;
  input.debug?.(
    `Assignment engine: ${stats.requests} requests (${stats.writes} writes, ${stats.statusPages} status pages, ${stats.describes} describes, ${stats.listPages} list pages), ${stats.retries} retries; learned latency ${stats.learnedMeanMs ?? '?'} ms mean, bound ${stats.learnedBoundMs ?? '?'} ms.`,
  );
  return stats;
}

/** Gives the principal the permission set on every target; resolves with one result per target, in target order. */
export async function assignAccounts(input: EngineInput): Promise<{ results: AccountAssignmentResult[]; stats: EngineStats }> {
  return collect<AccountAssignmentResult>('create', input, { done: 'SUCCEEDED', already: 'EXISTING' });
}

/**
 * Takes the permission set away from the principal on every target (the access file's prune):
 * DELETED, ABSENT (there was nothing to delete) or FAILED with the reason. Resumable: a re-run finds
 * the accounts already done ABSENT.
 */
export async function unassignAccounts(input: UnassignInput): Promise<{ results: AccountUnassignmentResult[]; stats: EngineStats }> {
  return collect<AccountUnassignmentResult>('delete', input, { done: 'DELETED', already: 'ABSENT' });
}

/** Runs the engine one way and keeps one result per target, in the targets' order, reporting each as it ends. */
async function collect<R extends AccountAssignmentResult | AccountUnassignmentResult>(
  kind: 'create' | 'delete',
  input: Omit<EngineInput, 'onResult'> & { onResult?: (r: R) => void | Promise<void> },
  names: { done: R['status']; already: R['status'] },
): Promise<{ results: R[]; stats: EngineStats }> {
  const results = new Map<string, R>();
  const stats = await runEngine(kind, input as EngineInput, async (o) => {
    const r = {
      accountId: o.accountId,
      ...(o.accountName ? { accountName: o.accountName } : {}),
      status: o.outcome === 'done' ? names.done : o.outcome === 'already' ? names.already : 'FAILED',
      ...(o.requestId ? { requestId: o.requestId } : {}),
      ...(o.failureReason ? { failureReason: o.failureReason } : {}),
    } as R;
    results.set(r.accountId, r);
    await input.onResult?.(r);
    input.onProgress?.(results.size, input.targets.length);
  });
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
  const send: Sender = (f) => f();
  const stats = { requests: 0, retries: 0, bulkUsed: false, writes: 0, statusPages: 0, describes: 0, listPages: 0 } as EngineStats;
  const wanted = new Set(q.accountIds);
  const bulk = q.bulk ? await assignedInBulk(input, send, stats) : undefined;
  if (bulk) return new Set([...bulk].filter((id) => wanted.has(id)));
  const out = new Set<string>();
  try {
    for (const id of wanted) if (await assignedInAccount(input, id, send, stats)) out.add(id);
  } catch (e) {
    throw awsCallError(e, 'listing the account assignments', 'sso:ListAccountAssignments');
  }
  return out;
}
