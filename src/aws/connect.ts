import type { Io } from '../steps/contract.js';
import { sdkRetrySettings } from './retry-strategy.js';
import type { AwsClients } from './clients.js';
import { credentialError, awsCallError } from './errors.js';

/**
 * The AWS SDK (v3.98x core) calls process.emitWarning() once per process on Node < 22 with a
 * message starting "NodeVersionSupportWarning:" (type "Warning", no code). A wizard user cannot act
 * on it mid-run, so we use the SDK's own switch to turn it off, unless the user set it themselves.
 */
function silenceNodeVersionWarning(): void {
  if (process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED === undefined) {
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  }
}

/** Where the credentials come from, as far as we can tell without exposing them. */
function describeSource(profile: string | undefined): string {
  if (profile) return `profile ${profile}`;
  if (process.env.AWS_PROFILE) return `profile ${process.env.AWS_PROFILE}`;
  if (process.env.AWS_ACCESS_KEY_ID) return 'environment';
  if (process.env.AWS_WEB_IDENTITY_TOKEN_FILE) return 'web identity';
  return 'default credential chain';
}

async function resolveRegion(io: Io, profile: string | undefined): Promise<string> {
  if (io.hasAnswer('region')) return io.ask({ key: 'region', message: 'Identity Center home region' });
  const env = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (env) return env;
  // The profile's region (~/.aws/config), resolved the way the SDK does.
  try {
    const { STSClient } = await import('@aws-sdk/client-sts');
    const probe = new STSClient(profile ? { profile } : {});
    const r = await probe.config.region();
    probe.destroy();
    if (r) return r;
  } catch {
    // no region anywhere: use the default below
  }
  return 'us-east-1';
}

/** Resolves AWS credentials (SDK default chain, --profile), says who the caller is, and returns clients. */
export async function connectAws(io: Io): Promise<AwsClients> {
  silenceNodeVersionWarning();
  const profile = io.hasAnswer('aws-profile') ? await io.ask({ key: 'aws-profile', message: 'AWS profile' }) : undefined;
  const region = await resolveRegion(io, profile);
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
  const credentialSource = describeSource(profile);
  io.debug(`AWS credentials from ${credentialSource}; first region ${region}.`);
  return createAwsClients({ region, credentials, caller, credentialSource }, sts);
}
