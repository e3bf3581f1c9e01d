/**
 * The AWS emulator's whole state: plain JSON, so snapshot()/restore() are a deep copy. Identifiers
 * come from a counter-driven hash of the seed, so the same seed gives the same accounts and ids.
 */
import crypto from 'node:crypto';

export interface OuRec {
  id: string;
  name: string;
  parentId: string;
}
export interface AccountRec {
  id: string;
  name: string;
  email: string;
  state: 'ACTIVE' | 'SUSPENDED';
  parentId: string;
  joinedMethod: 'INVITED' | 'CREATED';
  joinedTimestamp: number;
}
export interface PermissionSetRec {
  arn: string;
  name: string;
  description?: string;
  sessionDuration: string;
  relayState?: string;
  createdDate: number;
  managedPolicies: { Name: string; Arn: string }[];
  /** Customer managed policy references (name + path; the policy itself lives in each account). */
  customerManagedPolicies?: { Name: string; Path: string }[];
  /** The inline policy document (JSON text). */
  inlinePolicy?: string;
  /** The permissions boundary: a customer managed policy reference or an AWS managed policy ARN. */
  permissionsBoundary?: { CustomerManagedPolicyReference?: { Name: string; Path: string }; ManagedPolicyArn?: string };
  /** accountId -> whether the account holds the latest version. */
  provisioned: Record<string, 'LATEST' | 'OUTDATED'>;
  tags: { Key: string; Value: string }[];
}
export interface ProvisioningRec {
  requestId: string;
  permissionSetArn: string;
  accounts: string[];
  createdAt: number;
  readyAt: number;
  applied: boolean;
  /** Set when the provisioning ends FAILED (an account in options.failingAccounts). */
  failureReason?: string;
}
export interface AssignmentRec {
  accountId: string;
  permissionSetArn: string;
  principalType: 'USER' | 'GROUP';
  principalId: string;
}
export interface AssignmentOpRec extends AssignmentRec {
  kind: 'create' | 'delete';
  requestId: string;
  createdAt: number;
  readyAt: number;
  result: 'SUCCEEDED' | 'FAILED';
  failureReason?: string;
  applied: boolean;
}
export interface ScimName {
  givenName?: string;
  familyName?: string;
  formatted?: string;
  middleName?: string;
  honorificPrefix?: string;
  honorificSuffix?: string;
}
export interface UserRec {
  id: string;
  userName: string;
  displayName?: string;
  name: ScimName;
  emails: { value: string; type?: string; primary?: boolean }[];
  phoneNumbers: { value: string; type?: string; primary?: boolean }[];
  addresses: Record<string, unknown>[];
  externalId?: string;
  active: boolean;
  title?: string;
  userType?: string;
  nickName?: string;
  profileUrl?: string;
  preferredLanguage?: string;
  locale?: string;
  timezone?: string;
  enterprise?: Record<string, unknown>;
  createdAt: number;
  updatedAt: number;
  createdBy: string;
}
export interface GroupRec {
  id: string;
  displayName: string;
  description?: string;
  externalId?: string;
  createdAt: number;
  updatedAt: number;
  createdBy: string;
}
export interface MembershipRec {
  id: string;
  groupId: string;
  userId: string;
  createdAt: number;
}
export interface ScimTokenRec {
  /** sha256 of the token: the token itself never enters the state (it is persisted by the harness). */
  sha256: string;
  /** The token ID the console lists (tokens before this field existed have none). */
  id?: string;
  createdAt: number;
  expiresAt: number;
}
export interface AwsState {
  version: 1;
  seed: string;
  counter: number;
  region: string;
  instance: { id: string; arn: string; identityStoreId: string; name: string; createdDate: number };
  org: { id: string; rootId: string; managementAccountId: string; managementEmail: string };
  ous: OuRec[];
  accounts: AccountRec[];
  serviceAccess: { ServicePrincipal: string; DateEnabled: number }[];
  delegatedAdministrators: string[];
  permissionSets: PermissionSetRec[];
  provisioning: ProvisioningRec[];
  assignments: AssignmentRec[];
  assignmentOps: AssignmentOpRec[];
  users: UserRec[];
  groups: GroupRec[];
  memberships: MembershipRec[];
  /** Opaque tenant id of the ACS URLs (not derivable from the instance, as in real AWS). */
  acsTenantId: string;
  scim: { tenantId: string; enabled: boolean; tokens: ScimTokenRec[] };
  idp?: { entityId: string; ssoUrl: string; certificate: string; uploadedAt: number };
}

/** Deterministic hex from the seed and the state's counter. */
export function nextHex(s: AwsState, len: number): string {
  let out = '';
  while (out.length < len) {
    out += crypto.createHash('sha256').update(`${s.seed}:${s.counter++}`).digest('hex');
  }
  return out.slice(0, len);
}

