/** SWBExternalService (sso-admin): instance, permission sets, provisioning, account assignments. */
import crypto from 'node:crypto';
import { AwsError, conflict, notFound, throttled, validation } from './errors.js';
import { epoch, sleep, type Input, type OpContext, type Output } from './context.js';
import { awsManagedPolicyExists } from './managed-policies.js';
import { page } from './paging.js';
import { nextHex, nextUuid, type AssignmentOpRec, type AssignmentRec, type AwsState, type PermissionSetRec, type ProvisioningRec } from './state.js';

const MAX = 100;

/** Applies every asynchronous operation whose delay has passed. Called before each request. */
export function settle(s: AwsState, now: number): void {
  for (const op of s.assignmentOps) {
    if (op.applied || op.readyAt > now) continue;
    op.applied = true;
    if (op.result !== 'SUCCEEDED') continue;
    const same = (a: AssignmentRec) =>
      a.accountId === op.accountId && a.permissionSetArn === op.permissionSetArn && a.principalType === op.principalType && a.principalId === op.principalId;
    if (op.kind === 'create') {
      if (!s.assignments.some(same)) s.assignments.push({ accountId: op.accountId, permissionSetArn: op.permissionSetArn, principalType: op.principalType, principalId: op.principalId });
      const ps = s.permissionSets.find((p) => p.arn === op.permissionSetArn);
      if (ps) ps.provisioned[op.accountId] = 'LATEST';
    } else {
      s.assignments = s.assignments.filter((a) => !same(a));
      // The last assignment of a set in an account gone: the set (its role) is removed from the account.
      if (!s.assignments.some((a) => a.accountId === op.accountId && a.permissionSetArn === op.permissionSetArn)) {
        const ps = s.permissionSets.find((p) => p.arn === op.permissionSetArn);
        if (ps) delete ps.provisioned[op.accountId];
      }
    }
  }
  for (const pr of s.provisioning) {
    if (pr.applied || pr.readyAt > now) continue;
    pr.applied = true;
    if (pr.failureReason) continue;
    const ps = s.permissionSets.find((p) => p.arn === pr.permissionSetArn);
    if (ps) for (const a of pr.accounts) ps.provisioned[a] = 'LATEST';
  }
}

/**
 * How long one asynchronous operation stays IN_PROGRESS: `assignmentDelayMs`, or a uniform draw in
 * [assignmentDelayMs, assignmentDelayMaxMs] seeded by the seed and the request id (reproducible).
 */
export function operationDelayMs(ctx: OpContext, requestId: string): number {
  const lo = ctx.opts.assignmentDelayMs;
  const hi = ctx.opts.assignmentDelayMaxMs;
  if (!(hi > lo)) return lo;
  const u = parseInt(crypto.createHash('sha256').update(`${ctx.state.seed}:delay:${requestId}`).digest('hex').slice(0, 12), 16) / 2 ** 48;
  return Math.round(lo + (hi - lo) * u);
}

function requireInstance(ctx: OpContext, input: Input): void {
  if (ctx.region !== ctx.state.region || input.InstanceArn !== ctx.state.instance.arn) {
    throw validation(`The instance ${String(input.InstanceArn)} does not exist in ${ctx.region}.`);
  }
}

function permissionSet(ctx: OpContext, arn: unknown): PermissionSetRec {
  const ps = ctx.state.permissionSets.find((p) => p.arn === arn);
  if (!ps) throw notFound(`Could not find PermissionSet with arn ${String(arn)}.`);
  return ps;
}

/** The instance fields ListInstances and DescribeInstance both answer with. */
function instanceSummary(s: AwsState): Output {
  return {
    InstanceArn: s.instance.arn,
    IdentityStoreId: s.instance.identityStoreId,
    OwnerAccountId: s.org.managementAccountId,
    Name: s.instance.name,
    CreatedDate: s.instance.createdDate,
    Status: 'ACTIVE',
  };
}

function psOut(ps: PermissionSetRec): Output {
  return {
    Name: ps.name,
    PermissionSetArn: ps.arn,
    Description: ps.description,
    CreatedDate: ps.createdDate,
    SessionDuration: ps.sessionDuration,
    RelayState: ps.relayState,
  };
}

