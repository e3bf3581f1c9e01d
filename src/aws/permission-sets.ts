/**
 * Permission sets: find by name (there is no name filter: list + describe), create when missing
 * ("already exists" on create means adopt), attach the managed policy when missing, and push a
 * changed set to the accounts that hold it (ProvisionPermissionSet + polling: no SDK waiter exists).
 */
import {
  AttachManagedPolicyToPermissionSetCommand,
  CreatePermissionSetCommand,
  DescribePermissionSetCommand,
  DescribePermissionSetProvisioningStatusCommand,
  ListPermissionSetProvisioningStatusCommand,
  ListAccountsForProvisionedPermissionSetCommand,
  ListManagedPoliciesInPermissionSetCommand,
  ListPermissionSetsCommand,
  ProvisionPermissionSetCommand,
  UpdatePermissionSetCommand,
  type PermissionSet,
  type SSOAdminClient,
} from '@aws-sdk/client-sso-admin';
import { WizardError } from '../errors.js';
import { awsCallError } from './errors.js';
import { createOrAdoptAws, isRetryableConflict, sleep, withRetry } from './retry.js';
import { awsTuning } from './tuning.js';

export { PERMISSION_SET_NAME_RE, validatePermissionSetName, durationMinutes, validateSessionDuration } from './names.js';

/** The --managed-policy-arn check (format and existence), kept here for the steps that import it. */
export { MANAGED_POLICY_ARN_RE, validateManagedPolicyArn } from './managed-policies.js';

const retryOpts = (signal?: AbortSignal) => {
  const t = awsTuning();
  // The SDK (src/aws/retry-strategy.ts) already retries throttling, 5xx and dropped connections: only conflicts here.
  return { baseMs: t.retryBaseMs, capMs: t.retryCapMs, maxAttempts: t.retryMaxAttempts, signal, isRetryable: isRetryableConflict };
};

export async function findPermissionSetByName(client: SSOAdminClient, instanceArn: string, name: string): Promise<PermissionSet | undefined> {
  let token: string | undefined;
  try {
    do {
      const page = await client.send(new ListPermissionSetsCommand({ InstanceArn: instanceArn, NextToken: token, MaxResults: 100 }));
      const arns = page.PermissionSets ?? [];
      // Describe a few at a time: there is no name filter.
      for (let i = 0; i < arns.length; i += 5) {
        const batch = await Promise.all(
          arns.slice(i, i + 5).map((arn) => client.send(new DescribePermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: arn }))),
        );
        const hit = batch.find((d) => d.PermissionSet?.Name === name);
        if (hit?.PermissionSet) return hit.PermissionSet;
      }
      token = page.NextToken;
    } while (token);
  } catch (e) {
    throw awsCallError(e, 'looking for the permission set by name', 'sso:ListPermissionSets, sso:DescribePermissionSet');
  }
  return undefined;
}

export async function listAttachedPolicies(client: SSOAdminClient, instanceArn: string, permissionSetArn: string): Promise<string[]> {
  const out: string[] = [];
  let token: string | undefined;
  try {
    do {
      const page = await client.send(new ListManagedPoliciesInPermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: permissionSetArn, NextToken: token }));
      for (const p of page.AttachedManagedPolicies ?? []) if (p.Arn) out.push(p.Arn);
      token = page.NextToken;
    } while (token);
  } catch (e) {
    throw awsCallError(e, 'listing the managed policies of the permission set', 'sso:ListManagedPoliciesInPermissionSet');
  }
  return out;
}

export async function listProvisionedAccounts(
  client: SSOAdminClient,
  instanceArn: string,
  permissionSetArn: string,
  status?: 'LATEST_PERMISSION_SET_PROVISIONED' | 'LATEST_PERMISSION_SET_NOT_PROVISIONED',
): Promise<string[]> {
  const out: string[] = [];
  let token: string | undefined;
  try {
    do {
      const page = await client.send(
        new ListAccountsForProvisionedPermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: permissionSetArn, ProvisioningStatus: status, NextToken: token }),
      );
      out.push(...(page.AccountIds ?? []));
      token = page.NextToken;
    } while (token);
  } catch (e) {
    throw awsCallError(e, 'listing the accounts the permission set is provisioned to', 'sso:ListAccountsForProvisionedPermissionSet');
  }
  return out;
}

export interface DesiredPermissionSet {
  name: string;
  managedPolicyArn: string;
  sessionDuration: string;
  description: string;
}

export interface EnsureResult {
  arn: string;
  created: boolean;
  updatedDuration: boolean;
  attachedPolicy: boolean;
  /** Accounts that were re-provisioned with the latest version. */
  reprovisioned: string[];
}

/**
 * How far AWS's clock and this machine's may differ: SigV4 refuses a request signed more than 5 minutes
 * off the server's time, so an answered request bounds the skew.
 */
const SIGV4_CLOCK_SKEW_MS = 5 * 60_000;

/**
 * Whether the set a create met as "already exists" (after sending it more than once: a lost answer) was
 * made by that same create: created no earlier than the first send (within the clock skew SigV4
 * allows) and holding exactly the values that create sent. CreatePermissionSet takes no client token, so
 * this is how the wizard tells its own lost create from someone else's set.
 */
