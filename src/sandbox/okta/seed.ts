/**
 * Bulk seeding of Okta users for scale tests (admin endpoint POST /__sandbox/seed/okta-users):
 * `count` active users in one new group, created straight in the emulator's state (100,000 users in
 * about a second, instead of 100,000 API calls). Every `refusableEvery`-th user gets a profile
 * Identity Center's SCIM would refuse (no display name, or a ";" in the last name).
 */
import crypto from 'node:crypto';
import type { OktaState, UserRec } from './state.js';

export interface SeedUsersInput {
  count: number;
  groupName: string;
  /** 0 (default): every profile is valid. */
  refusableEvery?: number;
}

export const MAX_SEED_USERS = 200_000;

export function seedUsers(state: OktaState, p: SeedUsersInput, now = new Date().toISOString()): { groupId: string; created: number; refusable: number } {
  if (!Number.isInteger(p.count) || p.count < 1 || p.count > MAX_SEED_USERS) throw new Error(`count must be a whole number from 1 to ${MAX_SEED_USERS}.`);
  if (typeof p.groupName !== 'string' || p.groupName.trim() === '') throw new Error('groupName must be a non-empty string.');
  if (Object.values(state.groups).some((g) => g.profile.name === p.groupName)) throw new Error(`A group named "${p.groupName}" already exists.`);
  const tag = crypto.randomBytes(3).toString('hex');
  const gid = `00g${tag}seed${crypto.randomBytes(5).toString('hex')}`;
  const members: string[] = [];
  let refusable = 0;
  for (let i = 0; i < p.count; i++) {
    const id = `00u${tag}${i.toString(36).padStart(11, '0')}`;
    const bad = p.refusableEvery !== undefined && p.refusableEvery > 0 && (i + 1) % p.refusableEvery === 0;
    if (bad) refusable++;
    // The 1st, 3rd, ... refusable user has no display name; the 2nd, 4th, ... a ";" in the last name.
    const kind = bad ? ((i + 1) / p.refusableEvery!) % 2 : -1;
    const login = `seed.${tag}.${i}@example.com`;
    const profile: Record<string, unknown> = { firstName: 'Seed', lastName: kind === 0 ? `User;${i}` : `User${i}`, email: login, login };
    if (kind !== 1) profile.displayName = `Seed User ${i}`;
    const u: UserRec = { id, status: 'ACTIVE', profile, created: now, activated: now, statusChanged: now, lastUpdated: now, passwordChanged: null, hasPassword: false };
    state.users[id] = u;
    members.push(id);
  }
  state.groups[gid] = { id: gid, profile: { name: p.groupName }, created: now, lastUpdated: now, lastMembershipUpdated: now, members };
  return { groupId: gid, created: p.count, refusable };
}

export interface DirectoryInput {
  users: number;
  groups: number;
}

/** The default sandbox org's directory: more users and groups than one page of a list (limit 200). */
export const DEFAULT_DIRECTORY: DirectoryInput = { users: 250, groups: 250 };

/**
 * A realistic org directory, created straight in the state (cheap): `users` active people
 * ("Sam Example 001", login sam.example.001@example.com) and `groups` department groups
 * ("Department 001"...), each person in one of them. None starts with the wizard's default prefixes,
 * so a rehearsal's own objects stay its own; lists of users and groups now span several pages.
 */
export function seedDirectory(state: OktaState, p: DirectoryInput, now = new Date().toISOString()): void {
  const groups: string[] = [];
  for (let i = 1; i <= p.groups; i++) {
    const n = String(i).padStart(3, '0');
    const id = `00gdir${n}${crypto.randomBytes(5).toString('hex')}`;
    state.groups[id] = { id, profile: { name: `Department ${n}`, description: 'Seeded sandbox directory' }, created: now, lastUpdated: now, lastMembershipUpdated: now, members: [] };
    groups.push(id);
  }
  for (let i = 1; i <= p.users; i++) {
    const n = String(i).padStart(3, '0');
    const id = `00udir${n}${crypto.randomBytes(5).toString('hex')}`;
    const login = `sam.example.${n}@example.com`;
    state.users[id] = {
      id,
      status: 'ACTIVE',
      profile: { firstName: 'Sam', lastName: `Example ${n}`, displayName: `Sam Example ${n}`, email: login, login },
      created: now,
      activated: now,
      statusChanged: now,
      lastUpdated: now,
      passwordChanged: null,
      hasPassword: false,
    };
    const g = groups.length > 0 ? state.groups[groups[(i - 1) % groups.length]!] : undefined;
    g?.members.push(id);
  }
}