function opStatus(op: AssignmentOpRec, now: number): Output {
  const status = op.readyAt > now ? 'IN_PROGRESS' : op.result;
  return {
    Status: status,
    RequestId: op.requestId,
    FailureReason: status === 'FAILED' ? op.failureReason : undefined,
    TargetId: op.accountId,
    TargetType: 'AWS_ACCOUNT',
    PermissionSetArn: op.permissionSetArn,
    PrincipalType: op.principalType,
    PrincipalId: op.principalId,
    CreatedDate: epoch(op.createdAt),
  };
}

function provStatus(pr: ProvisioningRec, now: number): Output {
  const status = pr.readyAt > now ? 'IN_PROGRESS' : pr.failureReason ? 'FAILED' : 'SUCCEEDED';
  return {
    Status: status,
    FailureReason: status === 'FAILED' ? pr.failureReason : undefined,
    RequestId: pr.requestId,
    AccountId: pr.accounts.length === 1 ? pr.accounts[0] : undefined,
    PermissionSetArn: pr.permissionSetArn,
    CreatedDate: epoch(pr.createdAt),
  };
}

/** A write on one permission set holds its lock while it runs; an overlapping write gets ConflictException. */
async function withPsLock<T>(ctx: OpContext, arn: string, fn: () => T): Promise<T> {
  if (ctx.locks.has(arn)) {
    throw conflict(`Another operation is in progress on PermissionSet ${arn}. Retry the request after it completes.`);
  }
  if (ctx.state.provisioning.some((p) => p.permissionSetArn === arn && p.readyAt > ctx.now)) {
    throw conflict(`PermissionSet ${arn} is being provisioned. Retry the request after the provisioning completes.`);
  }
  ctx.locks.add(arn);
  try {
    await sleep(ctx.writeLockMs);
    return fn();
  } finally {
    ctx.locks.delete(arn);
  }
}

/**
 * A write to a permission set's content (its fields, policies, boundary): under the set's lock, and
 * afterwards every account it is provisioned to holds an outdated version.
 */
function changeContent(ctx: OpContext, ps: PermissionSetRec, change: () => void): Promise<Output> {
  return withPsLock(ctx, ps.arn, () => {
    change();
    outdate(ps);
    return {};
  });
}

function principalExists(s: AwsState, type: unknown, id: unknown): boolean {
  return type === 'USER' ? s.users.some((u) => u.id === id) : s.groups.some((g) => g.id === id);
}

