/** Groups and their members. */
import type { Handlers, Json, Org } from './context.js';
import { apiValidation } from './errors.js';
import { applyPushRules, group, refreshAssignments, user } from './org.js';
import { listCollection, page } from './paging.js';
import type { GroupRec, UserRec } from './state.js';
import { isObj, rid } from './util.js';
import { groupView, userView } from './views.js';

export function groupHandlers(org: Org): Handlers {
  return {
    listGroups: (ctx) =>
      listCollection(org, ctx, Object.values(org.state.groups), {
        view: (x) => groupView(org, x),
        q: (g, q) => g.profile.name.toLowerCase().startsWith(q),
        search: true,
        filterFields: ['id', 'type', 'lastUpdated', 'lastMembershipUpdated', 'profile.name'],
        defaultLimit: 200,
      }),
    createGroup: (ctx) => {
      const body = ctx.body as Json;
      const profile = isObj(body.profile) ? body.profile : {};
      const name = profile.name;
      if (typeof name !== 'string' || name.trim() === '') throw apiValidation('profile.name', ['name: The field cannot be left blank']);
      if (Object.values(org.state.groups).some((g) => g.profile.name.toLowerCase() === name.toLowerCase())) {
        throw apiValidation('profile.name', ['name: An object with this field already exists in the current organization']);
      }
      const t = org.now();
      const g: GroupRec = { id: rid('00g'), profile: { name, ...(typeof profile.description === 'string' ? { description: profile.description } : {}) }, created: t, lastUpdated: t, lastMembershipUpdated: t, members: [] };
      org.state.groups[g.id] = g;
      applyPushRules(org, g);
      return { status: 200, json: groupView(org, g) };
    },
    getGroup: (ctx) => ({ status: 200, json: groupView(org, group(org, ctx.params.groupId ?? '')) }),
    deleteGroup: (ctx) => {
      const g = group(org, ctx.params.groupId ?? '');
      delete org.state.groups[g.id];
      for (const a of Object.values(org.state.apps)) {
        delete a.groups[g.id];
        for (const m of Object.values(a.mappings)) if (m.sourceGroupId === g.id) delete a.mappings[m.id];
      }
      refreshAssignments(org);
      return { status: 204 };
    },
    listGroupUsers: (ctx) => {
      const g = group(org, ctx.params.groupId ?? '');
      const users = g.members.map((id) => org.state.users[id]).filter((u): u is UserRec => u !== undefined);
      return page(org, ctx, users, (u) => u.id, 1000, (x) => userView(org, x));
    },
    assignUserToGroup: (ctx) => {
      const g = group(org, ctx.params.groupId ?? '');
      const u = user(org, ctx.params.userId ?? '');
      if (!g.members.includes(u.id)) {
        g.members.push(u.id);
        g.lastMembershipUpdated = org.now();
        refreshAssignments(org);
      }
      return { status: 204 };
    },
    unassignUserFromGroup: (ctx) => {
      const g = group(org, ctx.params.groupId ?? '');
      const u = user(org, ctx.params.userId ?? '');
      g.members = g.members.filter((id) => id !== u.id);
      g.lastMembershipUpdated = org.now();
      refreshAssignments(org);
      return { status: 204 };
    },
  };
}
