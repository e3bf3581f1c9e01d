/** Group push mappings (/apps/{appId}/group-push/mappings). */
import type { Handlers, Json, Org } from './context.js';
import { apiValidation, notFound } from './errors.js';
import { app, createMapping, group, requireProvisioning } from './org.js';
import { page } from './paging.js';
import { mappingView } from './views.js';

export function pushMappingHandlers(org: Org): Handlers {
  return {
    listGroupPushMappings: (ctx) => {
      const a = app(org, ctx.params.appId ?? '');
      let ms = Object.values(a.mappings);
      if (typeof ctx.query.sourceGroupId === 'string') ms = ms.filter((m) => m.sourceGroupId === ctx.query.sourceGroupId);
      if (typeof ctx.query.status === 'string') ms = ms.filter((m) => m.status === ctx.query.status);
      if (typeof ctx.query.lastUpdated === 'string') ms = ms.filter((m) => m.lastUpdated >= String(ctx.query.lastUpdated));
      return page(org, ctx, ms.map((m) => mappingView(org, a, m)), (v) => String(v.id), 100);
    },
    createGroupPushMapping: (ctx) => {
      const a = app(org, ctx.params.appId ?? '');
      const body = ctx.body as Json;
      const hasName = typeof body.targetGroupName === 'string';
      const hasId = typeof body.targetGroupId === 'string';
      if (hasName === hasId) throw apiValidation('targetGroupName', ['targetGroupName: Exactly one of targetGroupName or targetGroupId must be provided']);
      if (hasName && String(body.targetGroupName).trim() === '') throw apiValidation('targetGroupName', ['targetGroupName: The field cannot be left blank']);
      requireProvisioning(a);
      const source = group(org, String(body.sourceGroupId));
      if (Object.values(a.mappings).some((m) => m.sourceGroupId === source.id)) {
        throw apiValidation('sourceGroupId', [`sourceGroupId: A group push mapping already exists for group ${source.id}`]);
      }
      if (a.groups[source.id]) throw apiValidation('sourceGroupId', ['sourceGroupId: The group is assigned to the app; Okta does not support using the same group for assignment and Group Push']);
      const m = createMapping(org, a, source.id, hasName ? { name: String(body.targetGroupName) } : { id: String(body.targetGroupId) }, body.status === 'INACTIVE' ? 'INACTIVE' : 'ACTIVE');
      return { status: 201, json: mappingView(org, a, m) };
    },
    getGroupPushMapping: (ctx) => {
      const a = app(org, ctx.params.appId ?? '');
      const m = a.mappings[ctx.params.mappingId ?? ''];
      if (!m) throw notFound('GroupPushMapping', ctx.params.mappingId ?? '');
      return { status: 200, json: mappingView(org, a, m) };
    },
    updateGroupPushMapping: (ctx) => {
      const a = app(org, ctx.params.appId ?? '');
      const m = a.mappings[ctx.params.mappingId ?? ''];
      if (!m) throw notFound('GroupPushMapping', ctx.params.mappingId ?? '');
      const status = (ctx.body as Json).status as 'ACTIVE' | 'INACTIVE';
      m.status = status;
      m.lastUpdated = org.now();
      if (status === 'ACTIVE') {
        delete m.errorSummary;
        org.provisioner.schedule(a.id);
      }
      return { status: 200, json: mappingView(org, a, m) };
    },
    deleteGroupPushMapping: (ctx) => {
      const a = app(org, ctx.params.appId ?? '');
      const m = a.mappings[ctx.params.mappingId ?? ''];
      if (!m) throw notFound('GroupPushMapping', ctx.params.mappingId ?? '');
      if (m.status === 'ACTIVE') throw apiValidation('status', ['status: Only an INACTIVE or ERROR group push mapping can be deleted; deactivate it first']);
      delete a.mappings[m.id];
      const target = a.targetGroups[m.targetGroupId];
      if (ctx.req.query.get('deleteTargetGroup') === 'true' && target) {
        if (target.scimId) org.provisioner.scheduleGroupDelete(a, target.scimId);
        delete a.targetGroups[target.id];
      }
      return { status: 204 };
    },
  };
}
