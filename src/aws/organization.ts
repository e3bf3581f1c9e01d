/**
 * Organization facts (feature set, management account, Identity Center delegated administrator),
 * the Identity Center instance (region probing), and account listing.
 */
import {
  DescribeOrganizationCommand,
  ListDelegatedAdministratorsCommand,
  paginateListAccounts,
  paginateListAccountsForParent,
  paginateListOrganizationalUnitsForParent,
  type Account,
} from '@aws-sdk/client-organizations';
import { ListInstancesCommand, type InstanceMetadata } from '@aws-sdk/client-sso-admin';
import { UsageError, WizardError } from '../errors.js';
import { awsErrorName, type AwsClients } from './clients.js';
import { awsCallError } from './errors.js';

export const SSO_SERVICE_PRINCIPAL = 'sso.amazonaws.com';

/** Regions where Identity Center can live, probed in this order after the configured one. */
export const IDENTITY_CENTER_REGIONS = [
  'us-east-1', 'us-east-2', 'us-west-2', 'us-west-1', 'eu-west-1', 'eu-central-1', 'eu-west-2', 'eu-west-3', 'eu-north-1',
  'eu-south-1', 'eu-south-2', 'eu-central-2', 'ap-southeast-1', 'ap-southeast-2', 'ap-northeast-1', 'ap-northeast-2',
  'ap-northeast-3', 'ap-south-1', 'ap-south-2', 'ap-southeast-3', 'ap-southeast-4', 'ap-east-1', 'ca-central-1', 'ca-west-1',
  'sa-east-1', 'me-south-1', 'me-central-1', 'af-south-1', 'il-central-1',
] as const;

export { REGION_PATTERN } from './names.js';

export interface OrganizationFacts {
  organizationId: string;
  managementAccountId: string;
  callerIsManagementAccount: boolean;
  callerIsDelegatedAdmin: boolean;
  /** How the delegated admin answer was found ("listed", "inferred: ..."). */
  delegatedAdminNote?: string;
}

export async function describeOrganization(aws: AwsClients): Promise<OrganizationFacts> {
  let org;
  try {
    org = (await aws.organizations.send(new DescribeOrganizationCommand({}))).Organization;
  } catch (e) {
    if (awsErrorName(e) === 'AWSOrganizationsNotInUseException') {
      throw new WizardError(`The account ${aws.caller.accountId} is not part of an AWS Organization.`, {
        code: 'AWS_NO_ORGANIZATION',
        hint: 'Identity Center for workforce access needs an organization: create one in AWS Organizations (with all features) and run the wizard from its management account.',
        cause: e,
      });
    }
    throw awsCallError(e, 'reading the organization (organizations:DescribeOrganization)', 'organizations:DescribeOrganization');
  }
  if (!org?.Id || !org.MasterAccountId) {
    throw new WizardError('AWS Organizations returned no organization details.', { code: 'AWS_NO_ORGANIZATION', hint: 'Check that AWS Organizations is set up for this account, then run again.' });
  }
  if (org.FeatureSet !== 'ALL') {
    throw new WizardError(`The organization ${org.Id} has only consolidated billing enabled (FeatureSet ${org.FeatureSet ?? 'unknown'}); Identity Center needs all features.`, {
      code: 'AWS_ORG_FEATURES',
      hint: 'Enable all features: AWS console > AWS Organizations > Settings > "Enable all features" (every member account must approve), then run again.',
    });
  }
  const callerIsManagementAccount = org.MasterAccountId === aws.caller.accountId;
  let callerIsDelegatedAdmin = false;
  let delegatedAdminNote: string | undefined;
  try {
    const res = await aws.organizations.send(new ListDelegatedAdministratorsCommand({ ServicePrincipal: SSO_SERVICE_PRINCIPAL }));
    callerIsDelegatedAdmin = (res.DelegatedAdministrators ?? []).some((d) => d.Id === aws.caller.accountId);
    delegatedAdminNote = 'listed';
  } catch (e) {
    if (awsErrorName(e) !== 'AccessDeniedException') throw awsCallError(e, 'listing the delegated administrators', 'organizations:ListDelegatedAdministrators');
    // Only the management account (or an Organizations delegated admin) may list them; a member
    // account that can still see the organization instance is, in practice, the delegated admin.
    callerIsDelegatedAdmin = !callerIsManagementAccount;
    delegatedAdminNote = 'inferred: organizations:ListDelegatedAdministrators was denied';
  }
  return { organizationId: org.Id, managementAccountId: org.MasterAccountId, callerIsManagementAccount, callerIsDelegatedAdmin, delegatedAdminNote };
}

export interface FoundInstance {
  instanceArn: string;
  identityStoreId: string;
  /** Home (primary) region. */
  region: string;
  ownerAccountId?: string;
  name?: string;
  /** The instance's status (ACTIVE when usable) and why, when AWS says. */
  status?: string;
  statusReason?: string;
}

async function listInstances(aws: AwsClients, region: string): Promise<InstanceMetadata[]> {
  const out: InstanceMetadata[] = [];
  let token: string | undefined;
  do {
    const res = await aws.ssoAdmin(region).send(new ListInstancesCommand({ NextToken: token }));
    out.push(...(res.Instances ?? []));
    token = res.NextToken;
  } while (token);
  return out;
}

/** The instances found by probing: in `region` when given, else the regions in order until one has an instance. */
export interface InstanceProbe {
  instances: FoundInstance[];
  /** The region whose ListInstances answered them. */
  region: string;
}

/**
 * Probe for the Identity Center instances: in `region` when given, else the regions in order
 * (the configured one first) until one has an instance. Reads only; choosing among several
 * instances is the caller's question (see chooseInstance).
 */
