/**
 * Which Okta users Identity Center's SCIM would refuse: a missing first name, last name or display
 * name, a value too long, or one of the characters < > ; : % (reference okta-api.md §8), checked
 * page by page so that an org of 100,000 users is read in bounded memory (one page at a time, the
 * first few offenders kept as examples, the rest only counted).
 */
import type { OktaClient, OktaUser } from '../okta/client.js';

/** Same limits as the test-user step: names up to 100 characters, display name up to 255, user name up to 128. */
const LIMITS: Record<string, number> = { firstName: 100, lastName: 100, displayName: 255, login: 128, email: 100 };
const LABEL: Record<string, string> = { firstName: 'first name', lastName: 'last name', displayName: 'display name', login: 'login', email: 'email' };
const FORBIDDEN = /[<>;:%]/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const PAGE_SIZE = 1000;
const MAX_EXAMPLES = 5;

/** Why SCIM would refuse this profile, or undefined. */
export function profileProblem(profile: OktaUser['profile']): string | undefined {
  for (const k of ['firstName', 'lastName', 'displayName', 'login', 'email'] as const) {
    const v = profile[k];
    if (typeof v !== 'string' || v.trim() === '') {
      if (k === 'email') continue;
      return `no ${LABEL[k]}`;
    }
    if (v.length > LIMITS[k]!) return `${LABEL[k]} longer than ${LIMITS[k]} characters`;
    if (FORBIDDEN.test(v)) return `${LABEL[k]} "${v.slice(0, 40)}" contains one of < > ; : %`;
    if (CONTROL.test(v)) return `${LABEL[k]} contains control characters`;
  }
  return undefined;
}

export interface ProfileScan {
  checked: number;
  refused: number;
  /** "login: reason", at most a few. */
  examples: string[];
  pages: number;
}

/** Streams the members of each group (the groups assigned to the app) and counts the refusable profiles. */
export async function scanGroupProfiles(okta: OktaClient, groupIds: readonly string[], onPage?: (checked: number) => void): Promise<ProfileScan> {
  const scan: ProfileScan = { checked: 0, refused: 0, examples: [], pages: 0 };
  const seen = groupIds.length > 1 ? new Set<string>() : undefined;
  for (const gid of groupIds) {
    for await (const page of okta.pages<OktaUser>(`/api/v1/groups/${encodeURIComponent(gid)}/users`, { limit: PAGE_SIZE })) {
      scan.pages++;
      for (const u of page) {
        if (seen) {
          if (seen.has(u.id)) continue;
          seen.add(u.id);
        }
        if (u.status === 'DEPROVISIONED' || u.status === 'STAGED') continue;
        scan.checked++;
        const p = profileProblem(u.profile);
        if (p) {
          scan.refused++;
          if (scan.examples.length < MAX_EXAMPLES) scan.examples.push(`${u.profile.login}: ${p}`);
        }
      }
      onPage?.(scan.checked);
    }
  }
  return scan;
}
