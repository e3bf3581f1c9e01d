/** The provisioning connection (connections/default) and the application features (USER_PROVISIONING). */
import type { Handlers, Json, Org } from './context.js';
import { apiValidation, notFound } from './errors.js';
import { apiServes, app, enableConnection, refreshAssignments, requireFeaturesApi, testCredentials } from './org.js';
import type { CapabilitiesRec } from './state.js';
import { deepMerge, isObj } from './util.js';
import { connectionView, featureView } from './views.js';

export function provisioningApiHandlers(org: Org): Handlers {
  return {
    getDefaultProvisioningConnectionForApplication: (ctx) => ({ status: 200, json: connectionView(org, app(org, ctx.params.appId ?? '')) }),
    updateDefaultProvisioningConnectionForApplication: async (ctx) => {
      const a = app(org, ctx.params.appId ?? '');
      const body = ctx.body as Json;
      if (!apiServes(org, a)) {
        return { status: 200, json: { authScheme: 'UNKNOWN', status: 'UNKNOWN', profile: { authScheme: 'UNKNOWN' }, _links: (connectionView(org, a)._links as Json) } };
      }
      const profile = isObj(body.profile) ? body.profile : {};
      const causes: string[] = [];
      if (profile.authScheme !== 'TOKEN') causes.push('profile.authScheme: must be TOKEN for this app');
      if (typeof profile.token !== 'string' || profile.token === '') causes.push('profile.token: The field cannot be left blank');
      if (typeof body.baseUrl !== 'string' || !/^https?:\/\//.test(body.baseUrl)) causes.push('baseUrl: must be the SCIM endpoint URL (http or https)');
      if (causes.length > 0) throw apiValidation('connection', causes);
      const baseUrl = String(body.baseUrl);
      const token = String(profile.token);
      const activate = ctx.query.activate !== false;
      if (activate) {
        const problem = await testCredentials(a, baseUrl, token);
        if (problem) throw apiValidation('connection', [problem]);
      }
      // The answer describes the saved connection before activation (as Okta answers DISABLED).
      a.connection = { status: 'DISABLED', baseUrl, token };
      const answer = connectionView(org, a);
      if (activate) enableConnection(org, a, baseUrl, token);
      return { status: 200, json: answer };
    },
    activateDefaultProvisioningConnectionForApplication: async (ctx) => {
      const a = app(org, ctx.params.appId ?? '');
      const c = a.connection;
      if (!c) throw apiValidation('connection', ['No provisioning connection is configured for this app']);
      const problem = await testCredentials(a, c.baseUrl, c.token);
      if (problem) throw apiValidation('connection', [problem]);
      enableConnection(org, a, c.baseUrl, c.token);
      return { status: 204 };
    },
    deactivateDefaultProvisioningConnectionForApplication: (ctx) => {
      const a = app(org, ctx.params.appId ?? '');
      if (a.connection) a.connection.status = 'DISABLED';
      return { status: 204 };
    },
    listFeaturesForApplication: (ctx) => {
      const a = app(org, ctx.params.appId ?? '');
      requireFeaturesApi(org, a);
      return { status: 200, json: [featureView(org, a)] };
    },
    getFeatureForApplication: (ctx) => {
      const a = app(org, ctx.params.appId ?? '');
      requireFeaturesApi(org, a);
      if (ctx.params.name !== 'USER_PROVISIONING') throw notFound('AppFeature', ctx.params.name ?? '');
      return { status: 200, json: featureView(org, a) };
    },
    updateFeatureForApplication: (ctx) => {
      const a = app(org, ctx.params.appId ?? '');
      requireFeaturesApi(org, a);
      if (ctx.params.name !== 'USER_PROVISIONING') throw notFound('AppFeature', ctx.params.name ?? '');
      a.capabilities = deepMerge(a.capabilities as unknown as Json, ctx.body as Json) as unknown as CapabilitiesRec;
      if (a.capabilities.update.password.status === 'ENABLED') {
        a.capabilities.update.password.status = 'DISABLED';
        throw apiValidation('capabilities', ['update.password: Password sync is not supported by this app']);
      }
      a.lastUpdated = org.now();
      refreshAssignments(org, a.id);
      return { status: 200, json: featureView(org, a) };
    },
  };
}