export async function probeInstances(aws: AwsClients, region: string | undefined, report?: (region: string, instances: number) => void): Promise<InstanceProbe> {
  const order = region ? [region] : [aws.region, ...IDENTITY_CENTER_REGIONS.filter((r) => r !== aws.region)];
  for (const r of order) {
    let list: InstanceMetadata[];
    try {
      list = await listInstances(aws, r);
    } catch (e) {
      const name = awsErrorName(e);
      // A region that is not enabled for the account answers with an auth error: keep probing.
      if (!region && (name === 'UnrecognizedClientException' || name === 'InvalidClientTokenId')) continue;
      throw awsCallError(e, `listing Identity Center instances in ${r} (sso:ListInstances)`, 'sso:ListInstances');
    }
    report?.(r, list.length);
    if (list.length > 0) return { instances: list.map((i) => toFound(i, r)), region: r };
  }
  throw new WizardError(region ? `No IAM Identity Center instance was found in ${region}.` : 'No IAM Identity Center instance was found in any region.', {
    code: 'AWS_NO_INSTANCE',
    hint: region
      ? 'Check --region (it must be the Identity Center home region), or omit it to probe every region. To create an instance: AWS console > IAM Identity Center > Enable.'
      : 'Enable IAM Identity Center first (AWS console > IAM Identity Center > Enable, from the management account), then run again.',
  });
}

function toFound(i: InstanceMetadata, foundIn: string): FoundInstance {
  return {
    instanceArn: i.InstanceArn ?? '',
    identityStoreId: i.IdentityStoreId ?? '',
    region: i.PrimaryRegion ?? foundIn,
    ...(i.OwnerAccountId ? { ownerAccountId: i.OwnerAccountId } : {}),
    ...(i.Name ? { name: i.Name } : {}),
    ...(i.Status ? { status: i.Status } : {}),
    ...(i.StatusReason ? { statusReason: i.StatusReason } : {}),
  };
}

/**
 * The instance to use among those probed (pure): `instanceArn` when given (it must be one of
 * them), the only one otherwise; undefined when several exist and none was named (the caller asks).
 * Refuses an instance that is not usable (no ARN or identity store, not ACTIVE).
 */
export function chooseInstance(probe: InstanceProbe, instanceArn: string | undefined): FoundInstance | undefined {
  let chosen: FoundInstance | undefined;
  if (instanceArn !== undefined) {
    chosen = probe.instances.find((i) => i.instanceArn === instanceArn);
    if (!chosen) {
      throw new UsageError(`The instance ${instanceArn} is not among the instances in ${probe.region}: ${probe.instances.map((i) => i.instanceArn).join(', ')}.`, {
        code: 'AWS_INSTANCE_UNKNOWN',
        hint: 'Give --instance-arn one of the ARNs listed, or omit it.',
      });
    }
  } else if (probe.instances.length === 1) {
    chosen = probe.instances[0];
  } else {
    return undefined;
  }
  if (!chosen?.instanceArn || !chosen.identityStoreId) {
    throw new WizardError('The Identity Center instance has no ARN or identity store ID.', { code: 'AWS_NO_INSTANCE', hint: 'Wait until the instance is ACTIVE, then run again.' });
  }
  if (chosen.status && chosen.status !== 'ACTIVE') {
    throw new WizardError(`The Identity Center instance ${chosen.instanceArn} is ${chosen.status}${chosen.statusReason ? ` (${chosen.statusReason})` : ''}.`, {
      code: 'AWS_INSTANCE_NOT_ACTIVE',
      hint: 'Wait until it is ACTIVE (AWS console > IAM Identity Center > Settings), then run again.',
    });
  }
  return chosen;
}

export interface OrgAccount {
  id: string;
  name?: string;
  /** State, falling back to the retired Status. */
  state: string;
}

function toOrgAccount(a: Account): OrgAccount {
  return { id: a.Id ?? '', name: a.Name, state: String(a.State ?? a.Status ?? 'UNKNOWN') };
}

export async function listAllAccounts(aws: AwsClients): Promise<OrgAccount[]> {
  const out: OrgAccount[] = [];
  try {
    for await (const page of paginateListAccounts({ client: aws.organizations }, {})) out.push(...(page.Accounts ?? []).map(toOrgAccount));
  } catch (e) {
    throw awsCallError(e, 'listing the organization accounts (organizations:ListAccounts)', 'organizations:ListAccounts');
  }
  return out;
}

/** Every account under an OU, recursively. */
export async function listAccountsUnderOu(aws: AwsClients, ouId: string): Promise<OrgAccount[]> {
  const out: OrgAccount[] = [];
  const queue = [ouId];
  try {
    while (queue.length > 0) {
      const parent = queue.shift() as string;
      for await (const page of paginateListAccountsForParent({ client: aws.organizations }, { ParentId: parent })) out.push(...(page.Accounts ?? []).map(toOrgAccount));
      for await (const page of paginateListOrganizationalUnitsForParent({ client: aws.organizations }, { ParentId: parent })) {
        for (const ou of page.OrganizationalUnits ?? []) if (ou.Id) queue.push(ou.Id);
      }
    }
  } catch (e) {
    if (awsErrorName(e) === 'ParentNotFoundException' || awsErrorName(e) === 'OrganizationalUnitNotFoundException') {
      throw new UsageError(`The OU ${ouId} does not exist in this organization.`, { code: 'AWS_OU_UNKNOWN', hint: 'Check --ou (an ID like ou-ab12-cdef3456, or r-ab12 for the root).', cause: e });
    }
    throw awsCallError(e, `listing the accounts under ${ouId}`, 'organizations:ListAccountsForParent, organizations:ListOrganizationalUnitsForParent');
  }
  return out;
}