export async function ssoAdmin(op: string, input: Input, ctx: OpContext): Promise<Output> {
  const s = ctx.state;
  const now = ctx.now;
  const pg = (items: unknown[]) => page(items, input, { operation: op, max: MAX });
  /** A list answer: the page of `items` under `key`, with the NextToken of the rest. */
  const listed = (key: string, items: unknown[]): Output => {
    const p = pg(items);
    return { [key]: p.items, NextToken: p.nextToken };
  };
  if (op === 'ListInstances') {
    const instances =
      ctx.region === s.region
        ? [
            {
              ...instanceSummary(s),
              PrimaryRegion: s.region,
              Regions: [{ RegionName: s.region, Status: 'ACTIVE', AddedDate: s.instance.createdDate, IsPrimaryRegion: true }],
            },
          ]
        : [];
    return listed('Instances', instances);
  }
  requireInstance(ctx, input);
  switch (op) {
    case 'DescribeInstance':
      return {
        ...instanceSummary(s),
        PermissionSetsEnabled: true,
        EncryptionConfigurationDetails: { KeyType: 'AWS_OWNED_KMS_KEY', EncryptionStatus: 'ENABLED' },
      };
    case 'ListPermissionSets': {
      return listed('PermissionSets', s.permissionSets.map((x) => x.arn));
    }
    case 'DescribePermissionSet':
      return { PermissionSet: psOut(permissionSet(ctx, input.PermissionSetArn)) };
    case 'CreatePermissionSet': {
      const name = String(input.Name);
      if (s.permissionSets.some((p) => p.name === name)) throw conflict(`PermissionSet with name ${name} already exists.`);
      const ps: PermissionSetRec = {
        arn: `arn:aws:sso:::permissionSet/${s.instance.id}/ps-${nextHex(s, 16)}`,
        name,
        description: input.Description as string | undefined,
        sessionDuration: (input.SessionDuration as string | undefined) ?? 'PT1H',
        relayState: input.RelayState as string | undefined,
        createdDate: epoch(now),
        managedPolicies: [],
        provisioned: {},
        tags: (input.Tags as { Key: string; Value: string }[] | undefined) ?? [],
      };
      s.permissionSets.push(ps);
      return { PermissionSet: psOut(ps) };
    }
    case 'UpdatePermissionSet': {
      const ps = permissionSet(ctx, input.PermissionSetArn);
      return changeContent(ctx, ps, () => {
        if (input.Description !== undefined) ps.description = input.Description as string;
        if (input.SessionDuration !== undefined) ps.sessionDuration = input.SessionDuration as string;
        if (input.RelayState !== undefined) ps.relayState = input.RelayState as string;
      });
    }
    case 'AttachManagedPolicyToPermissionSet': {
      const ps = permissionSet(ctx, input.PermissionSetArn);
      const arn = String(input.ManagedPolicyArn);
      const m = /^arn:aws[a-z-]*:iam::aws:policy\/(?:.*\/)?([^/]+)$/.exec(arn);
      if (!m) throw validation(`The ManagedPolicyArn ${arn} is not an AWS managed policy ARN.`);
      // The policy must exist (AWS checks it against IAM; see docs/sandbox-aws.md for the error's shape).
      if (!awsManagedPolicyExists(arn)) throw validation(`Policy ${arn} does not exist or is not attachable.`);
      return changeContent(ctx, ps, () => {
        if (ps.managedPolicies.some((p) => p.Arn === arn)) throw conflict(`Managed policy ${arn} is already attached to the permission set.`);
        if (ps.managedPolicies.length >= 20) throw validation('A permission set can have at most 20 managed policies attached.');
        ps.managedPolicies.push({ Name: m[1]!, Arn: arn });
      });
    }
    case 'DetachManagedPolicyFromPermissionSet': {
      const ps = permissionSet(ctx, input.PermissionSetArn);
      return changeContent(ctx, ps, () => {
        const before = ps.managedPolicies.length;
        ps.managedPolicies = ps.managedPolicies.filter((p) => p.Arn !== input.ManagedPolicyArn);
        if (ps.managedPolicies.length === before) throw notFound(`Managed policy ${String(input.ManagedPolicyArn)} is not attached to the permission set.`);
      });
    }
    case 'ListManagedPoliciesInPermissionSet': {
      const ps = permissionSet(ctx, input.PermissionSetArn);
      return listed('AttachedManagedPolicies', ps.managedPolicies);
    }
    case 'ProvisionPermissionSet': {
      const ps = permissionSet(ctx, input.PermissionSetArn);
      let accounts: string[];
      if (input.TargetType === 'AWS_ACCOUNT') {
        if (typeof input.TargetId !== 'string') throw validation('TargetId is required when TargetType is AWS_ACCOUNT.');
        accounts = [input.TargetId];
      } else {
        accounts = Object.keys(ps.provisioned);
      }
      return withPsLock(ctx, ps.arn, () => {
        const requestId = nextUuid(s);
        const pr: ProvisioningRec = { requestId, permissionSetArn: ps.arn, accounts, createdAt: now, readyAt: now + operationDelayMs(ctx, requestId), applied: false };
        const failing = accounts.find((a) => ctx.opts.failingAccounts.includes(a));
        if (failing) pr.failureReason = `Received a 409 status error: Unable to provision the permission set in account ${failing} (sandbox failingAccounts).`;
        s.provisioning.push(pr);
        return { PermissionSetProvisioningStatus: provStatus(pr, now) };
      });
    }
    case 'DescribePermissionSetProvisioningStatus': {
      const pr = s.provisioning.find((p) => p.requestId === input.ProvisionPermissionSetRequestId);
      if (!pr) throw notFound(`Could not find the provisioning request ${String(input.ProvisionPermissionSetRequestId)}.`);
      return { PermissionSetProvisioningStatus: provStatus(pr, now) };
    }
    case 'ListPermissionSetProvisioningStatus': {
      const f = (input.Filter as { Status?: string } | undefined)?.Status;
      const all = s.provisioning.map((p) => provStatus(p, now)).filter((x) => !f || x.Status === f);
      return listed('PermissionSetsProvisioningStatus', all.map((x) => ({ Status: x.Status, RequestId: x.RequestId, CreatedDate: x.CreatedDate })));
    }
    case 'ListAccountsForProvisionedPermissionSet': {
      const ps = permissionSet(ctx, input.PermissionSetArn);
      const want = input.ProvisioningStatus;
      const ids = Object.entries(ps.provisioned)
        .filter(([, v]) => !want || (want === 'LATEST_PERMISSION_SET_PROVISIONED' ? v === 'LATEST' : v === 'OUTDATED'))
        .map(([k]) => k);
      return listed('AccountIds', ids);
    }
    case 'ListPermissionSetsProvisionedToAccount': {
      const want = input.ProvisioningStatus;
      const arns = s.permissionSets
        .filter((ps) => {
          const v = ps.provisioned[String(input.AccountId)];
          if (!v) return false;
          return !want || (want === 'LATEST_PERMISSION_SET_PROVISIONED' ? v === 'LATEST' : v === 'OUTDATED');
        })
        .map((ps) => ps.arn);
      return listed('PermissionSets', arns);
    }
    case 'DeletePermissionSet': {
      const ps = permissionSet(ctx, input.PermissionSetArn);
      return withPsLock(ctx, ps.arn, () => {
        // AWS refuses while the set is still assigned (or provisioned) somewhere (docs/sandbox-aws.md).
        // (or with an assignment operation still in flight).
        if (s.assignments.some((a) => a.permissionSetArn === ps.arn) || Object.keys(ps.provisioned).length > 0 || s.assignmentOps.some((o) => o.permissionSetArn === ps.arn && o.readyAt > now)) {
          throw conflict(`Could not delete because PermissionSet ${ps.arn} has ApplicationProfile associated with it. Delete its account assignments first.`);
        }
        s.permissionSets = s.permissionSets.filter((p) => p.arn !== ps.arn);
        return {};
      });
    }
    case 'AttachCustomerManagedPolicyReferenceToPermissionSet': {
      const ps = permissionSet(ctx, input.PermissionSetArn);
      const ref = input.CustomerManagedPolicyReference as { Name: string; Path?: string };
      const path = ref.Path ?? '/';
      return changeContent(ctx, ps, () => {
        const list = (ps.customerManagedPolicies ??= []);
        if (list.some((p) => p.Name === ref.Name && p.Path === path)) throw conflict(`Customer managed policy reference ${path}${ref.Name} is already attached to the permission set.`);
        // Managed and customer managed policies together: at most 20 per permission set (default quota).
        if (list.length + ps.managedPolicies.length >= 20) throw new AwsError(400, 'ServiceQuotaExceededException', 'The permission set has reached the quota of attached managed policies.');
        list.push({ Name: ref.Name, Path: path });
      });
    }
    case 'DetachCustomerManagedPolicyReferenceFromPermissionSet': {
      const ps = permissionSet(ctx, input.PermissionSetArn);
      const ref = input.CustomerManagedPolicyReference as { Name: string; Path?: string };
      const path = ref.Path ?? '/';
      return changeContent(ctx, ps, () => {
        const list = ps.customerManagedPolicies ?? [];
        if (!list.some((p) => p.Name === ref.Name && p.Path === path)) throw notFound(`Customer managed policy reference ${path}${ref.Name} is not attached to the permission set.`);
        ps.customerManagedPolicies = list.filter((p) => !(p.Name === ref.Name && p.Path === path));
      });
    }
    case 'ListCustomerManagedPolicyReferencesInPermissionSet': {
      const ps = permissionSet(ctx, input.PermissionSetArn);
      return listed('CustomerManagedPolicyReferences', ps.customerManagedPolicies ?? []);
    }
    case 'PutInlinePolicyToPermissionSet': {
      const ps = permissionSet(ctx, input.PermissionSetArn);
      const doc = String(input.InlinePolicy);
      try {
        const parsed = JSON.parse(doc) as unknown;
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || !('Statement' in parsed)) throw new Error('no Statement');
      } catch {
        throw validation('The inline policy is not a valid IAM policy document (MalformedPolicyDocument).');
      }
      return changeContent(ctx, ps, () => {
        ps.inlinePolicy = doc;
      });
    }
    case 'GetInlinePolicyForPermissionSet': {
      const ps = permissionSet(ctx, input.PermissionSetArn);
      // No inline policy: the answer has no InlinePolicy (the model's minimum length is 1).
      return ps.inlinePolicy === undefined ? {} : { InlinePolicy: ps.inlinePolicy };
    }
    case 'DeleteInlinePolicyFromPermissionSet': {
      const ps = permissionSet(ctx, input.PermissionSetArn);
      return changeContent(ctx, ps, () => {
        delete ps.inlinePolicy;
      });
    }
    case 'PutPermissionsBoundaryToPermissionSet': {
      const ps = permissionSet(ctx, input.PermissionSetArn);
      const b = input.PermissionsBoundary as { CustomerManagedPolicyReference?: { Name: string; Path?: string }; ManagedPolicyArn?: string };
      if (!b.CustomerManagedPolicyReference === !b.ManagedPolicyArn) throw validation('Specify exactly one of CustomerManagedPolicyReference or ManagedPolicyArn in PermissionsBoundary.');
      if (b.ManagedPolicyArn && !awsManagedPolicyExists(b.ManagedPolicyArn)) throw validation(`Policy ${b.ManagedPolicyArn} does not exist or is not attachable.`);
      return changeContent(ctx, ps, () => {
        ps.permissionsBoundary = b.ManagedPolicyArn
          ? { ManagedPolicyArn: b.ManagedPolicyArn }
          : { CustomerManagedPolicyReference: { Name: b.CustomerManagedPolicyReference!.Name, Path: b.CustomerManagedPolicyReference!.Path ?? '/' } };
      });
    }
    case 'GetPermissionsBoundaryForPermissionSet': {
      const ps = permissionSet(ctx, input.PermissionSetArn);
      if (!ps.permissionsBoundary) throw notFound(`Could not find a permissions boundary for PermissionSet ${ps.arn}.`);
      return { PermissionsBoundary: ps.permissionsBoundary };
    }
    case 'DeletePermissionsBoundaryFromPermissionSet': {
      const ps = permissionSet(ctx, input.PermissionSetArn);
      return changeContent(ctx, ps, () => {
        if (!ps.permissionsBoundary) throw notFound(`Could not find a permissions boundary for PermissionSet ${ps.arn}.`);
        delete ps.permissionsBoundary;
      });
    }
    case 'ListTagsForResource': {
      const ps = permissionSet(ctx, input.ResourceArn);
      return listed('Tags', ps.tags);
    }
    case 'TagResource': {
      const ps = permissionSet(ctx, input.ResourceArn);
      const tags = input.Tags as { Key: string; Value: string }[];
      const merged = new Map(ps.tags.map((t) => [t.Key, t.Value]));
      for (const t of tags) merged.set(t.Key, t.Value);
      if (merged.size > 50) throw new AwsError(400, 'ServiceQuotaExceededException', 'A resource can have at most 50 tags.');
      ps.tags = [...merged].map(([Key, Value]) => ({ Key, Value }));
      return {};
    }
    case 'UntagResource': {
      const ps = permissionSet(ctx, input.ResourceArn);
      const keys = new Set(input.TagKeys as string[]);
      ps.tags = ps.tags.filter((t) => !keys.has(t.Key));
      return {};
    }
    case 'CreateAccountAssignment':
    case 'DeleteAccountAssignment': {
      const ps = permissionSet(ctx, input.PermissionSetArn);
      const kind = op === 'CreateAccountAssignment' ? 'create' : 'delete';
      // A deleted principal's leftover assignments can still be deleted.
      const leftover = kind === 'delete' && s.assignments.some((a) => a.principalId === input.PrincipalId && a.permissionSetArn === ps.arn);
      if (!leftover && !principalExists(s, input.PrincipalType, input.PrincipalId)) {
        throw notFound(`${input.PrincipalType === 'USER' ? 'User' : 'Group'} ${String(input.PrincipalId)} does not exist in identity store ${s.instance.identityStoreId}.`);
      }
      const tuple: AssignmentRec = {
        accountId: String(input.TargetId),
        permissionSetArn: ps.arn,
        principalType: input.PrincipalType as 'USER' | 'GROUP',
        principalId: String(input.PrincipalId),
      };
      const pending = s.assignmentOps.filter((o) => o.readyAt > now);
      if (
        pending.some(
          (o) => o.accountId === tuple.accountId && o.permissionSetArn === tuple.permissionSetArn && o.principalType === tuple.principalType && o.principalId === tuple.principalId,
        )
      ) {
        throw conflict('An account assignment operation for the same account, permission set and principal is already in progress.');
      }
      const inFlight = pending.filter((o) => o.kind === kind).length;
      ctx.observed.maxOutstanding[kind] = Math.max(ctx.observed.maxOutstanding[kind], inFlight + 1);
      if (inFlight >= ctx.opts.maxOutstandingAssignments) {
        ctx.observed.outstandingThrottles[kind]++;
        throw throttled(`Too many account assignment ${kind === 'create' ? 'creation' : 'deletion'} requests are in progress (${ctx.opts.maxOutstandingAssignments} at most). Retry after some complete.`);
      }
      const account = s.accounts.find((a) => a.id === tuple.accountId);
      let failureReason: string | undefined;
      if (kind === 'create') {
        if (!account) failureReason = `Request failed: account ${tuple.accountId} is not a member of organization ${s.org.id}.`;
        else if (account.state !== 'ACTIVE') failureReason = `Request failed because account ${tuple.accountId} is ${account.state}. Assignments can only be made to ACTIVE accounts.`;
        else if (ctx.opts.failingAccounts.includes(tuple.accountId)) failureReason = `Received a 409 status error: Unable to provision the permission set in account ${tuple.accountId} (sandbox failingAccounts).`;
      } else if (!s.assignments.some((a) => a.accountId === tuple.accountId && a.permissionSetArn === tuple.permissionSetArn && a.principalId === tuple.principalId)) {
        failureReason = 'The account assignment does not exist.';
      }
      const requestId = nextUuid(s);
      const rec: AssignmentOpRec = {
        ...tuple,
        kind,
        requestId,
        createdAt: now,
        readyAt: now + operationDelayMs(ctx, requestId),
        result: failureReason ? 'FAILED' : 'SUCCEEDED',
        failureReason,
        applied: false,
      };
      if (failureReason === undefined) delete rec.failureReason;
      ctx.observed.delays[kind].count++;
      ctx.observed.delays[kind].totalMs += rec.readyAt - now;
      s.assignmentOps.push(rec);
      const status = { ...opStatus(rec, now), Status: 'IN_PROGRESS', FailureReason: undefined };
      return kind === 'create' ? { AccountAssignmentCreationStatus: status } : { AccountAssignmentDeletionStatus: status };
    }
    case 'DescribeAccountAssignmentCreationStatus':
    case 'DescribeAccountAssignmentDeletionStatus': {
      const kind = op === 'DescribeAccountAssignmentCreationStatus' ? 'create' : 'delete';
      const id = kind === 'create' ? input.AccountAssignmentCreationRequestId : input.AccountAssignmentDeletionRequestId;
      const rec = s.assignmentOps.find((o) => o.kind === kind && o.requestId === id);
      if (!rec) throw notFound(`Could not find the account assignment request ${String(id)}.`);
      return kind === 'create' ? { AccountAssignmentCreationStatus: opStatus(rec, now) } : { AccountAssignmentDeletionStatus: opStatus(rec, now) };
    }
    case 'ListAccountAssignmentCreationStatus':
    case 'ListAccountAssignmentDeletionStatus': {
      const kind = op === 'ListAccountAssignmentCreationStatus' ? 'create' : 'delete';
      const f = (input.Filter as { Status?: string } | undefined)?.Status;
      const all = s.assignmentOps
        .filter((o) => o.kind === kind)
        .map((o) => opStatus(o, now))
        .filter((x) => !f || x.Status === f)
        .map((x) => ({ Status: x.Status, RequestId: x.RequestId, CreatedDate: x.CreatedDate }));
      return listed(kind === 'create' ? 'AccountAssignmentsCreationStatus' : 'AccountAssignmentsDeletionStatus', all);
    }
    case 'ListAccountAssignments': {
      const ps = permissionSet(ctx, input.PermissionSetArn);
      const list = s.assignments
        .filter((a) => a.accountId === input.AccountId && a.permissionSetArn === ps.arn)
        .map((a) => ({ AccountId: a.accountId, PermissionSetArn: a.permissionSetArn, PrincipalType: a.principalType, PrincipalId: a.principalId }));
      return listed('AccountAssignments', list);
    }
    case 'ListAccountAssignmentsForPrincipal': {
      const acct = (input.Filter as { AccountId?: string } | undefined)?.AccountId;
      const list = s.assignments
        .filter((a) => a.principalId === input.PrincipalId && a.principalType === input.PrincipalType && (!acct || a.accountId === acct))
        .map((a) => ({ AccountId: a.accountId, PermissionSetArn: a.permissionSetArn, PrincipalType: a.principalType, PrincipalId: a.principalId }));
      return listed('AccountAssignments', list);
    }
    default:
      throw validation(`Operation ${op} is not supported by the sandbox.`);
  }
}

/** A change to a permission set leaves the accounts it was provisioned to on the old version. */
function outdate(ps: PermissionSetRec): void {
  for (const k of Object.keys(ps.provisioned)) ps.provisioned[k] = 'OUTDATED';
}
