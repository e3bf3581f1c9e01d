import { sdkRetrySettings } from './retry-strategy.js';
import type { AwsClients } from './clients.js';
import { credentialError, awsCallError } from './errors.js';

/** The settings of an AWS connection, resolved by the caller (answers; environment passed in). */
export interface AwsConnection {
  /** --profile */
  profile?: string;
  /** --region: the first region (else AWS_REGION / AWS_DEFAULT_REGION, the profile's, us-east-1). */
  region?: string;
  /** The environment (the CLI passes its own); read here, never process.env. */
  env: Record<string, string | undefined>;
  /** Details for --verbose. */
  debug?: (message: string) => void;
}

/** Where the credentials come from, as far as we can tell without exposing them. */
function describeSource(profile: string | undefined, env: AwsConnection['env']): string {
  if (profile) return `profile ${profile}`;
  if (env.AWS_PROFILE) return `profile ${env.AWS_PROFILE}`;
  if (env.AWS_ACCESS_KEY_ID) return 'environment';
  if (env.AWS_WEB_IDENTITY_TOKEN_FILE) return 'web identity';
  return 'default credential chain';
}

async function resolveRegion(c: AwsConnection): Promise<string> {
  if (c.region) return c.region;
  const env = c.env.AWS_REGION ?? c.env.AWS_DEFAULT_REGION;
  if (env) return env;
  // The profile's region (~/.aws/config), resolved the way the SDK does.
  try {
    const { STSClient } = await import('@aws-sdk/client-sts');
    const probe = new STSClient(c.profile ? { profile: c.profile } : {});
    const r = await probe.config.region();
    probe.destroy();
    if (r) return r;
  } catch {
    // no region anywhere: use the default below
  }
  return 'us-east-1';
}

/**
 * Resolves AWS credentials (SDK default chain, --profile), says who the caller is, and returns
 * clients. Never prompts: the questions are the caller's (src/steps/connect.ts).
 */
export async function connectAws(c: AwsConnection): Promise<AwsClients> {
  const profile = c.profile;
  const region = await resolveRegion(c);
  const [{ fromNodeProviderChain }, { STSClient, GetCallerIdentityCommand }, { createAwsClients }] = await Promise.all([
    import('@aws-sdk/credential-providers'),
    import('@aws-sdk/client-sts'),
    import('./clients.js'),
  ]);
  const credentials = fromNodeProviderChain(profile ? { profile } : {});
  try {
    await credentials();
  } catch (e) {
    throw credentialError(e, profile);
  }
  const sts = new STSClient({ region, credentials, ...sdkRetrySettings() });
  let who;
  try {
    who = await sts.send(new GetCallerIdentityCommand({}));
  } catch (e) {
    sts.destroy();
    throw awsCallError(e, 'asking who the caller is (sts:GetCallerIdentity)', 'sts:GetCallerIdentity');
  }
  const caller = { accountId: who.Account ?? '', arn: who.Arn ?? '', userId: who.UserId ?? '' };
  const credentialSource = describeSource(profile, c.env);
  c.debug?.(`AWS credentials from ${credentialSource}; first region ${region}.`);
  return createAwsClients({ region, credentials, caller, credentialSource, env: c.env }, sts);
}
