/**
 * preflight: who is calling AWS, the organization (all features, management account or delegated
 * administrator), the Identity Center instance and its home region; and the Okta connection.
 *
 * answers: --region, --instance-arn (when given).
 * observe: the caller, the organization, the instances (region probing), the Okta org: reads only.
 * choose:  which instance, when several exist and --instance-arn names none.
 * plan:    no change on a first run (the step only reads); for a done step, an instance that is no
 *          longer the one recorded is drift. A state file made for another AWS account or Okta org
 *          is refused (not drift: re-applying would mix two setups in one state file).
 * apply:   pins the home region; sends nothing.
 */
import { UsageError } from '../errors.js';
import { ioMessage, type IoMessage } from '../messages.js';
import type { Step } from './contract.js';
import type { Change } from '../core/change.js';
import type { PreflightOutput } from '../core/outputs.js';
import { chooseInstance, describeOrganization, probeInstances, REGION_PATTERN, type FoundInstance, type InstanceProbe, type OrganizationFacts } from '../aws/organization.js';

export interface PreflightAnswers {
  /** --region: the Identity Center home region (only that region is probed). */
  region?: string;
  /** --instance-arn, or the instance chosen among several. */
  instanceArn?: string;
}

export interface ObservedPreflight {
  caller: { accountId: string; arn: string };
  credentialSource: string;
  org: OrganizationFacts;
  instances: InstanceProbe;
  okta: PreflightOutput['okta'];
}

/** What the caller's role means for the management account's assignments. */
export function managementNote(org: OrganizationFacts): IoMessage {
  if (org.callerIsManagementAccount) return ioMessage('PREFLIGHT_CALLER_MANAGEMENT', { managementAccountId: org.managementAccountId });
  if (org.callerIsDelegatedAdmin) return ioMessage('PREFLIGHT_CALLER_DELEGATED_ADMIN', { managementAccountId: org.managementAccountId });
  return ioMessage('PREFLIGHT_CALLER_NEITHER', { managementAccountId: org.managementAccountId });
}

/** Same Okta org? Compared by origin (scheme, host, port), so a trailing slash does not count. */
function sameOrg(a: string, b: string): boolean {
  try {
    return new URL(a).origin.toLowerCase() === new URL(b).origin.toLowerCase();
  } catch {
    return a === b;
  }
}

/** The outputs the observed state gives with these answers (pure; throws when they do not fit). */
export function preflightOutputs(obs: ObservedPreflight, answers: PreflightAnswers): PreflightOutput {
  const inst: FoundInstance | undefined = chooseInstance(obs.instances, answers.instanceArn);
  if (!inst) {
    // choose() asks when several instances exist; reaching here means nobody chose.
    throw new UsageError(`Several Identity Center instances exist in ${obs.instances.region}; which one connects to Okta is not known.`, {
      code: 'AWS_INSTANCE_UNKNOWN',
      hint: `Give --instance-arn one of: ${obs.instances.instances.map((i) => i.instanceArn).join(', ')}.`,
    });
  }
  if (answers.region && inst.region !== answers.region) {
    throw new UsageError(`--region is ${answers.region}, but the Identity Center home region is ${inst.region}.`, {
      code: 'AWS_REGION_MISMATCH',
      hint: `Every write must go to the home region: pass --region ${inst.region}, or omit --region.`,
    });
  }
  return {
    aws: {
      accountId: obs.caller.accountId,
      callerArn: obs.caller.arn,
      region: inst.region,
      instanceArn: inst.instanceArn,
      identityStoreId: inst.identityStoreId,
      organizationId: obs.org.organizationId,
      managementAccountId: obs.org.managementAccountId,
      callerIsManagementAccount: obs.org.callerIsManagementAccount,
      callerIsDelegatedAdmin: obs.org.callerIsDelegatedAdmin,
      credentialSource: obs.credentialSource,
    },
    okta: obs.okta,
  };
}

/**
 * Pure. A first run changes nothing. For a done step: another account or Okta org is refused; an
 * Identity Center instance (or identity store) other than the recorded one is drift, adopted by
 * re-applying (the steps after it then plan against the new instance).
 */
