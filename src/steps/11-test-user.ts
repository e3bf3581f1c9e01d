/**
 * Step 11: a test user in Okta with every attribute Identity Center's SCIM requires (first name,
 * last name, email as login and primary email, display name), values checked before any call to
 * Okta; the password is set by the admin (generated and shown once, or given) and never stored.
 * The user joins the assignment group and the push groups.
 */
import { randomInt } from 'node:crypto';
import type { Drift, Step, StepContext } from './contract.js';
import type { TestUserOutput } from './outputs.js';
import { UsageError, WizardError } from '../errors.js';
import { validateProfileValue, validateEmail, validatePassword } from './validators.js';
export { validateProfileValue, validateEmail, validatePassword };
import { rememberTestUserPassword } from '../verify/run-memory.js';

const LOWER = 'abcdefghijkmnopqrstuvwxyz';
const UPPER = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
const DIGITS = '23456789';
const SYMBOLS = '!#$*+-=?@^_~';

/** A strong password from node:crypto: 20 characters with every class, no look-alike characters. */
export function generatePassword(length = 20): string {
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
  const email = (await ctx.io.ask({ key: 'test-user-email', message: 'Test user email (also the Okta login)', validate: validateEmail })).trim();
  const displayName = (await ctx.io.ask({
    key: 'test-user-display-name',
    message: 'Test user display name',
    default: `${firstName} ${lastName}`,
    validate: (v) => validateProfileValue('display name', v, 255),
  })).trim();
  return { firstName, lastName, email, displayName };
}

async function password(ctx: StepContext): Promise<string> {
  const given = await ctx.io.secret({ key: 'test-user-password', message: 'Password for the test user', validate: validatePassword, optional: true });
  if (given) return given;
  const generate = ctx.io.interactive ? await ctx.io.confirm({ message: 'Generate a strong password for the test user (shown once)?', default: true }) : true;
  if (!generate) {
    const typed = await ctx.io.secret({ key: 'test-user-password', message: 'Password for the test user', validate: validatePassword });
    if (!typed) throw new UsageError('No password was given for the test user.', { code: 'NO_PASSWORD', hint: 'Type one, or let the wizard generate it.' });
    return typed;
  }
  const p = generatePassword();
  ctx.io.showSecretOnce('Test user password (shown once, not saved anywhere)', p);
  return p;
}

function wantedGroups(ctx: StepContext): string[] {
  const g = ctx.need('groups');
  return [g.assignmentGroup.id, ...g.pushGroups.map((p) => p.id)];
}

