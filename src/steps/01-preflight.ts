/**
 * preflight: who is calling AWS, the organization (all features, management account or delegated
 * administrator), the Identity Center instance and its home region; and the Okta connection.
 */
import { ListInstancesCommand } from '@aws-sdk/client-sso-admin';
import { UsageError } from '../errors.js';
import type { Drift, PlanAction, Step, StepContext } from './contract.js';
import type { PreflightOutput } from './outputs.js';
import { describeOrganization, findInstance, REGION_PATTERN, type OrganizationFacts } from '../aws/organization.js';
import { awsCallError } from '../aws/errors.js';

async function regionAnswer(ctx: StepContext): Promise<string | undefined> {
  if (!ctx.io.hasAnswer('region')) return undefined;
  const r = await ctx.io.ask({
    key: 'region',
    message: 'Identity Center home region',
    validate: (v) => (REGION_PATTERN.test(v) ? true : 'a region looks like us-east-2 or eu-west-1'),
  });
  return r;
}

/** What the caller's role means for the management account's assignments. */
export function managementNote(org: OrganizationFacts): string {
  if (org.callerIsManagementAccount) {
    return `You are signed in to the management account ${org.managementAccountId}: it can receive assignments only with --include-management-account, and then the caller needs IAM rights there (see docs/aws.md).`;
  }
  if (org.callerIsDelegatedAdmin) {
    return `You are the Identity Center delegated administrator: the management account ${org.managementAccountId} cannot be assigned from here and will be skipped; permission sets provisioned in it cannot be changed from here either.`;
  }
  return `The caller is neither the management account ${org.managementAccountId} nor a registered delegated administrator for Identity Center; some calls may be denied.`;
}

async function gatherAws(ctx: StepContext): Promise<PreflightOutput['aws']> {
  const aws = await ctx.services.aws();
  const region = await regionAnswer(ctx);
  ctx.io.info(`AWS caller: ${aws.caller.arn} (account ${aws.caller.accountId}, credentials from ${aws.credentialSource}).`);
  const org = await describeOrganization(aws);
  const p = ctx.io.progress(region ? `Looking for the Identity Center instance in ${region}` : 'Probing the regions for the Identity Center instance');
  let inst;
  try {
    inst = await findInstance(aws, ctx.io, region, (m) => p.update(`Probing regions: ${m}`));
  } catch (e) {
    p.fail();
    throw e;
  }
  p.succeed(`Identity Center instance ${inst.instanceArn} (identity store ${inst.identityStoreId}), home region ${inst.region}`);
  if (region && inst.region !== region) {
    throw new UsageError(`--region is ${region}, but the Identity Center home region is ${inst.region}.`, {
      code: 'AWS_REGION_MISMATCH',
      hint: `Every write must go to the home region: pass --region ${inst.region}, or omit --region.`,
    });
  }
  aws.setHomeRegion(inst.region);
  if (!org.callerIsManagementAccount && !org.callerIsDelegatedAdmin) {
    ctx.io.warn(managementNote(org));
  } else {
    ctx.io.info(managementNote(org));
  }
  if (org.delegatedAdminNote?.startsWith('inferred')) ctx.io.debug(`Delegated administrator: ${org.delegatedAdminNote}.`);
  return {
    accountId: aws.caller.accountId,
    callerArn: aws.caller.arn,
    region: inst.region,
    instanceArn: inst.instanceArn,
    identityStoreId: inst.identityStoreId,
    organizationId: org.organizationId,
    managementAccountId: org.managementAccountId,
    callerIsManagementAccount: org.callerIsManagementAccount,
    callerIsDelegatedAdmin: org.callerIsDelegatedAdmin,
    credentialSource: aws.credentialSource,
  };
}

async function gatherOkta(ctx: StepContext): Promise<PreflightOutput['okta']> {
  const okta = await ctx.services.okta();
  const d = okta.describe();
  ctx.io.info(`Okta org: ${d.orgUrl} (${d.authMode}, credentials from ${d.credentialSource}).`);
  return d;
}

/** Same Okta org? Compared by origin (scheme, host, port), so a trailing slash does not count. */
function sameOrg(a: string, b: string): boolean {
  try {
    return new URL(a).origin.toLowerCase() === new URL(b).origin.toLowerCase();
  } catch {
    return a === b;
  }
}

export const preflightStep: Step<'preflight'> = {
  id: 'preflight',
  title: 'Preflight: AWS and Okta credentials, organization, Identity Center instance',
  kind: 'api',
  needs: [],
  readOnly: true,
  async plan(ctx) {
    const aws = await gatherAws(ctx);
    const okta = await gatherOkta(ctx);
    const actions: PlanAction[] = [
      { kind: 'check', target: `AWS account ${aws.accountId} in organization ${aws.organizationId}`, detail: aws.callerIsManagementAccount ? 'management account' : aws.callerIsDelegatedAdmin ? 'delegated administrator' : 'member account' },
      { kind: 'check', target: `Identity Center instance ${aws.instanceArn}`, detail: `home region ${aws.region}, identity store ${aws.identityStoreId}` },
      { kind: 'check', target: `Okta org ${okta.orgUrl}`, detail: okta.authMode },
    ];
    return actions;
  },
  async apply(ctx) {
    const aws = await gatherAws(ctx);
    const okta = await gatherOkta(ctx);
    return { aws, okta };
  },
  async check(ctx, out) {
    const drifts: Drift[] = [];
    const aws = await ctx.services.aws();
    // Another account or org is not drift: re-applying would mix two setups in one state file.
    if (aws.caller.accountId !== out.aws.accountId) {
      throw new UsageError(`This state file was made for AWS account ${out.aws.accountId}, but the AWS credentials now belong to account ${aws.caller.accountId}.`, {
        code: 'STATE_OTHER_ACCOUNT',
        hint: `Use credentials for account ${out.aws.accountId} (e.g. AWS_PROFILE=<its profile>) to continue this setup, or pass --state <another file> to set up account ${aws.caller.accountId} separately.`,
      });
    }
    const okta = await ctx.services.okta();
    const orgNow = okta.describe().orgUrl;
    if (sameOrg(orgNow, out.okta.orgUrl) === false) {
      throw new UsageError(`This state file was made for the Okta org ${out.okta.orgUrl}, but this run uses ${orgNow}.`, {
        code: 'STATE_OTHER_ORG',
        hint: `Give --okta-org-url ${out.okta.orgUrl} (and its credentials) to continue this setup, or pass --state <another file> to set up ${orgNow} separately.`,
      });
    }
    try {
      const res = await aws.ssoAdmin(out.aws.region).send(new ListInstancesCommand({}));
      const inst = (res.Instances ?? []).find((i) => i.InstanceArn === out.aws.instanceArn);
      if (!inst) drifts.push({ message: `the Identity Center instance ${out.aws.instanceArn} is no longer listed in ${out.aws.region}` });
      else if (inst.IdentityStoreId !== out.aws.identityStoreId) drifts.push({ message: `the identity store is now ${inst.IdentityStoreId}, not ${out.aws.identityStoreId}` });
    } catch (e) {
      throw awsCallError(e, 'checking the Identity Center instance', 'sso:ListInstances');
    }
    aws.setHomeRegion(out.aws.region);
    return drifts;
  },
};
