/**
 * Step 11: a test user in Okta with every attribute Identity Center's SCIM requires (first name,
 * last name, email as login and primary email, display name), values checked before any call to
 * Okta; the password is set by the admin (generated and shown once, or given) and never stored.
 * The user joins the assignment group and the push groups.
 */
import { randomInt } from 'node:crypto';
import type { Step, StepContext } from './contract.js';
import { stepInfo } from './catalog.js';
import { KNOWN_AFTER_APPLY, type Change } from '../core/change.js';
import type { TestUserOutput } from '../core/outputs.js';
import { UsageError, WizardError } from '../errors.js';
import { validateProfileValue, validateEmail, validatePassword } from './validators.js';
export { validateProfileValue, validateEmail, validatePassword };
import { rememberTestUserPassword } from '../verify/run-memory.js';

const LOWER = 'abcdefghijkmnopqrstuvwxyz';
const UPPER = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
const DIGITS = '23456789';
const SYMBOLS = '!#$*+-=?@^_~';

/** A strong password from node:crypto: 20 characters with every class, no look-alike characters. */
/**
 * A strong random password. Okta's default password policy refuses one that contains a part of the
 * username (the login's local part, first or last name, compared case-insensitively): such a draw, rare
 * but possible, is drawn again.
 */
export function generatePassword(length = 20, avoid: readonly string[] = []): string {
  const parts = avoid.map((a) => a.toLowerCase()).filter((a) => a.length >= 3);
  for (;;) {
    const p = drawPassword(length);
    if (!parts.some((a) => p.toLowerCase().includes(a))) return p;
  }
}

function drawPassword(length: number): string {
  const all = LOWER + UPPER + DIGITS + SYMBOLS;
  const pick = (set: string): string => set[randomInt(set.length)]!;
  const chars = [pick(LOWER), pick(UPPER), pick(DIGITS), pick(SYMBOLS)];
  while (chars.length < length) chars.push(pick(all));
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j]!, chars[i]!];
  }
  return chars.join('');
}

interface Profile {
  firstName: string;
  lastName: string;
  email: string;
  displayName: string;
}

async function askProfile(ctx: StepContext): Promise<Profile> {
  const firstName = (await ctx.io.ask({ key: 'test-user-first-name', message: 'Test user first name', validate: (v) => validateProfileValue('first name', v) })).trim();
  const lastName = (await ctx.io.ask({ key: 'test-user-last-name', message: 'Test user last name', validate: (v) => validateProfileValue('last name', v) })).trim();
  const email = (await ctx.io.ask({ key: 'test-user-email', message: 'Test user email (also the Okta login)' })).trim();
  const displayName = (await ctx.io.ask({
    key: 'test-user-display-name',
    message: 'Test user display name',
    default: `${firstName} ${lastName}`,
    validate: (v) => validateProfileValue('display name', v, 255),
  })).trim();
  return { firstName, lastName, email, displayName };
}

async function password(ctx: StepContext, profile: Profile): Promise<string> {
  const given = await ctx.io.secret({ key: 'test-user-password', message: 'Password for the test user', validate: validatePassword, optional: true });
  if (given) return given;
  const generate = ctx.io.interactive ? await ctx.io.confirm({ message: 'Generate a strong password for the test user (shown once)?', default: true }) : true;
  if (!generate) {
    const typed = await ctx.io.secret({ key: 'test-user-password', message: 'Password for the test user', validate: validatePassword });
    if (!typed) throw new UsageError('No password was given for the test user.', { code: 'NO_PASSWORD', hint: 'Type one, or let the wizard generate it.' });
    return typed;
  }
  const p = generatePassword(20, [profile.email.split('@')[0] ?? '', profile.firstName, profile.lastName]);
  ctx.io.showSecretOnce('Test user password (shown once, not saved anywhere)', p);
  return p;
}

function wantedGroups(ctx: StepContext): string[] {
  const g = ctx.need('groups');
  return [g.assignmentGroup.id, ...g.pushGroups.map((p) => p.id)];
}

