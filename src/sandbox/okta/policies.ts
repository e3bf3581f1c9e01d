/**
 * Policies: app sign-in (authentication, ACCESS_POLICY) policies and their rules, and their
 * assignment to an app (PUT /apps/{appId}/policies/{policyId}). ACCESS_POLICY exists in Identity
 * Engine orgs only: a Classic org (the sandbox's default pipeline "v1") refuses it with 400, as the
 * policy API reference says the type is Identity Engine's (docs/sandbox-okta.md "App sign-in policies").
 * The sign-in endpoints (sso.ts) enforce the policy assigned to an app (appRequiresMfa).
 */
import type { Handlers, Json, Org } from './context.js';
import { apiValidation, notFound } from './errors.js';
import { app } from './org.js';
import type { AppRec, OktaState, PolicyRec } from './state.js';
import { isObj, rid } from './util.js';

const policies = (org: Org): Record<string, PolicyRec> => (org.state.policies ??= {});

function policy(org: Org, id: string): PolicyRec {
  const p = policies(org)[id];
  if (!p) throw notFound('Policy', id);
  return p;
}

function policyView(org: Org, p: PolicyRec): Json {
  const self = `${org.orgUrl}/api/v1/policies/${p.id}`;
  return {
    id: p.id,
    type: p.type,
    name: p.name,
    ...(p.description !== undefined ? { description: p.description } : {}),
    status: p.status,
    priority: p.priority,
    system: p.system,
    created: p.created,
    lastUpdated: p.lastUpdated,
    _links: { self: { href: self }, rules: { href: `${self}/rules` }, ...(p.type === 'ACCESS_POLICY' ? { applications: { href: `${self}/app` } } : {}) },
  };
}

function ruleView(org: Org, p: PolicyRec, r: PolicyRec['rules'][number]): Json {
  return { ...r.body, id: r.id, name: r.name, type: p.type, status: r.status, priority: r.priority, system: false, created: r.created, lastUpdated: r.lastUpdated, _links: { self: { href: `${org.orgUrl}/api/v1/policies/${p.id}/rules/${r.id}` } } };
}

/** Identity Engine org: the sandbox option okta.authnPolicy = "identity-engine" (pipeline "idx"). */
function identityEngine(org: Org): boolean {
  return org.options.authnPolicy === 'identity-engine';
}

export function policyHandlers(org: Org): Handlers {
  return {
    listPolicies: (ctx) => {
      const type = String(ctx.query.type ?? '');
      if (type === '') throw apiValidation('type', ['type: The query parameter type is required']);
      if (type === 'ACCESS_POLICY' && !identityEngine(org)) return { status: 200, json: [] };
      const list = Object.values(policies(org)).filter((p) => p.type === type && (ctx.query.status === undefined || p.status === ctx.query.status));
      return { status: 200, json: list.map((p) => policyView(org, p)) };
    },
    createPolicy: (ctx) => {
      const body = ctx.body as Json;
      const type = String(body.type ?? '');
      if (type !== 'ACCESS_POLICY') throw apiValidation('type', [`type: The sandbox serves ACCESS_POLICY policies only, not ${type || '(none)'}`]);
      if (!identityEngine(org)) throw apiValidation('type', ['type: ACCESS_POLICY (app sign-in policies) exist in Okta Identity Engine orgs only; this is a Classic Engine org']);
      const name = typeof body.name === 'string' ? body.name.trim() : '';
      if (name === '') throw apiValidation('name', ['name: The field cannot be left blank']);
      if (Object.values(policies(org)).some((p) => p.type === type && p.name === name)) throw apiValidation('name', ['name: A policy with this name already exists']);
      const t = org.now();
      const p: PolicyRec = {
        id: rid('rst'),
        type,
        name,
        ...(typeof body.description === 'string' ? { description: body.description } : {}),
        status: ctx.query.activate === false || body.status === 'INACTIVE' ? 'INACTIVE' : 'ACTIVE',
        priority: Object.keys(policies(org)).length + 1,
        system: false,
        created: t,
        lastUpdated: t,
        rules: [],
      };
      policies(org)[p.id] = p;
      return { status: 200, json: policyView(org, p) };
    },
    getPolicy: (ctx) => ({ status: 200, json: policyView(org, policy(org, ctx.params.policyId ?? '')) }),
    deletePolicy: (ctx) => {
      const p = policy(org, ctx.params.policyId ?? '');
      if (Object.values(org.state.apps).some((a) => a.accessPolicyId === p.id)) {
        throw apiValidation('policy', ['Cannot delete a policy that is assigned to an app: assign the app another policy first']);
      }
      delete policies(org)[p.id];
      return { status: 204 };
    },
    listPolicyRules: (ctx) => {
      const p = policy(org, ctx.params.policyId ?? '');
      return { status: 200, json: p.rules.map((r) => ruleView(org, p, r)) };
    },
    createPolicyRule: (ctx) => {
      const p = policy(org, ctx.params.policyId ?? '');
      const body = ctx.body as Json;
      const name = typeof body.name === 'string' ? body.name.trim() : '';
      if (name === '') throw apiValidation('name', ['name: The field cannot be left blank']);
      if (p.rules.some((r) => r.name === name)) throw apiValidation('name', ['name: A rule with this name already exists in the policy']);
      const t = org.now();
      const { id: _i, status: _s, created: _c, lastUpdated: _l, _links: _k, ...rest } = body;
      const r = { id: rid('rul'), name, status: body.status === 'INACTIVE' ? ('INACTIVE' as const) : ('ACTIVE' as const), priority: typeof body.priority === 'number' ? body.priority : p.rules.length + 1, created: t, lastUpdated: t, body: structuredClone(rest) };
      p.rules.push(r);
      p.lastUpdated = t;
      return { status: 200, json: ruleView(org, p, r) };
    },
    assignApplicationPolicy: (ctx) => {
      const a = app(org, ctx.params.appId ?? '');
      const p = policy(org, ctx.params.policyId ?? '');
      if (p.type !== 'ACCESS_POLICY') throw apiValidation('policyId', [`policyId: ${p.id} is a ${p.type} policy, not an app sign-in (ACCESS_POLICY) policy`]);
      a.accessPolicyId = p.id;
      a.lastUpdated = org.now();
      return { status: 204 };
    },
  };
}

/** Does an ACTIVE rule of the policy ask for two factors (verificationMethod ASSURANCE, factorMode 2FA)? */
export function policyRequiresMfa(p: PolicyRec | undefined): boolean {
  if (!p || p.status !== 'ACTIVE') return false;
  return p.rules.some((r) => {
    if (r.status !== 'ACTIVE') return false;
    const actions = r.body.actions;
    const vm = isObj(actions) && isObj(actions.appSignOn) && isObj(actions.appSignOn.verificationMethod) ? actions.appSignOn.verificationMethod : undefined;
    return vm !== undefined && vm.type === 'ASSURANCE' && vm.factorMode === '2FA';
  });
}

/** Signing in to this app needs a second factor: its assigned policy (Identity Engine) or its sign-on rule (Classic). */
export function appRequiresMfa(state: OktaState, a: AppRec): boolean {
  if (a.status !== 'ACTIVE') return false;
  if (a.signOnRuleMfa === true) return true;
  return a.accessPolicyId !== undefined && policyRequiresMfa(state.policies?.[a.accessPolicyId]);
}
