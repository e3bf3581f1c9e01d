/** Who is assigned to an app: group assignments (/apps/{id}/groups) and app users (/apps/{id}/users). */
import type { Handlers, Json, Org } from './context.js';
import { apiValidation, notFound } from './errors.js';
import { app, group, refreshAssignments, user } from './org.js';
import { page } from './paging.js';
import type { AppUserRec } from './state.js';
import { isObj } from './util.js';
import { appUserView } from './views.js';

export function appAssignmentHandlers(org: Org): Handlers {
  return {
    listApplicationGroupAssignments: (ctx) => {
      const a = app(org, ctx.params.appId ?? '');
      const list = Object.entries(a.groups).map(([gid, v]) => ({ id: gid, lastUpdated: v.lastUpdated, priority: v.priority, profile: v.profile, _links: { app: { href: `${org.orgUrl}/api/v1/apps/${a.id}` }, group: { href: `${org.orgUrl}/api/v1/groups/${gid}` } } }));
      const q = typeof ctx.query.q === 'string' ? ctx.query.q.toLowerCase() : undefined;
      const filtered = q ? list.filter((x) => (org.state.groups[x.id]?.profile.name ?? '').toLowerCase().startsWith(q)) : list;
      return page(org, ctx, filtered, (v) => v.id, 20);
    },
    getApplicationGroupAssignment: (ctx) => {
      const a = app(org, ctx.params.appId ?? '');
      const gid = ctx.params.groupId ?? '';
      const v = a.groups[gid];
      if (!v) throw notFound('ApplicationGroupAssignment', gid);
      return { status: 200, json: { id: gid, lastUpdated: v.lastUpdated, priority: v.priority, profile: v.profile, _links: { app: { href: `${org.orgUrl}/api/v1/apps/${a.id}` }, group: { href: `${org.orgUrl}/api/v1/groups/${gid}` } } } };
    },
    assignGroupToApplication: (ctx) => {
      const a = app(org, ctx.params.appId ?? '');
      const g = group(org, ctx.params.groupId ?? '');
      if (Object.values(a.mappings).some((m) => m.sourceGroupId === g.id)) {
        throw apiValidation('groupId', ['groupId: The group is pushed to this app; Okta does not support using the same group for assignment and Group Push']);
      }
      const body = isObj(ctx.body) ? ctx.body : {};
      const existing = a.groups[g.id];
      const v = {
        priority: typeof body.priority === 'number' ? body.priority : existing?.priority ?? Object.keys(a.groups).length,
        profile: isObj(body.profile) ? body.profile : existing?.profile ?? {},
        lastUpdated: org.now(),
      };
      a.groups[g.id] = v;
      refreshAssignments(org, a.id);
      return { status: 200, json: { id: g.id, lastUpdated: v.lastUpdated, priority: v.priority, profile: v.profile, _links: { app: { href: `${org.orgUrl}/api/v1/apps/${a.id}` }, group: { href: `${org.orgUrl}/api/v1/groups/${g.id}` } } } };
    },
    unassignApplicationFromGroup: (ctx) => {
      const a = app(org, ctx.params.appId ?? '');
      const gid = ctx.params.groupId ?? '';
      if (!a.groups[gid]) throw notFound('ApplicationGroupAssignment', gid);
      delete a.groups[gid];
      refreshAssignments(org, a.id);
      return { status: 204 };
    },

    // ---- app users
    listApplicationUsers: (ctx) => {
      const a = app(org, ctx.params.appId ?? '');
      let recs = Object.values(a.users).filter((r) => !r.removed);
      if (typeof ctx.query.q === 'string') {
        const q = ctx.query.q.toLowerCase();
        recs = recs.filter((r) => {
          const p = org.state.users[r.id]?.profile ?? {};
          return ['login', 'firstName', 'lastName', 'email'].some((k) => String(p[k] ?? '').toLowerCase().startsWith(q));
        });
      }
      return page(org, ctx, recs.map((r) => appUserView(org, a, r)), (v) => String(v.id), 50);
    },
    assignUserToApplication: (ctx) => {
      const a = app(org, ctx.params.appId ?? '');
      const body = ctx.body as Json;
      const u = user(org, String(body.id));
      const t = org.now();
      const r = a.users[u.id];
      if (r) {
        r.direct = true;
        delete r.removed;
        if (isObj(body.profile)) r.profile = body.profile;
        r.lastUpdated = t;
      } else {
        a.users[u.id] = { id: u.id, direct: true, profile: isObj(body.profile) ? body.profile : {}, created: t, lastUpdated: t, statusChanged: t, syncState: 'SYNCING' };
      }
      refreshAssignments(org, a.id);
      return { status: 200, json: appUserView(org, a, a.users[u.id] as AppUserRec) };
    },
    getApplicationUser: (ctx) => {
      const a = app(org, ctx.params.appId ?? '');
      const r = a.users[ctx.params.userId ?? ''];
      if (!r || r.removed) throw notFound('AppUser', ctx.params.userId ?? '');
      return { status: 200, json: appUserView(org, a, r) };
    },
    unassignUserFromApplication: (ctx) => {
      const a = app(org, ctx.params.appId ?? '');
      const r = a.users[ctx.params.userId ?? ''];
      if (!r || !r.direct) throw notFound('AppUser', ctx.params.userId ?? '');
      r.direct = false;
      refreshAssignments(org, a.id);
      return { status: 204 };
    },
  };
}
