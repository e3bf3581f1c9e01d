/**
 * Checks SandboxOptions given on the command line (--options JSON) or to POST /__sandbox/options,
 * so a typo is refused with a message naming the fix instead of being silently ignored.
 */
import { parseFaults, SandboxInputError } from './faults.js';
import type { AwsEmulatorOptions, FaultSpec, OktaEmulatorOptions, SandboxOptions, ServiceName } from './types.js';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function num(where: string, v: unknown, min: number, max: number, integer = false): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
    throw new SandboxInputError(`${where} must be ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}.`);
  }
  return v;
}

function known(where: string, obj: Record<string, unknown>, keys: readonly string[]): void {
  for (const k of Object.keys(obj)) {
    if (!keys.includes(k)) throw new SandboxInputError(`${where}.${k} is not a sandbox option; known: ${keys.join(', ')}.`);
  }
}

export function parseOktaOptions(raw: unknown): OktaEmulatorOptions {
  if (!isRecord(raw)) throw new SandboxInputError('options.okta must be an object, e.g. {"provisioningApi": "supported"}.');
  if (raw.apiTokenPermissions !== undefined) {
    if (!Array.isArray(raw.apiTokenPermissions) || !raw.apiTokenPermissions.every((p) => typeof p === 'string' && /^okta\.[a-zA-Z]+\.(read|manage)$/.test(p))) {
      throw new SandboxInputError('options.okta.apiTokenPermissions must be a list of Okta scopes such as "okta.apps.manage" or "okta.users.read".');
    }
  }
  known('options.okta', raw, ['apiTokenPermissions', 'provisioningApi', 'rateLimitPerMinute', 'rateLimitWindowSeconds', 'directory', 'authnPolicy', 'consoleProvisioning', 'sessionTokensSpent']);
  const out: OktaEmulatorOptions = {};
  if (raw.provisioningApi !== undefined) {
    if (raw.provisioningApi !== 'unknown' && raw.provisioningApi !== 'supported') {
      throw new SandboxInputError('options.okta.provisioningApi must be "unknown" or "supported".');
    }
    out.provisioningApi = raw.provisioningApi;
  }
  if (raw.authnPolicy !== undefined) {
    if (raw.authnPolicy !== 'password' && raw.authnPolicy !== 'mfa' && raw.authnPolicy !== 'identity-engine') {
      throw new SandboxInputError('options.okta.authnPolicy must be "password", "mfa" or "identity-engine".');
    }
    out.authnPolicy = raw.authnPolicy;
  }
  if (raw.sessionTokensSpent !== undefined) {
    if (typeof raw.sessionTokensSpent !== 'boolean') throw new SandboxInputError('options.okta.sessionTokensSpent must be true or false.');
    out.sessionTokensSpent = raw.sessionTokensSpent;
  }
  if (raw.rateLimitPerMinute !== undefined) out.rateLimitPerMinute = num('options.okta.rateLimitPerMinute', raw.rateLimitPerMinute, 1, 1_000_000, true);
  if (raw.directory !== undefined) {
    const d = raw.directory;
    if (!isRecord(d)) throw new SandboxInputError('options.okta.directory must be an object, e.g. {"users": 250, "groups": 250}.');
    known('options.okta.directory', d, ['users', 'groups', 'apps', 'awsApps']);
    out.directory = {};
    if (d.users !== undefined) out.directory.users = num('options.okta.directory.users', d.users, 0, 100_000, true);
    if (d.groups !== undefined) out.directory.groups = num('options.okta.directory.groups', d.groups, 0, 100_000, true);
    if (d.apps !== undefined) out.directory.apps = num('options.okta.directory.apps', d.apps, 0, 2_500, true);
    if (d.awsApps !== undefined) out.directory.awsApps = num('options.okta.directory.awsApps', d.awsApps, 0, 2_500, true);
  }
  if (raw.rateLimitWindowSeconds !== undefined) out.rateLimitWindowSeconds = num('options.okta.rateLimitWindowSeconds', raw.rateLimitWindowSeconds, 1, 3600, true);
  if (raw.consoleProvisioning !== undefined) {
    const c = raw.consoleProvisioning;
    if (!isRecord(c)) throw new SandboxInputError('options.okta.consoleProvisioning must be an object, e.g. {"createUsers": false}.');
    known('options.okta.consoleProvisioning', c, ['createUsers', 'updateUsers', 'deactivateUsers']);
    const cp: NonNullable<OktaEmulatorOptions['consoleProvisioning']> = {};
    for (const k of ['createUsers', 'updateUsers', 'deactivateUsers'] as const) {
      if (c[k] === undefined) continue;
      if (typeof c[k] !== 'boolean') throw new SandboxInputError(`options.okta.consoleProvisioning.${k} must be true or false.`);
      cp[k] = c[k];
    }
    out.consoleProvisioning = cp;
  }
  if (raw.apiTokenPermissions !== undefined) out.apiTokenPermissions = raw.apiTokenPermissions as string[];
  return out;
}

