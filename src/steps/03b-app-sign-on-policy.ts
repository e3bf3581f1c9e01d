/**
 * app-sign-on-policy (optional, --require-mfa): signing in to AWS through the Okta app asks for two
 * factors.
 *
 * Identity Engine org (GET /.well-known/okta-organization says pipeline "idx"): an app sign-in
 * (authentication, ACCESS_POLICY) policy "okta-aws-sso: MFA for AWS" with one rule whose
 * verificationMethod is ASSURANCE, factorMode 2FA, constraints possession + knowledge (Okta
 * Management API: AccessPolicyRule, AssuranceMethod, AccessPolicyConstraints), assigned to the app
 * with PUT /api/v1/apps/{appId}/policies/{policyId}. Found by name and adopted; read back after apply.
 * Classic Engine org: app sign-on policies have no API, so a console action (app sign-on rule).
 *
 * observe: the engine, the policy (by name), its rules, the app's assigned policy (_links.accessPolicy).
 * plan:    create | adopt the policy, create the 2FA rule if missing, assign it to the app; or the console action.
 */
import { KNOWN_AFTER_APPLY, type Change, type PlannedWrite } from '../core/change.js';
import type { AppSignOnPolicyOutput } from '../core/outputs.js';
import { WizardError } from '../errors.js';
import { oktaPipeline } from '../okta/authn.js';
import type { OktaClient, OktaPolicyRule } from '../okta/client.js';
import type { ConsoleAction, Step } from './contract.js';
import { stepInfo } from './catalog.js';

export const MFA_POLICY_NAME = 'okta-aws-sso: MFA for AWS';
export const MFA_RULE_NAME = 'okta-aws-sso: require two factors';

/** The rule's body: possession + knowledge, every sign-in (per the vendored spec's AssuranceMethod). */
export const MFA_RULE_BODY = {
  name: MFA_RULE_NAME,
  type: 'ACCESS_POLICY',
  priority: 1,
  actions: {
    appSignOn: {
      access: 'ALLOW',
      verificationMethod: { type: 'ASSURANCE', factorMode: '2FA', constraints: [{ possession: {}, knowledge: {} }], reauthenticateIn: 'PT0S' },
    },
  },
};

/** Does the rule require two factors (ASSURANCE, 2FA, a possession factor)? */
export function ruleRequiresTwoFactors(r: OktaPolicyRule): boolean {
  const vm = r.actions?.appSignOn?.verificationMethod;
  return r.status !== 'INACTIVE' && r.actions?.appSignOn?.access !== 'DENY' && vm?.type === 'ASSURANCE' && vm.factorMode === '2FA' && (vm.constraints ?? []).some((c) => c['possession'] !== undefined);
}

export interface ObservedAppSignOnPolicy {
  engine: 'identity' | 'classic';
  appId: string;
  appLabel: string;
  policy?: { id: string; status?: string };
  rule?: { id: string };
  /** The policy assigned to the app now (from _links.accessPolicy). */
  assignedPolicyId?: string;
  /** Classic: the console rule was confirmed by an earlier run. */
  confirmedEarlier: boolean;
}

export type AppSignOnPolicyPayload =
  | { action: 'create-policy'; name: string }
  | { action: 'adopt-policy'; policyId: string }
  | { action: 'create-rule'; policyId: string }
  | { action: 'assign'; appId: string; policyId: string }
  | { action: 'console' };

const okta = (operation: string): PlannedWrite => ({ service: 'okta', operation, count: 1 });

export function signOnRuleAction(app: { id: string; label: string }): ConsoleAction {
  return {
    id: 'app-sign-on-rule',
    title: `Require MFA to sign in to "${app.label}" (app sign-on rule)`,
    where: `Okta Admin Console > Applications > Applications > ${app.label} > Sign On > Sign On Policy`,
    instructions: [
      `Open the Okta Admin Console, Applications > Applications, and open "${app.label}".`,
      'Open the Sign On tab; under Sign On Policy choose Add Rule.',
      `Rule name: ${MFA_RULE_NAME}. People: users assigned this app. Location: anywhere.`,
      'Actions: Access is Allowed; tick "Prompt for factor" and choose "Every sign on". Save.',
      'Make sure the rule is first (above the Default sign on rule).',
    ],
    values: [{ label: 'Rule name', value: MFA_RULE_NAME }],
    sandboxPayload: { appId: app.id },
  };
}