export function madeBySend(ps: PermissionSet, want: DesiredPermissionSet, sentAtMs: number): boolean {
  const created = ps.CreatedDate instanceof Date ? ps.CreatedDate.getTime() : Number.NaN;
  return created >= sentAtMs - SIGV4_CLOCK_SKEW_MS && ps.Name === want.name && (ps.Description ?? '') === want.description && ps.SessionDuration === want.sessionDuration;
}

/**
 * Create the permission set, or adopt it when it exists (also when create says it already exists).
 * `created` is also true when the set was made by this create's own first send whose answer was lost
 * (`madeBySend`): it is the wizard's, not someone else's.
 */
export async function createOrAdopt(client: SSOAdminClient, instanceArn: string, want: DesiredPermissionSet, signal?: AbortSignal): Promise<{ ps: PermissionSet; created: boolean }> {
  const sentAt = Date.now();
  // Whether the create was sent more than once (the SDK's attempts, or a send of withRetry's): only then
  // can the set "already exists" be the create's own.
  let sends = 0;
  let resent = false;
  const send = async () => {
    sends++;
    try {
      return await client.send(
        new CreatePermissionSetCommand({
          InstanceArn: instanceArn,
          Name: want.name,
          Description: want.description,
          SessionDuration: want.sessionDuration,
          Tags: [{ Key: 'created-by', Value: 'okta-aws-sso' }],
        }),
      );
    } catch (e) {
      resent ||= sends > 1 || ((e as { $metadata?: { attempts?: number } }).$metadata?.attempts ?? 1) > 1;
      throw e;
    }
  };
  try {
    const r = await createOrAdoptAws(
      async () => {
        const res = await withRetry(send, retryOpts(signal));
        if (!res.PermissionSet?.PermissionSetArn) throw new WizardError('CreatePermissionSet returned no ARN.', { code: 'AWS_ERROR', hint: 'Run again; the wizard adopts the set if it was created.' });
        return res.PermissionSet;
      },
      () => findPermissionSetByName(client, instanceArn, want.name),
    );
    return { ps: r.value, created: !r.adopted || (resent && madeBySend(r.value, want, sentAt)) };
  } catch (e) {
    if (e instanceof WizardError) throw e;
    throw awsCallError(e, `creating the permission set "${want.name}"`, 'sso:CreatePermissionSet, sso:TagResource');
  }
}

/** ProvisionPermissionSet to every provisioned account and wait for it. */
export async function reprovisionAll(client: SSOAdminClient, instanceArn: string, permissionSetArn: string, signal?: AbortSignal, onWait?: (seconds: number) => void): Promise<void> {
  const t = awsTuning();
  let requestId: string | undefined;
  try {
    const res = await withRetry(
      () => client.send(new ProvisionPermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: permissionSetArn, TargetType: 'ALL_PROVISIONED_ACCOUNTS' })),
      retryOpts(signal),
    );
    requestId = res.PermissionSetProvisioningStatus?.RequestId;
    if (res.PermissionSetProvisioningStatus?.Status === 'SUCCEEDED' || !requestId) return;
  } catch (e) {
    throw awsCallError(e, 'provisioning the permission set to its accounts', 'sso:ProvisionPermissionSet');
  }
  const started = Date.now();
  let delay = t.provisionPollInitialMs;
  const retry = retryOpts(signal);
  /** Request ids with this status, all pages (ListPermissionSetProvisioningStatus, Filter Status). */
  const listed = async (status: 'IN_PROGRESS' | 'FAILED'): Promise<Set<string>> => {
    const ids = new Set<string>();
    let token: string | undefined;
    do {
      const page = await withRetry(
        () => client.send(new ListPermissionSetProvisioningStatusCommand({ InstanceArn: instanceArn, Filter: { Status: status }, MaxResults: 100, NextToken: token })),
        retry,
      );
      for (const p of page.PermissionSetsProvisioningStatus ?? []) if (p.RequestId) ids.add(p.RequestId);
      token = page.NextToken;
    } while (token);
    return ids;
  };
  for (;;) {
    await sleep(delay, signal);
    let inProgress: boolean;
    let failed = false;
    try {
      inProgress = (await listed('IN_PROGRESS')).has(requestId);
      if (!inProgress) failed = (await listed('FAILED')).has(requestId);
    } catch (e) {
      throw awsCallError(e, 'reading the provisioning status', 'sso:ListPermissionSetProvisioningStatus');
    }
    if (!inProgress && !failed) return;
    if (failed) {
      // Described once, for the reason.
      let reason = 'no reason given';
      try {
        const st = (await withRetry(() => client.send(new DescribePermissionSetProvisioningStatusCommand({ InstanceArn: instanceArn, ProvisionPermissionSetRequestId: requestId })), retry))
          .PermissionSetProvisioningStatus;
        reason = st?.FailureReason ?? reason;
      } catch (e) {
        throw awsCallError(e, 'reading why the provisioning failed', 'sso:DescribePermissionSetProvisioningStatus');
      }
      throw new WizardError(`Provisioning the permission set failed: ${reason}.`, {
        code: 'AWS_PROVISION_FAILED',
        hint: 'Fix the cause named above (often an IAM quota or a policy the account cannot hold), then run again; the wizard provisions again.',
      });
    }
    if (Date.now() - started > t.provisionTimeoutMs) {
      throw new WizardError(`Provisioning the permission set did not finish within ${Math.round(t.provisionTimeoutMs / 1000)} s (request ${requestId}).`, {
        code: 'AWS_PROVISION_TIMEOUT',
        hint: 'Check IAM Identity Center > Permission sets > the set > Accounts for its status, then run again.',
      });
    }
    onWait?.(Math.round((Date.now() - started) / 1000));
    delay = Math.min(t.provisionPollMaxMs, Math.round(delay * t.pollFactor));
  }
}

