/**
 * Step 8: a Group Push mapping for every Okta group whose name starts with the prefix (plus the push
 * groups of the groups step). The API has no "push groups by rule", so the wizard applies the rule on
 * each run and explains how to add the rule in the console for groups made later.
 */
import type { ConsoleAction, Drift, PlanAction, LegacyStep, StepContext } from './contract.js';
import type { PushMappingRef } from '../core/outputs.js';
import { likelyPushErrorCause, type OktaClient, type OktaGroup, type PushMapping } from '../okta/client.js';
import { DEFAULT_PUSH_PREFIX } from './07-groups.js';
import { repushMapping } from './provisioning-effect.js';

export function ruleAction(app: { id: string; label: string }, prefix: string): ConsoleAction {
  const name = `okta-aws-sso: ${prefix}*`;
  return {
    id: 'push-groups-by-rule',
    title: `Push groups by rule "${prefix}*" (for groups created later)`,
    where: `Okta Admin Console > Applications > Applications > ${app.label} > Push Groups`,
    instructions: [
      `Open the Okta Admin Console, Applications > Applications, and open "${app.label}".`,
      'Open the Push Groups tab, choose Push Groups > Find groups by rule.',
      `Rule name: ${name}.`,
      `Set "Group name" to "starts with" and type ${prefix}.`,
      'Leave "Immediately push groups found by this rule" ticked and choose Create Rule.',
      'The wizard already pushed every matching group that exists now; the rule covers groups created later. Optional: skip it if you prefer to re-run `okta-aws-sso init` after adding groups.',
    ],
    values: [
      { label: 'Rule name', value: name },
      { label: 'Group name starts with', value: prefix },
    ],
    sandboxPayload: { appId: app.id, name, prefix },
    optional: true,
  };
}

async function askPrefix(ctx: StepContext): Promise<string> {
  return (await ctx.io.ask({ key: 'push-prefix', message: 'Push every Okta group whose name starts with', default: DEFAULT_PUSH_PREFIX })).trim();
}

/** Groups to push: every group with the prefix, plus the push groups named in the groups step. */
async function groupsToPush(ctx: StepContext, okta: OktaClient, prefix: string): Promise<{ id: string; name: string }[]> {
  const groups = ctx.need('groups');
  const out = new Map<string, string>();
  const found: OktaGroup[] = prefix === '' ? [] : await okta.findGroupsByPrefix(prefix);
  for (const g of found) if (g.id !== groups.assignmentGroup.id && (g.type === undefined || g.type === 'OKTA_GROUP')) out.set(g.id, g.profile.name);
  for (const g of groups.pushGroups) out.set(g.id, g.name);
  if (found.some((g) => g.id === groups.assignmentGroup.id)) {
    ctx.io.warn(`The assignment group "${groups.assignmentGroup.name}" starts with "${prefix}" but is not pushed: Okta does not support one group for both.`);
  }
  return [...out].map(([id, name]) => ({ id, name })).sort((a, b) => a.name.localeCompare(b.name));
}

function toRef(m: PushMapping, name: string, created: boolean): PushMappingRef {
  return { mappingId: m.id, sourceGroupId: m.sourceGroupId, groupName: name, status: m.status, ...(m.targetGroupId ? { targetGroupId: m.targetGroupId } : {}), created };
}

async function shouldOfferRule(ctx: StepContext): Promise<boolean> {
  if (ctx.io.interactive || ctx.services.sandbox) return true;
  if (!ctx.io.hasAnswer('console-done')) return false;
  const done = (await ctx.io.ask({ key: 'console-done', message: 'Console actions already done' })).split(',').map((s) => s.trim());
  return done.includes('push-groups-by-rule');
}