async function observe(o: OktaClient, appId: string): Promise<Omit<ObservedAppSignOnPolicy, 'confirmedEarlier'>> {
  const engine = (await oktaPipeline(o.orgUrl)) === 'idx' ? 'identity' : 'classic';
  const app = await o.getApp(appId);
  if (!app) throw new WizardError(`The Okta app ${appId} from the okta-app step no longer exists.`, { code: 'OKTA_APP_GONE', hint: 'Run `okta-aws-sso init` again so the okta-app step re-creates it.' });
  const obs: Omit<ObservedAppSignOnPolicy, 'confirmedEarlier'> = { engine, appId, appLabel: app.label };
  if (engine === 'classic') return obs;
  const href = (app._links as { accessPolicy?: { href?: string } } | undefined)?.accessPolicy?.href;
  const assigned = typeof href === 'string' ? href.split('/').pop() : undefined;
  if (assigned) obs.assignedPolicyId = assigned;
  const p = (await o.listPolicies('ACCESS_POLICY')).find((x) => x.name === MFA_POLICY_NAME);
  if (p) {
    obs.policy = { id: p.id, ...(p.status ? { status: p.status } : {}) };
    const r = (await o.listPolicyRules(p.id)).find(ruleRequiresTwoFactors);
    if (r) obs.rule = { id: r.id };
  }
  return obs;
}

export function planAppSignOnPolicy(obs: ObservedAppSignOnPolicy, recorded?: AppSignOnPolicyOutput): Change<AppSignOnPolicyPayload>[] {
  const ref = { kind: 'okta-policy', name: MFA_POLICY_NAME, ...(obs.policy ? { id: obs.policy.id } : {}) };
  if (obs.engine === 'classic') {
    if (obs.confirmedEarlier) return [{ op: 'adopt', resource: ref, summary: `Keep the app sign-on rule "${MFA_RULE_NAME}" confirmed earlier (Classic Engine: no API reads it)`, risk: 'read-only', payload: { action: 'console' }, writes: [] }];
    return [
      {
        op: 'console',
        resource: { kind: 'okta-sign-on-rule', name: MFA_RULE_NAME },
        summary: `Add the app sign-on rule "${MFA_RULE_NAME}" to "${obs.appLabel}" (Classic Engine: a console action)`,
        risk: 'modifies-existing',
        payload: { action: 'console' },
        writes: [],
      },
    ];
  }
  const out: Change<AppSignOnPolicyPayload>[] = [];
  const policyId = obs.policy?.id ?? KNOWN_AFTER_APPLY;
  if (!obs.policy) {
    out.push({
      op: 'create',
      resource: ref,
      summary: `Create the app sign-in policy "${MFA_POLICY_NAME}" with the rule "${MFA_RULE_NAME}" (two factors: possession + knowledge)`,
      risk: 'additive',
      after: { name: MFA_POLICY_NAME, factorMode: '2FA' },
      payload: { action: 'create-policy', name: MFA_POLICY_NAME },
      writes: [okta('createPolicy'), okta('createPolicyRule')],
      ...(recorded?.policyId ? { drift: `the policy "${MFA_POLICY_NAME}" (${recorded.policyId}) no longer exists` } : {}),
    });
  } else {
    out.push({ op: 'adopt', resource: ref, summary: `Adopt the app sign-in policy "${MFA_POLICY_NAME}"`, risk: 'read-only', payload: { action: 'adopt-policy', policyId: obs.policy.id }, writes: [] });
    if (!obs.rule) {
      out.push({
        op: 'update',
        resource: ref,
        summary: `Add the rule "${MFA_RULE_NAME}" (two factors) to the policy "${MFA_POLICY_NAME}"`,
        risk: 'modifies-existing',
        payload: { action: 'create-rule', policyId: obs.policy.id },
        writes: [okta('createPolicyRule')],
        ...(recorded ? { drift: `the policy "${MFA_POLICY_NAME}" no longer has an active rule requiring two factors` } : {}),
      });
    }
  }
  if (!obs.policy || obs.assignedPolicyId !== obs.policy.id) {
    out.push({
      op: 'update',
      resource: { kind: 'okta-app', id: obs.appId, name: obs.appLabel },
      summary: `Make "${MFA_POLICY_NAME}" the sign-in policy of "${obs.appLabel}"${obs.assignedPolicyId ? ` (instead of ${obs.assignedPolicyId})` : ''}`,
      risk: 'modifies-existing',
      before: { accessPolicy: obs.assignedPolicyId ?? null },
      after: { accessPolicy: policyId },
      payload: { action: 'assign', appId: obs.appId, policyId },
      writes: [okta('assignApplicationPolicy')],
      ...(recorded && obs.policy ? { drift: `the app's sign-in policy is ${obs.assignedPolicyId ?? 'another one'}, not "${MFA_POLICY_NAME}"` } : {}),
    });
  }
  return out;
}

