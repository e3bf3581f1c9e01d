/**
 * Pure checks of AWS names and values the wizard is given (no SDK import: the answer catalog and
 * --help use them).
 */
export const PERMISSION_SET_NAME_RE = /^[\w+=,.@-]{1,32}$/;
const DURATION_RE = /^PT(?:(\d{1,2})H)?(?:(\d{1,3})M)?$/;

export function validatePermissionSetName(v: string): true | string {
  return PERMISSION_SET_NAME_RE.test(v) ? true : 'a permission set name has 1 to 32 characters: letters, digits and + = , . @ _ -';
}

/** Minutes of an ISO-8601 session duration, or undefined. */
export function durationMinutes(v: string): number | undefined {
  const m = DURATION_RE.exec(v);
  if (!m || (m[1] === undefined && m[2] === undefined)) return undefined;
  return Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0);
}

export function validateSessionDuration(v: string): true | string {
  const min = durationMinutes(v);
  if (min === undefined) return 'use an ISO 8601 duration such as PT1H, PT4H or PT1H30M';
  if (min < 60 || min > 720) return 'the session duration must be between PT1H and PT12H';
  return true;
}

export const REGION_PATTERN = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;

/**
 * The AWS regions that exist (commercial, GovCloud, China), from the AWS General Reference's region
 * table. A name outside it is a typo, not a new region we do not know, in all but rare cases: the
 * message says how to check.
 */
export const AWS_REGIONS: readonly string[] = [
  'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2',
  'af-south-1',
  'ap-east-1', 'ap-east-2', 'ap-south-1', 'ap-south-2', 'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3', 'ap-southeast-4',
  'ap-southeast-5', 'ap-southeast-6', 'ap-southeast-7', 'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3',
  'ca-central-1', 'ca-west-1',
  'eu-central-1', 'eu-central-2', 'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-south-1', 'eu-south-2', 'eu-north-1',
  'il-central-1', 'me-south-1', 'me-central-1', 'mx-central-1', 'sa-east-1',
  'us-gov-east-1', 'us-gov-west-1', 'cn-north-1', 'cn-northwest-1',
];

export function validateRegion(v: string): true | string {
  const t = v.trim();
  if (!REGION_PATTERN.test(t)) return `"${t}" is not an AWS region name (a region looks like us-east-2 or eu-west-1)`;
  if (!AWS_REGIONS.includes(t)) return `there is no AWS region "${t}" (known regions: ${AWS_REGIONS.join(', ')})`;
  return true;
}

export function validateAccountId(v: string): true | string {
  return /^\d{12}$/.test(v.trim()) ? true : `"${v.trim()}" is not an AWS account ID (12 digits)`;
}

export function validateOuId(v: string): true | string {
  return /^(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|r-[0-9a-z]{4,32})$/.test(v.trim()) ? true : `"${v.trim()}" is not an organizational unit ID (ou-xxxx-xxxxxxxx) or a root ID (r-xxxx)`;
}