export function parseAwsOptions(raw: unknown): AwsEmulatorOptions {
  if (!isRecord(raw)) throw new SandboxInputError('options.aws must be an object, e.g. {"memberAccounts": 20}.');
  known('options.aws', raw, ['region', 'memberAccounts', 'assignmentDelayMs', 'assignmentDelayMaxMs', 'failingAccounts', 'requestsPerSecond', 'maxOutstandingAssignments', 'callerPolicy', 'caller']);
  const out: AwsEmulatorOptions = {};
  if (raw.region !== undefined) {
    if (typeof raw.region !== 'string' || !/^[a-z]{2}(-[a-z]+)+-\d$/.test(raw.region)) {
      throw new SandboxInputError('options.aws.region must be an AWS region name such as "us-east-2".');
    }
    out.region = raw.region;
  }
  if (raw.memberAccounts !== undefined) out.memberAccounts = num('options.aws.memberAccounts', raw.memberAccounts, 0, 100_000, true);
  if (raw.assignmentDelayMs !== undefined) out.assignmentDelayMs = num('options.aws.assignmentDelayMs', raw.assignmentDelayMs, 0, 600_000);
  if (raw.assignmentDelayMaxMs !== undefined) out.assignmentDelayMaxMs = num('options.aws.assignmentDelayMaxMs', raw.assignmentDelayMaxMs, 0, 600_000);
  if (raw.failingAccounts !== undefined) {
    if (!Array.isArray(raw.failingAccounts) || !raw.failingAccounts.every((a) => typeof a === 'string' && /^\d{12}$/.test(a))) {
      throw new SandboxInputError('options.aws.failingAccounts must be a list of 12-digit account IDs.');
    }
    out.failingAccounts = raw.failingAccounts as string[];
  }
  if (raw.requestsPerSecond !== undefined) out.requestsPerSecond = num('options.aws.requestsPerSecond', raw.requestsPerSecond, 1, 1_000_000);
  if (raw.maxOutstandingAssignments !== undefined) {
    out.maxOutstandingAssignments = num('options.aws.maxOutstandingAssignments', raw.maxOutstandingAssignments, 1, 1_000_000, true);
  }
  if (raw.callerPolicy !== undefined) {
    if (!isRecord(raw.callerPolicy) || raw.callerPolicy.Statement === undefined) {
      throw new SandboxInputError('options.aws.callerPolicy must be an IAM policy document: {"Version": "2012-10-17", "Statement": [...]}.');
    }
    out.callerPolicy = raw.callerPolicy;
  }
  if (raw.caller !== undefined) {
    if (raw.caller !== 'management' && raw.caller !== 'delegated-admin') throw new SandboxInputError('options.aws.caller must be "management" or "delegated-admin".');
    out.caller = raw.caller;
  }
  return out;
}

/** The whole SandboxOptions object (okta, aws, faults). */
export function parseSandboxOptions(raw: unknown): SandboxOptions {
  if (raw === undefined || raw === null) return {};
  if (!isRecord(raw)) throw new SandboxInputError('The sandbox options must be a JSON object with okta, aws and/or faults.');
  known('options', raw, ['okta', 'aws', 'faults']);
  const out: SandboxOptions = {};
  if (raw.okta !== undefined) out.okta = parseOktaOptions(raw.okta);
  if (raw.aws !== undefined) out.aws = parseAwsOptions(raw.aws);
  if (raw.faults !== undefined) {
    const f = parseFaults(raw.faults);
    const faults: Partial<Record<ServiceName, FaultSpec>> = {};
    for (const [k, v] of Object.entries(f) as [ServiceName, FaultSpec | null][]) if (v) faults[k] = v;
    out.faults = faults;
  }
  return out;
}
