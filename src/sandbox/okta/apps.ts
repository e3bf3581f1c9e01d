/** Applications: list, create, read, replace, delete, activate / deactivate. */
import type { Handlers, Json, Org } from './context.js';
import { apiValidation } from './errors.js';
import { app } from './org.js';
import { listCollection } from './paging.js';
import { newSigningKey } from './saml.js';
import { ensureKeys } from './app-keys.js';
import { newAppRelations, type AppRec } from './state.js';
import { isObj, rid } from './util.js';
import { appView } from './views.js';

const KNOWN_OIN_APPS = ['amazon_aws_sso', 'scim2headerauth', 'scim2testapp', 'scim1testapp', 'bookmark', 'template_swa', 'template_basic_auth', 'okta_org2org'];

export function appHandlers(org: Org): Handlers {
  return {
    listApplications: (ctx) =>
      listCollection(org, ctx, Object.values(org.state.apps), {
        view: (x) => appView(org, x),
        q: (a, q) => a.name.toLowerCase().startsWith(q) || a.label.toLowerCase().startsWith(q),
        search: false,
        filterFields: ['id', 'status', 'credentials.signing.kid', 'settings.slo.enabled', 'name'],
        defaultLimit: 20,
      }),
    createApplication: async (ctx) => {
      const body = ctx.body as Json;
      const signOnMode = String(body.signOnMode ?? '');
      let name = typeof body.name === 'string' ? body.name : undefined;
      if (name !== undefined && !KNOWN_OIN_APPS.includes(name)) {
        throw apiValidation('name', [`name: The app "${name}" is not in the Okta Integration Network catalog of this sandbox (known: ${KNOWN_OIN_APPS.join(', ')})`]);
      }
      if (typeof body.label !== 'string' || body.label.trim() === '') throw apiValidation('label', ['label: The field cannot be left blank']);
      if (name === undefined) name = `${body.label.toLowerCase().replace(/[^a-z0-9]+/g, '')}_${Object.keys(org.state.apps).length + 1}`;
      if (name === 'amazon_aws_sso') {
        // The AWS IAM Identity Center OIN app signs on with SAML 2.0 only.
        if (signOnMode !== 'SAML_2_0') throw apiValidation('signOnMode', [`signOnMode: The app amazon_aws_sso supports only SAML_2_0, not ${signOnMode || '(none)'}`]);
        const appSettings = isObj(body.settings) && isObj(body.settings.app) ? body.settings.app : {};
        const causes: string[] = [];
        for (const k of ['acsURL', 'entityID']) {
          const v = appSettings[k];
          if (v !== undefined && (typeof v !== 'string' || !/^https?:\/\//.test(v))) causes.push(`settings.app.${k}: must be an http(s) URL`);
        }
        if (causes.length > 0) throw apiValidation('settings.app', causes);
      }
      const t = org.now();
      const id = rid('0oa');
      const key = await newSigningKey(10, `sandbox-${id}`);
      const writable: Json = {};
      for (const k of ['accessibility', 'visibility', 'settings', 'credentials', 'profile']) if (body[k] !== undefined) writable[k] = structuredClone(body[k]);
      if (isObj(writable.credentials)) delete writable.credentials.signing;
      const a: AppRec = {
        id,
        externalKey: rid('exk'),
        name,
        label: body.label,
        signOnMode,
        status: ctx.query.activate === false ? 'INACTIVE' : 'ACTIVE',
        created: t,
        lastUpdated: t,
        writable,
        keys: [key],
        activeKid: key.kid,
        ...newAppRelations(),
      };
      org.state.apps[id] = a;
      return { status: 200, json: appView(org, a) };
    },
    getApplication: (ctx) => ({ status: 200, json: appView(org, app(org, ctx.params.appId ?? '')) }),
    replaceApplication: async (ctx) => {
      const a = await ensureKeys(app(org, ctx.params.appId ?? ''));
      const body = ctx.body as Json;
      if (typeof body.name === 'string' && body.name !== a.name) throw apiValidation('name', ['name: The app name cannot be changed']);
      if (typeof body.label !== 'string' || body.label.trim() === '') throw apiValidation('label', ['label: The field cannot be left blank']);
      const kid = isObj(body.credentials) && isObj(body.credentials.signing) ? body.credentials.signing.kid : undefined;
      if (typeof kid === 'string') {
        if (!a.keys.some((k) => k.kid === kid)) throw apiValidation('credentials.signing.kid', [`credentials.signing.kid: No key with kid ${kid} exists for this app`]);
        a.activeKid = kid;
      }
      a.label = body.label;
      const writable: Json = {};
      for (const k of ['accessibility', 'visibility', 'settings', 'credentials', 'profile']) if (body[k] !== undefined) writable[k] = structuredClone(body[k]);
      if (isObj(writable.credentials)) delete writable.credentials.signing;
      a.writable = writable;
      a.lastUpdated = org.now();
      return { status: 200, json: appView(org, a) };
    },
    deleteApplication: (ctx) => {
      const a = app(org, ctx.params.appId ?? '');
      if (a.status === 'ACTIVE') throw apiValidation('status', ['Cannot delete an active application: deactivate it first']);
      delete org.state.apps[a.id];
      return { status: 204 };
    },
    activateApplication: (ctx) => {
      const a = app(org, ctx.params.appId ?? '');
      a.status = 'ACTIVE';
      a.lastUpdated = org.now();
      return { status: 200, json: {} };
    },
    deactivateApplication: (ctx) => {
      const a = app(org, ctx.params.appId ?? '');
      a.status = 'INACTIVE';
      a.lastUpdated = org.now();
      return { status: 200, json: {} };
    },
  };
}