/** UpdatePermissionSet with a new session duration (resending what UpdatePermissionSet would clear). */
export async function updateSessionDuration(
  client: SSOAdminClient,
  instanceArn: string,
  ps: { arn: string; description?: string | undefined; relayState?: string | undefined },
  sessionDuration: string,
  signal?: AbortSignal,
): Promise<void> {
  try {
    await withRetry(
      () =>
        client.send(
          // Resend description and relay state: UpdatePermissionSet clears what it is not given.
          new UpdatePermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: ps.arn, SessionDuration: sessionDuration, Description: ps.description, RelayState: ps.relayState }),
        ),
      retryOpts(signal),
    );
  } catch (e) {
    throw awsCallError(e, 'updating the session duration', 'sso:UpdatePermissionSet');
  }
}

/** AttachManagedPolicyToPermissionSet; "already attached" (a concurrent run) is fine. */
export async function attachManagedPolicy(client: SSOAdminClient, instanceArn: string, permissionSetArn: string, managedPolicyArn: string, signal?: AbortSignal): Promise<void> {
  try {
    await createOrAdoptAws(
      () => withRetry(() => client.send(new AttachManagedPolicyToPermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: permissionSetArn, ManagedPolicyArn: managedPolicyArn })), retryOpts(signal)),
      async () => ((await listAttachedPolicies(client, instanceArn, permissionSetArn)).includes(managedPolicyArn) ? {} : undefined),
    );
  } catch (e) {
    throw awsCallError(e, `attaching ${managedPolicyArn}`, 'sso:AttachManagedPolicyToPermissionSet');
  }
}

/** Find-or-create, update the session duration, attach the policy, re-provision when it changed. */
export async function ensurePermissionSet(
  client: SSOAdminClient,
  instanceArn: string,
  want: DesiredPermissionSet,
  opts: { signal?: AbortSignal; info?: (m: string) => void; onWait?: (seconds: number) => void } = {},
): Promise<EnsureResult> {
  const info = opts.info ?? (() => undefined);
  let ps = await findPermissionSetByName(client, instanceArn, want.name);
  let created = false;
  if (!ps) {
    const r = await createOrAdopt(client, instanceArn, want, opts.signal);
    ps = r.ps;
    created = r.created;
    info(created ? `Created the permission set "${want.name}" (${ps.PermissionSetArn}).` : `The permission set "${want.name}" appeared meanwhile; adopting it.`);
  } else {
    info(`Adopting the existing permission set "${want.name}" (${ps.PermissionSetArn}).`);
  }
  const arn = ps.PermissionSetArn as string;
  let updatedDuration = false;
  if (!created && ps.SessionDuration !== want.sessionDuration) {
    await updateSessionDuration(client, instanceArn, { arn, description: ps.Description, relayState: ps.RelayState }, want.sessionDuration, opts.signal);
    updatedDuration = true;
    info(`Session duration changed from ${ps.SessionDuration ?? '(none)'} to ${want.sessionDuration}.`);
  }
  const attached = await listAttachedPolicies(client, instanceArn, arn);
  let attachedPolicy = false;
  if (!attached.includes(want.managedPolicyArn)) {
    await attachManagedPolicy(client, instanceArn, arn, want.managedPolicyArn, opts.signal);
    attachedPolicy = true;
    info(`Attached ${want.managedPolicyArn}.`);
  }
  if (attached.length > 0 && !attached.includes(want.managedPolicyArn)) {
    info(`The set also holds ${attached.join(', ')}; the wizard leaves those alone.`);
  }
  let reprovisioned: string[] = [];
  if (!created) {
    // Accounts holding an outdated version: after our change, or after an edit made elsewhere.
    // When we changed it, every account holding it needs the new version, whatever the listing says yet.
    const changed = updatedDuration || attachedPolicy;
    const outdated = await listProvisionedAccounts(client, instanceArn, arn, changed ? undefined : 'LATEST_PERMISSION_SET_NOT_PROVISIONED');
    if (outdated.length > 0) {
      info(`Provisioning the latest version to ${outdated.length} account(s) that hold an outdated one.`);
      await reprovisionAll(client, instanceArn, arn, opts.signal, opts.onWait);
      reprovisioned = outdated;
    }
  }
  return { arn, created, updatedDuration, attachedPolicy, reprovisioned };
}