export function nextUuid(s: AwsState): string {
  const h = nextHex(s, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Identity store ids look like "<10 hex>-<uuid>". */
export function nextPrincipalId(s: AwsState): string {
  return `${nextHex(s, 10)}-${nextUuid(s)}`;
}

function digits(s: AwsState, n: number): string {
  const h = nextHex(s, 24);
  return (BigInt(`0x${h}`) % 10n ** BigInt(n)).toString().padStart(n, '1');
}

const ACCOUNT_NAMES = ['Production', 'Staging', 'Development', 'Security', 'Log Archive', 'Sandbox', 'Shared Services', 'Data', 'Networking', 'Audit'];

export function createInitialState(opts: { seed: string; region: string; memberAccounts: number; now: number }): AwsState {
  const s: AwsState = {
    version: 1,
    seed: opts.seed,
    counter: 0,
    region: opts.region,
    instance: { id: '', arn: '', identityStoreId: '', name: 'sandbox-instance', createdDate: Math.floor(opts.now / 1000) - 86400 * 30 },
    org: { id: '', rootId: '', managementAccountId: '', managementEmail: '' },
    ous: [],
    accounts: [],
    serviceAccess: [],
    delegatedAdministrators: [],
    permissionSets: [],
    provisioning: [],
    assignments: [],
    assignmentOps: [],
    users: [],
    groups: [],
    memberships: [],
    acsTenantId: '',
    scim: { tenantId: '', enabled: false, tokens: [] },
  };
  const insId = `ssoins-${nextHex(s, 16)}`;
  s.instance.id = insId;
  s.instance.arn = `arn:aws:sso:::instance/${insId}`;
  s.instance.identityStoreId = `d-${nextHex(s, 10)}`;
  s.org.id = `o-${nextHex(s, 10)}`;
  s.org.rootId = `r-${nextHex(s, 4)}`;
  s.org.managementAccountId = digits(s, 12);
  s.org.managementEmail = `aws-management+${s.org.managementAccountId}@example.com`;
  const rootSuffix = s.org.rootId.slice(2);
  const ou = (name: string, parentId: string): OuRec => {
    const rec = { id: `ou-${rootSuffix}-${nextHex(s, 8)}`, name, parentId };
    s.ous.push(rec);
    return rec;
  };
  // A realistic organization: OUs nested three deep, accounts spread over them, the last one SUSPENDED
  // in its own OU (as organizations park closed accounts).
  const workloads = ou('Workloads', s.org.rootId);
  const prod = ou('Production', workloads.id);
  const prodEu = ou('Production EU', prod.id);
  const nonProd = ou('Non-Production', workloads.id);
  const security = ou('Security', s.org.rootId);
  const infrastructure = ou('Infrastructure', s.org.rootId);
  const sandbox = ou('Sandbox', s.org.rootId);
  const suspendedOu = ou('Suspended', s.org.rootId);
  const joined = Math.floor(opts.now / 1000) - 86400 * 365;
  s.accounts.push({ id: s.org.managementAccountId, name: 'Management', email: s.org.managementEmail, state: 'ACTIVE', parentId: s.org.rootId, joinedMethod: 'CREATED', joinedTimestamp: joined });
  const parents = [prod.id, nonProd.id, nonProd.id, security.id, security.id, sandbox.id, infrastructure.id, prodEu.id, infrastructure.id, security.id];
  for (let i = 0; i < opts.memberAccounts; i++) {
    const id = digits(s, 12);
    const base = ACCOUNT_NAMES[i % ACCOUNT_NAMES.length]!;
    const name = i < ACCOUNT_NAMES.length ? base : `${base} ${Math.floor(i / ACCOUNT_NAMES.length) + 1}`;
    const suspended = opts.memberAccounts > 1 && i === opts.memberAccounts - 1;
    s.accounts.push({
      id,
      name: suspended ? 'Retired' : name,
      email: `aws+${id}@example.com`,
      state: suspended ? 'SUSPENDED' : 'ACTIVE',
      parentId: suspended ? suspendedOu.id : parents[i % parents.length]!,
      joinedMethod: i % 4 === 3 ? 'INVITED' : 'CREATED',
      joinedTimestamp: joined + 86400 * (i + 1),
    });
  }
  s.serviceAccess.push({ ServicePrincipal: 'sso.amazonaws.com', DateEnabled: s.instance.createdDate });
  // Identity Center administration is delegated to a member account (the first Security account), as
  // AWS recommends; `caller: 'delegated-admin'` calls as that account.
  const delegated = s.accounts.find((a) => a.name === 'Security') ?? s.accounts.find((a) => a.id !== s.org.managementAccountId && a.state === 'ACTIVE');
  if (delegated) s.delegatedAdministrators.push(delegated.id);
  s.acsTenantId = nextUuid(s);
  s.scim.tenantId = `${nextHex(s, 10)}-${nextUuid(s)}`;
  return s;
}