/** The live Okta user (by login), as observed. */
export interface ObservedTestUser {
  groupIds: string[];
  existing?: { id: string; status: string; login: string; email?: string; displayName?: string; missingProfile: string[] };
  /** Groups the existing user is in. */
  memberOf: string[];
}

export type TestUserPayload =
  | { action: 'create'; profile: Profile; groupIds: string[]; password: '<password>' }
  | { action: 'adopt'; userId: string }
  | { action: 'add-to-group'; userId: string; groupId: string };

const ACTIVE_ENOUGH = new Set(['ACTIVE', 'PASSWORD_EXPIRED', 'PROVISIONED', 'RECOVERY']);

export function planTestUser(obs: ObservedTestUser, profile: Profile, recorded?: TestUserOutput): Change<TestUserPayload>[] {
  const u = obs.existing;
  if (!u) {
    return [
      {
        op: 'create',
        resource: { kind: 'okta-user', name: profile.email },
        summary: `Create the Okta user ${profile.email} (${profile.displayName}) in ${obs.groupIds.length} groups`,
        risk: 'additive',
        after: { login: profile.email, groupIds: obs.groupIds },
        payload: { action: 'create', profile, groupIds: obs.groupIds, password: '<password>' },
        writes: [{ service: 'okta', operation: 'createUser', count: 1 }],
        ...(recorded ? { drift: `The Okta test user ${recorded.login} (${recorded.userId}) no longer exists.` } : {}),
      },
    ];
  }
  let drift: string | undefined;
  if (recorded && recorded.userId !== u.id) drift = `The Okta test user ${recorded.login} is now ${u.id}, not ${recorded.userId}.`;
  else if (recorded && u.status !== 'ACTIVE' && u.status !== 'PASSWORD_EXPIRED') drift = `The Okta test user ${recorded.login} is ${u.status}, not ACTIVE.`;
  const ref = { kind: 'okta-user', id: u.id, name: u.login };
  const changes: Change<TestUserPayload>[] = [
    { op: 'adopt', resource: ref, summary: `Adopt the existing Okta user ${u.login}`, risk: 'read-only', payload: { action: 'adopt', userId: u.id }, writes: [], ...(drift ? { drift } : {}) },
  ];
  // An inactive user is refused by apply (with what to do): nothing else to plan for it.
  if (!ACTIVE_ENOUGH.has(u.status)) return changes;
  const have = new Set(obs.memberOf);
  for (const gid of obs.groupIds) {
    if (have.has(gid)) continue;
    changes.push({
      op: 'update',
      resource: ref,
      summary: `Add ${u.login} to the group ${gid}`,
      risk: 'modifies-existing',
      payload: { action: 'add-to-group', userId: u.id, groupId: gid },
      writes: [{ service: 'okta', operation: 'assignUserToGroup', count: 1 }],
      ...(recorded ? { drift: `The Okta test user ${recorded.login} is no longer in the group ${gid}.` } : {}),
    });
  }
  return changes;
}