export const groupPushStep: LegacyStep<'group-push'> = {
  id: 'group-push',
  title: 'Okta Group Push to Identity Center',
  kind: 'api',
  needs: ['groups', 'okta-provisioning'],

  async plan(ctx) {
    const prov = ctx.outputs['okta-provisioning'];
    if (!prov || !ctx.outputs.groups) return [{ kind: 'pending', target: 'Group Push', detail: 'needs the groups and the provisioning app' }];
    const okta = await ctx.services.okta();
    const prefix = await askPrefix(ctx);
    const mappings = await okta.listPushMappings(prov.appId);
    const actions: PlanAction[] = [];
    for (const g of await groupsToPush(ctx, okta, prefix)) {
      const m = mappings.find((x) => x.sourceGroupId === g.id);
      actions.push(
        !m
          ? { kind: 'create', target: `push mapping for "${g.name}"` }
          : m.status === 'ACTIVE'
            ? { kind: 'noop', target: `push mapping for "${g.name}"`, detail: m.id }
            : { kind: 'update', target: `push mapping for "${g.name}"`, detail: `${m.status === 'ERROR' ? 'push again, was ERROR' : m.status}${m.errorSummary ? `: ${m.errorSummary}` : ''}` },
      );
    }
    actions.push({ kind: 'console', target: `push-groups-by-rule "${prefix}*" (optional)` });
    return actions;
  },

  async apply(ctx) {
    const prov = ctx.need('okta-provisioning');
    const okta = await ctx.services.okta();
    const prefix = await askPrefix(ctx);
    const targets = await groupsToPush(ctx, okta, prefix);
    const existing = await okta.listPushMappings(prov.appId);
    const refs: PushMappingRef[] = [];
    const problems: string[] = [];
    const earlier = ctx.outputs['group-push'];
    for (const g of targets) {
      let m = existing.find((x) => x.sourceGroupId === g.id);
      // Created by this run, or by an earlier one (the marker survives the runs that find it).
      let created = m !== undefined && earlier?.appId === prov.appId && earlier.mappings.some((r) => r.mappingId === m!.id && r.created === true);
      if (!m) {
        created = true;
        m = await okta.createPushMapping(prov.appId, g.id, g.name);
        ctx.io.info(`Pushing the group "${g.name}" to Identity Center (mapping ${m.id}).`);
      } else if (m.status === 'INACTIVE') {
        m = await okta.activatePushMapping(prov.appId, m.id);
        ctx.io.info(`Re-activated the push of "${g.name}" (mapping ${m.id}).`);
      } else if (m.status === 'ERROR') {
        // An ERROR stays until the push is retried (e.g. after one transient SCIM failure): push again.
        ctx.io.info(`The push of "${g.name}" was in ERROR (${m.errorSummary ?? 'no message'}); pushing it again (mapping ${m.id}).`);
        m = await repushMapping(okta, prov.appId, m.id);
      } else {
        ctx.io.debug(`The group "${g.name}" is already pushed (mapping ${m.id}, ${m.status}).`);
      }
      // Read back: a mapping may turn to ERROR once Okta tried the push.
      m = (await okta.getPushMapping(prov.appId, m.id)) ?? m;
      if (m.status === 'ERROR') problems.push(`"${g.name}": ${m.errorSummary ?? 'no message'} (likely cause: ${likelyPushErrorCause(m.errorSummary)})`);
      refs.push(toRef(m, g.name, created));
    }
    for (const p of problems) ctx.io.warn(`Group Push is in ERROR for ${p}.`);

    let ruleConfirmed = false;
    const app = await okta.getApp(prov.appId);
    const action = ruleAction({ id: prov.appId, label: app?.label ?? prov.appLabel }, prefix);
    if (earlier?.ruleConfirmed && earlier.prefix === prefix && earlier.appId === prov.appId) {
      ruleConfirmed = true;
      ctx.io.debug(`The push rule "${prefix}*" was confirmed in an earlier run.`);
    } else if (await shouldOfferRule(ctx)) {
      await ctx.io.consoleAction(action);
      ruleConfirmed = true;
    } else {
      ctx.io.info(
        `Groups whose name starts with "${prefix}" and are created later are pushed when you run okta-aws-sso init again, or add the rule "${prefix}*" once in ${action.where} (Push Groups > Find groups by rule); then run with --console-done push-groups-by-rule.`,
      );
    }
    return { appId: prov.appId, prefix, mappings: refs, ruleConfirmed };
  },

  async check(ctx, out) {
    const okta = await ctx.services.okta();
    const drift: Drift[] = [];
    for (const r of out.mappings) {
      const m = await okta.getPushMapping(out.appId, r.mappingId);
      if (!m) drift.push({ message: `The push mapping of "${r.groupName}" (${r.mappingId}) no longer exists.` });
      else if (m.status === 'ERROR') drift.push({ message: `The push of "${r.groupName}" is in ERROR: ${m.errorSummary ?? 'no message'} (likely cause: ${likelyPushErrorCause(m.errorSummary)}).` });
      else if (m.status !== 'ACTIVE') drift.push({ message: `The push of "${r.groupName}" is ${m.status}, not ACTIVE.` });
    }
    return drift;
  },
};
