/**
 * Bulk seeding of Okta users for scale tests (admin endpoint POST /__sandbox/seed/okta-users):
 * `count` active users in one new group, created straight in the emulator's state (100,000 users in
 * about a second, instead of 100,000 API calls). Every `refusableEvery`-th user gets a profile
 * Identity Center's SCIM would refuse (no display name, or a ";" in the last name).
 */
import crypto from 'node:crypto';
import { defaultCapabilities, type AppRec, type OktaState, type UserRec } from './state.js';

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

export interface AppsInput {
  /** Apps of the kinds a real org holds (bookmark, OIN SAML, OIDC), some INACTIVE. */
  apps: number;
  /**
   * `amazon_aws_sso` instances that belong to other AWS organizations: their own ACS URL and entity ID
   * (another Identity Center instance). The first is labelled "AWS IAM Identity Center", the OIN
   * default label, as a neighbouring team's app would be.
   */
  awsApps: number;
}

/** The default org's apps: three pages at Okta's default `limit` of 20, two of them other AWS organizations' apps. */
export const DEFAULT_APPS: AppsInput = { apps: 58, awsApps: 2 };

export const MAX_SEED_APPS = 5_000;

const SAML_OIN = [
  { name: 'workday', label: 'Workday', app: (n: string) => ({ siteURL: `https://wd${n}.myworkday.example.com` }) },
  { name: 'slack', label: 'Slack', app: (n: string) => ({ domain: `example-${n}` }) },
  { name: 'zoomus', label: 'Zoom', app: (n: string) => ({ subdomain: `example${n}` }) },
  { name: 'boxnet', label: 'Box', app: () => ({}) },
  { name: 'salesforce', label: 'Salesforce.com', app: (n: string) => ({ instanceType: 'PRODUCTION', loginUrl: `https://example-${n}.my.salesforce.com` }) },
];
const BOOKMARKS = ['Company wiki', 'Expense policy', 'IT help desk', 'Benefits portal', 'Travel booking', 'Status page'];
const REGIONS = ['us-east-1', 'eu-west-1', 'us-east-2', 'ap-southeast-2'];

function hex(bytes: number): string {
  return crypto.randomBytes(bytes).toString('hex');
}

function appId(): string {
  // Okta app ids: "0oa" and 17 base62 characters.
  return `0oa${crypto.randomBytes(13).toString('base64url').replace(/[-_]/g, 'x').slice(0, 17)}`;
}

/** The writable part of one seeded app, and its OIN name, sign-on mode and label. */
function appKind(i: number): { name: string; signOnMode: string; label: string; writable: Record<string, unknown> } {
  const n = String(i).padStart(3, '0');
  switch (i % 3) {
    case 0: {
      const b = BOOKMARKS[Math.floor(i / 3) % BOOKMARKS.length]!;
      return {
        name: 'bookmark',
        signOnMode: 'BOOKMARK',
        label: `${b} ${n}`,
        writable: { settings: { app: { requestIntegration: false, url: `https://intranet.example.com/links/${n}` } }, credentials: { userNameTemplate: { template: '${source.email}', type: 'BUILT_IN' } } },
      };
    }
    case 1: {
      const s = SAML_OIN[Math.floor(i / 3) % SAML_OIN.length]!;
      return { name: s.name, signOnMode: 'SAML_2_0', label: `${s.label} ${n}`, writable: { settings: { app: s.app(n) } } };
    }
    default: {
      const spa = Math.floor(i / 3) % 2 === 0;
      return {
        name: 'oidc_client',
        signOnMode: 'OPENID_CONNECT',
        label: `${spa ? 'Dashboard (SPA)' : 'Internal API portal'} ${n}`,
        writable: {
          settings: {
            oauthClient: {
              redirect_uris: [`https://app${n}.example.com/callback`],
              response_types: ['code'],
              grant_types: ['authorization_code', 'refresh_token'],
              application_type: spa ? 'browser' : 'web',
              issuer_mode: 'DYNAMIC',
              wildcard_redirect: 'DISABLED',
            },
          },
          // No client secret: public (PKCE) and private_key_jwt clients hold none.
          credentials: { oauthClient: { autoKeyRotation: true, client_id: appId(), token_endpoint_auth_method: spa ? 'none' : 'private_key_jwt', pkce_required: true }, userNameTemplate: { template: '${source.login}', type: 'BUILT_IN' } },
        },
      };
    }
  }
}

/**
 * A real org's app list, made straight in the state (cheap): `apps` apps of the kinds an org holds
 * (bookmarks, OIN SAML apps, OIDC clients; every 11th INACTIVE), and `awsApps` `amazon_aws_sso`
 * instances of other AWS organizations spread through the list. Their signing keys are made on first
 * use (ensureKeys in app-keys.ts): a certificate costs CPU, and most seeded apps are only listed.
 */
export function seedApps(state: OktaState, p: AppsInput, now = new Date().toISOString()): void {
  const total = p.apps + p.awsApps;
  if (!Number.isInteger(p.apps) || !Number.isInteger(p.awsApps) || p.apps < 0 || p.awsApps < 0 || total > MAX_SEED_APPS) {
    throw new Error(`apps and awsApps must be whole numbers, ${MAX_SEED_APPS} in all at most.`);
  }
  const awsAt = new Set<number>();
  for (let k = 0; k < p.awsApps; k++) awsAt.add(Math.floor(((k + 0.5) * total) / p.awsApps));
  let other = 0;
  let aws = 0;
  for (let pos = 0; pos < total; pos++) {
    let kind: { name: string; signOnMode: string; label: string; writable: Record<string, unknown> };
    let status: AppRec['status'] = 'ACTIVE';
    if (awsAt.has(pos)) {
      aws++;
      const region = REGIONS[(aws - 1) % REGIONS.length]!;
      kind = {
        name: 'amazon_aws_sso',
        signOnMode: 'SAML_2_0',
        label: aws === 1 ? 'AWS IAM Identity Center' : `AWS IAM Identity Center (org ${String(aws).padStart(3, '0')})`,
        writable: {
          settings: {
            app: {
              acsURL: `https://${region}.signin.aws.amazon.com/platform/saml/acs/${crypto.randomUUID()}`,
              entityID: `https://${region}.signin.aws.amazon.com/platform/saml/d-${hex(5)}`,
            },
          },
        },
      };
    } else {
      other++;
      kind = appKind(other);
      if (other % 11 === 0) status = 'INACTIVE';
    }
    const id = appId();
    state.apps[id] = {
      id,
      externalKey: `exk${crypto.randomBytes(13).toString('base64url').replace(/[-_]/g, 'x').slice(0, 17)}`,
      name: kind.name,
      label: kind.label,
      signOnMode: kind.signOnMode,
      status,
      created: now,
      lastUpdated: now,
      writable: kind.writable,
      keys: [],
      activeKid: crypto.randomBytes(32).toString('base64url'),
      connection: null,
      capabilities: defaultCapabilities(),
      groups: {},
      users: {},
      targetGroups: {},
      mappings: {},
      pushRules: [],
    };
  }
}