export function planPreflight(obs: ObservedPreflight, answers: PreflightAnswers, recorded?: PreflightOutput): Change[] {
  if (recorded) {
    if (obs.caller.accountId !== recorded.aws.accountId) {
      throw new UsageError(`This state file was made for AWS account ${recorded.aws.accountId}, but the AWS credentials now belong to account ${obs.caller.accountId}.`, {
        code: 'STATE_OTHER_ACCOUNT',
        hint: `Use credentials for account ${recorded.aws.accountId} (e.g. AWS_PROFILE=<its profile>) to continue this setup, or pass --state <another file> to set up account ${obs.caller.accountId} separately.`,
      });
    }
    if (!sameOrg(obs.okta.orgUrl, recorded.okta.orgUrl)) {
      throw new UsageError(`This state file was made for the Okta org ${recorded.okta.orgUrl}, but this run uses ${obs.okta.orgUrl}.`, {
        code: 'STATE_OTHER_ORG',
        hint: `Give --okta-org-url ${recorded.okta.orgUrl} (and its credentials) to continue this setup, or pass --state <another file> to set up ${obs.okta.orgUrl} separately.`,
      });
    }
  }
  const now = preflightOutputs(obs, answers).aws;
  if (!recorded) return [];
  let drift: string | undefined;
  if (now.instanceArn !== recorded.aws.instanceArn) {
    drift = obs.instances.instances.some((i) => i.instanceArn === recorded.aws.instanceArn)
      ? `the Identity Center instance is now ${now.instanceArn}, not ${recorded.aws.instanceArn}`
      : `the Identity Center instance ${recorded.aws.instanceArn} is no longer listed in ${recorded.aws.region}`;
  }
  else if (now.identityStoreId !== recorded.aws.identityStoreId) drift = `the identity store is now ${now.identityStoreId}, not ${recorded.aws.identityStoreId}`;
  if (!drift) return [];
  return [
    {
      op: 'adopt',
      resource: { kind: 'identity-center-instance', id: now.instanceArn },
      summary: `Use the Identity Center instance ${now.instanceArn} (home region ${now.region}, identity store ${now.identityStoreId})`,
      risk: 'read-only',
      before: { instanceArn: recorded.aws.instanceArn, identityStoreId: recorded.aws.identityStoreId },
      after: { instanceArn: now.instanceArn, identityStoreId: now.identityStoreId },
      writes: [],
      drift,
    },
  ];
}

export const preflightStep: Step<'preflight', PreflightAnswers, ObservedPreflight> = {
  id: 'preflight',
  title: 'Preflight: AWS and Okta credentials, organization, Identity Center instance',
  kind: 'api',
  needs: [],

  async answers(ctx) {
    const out: PreflightAnswers = {};
    if (ctx.io.hasAnswer('region')) {
      out.region = await ctx.io.ask({ key: 'region', message: 'Identity Center home region', validate: (v) => (REGION_PATTERN.test(v) ? true : 'a region looks like us-east-2 or eu-west-1') });
    }
    if (ctx.io.hasAnswer('instance-arn')) out.instanceArn = await ctx.io.ask({ key: 'instance-arn', message: 'Identity Center instance ARN' });
    return out;
  },

  async observe(ctx, answers) {
    const aws = await ctx.services.aws();
    ctx.io.info('PREFLIGHT_AWS_CALLER', { arn: aws.caller.arn, accountId: aws.caller.accountId, credentialSource: aws.credentialSource });
    const org = await describeOrganization(aws);
    ctx.io.notify(managementNote(org));
    if (org.delegatedAdminNote?.startsWith('inferred')) ctx.io.debug('DELEGATED_ADMIN_INFERRED', { note: org.delegatedAdminNote });
    const p = answers.region ? ctx.io.progress('PREFLIGHT_INSTANCE_LOOKUP', { region: answers.region }) : ctx.io.progress('PREFLIGHT_INSTANCE_PROBE');
    let instances: InstanceProbe;
    try {
      instances = await probeInstances(aws, answers.region, (region, count) => p.update('PREFLIGHT_REGION_PROBED', { region, count }));
    } catch (e) {
      p.fail();
      throw e;
    }
    const only = instances.instances.length === 1 ? instances.instances[0]! : undefined;
    if (only) p.succeed('PREFLIGHT_INSTANCE_FOUND', { instanceArn: only.instanceArn, identityStoreId: only.identityStoreId, region: only.region });
    else p.succeed('PREFLIGHT_INSTANCES_FOUND', { count: instances.instances.length, region: instances.region });
    const okta = (await ctx.services.okta()).describe();
    ctx.io.info('PREFLIGHT_OKTA_ORG', { orgUrl: okta.orgUrl, authMode: okta.authMode, credentialSource: okta.credentialSource });
    return { caller: { accountId: aws.caller.accountId, arn: aws.caller.arn }, credentialSource: aws.credentialSource, org, instances, okta };
  },

  async choose(ctx, obs, answers) {
    if (answers.instanceArn !== undefined || obs.instances.instances.length < 2) return answers;
    const instanceArn = await ctx.io.select({
      key: 'instance-arn',
      message: 'Several Identity Center instances exist; which one connects to Okta?',
      choices: obs.instances.instances.map((i) => ({ value: i.instanceArn, name: `${i.name ?? i.instanceArn} (${i.identityStoreId}, owner ${i.ownerAccountId ?? '?'})` })),
    });
    return { ...answers, instanceArn };
  },

  plan: (obs, answers, recorded) => planPreflight(obs, answers, recorded),

  async apply(ctx, _changes, obs, answers) {
    const out = preflightOutputs(obs, answers);
    // Every later write goes to the home region (a client setting: nothing is sent).
    (await ctx.services.aws()).setHomeRegion(out.aws.region);
    return out;
  },

  outputsAfter: (obs, answers) => preflightOutputs(obs, answers),

  notes(obs, answers) {
    const out = preflightOutputs(obs, answers);
    const a = out.aws;
    return [
      `check: AWS account ${a.accountId} in organization ${a.organizationId} (${a.callerIsManagementAccount ? 'management account' : a.callerIsDelegatedAdmin ? 'delegated administrator' : 'member account'})`,
      `check: Identity Center instance ${a.instanceArn} (home region ${a.region}, identity store ${a.identityStoreId})`,
      `check: Okta org ${out.okta.orgUrl} (${out.okta.authMode})`,
    ];
  },
};
