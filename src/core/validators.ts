/**
 * The checks of the answers, next to the answer catalog (src/steps/answers.ts): the steps use them
 * when they ask, and the CLI uses the same functions at start-up, before any step runs, on every
 * value given by a flag, the environment, --config or the state file. Pure functions: no SDK, no I/O.
 * Each returns true, or what is wrong (and how to fix it).
 */
export {
  validatePermissionSetName,
  validateSessionDuration,
  validateRegion,
  validateAccountId,
  validateOuId,
} from '../aws/names.js';
export { validateManagedPolicyArn } from '../aws/managed-policies.js';

/** Characters Identity Center's SCIM refuses in synced values (reference okta-api.md §8). */
export const SCIM_FORBIDDEN = /[<>;:%]/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]/;

/** A profile value Identity Center's SCIM accepts: not empty, no < > ; : %, no control characters. */
export function validateProfileValue(what: string, v: string, max = 100): true | string {
  const t = v.trim();
  if (t === '') return `The ${what} cannot be empty (Identity Center refuses users without it).`;
  if (t.length > max) return `The ${what} must be at most ${max} characters.`;
  if (SCIM_FORBIDDEN.test(t)) return `The ${what} "${t}" contains one of < > ; : %, which Identity Center refuses.`;
  if (CONTROL.test(t)) return `The ${what} contains control or invisible characters; type it again.`;
  return true;
}

export function validateEmail(v: string): true | string {
  const base = validateProfileValue('email', v, 100);
  if (base !== true) return base;
  const t = v.trim();
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(t)) return `"${t}" is not an email address (it is also the Okta login and the Identity Center user name).`;
  return true;
}

export function validatePassword(v: string): true | string {
  if (v.length < 12) return 'Use at least 12 characters.';
  if (!/[a-z]/.test(v) || !/[A-Z]/.test(v) || !/[0-9]/.test(v)) return 'Use lower-case and upper-case letters and digits.';
  return true;
}

export function validateGroupName(v: string): true | string {
  const t = v.trim();
  if (t === '') return 'A group name cannot be empty.';
  if (t.length > 255) return 'A group name must be at most 255 characters.';
  if (SCIM_FORBIDDEN.test(t)) return `"${t}" contains one of < > ; : % which Identity Center refuses; choose another name.`;
  if (CONTROL.test(t)) return `"${t}" contains control or invisible characters; type the name again.`;
  return true;
}

export function validateLabel(v: string): true | string {
  const t = v.trim();
  if (t === '') return 'The app label cannot be empty.';
  if (t.length > 100) return 'The app label must be at most 100 characters.';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(t)) return 'The app label must not contain control characters.';
  return true;
}

export function validateOrgUrlShape(v: string): true | string {
  let u: URL;
  try {
    u = new URL(v.trim());
  } catch {
    return `"${v.trim()}" is not a URL; give the Okta org URL, e.g. https://example.okta.com`;
  }
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && (u.hostname === '127.0.0.1' || u.hostname === 'localhost'))) return 'the Okta org URL starts with https://';
  return true;
}

/** A whole number from min to max. */
export function validateWholeNumber(min: number, max: number, what: string): (v: string) => true | string {
  return (v) => {
    const t = v.trim();
    if (!/^\d+$/.test(t)) return `${what} must be a whole number from ${min} to ${max}, not "${t}"`;
    const n = Number(t);
    return n >= min && n <= max ? true : `${what} must be from ${min} to ${max}, not ${n}`;
  };
}

export function oneOf(values: readonly string[]): (v: string) => true | string {
  return (v) => (values.includes(v.trim()) ? true : `"${v.trim()}" is not one of: ${values.join(', ')}`);
}
