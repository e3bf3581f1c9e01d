/** Users: list, create, read, update, delete, lifecycle, their groups. */
import crypto from 'node:crypto';
import type { Answer, Handlers, Json, Org } from './context.js';
import { OktaHttpError, apiValidation } from './errors.js';
import { refreshAssignments, user } from './org.js';
import { listCollection, page } from './paging.js';
import type { UserRec } from './state.js';
import { isObj, rid } from './util.js';
import { groupView, userView } from './views.js';
import { hashPassword } from './sso.js';

/** Okta's default password policy. */
function passwordProblems(password: string, login: string, first: string, last: string): boolean {
  const parts = [login.split('@')[0] ?? '', first, last].filter((p) => p.length >= 3).map((p) => p.toLowerCase());
  return password.length < 8 || !/[a-z]/.test(password) || !/[A-Z]/.test(password) || !/[0-9]/.test(password) || parts.some((p) => password.toLowerCase().includes(p));
}

/** POST (partial) / PUT (replace) of a user's profile; credentials other than a password are ignored. */
function updateProfile(org: Org, u: UserRec, body: Json, replace: boolean): Answer {
  const given = isObj(body.profile) ? body.profile : undefined;
  const profile = given ? (replace ? { ...given } : { ...u.profile, ...given }) : { ...u.profile };
  const causes: string[] = [];
  for (const k of ['login', 'email', 'firstName', 'lastName']) {
    if (typeof profile[k] !== 'string' || String(profile[k]).trim() === '') causes.push(`${k}: The field cannot be left blank`);
  }
  const login = String(profile.login ?? '');
  if (Object.values(org.state.users).some((x) => x.id !== u.id && String(x.profile.login).toLowerCase() === login.toLowerCase())) {
    causes.push('login: An object with this field already exists in the current organization');
  }
  const creds = isObj(body.credentials) ? body.credentials : {};
  const password = isObj(creds.password) && typeof creds.password.value === 'string' ? creds.password.value : undefined;
  if (password !== undefined && passwordProblems(password, login, String(profile.firstName ?? ''), String(profile.lastName ?? ''))) {
    causes.push('password: Password requirements were not met. Password requirements: at least 8 characters, a lowercase letter, an uppercase letter, a number, no parts of your username.');
  }
  if (causes.length > 0) throw apiValidation('profile', causes);
  const t = org.now();
  const changed = JSON.stringify(profile) !== JSON.stringify(u.profile);
  u.profile = profile;
  if (password !== undefined) {
    u.hasPassword = true;
    u.passwordHash = hashPassword(password);
    u.passwordChanged = t;
  }
  u.lastUpdated = t;
  if (changed) {
    for (const a of Object.values(org.state.apps)) {
      const r = a.users[u.id];
      if (r?.scimId) r.profileDirty = true;
    }
    refreshAssignments(org);
  }
  return { status: 200, json: userView(org, u) };
}
export function userHandlers(org: Org): Handlers {
  return {
    listUsers: (ctx) =>
      listCollection(org, ctx, Object.values(org.state.users), {
        view: (x) => userView(org, x),
        q: (u, q) => ['login', 'firstName', 'lastName', 'email'].some((k) => String(u.profile[k] ?? '').toLowerCase().startsWith(q)),
        search: true,
        filterFields: ['status', 'lastUpdated', 'id', 'profile.login', 'profile.email', 'profile.firstName', 'profile.lastName'],
        defaultLimit: 200,
      }),
    createUser: (ctx) => {
      const body = ctx.body as Json;
      const profile = { ...(body.profile as Json) };
      const causes: string[] = [];
      for (const k of ['login', 'email', 'firstName', 'lastName']) {
        if (typeof profile[k] !== 'string' || String(profile[k]).trim() === '') causes.push(`${k}: The field cannot be left blank`);
      }
      const login = String(profile.login ?? '');
      if (login && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(login)) causes.push('login: Username must be in the form of an email address');
      if (typeof profile.email === 'string' && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(profile.email)) causes.push('email: Does not match required pattern');
      if (login && Object.values(org.state.users).some((u) => String(u.profile.login).toLowerCase() === login.toLowerCase())) {
        causes.push('login: An object with this field already exists in the current organization');
      }
      const creds = isObj(body.credentials) ? body.credentials : {};
      const password = isObj(creds.password) && typeof creds.password.value === 'string' ? creds.password.value : undefined;
      if (password !== undefined && passwordProblems(password, login, String(profile.firstName ?? ''), String(profile.lastName ?? ''))) {
        causes.push('password: Password requirements were not met. Password requirements: at least 8 characters, a lowercase letter, an uppercase letter, a number, no parts of your username.');
      }
      const groupIds = Array.isArray(body.groupIds) ? (body.groupIds as string[]) : [];
      for (const gid of groupIds) if (!org.state.groups[gid]) causes.push(`groupIds: Group ${gid} does not exist`);
      if (causes.length > 0) throw apiValidation('login', causes);
      const t = org.now();
      const activate = ctx.query.activate !== false;
      if (ctx.query.nextLogin === 'changePassword' && !activate) throw apiValidation('nextLogin', ['nextLogin: changePassword requires activate=true']);
      // Without a password an activated user waits for the activation email (PROVISIONED).
      let status: UserRec['status'] = 'STAGED';
      if (activate) status = password === undefined ? 'PROVISIONED' : ctx.query.nextLogin === 'changePassword' ? 'PASSWORD_EXPIRED' : 'ACTIVE';
      const u: UserRec = {
        id: rid('00u'),
        status,
        profile,
        created: t,
        activated: activate ? t : null,
        statusChanged: activate ? t : null,
        lastUpdated: t,
        passwordChanged: password !== undefined ? t : null,
        hasPassword: password !== undefined,
        ...(password !== undefined ? { passwordHash: hashPassword(password) } : {}),
      };
      org.state.users[u.id] = u;
      for (const gid of groupIds) {
        const g = org.state.groups[gid];
        if (g && !g.members.includes(u.id)) {
          g.members.push(u.id);
          g.lastMembershipUpdated = t;
        }
      }
      refreshAssignments(org);
      return { status: 200, json: userView(org, u) };
    },
    getUser: (ctx) => ({ status: 200, json: userView(org, user(org, ctx.params.userId ?? '')) }),
    updateUser: (ctx) => updateProfile(org, user(org, ctx.params.userId ?? ''), ctx.body as Json, false),
    replaceUser: (ctx) => updateProfile(org, user(org, ctx.params.userId ?? ''), ctx.body as Json, true),
    deleteUser: (ctx) => {
      const u = user(org, ctx.params.userId ?? '');
      if (u.status !== 'DEPROVISIONED') {
        u.status = 'DEPROVISIONED';
        u.statusChanged = u.lastUpdated = org.now();
      } else {
        delete org.state.users[u.id];
        for (const g of Object.values(org.state.groups)) g.members = g.members.filter((id) => id !== u.id);
        for (const a of Object.values(org.state.apps)) {
          const r = a.users[u.id];
          if (r) {
            r.direct = false;
            r.removed = true;
          }
        }
      }
      refreshAssignments(org);
      return { status: 204 };
    },
    listUserGroups: (ctx) => {
      const u = user(org, ctx.params.userId ?? '');
      const groups = Object.values(org.state.groups).filter((g) => g.members.includes(u.id));
      return page(org, ctx, groups.map((x) => groupView(org, x)), (v) => String(v.id), 10000);
    },
    activateUser: (ctx) => {
      const u = user(org, ctx.params.userId ?? '');
      if (u.status === 'ACTIVE' || u.status === 'PASSWORD_EXPIRED') throw new OktaHttpError(403, 'E0000016', 'Activation failed because the user is already active');
      u.status = u.hasPassword ? 'ACTIVE' : 'PROVISIONED';
      u.activated = u.statusChanged = u.lastUpdated = org.now();
      refreshAssignments(org);
      const token = crypto.randomBytes(15).toString('base64url');
      const json = ctx.req.query.get('sendEmail') === 'false' ? { activationToken: token, activationUrl: `${org.orgUrl}/welcome/${token}` } : {};
      return { status: 200, json };
    },
    deactivateUser: (ctx) => {
      const u = user(org, ctx.params.userId ?? '');
      u.status = 'DEPROVISIONED';
      u.statusChanged = u.lastUpdated = org.now();
      refreshAssignments(org);
      return { status: 200, json: {} };
    },
  };
}