export const testUserStep: Step<'test-user'> = {
  id: 'test-user',
  title: 'Okta test user in the assignment and push groups',
  kind: 'api',
  needs: ['groups'],

  async skip(ctx) {
    if (!ctx.io.hasAnswer('skip-test-user')) return undefined;
    const skip = await ctx.io.confirm({ key: 'skip-test-user', message: 'Skip the test user?', default: false });
    return skip ? 'the test user was skipped (--skip-test-user)' : undefined;
  },

  async plan(ctx) {
    if (!ctx.outputs.groups) return [{ kind: 'pending', target: 'test user', detail: 'needs the groups step' }];
    if (!ctx.io.hasAnswer('test-user-email')) return [{ kind: 'create', target: 'Okta test user', detail: 'details asked when the step runs' }];
    const okta = await ctx.services.okta();
    const email = await ctx.io.ask({ key: 'test-user-email', message: 'Test user email', validate: validateEmail });
    const u = await okta.getUser(email.trim());
    return [u ? { kind: 'adopt', target: `Okta user ${email}`, detail: u.id } : { kind: 'create', target: `Okta user ${email}` }];
  },

  async apply(ctx) {
    // Every value is checked before the first call to Okta.
    const profile = await askProfile(ctx);
    const groupIds = wantedGroups(ctx);
    const okta = await ctx.services.okta();
    const existing = await okta.getUser(profile.email);
    if (existing) {
      // Only an active user is provisioned to Identity Center; adopting a STAGED, SUSPENDED or
      // DEPROVISIONED one would let the verify step wait for a user who never arrives.
      if (existing.status !== 'ACTIVE' && existing.status !== 'PASSWORD_EXPIRED' && existing.status !== 'PROVISIONED' && existing.status !== 'RECOVERY') {
        throw new WizardError(`The Okta user ${existing.profile.login} (${existing.id}) already exists but is ${existing.status}, so Okta would not provision it to Identity Center.`, {
          code: 'OKTA_TEST_USER_INACTIVE',
          hint:
            `Activate it in Okta (Directory > People > ${existing.profile.login} > ${existing.status === 'SUSPENDED' ? 'More Actions > Unsuspend' : 'Activate'}) and set its password, ` +
            'or give another --test-user-email; then run again (nothing done so far is lost).',
        });
      }
      ctx.io.info(`Adopting the existing Okta user ${existing.profile.login} (${existing.id}); its password is left as it is.`);
      const have = new Set((await okta.listUserGroups(existing.id)).map((g) => g.id));
      for (const gid of groupIds) {
        if (!have.has(gid)) {
          await okta.addUserToGroup(gid, existing.id);
          ctx.io.info(`Added ${existing.profile.login} to the group ${gid}.`);
        }
      }
      const p = existing.profile;
      const missing = (['firstName', 'lastName', 'email', 'displayName'] as const).filter((k) => typeof p[k] !== 'string' || (p[k] as string).trim() === '');
      if (missing.length > 0) {
        ctx.io.warn(`The existing user ${p.login} has no ${missing.join(', ')}; Identity Center will refuse to provision it. Fill them in Okta (Directory > People > ${p.login} > Profile).`);
      }
      return {
        userId: existing.id,
        login: p.login,
        email: p.email ?? profile.email,
        displayName: typeof p.displayName === 'string' ? p.displayName : profile.displayName,
        groupIds,
        created: false,
      };
    }
    const mustChange = await ctx.io.confirm({ key: 'test-user-must-change-password', message: 'Must the test user change the password at first sign-in?', default: false });
    const ok = await ctx.io.confirm({ message: `Create the Okta user ${profile.email} (${profile.displayName})?`, default: true });
    if (!ok) throw new UsageError('Stopped: the test user was not created.', { code: 'DECLINED', hint: 'Run again and approve, or pass --skip-test-user.' });
    const pw = await password(ctx);
    rememberTestUserPassword(profile.email, pw); // process memory only: the verify step signs in with it
    const user = await okta.createUser({
      profile: { firstName: profile.firstName, lastName: profile.lastName, email: profile.email, login: profile.email, displayName: profile.displayName },
      password: pw,
      groupIds,
      nextLoginChangePassword: mustChange,
    });
    ctx.io.info(`Created the Okta user ${profile.email} (${user.id}) in ${groupIds.length} groups${mustChange ? '; the password must be changed at first sign-in' : ''}.`);
    return { userId: user.id, login: profile.email, email: profile.email, displayName: profile.displayName, groupIds, created: true };
  },

  async check(ctx, out: TestUserOutput) {
    const okta = await ctx.services.okta();
    const u = await okta.getUser(out.userId);
    if (!u) return [{ message: `The Okta test user ${out.login} (${out.userId}) no longer exists.` }];
    const drift: Drift[] = [];
    if (u.status !== 'ACTIVE' && u.status !== 'PASSWORD_EXPIRED') drift.push({ message: `The Okta test user ${out.login} is ${u.status}, not ACTIVE.` });
    const have = new Set((await okta.listUserGroups(out.userId)).map((g) => g.id));
    for (const gid of out.groupIds) if (!have.has(gid)) drift.push({ message: `The Okta test user ${out.login} is no longer in the group ${gid}.` });
    return drift;
  },
};