export const testUserStep: Step<'test-user', Profile, ObservedTestUser> = {
  ...stepInfo('test-user'),
  needs: ['groups'],

  async skip(ctx) {
    if (!ctx.io.hasAnswer('skip-test-user')) return undefined;
    const skip = await ctx.io.confirm({ key: 'skip-test-user', message: 'Skip the test user?', default: false });
    return skip ? 'the test user was skipped (--skip-test-user)' : undefined;
  },

  // Every value is checked before the first call to Okta.
  answers: askProfile,

  async observe(ctx, profile) {
    const groupIds = wantedGroups(ctx);
    const okta = await ctx.services.okta();
    const u = await okta.getUser(profile.email);
    if (!u) return { groupIds, memberOf: [] };
    const p = u.profile;
    const missingProfile = (['firstName', 'lastName', 'email', 'displayName'] as const).filter((k) => typeof p[k] !== 'string' || (p[k] as string).trim() === '');
    const memberOf = ACTIVE_ENOUGH.has(u.status) ? (await okta.listUserGroups(u.id)).map((g) => g.id) : [];
    return {
      groupIds,
      existing: { id: u.id, status: u.status, login: p.login, ...(typeof p.email === 'string' ? { email: p.email } : {}), ...(typeof p.displayName === 'string' ? { displayName: p.displayName } : {}), missingProfile },
      memberOf,
    };
  },

  plan: (obs, profile, recorded) => planTestUser(obs, profile, recorded),

  async apply(ctx, changes, obs, profile) {
    const okta = await ctx.services.okta();
    const u = obs.existing;
    if (u && !ACTIVE_ENOUGH.has(u.status)) {
      // Only an active user is provisioned to Identity Center; adopting a STAGED, SUSPENDED or
      // DEPROVISIONED one would let the verify step wait for a user who never arrives.
      throw new WizardError(`The Okta user ${u.login} (${u.id}) already exists but is ${u.status}, so Okta would not provision it to Identity Center.`, {
        code: 'OKTA_TEST_USER_INACTIVE',
        hint:
          `Activate it in Okta (Directory > People > ${u.login} > ${u.status === 'SUSPENDED' ? 'More Actions > Unsuspend' : 'Activate'}) and set its password, ` +
          'or give another --test-user-email; then run again (nothing done so far is lost).',
      });
    }
    let out: TestUserOutput | undefined;
    for (const c of changes) {
      const pl = c.payload as TestUserPayload;
      if (pl.action === 'adopt' && u) {
        ctx.io.info('TEST_USER_ADOPTED', { login: u.login, id: u.id });
        if (u.missingProfile.length > 0) {
          ctx.io.warn('TEST_USER_PROFILE_INCOMPLETE', { login: u.login, missing: u.missingProfile.join(', ') });
        }
        // A user an earlier run created stays "created" (destroy removes it).
        const prev = ctx.outputs['test-user'];
        out = { userId: u.id, login: u.login, email: u.email ?? profile.email, displayName: u.displayName ?? profile.displayName, groupIds: obs.groupIds, created: prev?.created === true && prev.userId === u.id };
      } else if (pl.action === 'add-to-group') {
        await okta.addUserToGroup(pl.groupId, pl.userId);
        ctx.io.info('TEST_USER_ADDED_TO_GROUP', { user: u?.login ?? pl.userId, groupId: pl.groupId });
      } else if (pl.action === 'create') {
        const mustChange = await ctx.io.confirm({ key: 'test-user-must-change-password', message: 'Must the test user change the password at first sign-in?', default: false });
        const pw = await password(ctx, profile);
        rememberTestUserPassword(profile.email, pw); // process memory only: the verify step signs in with it
        const user = await okta.createUser({
          profile: { firstName: profile.firstName, lastName: profile.lastName, email: profile.email, login: profile.email, displayName: profile.displayName },
          password: pw,
          groupIds: pl.groupIds,
          nextLoginChangePassword: mustChange,
        });
        ctx.io.info('TEST_USER_CREATED', { login: profile.email, id: user.id, groups: pl.groupIds.length, mustChange: mustChange ? '; the password must be changed at first sign-in' : '' });
        out = { userId: user.id, login: profile.email, email: profile.email, displayName: profile.displayName, groupIds: pl.groupIds, created: true };
      }
    }
    if (!out) throw new WizardError('The test-user plan had neither a create nor an adopt change.', { code: 'PLAN_INVALID', hint: 'Run again; if it persists, please report it.' });
    return out;
  },

  outputsAfter(obs, profile) {
    return { userId: obs.existing?.id ?? KNOWN_AFTER_APPLY, login: obs.existing?.login ?? profile.email, email: obs.existing?.email ?? profile.email, displayName: obs.existing?.displayName ?? profile.displayName, groupIds: obs.groupIds, created: !obs.existing };
  },
};
