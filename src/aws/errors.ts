/**
 * Turns AWS SDK errors into WizardErrors that say what is wrong and how to fix it. Never includes
 * credentials (the SDK's messages do not carry them; we add none).
 */
import { AuthError, WizardError } from '../errors.js';
import { awsErrorMessage, awsErrorName } from './clients.js';

const ACCESS_DENIED = new Set(['AccessDeniedException', 'AccessDenied', 'UnauthorizedOperation', 'UnrecognizedClientException']);
const BAD_CREDENTIALS = new Set(['InvalidClientTokenId', 'SignatureDoesNotMatch', 'InvalidSignatureException', 'IncompleteSignature', 'AuthFailure']);
const EXPIRED = new Set(['ExpiredToken', 'ExpiredTokenException', 'RequestExpired', 'TokenRefreshRequired']);

/** Credential-chain failures while resolving credentials (before any request is sent). */
export function credentialError(e: unknown, profile: string | undefined): AuthError {
  const name = awsErrorName(e);
  const msg = awsErrorMessage(e);
  const login = profile ? `aws sso login --profile ${profile}` : 'aws sso login';
  if (/sso/i.test(msg) && /expired|refresh|token/i.test(msg)) {
    return new AuthError(`The AWS SSO session${profile ? ` of profile "${profile}"` : ''} has expired or was never started.`, {
      code: 'AWS_SSO_EXPIRED',
      hint: `Run \`${login}\` and start the wizard again; what is done so far is kept.`,
      cause: e,
    });
  }
  if (EXPIRED.has(name) || /expired/i.test(msg)) {
    return new AuthError('The AWS credentials have expired.', {
      code: 'AWS_CREDENTIALS_EXPIRED',
      hint: `Refresh them (${login}, or new temporary credentials in AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN) and run again.`,
      cause: e,
    });
  }
  if (profile) {
    return new AuthError(`The AWS profile "${profile}" gave no usable credentials: ${msg}`, {
      code: 'AWS_PROFILE',
      hint: 'Check the profile name in ~/.aws/config (`aws configure list-profiles`), or omit --profile to use the default credential chain.',
      cause: e,
    });
  }
  return new AuthError('No AWS credentials were found.', {
    code: 'AWS_NO_CREDENTIALS',
    hint: 'Pass --profile <name> (a profile from ~/.aws/config, e.g. after `aws sso login`), or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN) for the management or delegated administrator account.',
    cause: e,
  });
}

function isNetworkError(e: unknown): boolean {
  const code = (e as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && ['ECONNREFUSED', 'ENOTFOUND', 'ECONNRESET', 'ETIMEDOUT', 'EAI_AGAIN', 'EHOSTUNREACH'].includes(code);
}

/**
 * One AWS call where "not found" is an answer, not a failure (a lookup, a delete that may find the
 * thing gone): `missing` for a ResourceNotFoundException, any other error as awsCallError().
 */
export async function unlessNotFound<T, M>(call: () => Promise<T>, missing: M, what: string, action: string): Promise<T | M> {
  try {
    return await call();
  } catch (e) {
    if (awsErrorName(e) === 'ResourceNotFoundException') return missing;
    throw awsCallError(e, what, action);
  }
}

/**
 * An AWS call failed. `action` is the IAM action the call needs ("sso:CreatePermissionSet"), named in
 * the hint when access is denied; `what` says what the wizard was doing.
 */
export function awsCallError(e: unknown, what: string, action: string): WizardError {
  if (e instanceof WizardError) return e;
  const name = awsErrorName(e);
  const msg = awsErrorMessage(e);
  if (ACCESS_DENIED.has(name)) {
    // AWS names the exact action it refused ("... is not authorized to perform: sso:CreatePermissionSet on
    // resource ..."); trust that over the caller's guess, which may list several.
    const refused = /not authorized to perform:? ([a-z0-9-]+:[A-Za-z0-9]+)/.exec(msg)?.[1] ?? action;
    return new AuthError(`AWS denied ${what}: ${msg}`, {
      code: 'AWS_ACCESS_DENIED',
      hint: `Give the caller the IAM permission ${refused} (see docs/iam-policy.json and docs/aws.md for the full list), or run the wizard as the management account or the Identity Center delegated administrator.`,
      cause: e,
    });
  }
  if (BAD_CREDENTIALS.has(name) || EXPIRED.has(name)) {
    return new AuthError(`AWS rejected the credentials while ${what}: ${msg}`, {
      code: 'AWS_CREDENTIALS',
      hint: 'Refresh the credentials (e.g. `aws sso login --profile <name>`) and run again; what is done so far is kept.',
      cause: e,
    });
  }
  if (isNetworkError(e)) {
    return new WizardError(`Could not reach AWS while ${what} (${String((e as { code?: unknown }).code)}).`, {
      code: 'AWS_UNREACHABLE',
      hint: 'Check the network connection, proxy settings and AWS_ENDPOINT_URL if you set it; then run again.',
      cause: e,
    });
  }
  return new WizardError(`AWS failed while ${what}: ${name ? `${name}: ` : ''}${msg}`, {
    code: 'AWS_ERROR',
    hint: 'Run again (the wizard resumes where it stopped); if it persists, check the AWS Health dashboard and the IAM permissions in docs/aws.md.',
    cause: e,
  });
}