export const appSignOnPolicyStep: Step<'app-sign-on-policy', undefined, ObservedAppSignOnPolicy> = {
  ...stepInfo('app-sign-on-policy'),
  needs: ['okta-app'],

  async skip(ctx) {
    if (ctx.io.hasAnswer('require-mfa') && (await ctx.io.confirm({ key: 'require-mfa', message: 'Require two factors to sign in to AWS?', default: false }))) return undefined;
    return 'MFA for the app was not asked for (--require-mfa)';
  },

  async observe(ctx) {
    const app = ctx.need('okta-app');
    const o = await ctx.services.okta();
    const obs = await observe(o, app.appId);
    const earlier = ctx.outputs['app-sign-on-policy'];
    return { ...obs, confirmedEarlier: obs.engine === 'classic' && earlier?.engine === 'classic' && earlier.appId === app.appId };
  },

  plan: (obs, _a, recorded) => planAppSignOnPolicy(obs, recorded),

  async apply(ctx, changes, obs) {
    const o = await ctx.services.okta();
    const earlier = ctx.outputs['app-sign-on-policy'];
    if (obs.engine === 'classic') {
      if (changes.some((c) => c.op === 'console')) await ctx.io.consoleAction(signOnRuleAction({ id: obs.appId, label: obs.appLabel }));
      return { engine: 'classic', appId: obs.appId, policyName: MFA_RULE_NAME, created: true };
    }
    let policyId = obs.policy?.id;
    let ruleId = obs.rule?.id;
    let created = earlier?.created === true && earlier.policyId === policyId;
    for (const c of changes) {
      const pl = c.payload as AppSignOnPolicyPayload;
      if (pl.action === 'create-policy') {
        const p = await o.createPolicy({ type: 'ACCESS_POLICY', name: pl.name, description: 'Two factors to sign in to AWS IAM Identity Center (okta-aws-sso --require-mfa)' });
        policyId = p.id;
        created = true;
        ctx.io.info('MFA_POLICY_CREATED', { name: pl.name, id: p.id });
        ruleId = (await o.createPolicyRule(p.id, MFA_RULE_BODY)).id;
        ctx.io.info('MFA_RULE_ADDED', { rule: MFA_RULE_NAME });
      } else if (pl.action === 'create-rule') {
        ruleId = (await o.createPolicyRule(pl.policyId, MFA_RULE_BODY)).id;
        ctx.io.info('MFA_RULE_ADDED_TO_POLICY', { rule: MFA_RULE_NAME, policy: MFA_POLICY_NAME });
      } else if (pl.action === 'assign') {
        await o.assignAppPolicy(pl.appId, policyId as string);
        ctx.io.info('MFA_POLICY_ASSIGNED', { policy: MFA_POLICY_NAME, app: obs.appLabel });
      } else if (pl.action === 'adopt-policy') {
        ctx.io.info('MFA_POLICY_ADOPTED', { policy: MFA_POLICY_NAME, id: pl.policyId });
      }
    }
    // Read back: the policy, its 2FA rule, and the app's assignment.
    const back = await observe(o, obs.appId);
    if (!back.policy || back.policy.id !== policyId || !back.rule || back.assignedPolicyId !== policyId) {
      throw new WizardError(`Okta did not keep the app sign-in policy: ${!back.policy ? 'the policy is missing' : !back.rule ? 'no active rule asks for two factors' : `the app's policy is ${back.assignedPolicyId ?? 'none'}`}.`, {
        code: 'OKTA_POLICY_NOT_KEPT',
        hint: `In the Okta Admin Console open Security > Authentication Policies > "${MFA_POLICY_NAME}": check its rule asks for two factors and that "${obs.appLabel}" is listed under Applications; then run again.`,
      });
    }
    return { engine: 'identity', appId: obs.appId, policyName: MFA_POLICY_NAME, policyId: policyId as string, ruleId: (ruleId ?? back.rule.id), created };
  },

  outputsAfter(obs) {
    return obs.engine === 'classic'
      ? { engine: 'classic', appId: obs.appId, policyName: MFA_RULE_NAME, created: true }
      : { engine: 'identity', appId: obs.appId, policyName: MFA_POLICY_NAME, policyId: obs.policy?.id ?? KNOWN_AFTER_APPLY, ruleId: obs.rule?.id ?? KNOWN_AFTER_APPLY, created: !obs.policy };
  },
};
