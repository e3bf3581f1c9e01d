/**
 * Step 8: a Group Push mapping for every Okta group whose name starts with the prefix (plus the push
 * groups of the groups step). The API has no "push groups by rule", so the wizard applies the rule on
 * each run and explains how to add the rule in the console for groups made later.
 *
 * observe: the groups to push (prefix matches and the named push groups) and the app's mappings.
 * plan:    create a mapping (createGroupPushMapping), re-activate an INACTIVE one or push an ERROR
 *          one again (updateGroupPushMapping), adopt an ACTIVE one; the optional rule is a console
 *          change, offered once. A done step plans again: a mapping gone, INACTIVE or in ERROR, or
 *          a new group with the prefix, is drift (the re-run pushes it).
 */
import type { ConsoleAction, Step, StepContext } from './contract.js';
import { KNOWN_AFTER_APPLY, isKnownAfterApply, type Change, type PlannedWrite } from '../core/change.js';
import type { GroupPushOutput, PushMappingRef } from '../core/outputs.js';
import { likelyPushErrorCause, type OktaGroup, type PushMapping } from '../okta/client.js';
import { DEFAULT_PUSH_PREFIX } from './07-groups.js';
import { repushChange, repushMapping } from './provisioning-effect.js';

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

function toRef(m: PushMapping, name: string, created: boolean): PushMappingRef {
  return { mappingId: m.id, sourceGroupId: m.sourceGroupId, groupName: name, status: m.status, ...(m.targetGroupId ? { targetGroupId: m.targetGroupId } : {}), created };
}

/** The step's answers: the prefix, and whether the optional rule can be offered in this run. */
export interface GroupPushAnswers {
  prefix: string;
  /** Interactive, --sandbox, or --console-done push-groups-by-rule: the rule console action is offered. */
  offerRule: boolean;
}

async function shouldOfferRule(ctx: StepContext): Promise<boolean> {
  if (ctx.io.interactive || ctx.services.sandbox) return true;
  if (!ctx.io.hasAnswer('console-done')) return false;
  const done = (await ctx.io.ask({ key: 'console-done', message: 'Console actions already done' })).split(',').map((s) => s.trim());
  return done.includes('push-groups-by-rule');
}

/** The live push mappings of the provisioning app, as observed. */
export interface ObservedGroupPush {
  appId: string;
  appLabel: string;
  /** Every group to push (prefix matches and the named push groups), by name, with its live mapping. */
  targets: { id: string; name: string; mapping?: PushMapping }[];
  /** The assignment group has the prefix (it is not pushed: Okta does not support one group for both). */
  assignmentHasPrefix?: string;
  /** The outputs of an earlier run (the rule confirmed then is not asked again). */
  previous?: GroupPushOutput;
}

export type GroupPushPayload =
  | { action: 'create'; groupId: string; groupName: string }
  | { action: 'activate'; mappingId: string; groupName: string }
  | { action: 'repush'; mappingId: string; groupName: string; errorSummary?: string }
  | { action: 'adopt'; mappingId: string; groupName: string }
  | { action: 'rule'; appId: string; appLabel: string; prefix: string };

const patch = (): PlannedWrite[] => [{ service: 'okta', operation: 'updateGroupPushMapping', count: 1 }];

function ruleKept(obs: ObservedGroupPush, prefix: string): boolean {
  const p = obs.previous;
  return p !== undefined && p.ruleConfirmed && p.prefix === prefix && p.appId === obs.appId;
}

export function planGroupPush(obs: ObservedGroupPush, ans: GroupPushAnswers, recorded?: GroupPushOutput): Change<GroupPushPayload>[] {
  const changes: Change<GroupPushPayload>[] = [];
  for (const g of obs.targets) {
    const m = g.mapping;
    const was = recorded?.mappings.find((r) => r.groupName === g.name || r.sourceGroupId === g.id);
    const resource = { kind: 'okta-push-mapping', name: g.name, ...(m ? { id: m.id } : {}) };
    if (!m) {
      changes.push({
        op: 'create',
        resource,
        summary: `Push the group "${g.name}" to Identity Center`,
        risk: 'additive',
        payload: { action: 'create', groupId: g.id, groupName: g.name },
        writes: [{ service: 'okta', operation: 'createGroupPushMapping', count: 1 }],
        ...(was ? { drift: `The push mapping of "${was.groupName}" (${was.mappingId}) no longer exists.` } : {}),
      });
    } else if (m.status === 'INACTIVE') {
      changes.push({
        op: 'update',
        resource,
        summary: `Re-activate the push of "${g.name}"`,
        risk: 'modifies-existing',
        before: { status: 'INACTIVE' },
        after: { status: 'ACTIVE' },
        detail: 'INACTIVE',
        payload: { action: 'activate', mappingId: m.id, groupName: g.name },
        writes: patch(),
        ...(was ? { drift: `The push of "${g.name}" is INACTIVE, not ACTIVE.` } : {}),
      });
    } else if (m.status === 'ERROR') {
      // The same change as the repair a wait makes (provisioning-effect.ts), planned here.
      changes.push({
        ...(repushChange(m.id, g.name, m.errorSummary) as Change<GroupPushPayload>),
        detail: `push again, was ERROR${m.errorSummary ? `: ${m.errorSummary}` : ''}`,
        ...(was ? { drift: `The push of "${g.name}" is in ERROR: ${m.errorSummary ?? 'no message'} (likely cause: ${likelyPushErrorCause(m.errorSummary)}).` } : {}),
      });
    } else {
      changes.push({
        op: 'adopt',
        resource,
        summary: `The group "${g.name}" is already pushed (mapping ${m.id}, ${m.status})`,
        risk: 'read-only',
        payload: { action: 'adopt', mappingId: m.id, groupName: g.name },
        writes: [],
        ...(was && was.mappingId !== m.id ? { drift: `The push mapping of "${g.name}" is now ${m.id}, not ${was.mappingId}.` } : {}),
      });
    }
  }
  // The optional rule for groups created later: offered once (not part of a done step's drift).
  if (!recorded && ans.offerRule && !ruleKept(obs, ans.prefix)) {
    changes.push({
      op: 'console',
      resource: { kind: 'console-action', id: 'push-groups-by-rule', name: `${ans.prefix}*` },
      summary: `Push groups by rule "${ans.prefix}*" in the Okta console (optional, for groups created later)`,
      risk: 'read-only',
      payload: { action: 'rule', appId: obs.appId, appLabel: obs.appLabel, prefix: ans.prefix },
      writes: [],
    });
  }
  return changes;
}

export const groupPushStep: Step<'group-push', GroupPushAnswers, ObservedGroupPush> = {
  id: 'group-push',
  title: 'Okta Group Push to Identity Center',
  kind: 'api',
  needs: ['groups', 'okta-provisioning'],

  async answers(ctx) {
    return { prefix: await askPrefix(ctx), offerRule: await shouldOfferRule(ctx) };
  },

  async observe(ctx, ans, recorded) {
    const prov = ctx.need('okta-provisioning');
    const groups = ctx.need('groups');
    const okta = await ctx.services.okta();
    const known = !isKnownAfterApply(prov.appId);
    const found: OktaGroup[] = ans.prefix === '' ? [] : await okta.findGroupsByPrefix(ans.prefix);
    const byId = new Map<string, string>();
    for (const g of found) if (g.id !== groups.assignmentGroup.id && (g.type === undefined || g.type === 'OKTA_GROUP')) byId.set(g.id, g.profile.name);
    for (const g of groups.pushGroups) byId.set(g.id, g.name);
    // The mappings are read live (a gone app fails here); the app's label is the one okta-provisioning
    // read (it names the app in the console action only, and no write depends on it).
    const mappings = known ? await okta.listPushMappings(prov.appId) : [];
    const previous = recorded ?? ctx.outputs['group-push'];
    const targets = [...byId]
      .map(([id, name]) => {
        const mapping = isKnownAfterApply(id) ? undefined : mappings.find((x) => x.sourceGroupId === id);
        return { id, name, ...(mapping ? { mapping } : {}) };
      })
      .sort((a, b) => a.name.localeCompare(b.name));
    return {
      appId: prov.appId,
      appLabel: prov.appLabel,
      targets,
      ...(found.some((g) => g.id === groups.assignmentGroup.id) ? { assignmentHasPrefix: groups.assignmentGroup.name } : {}),
      ...(previous ? { previous } : {}),
    };
  },

  plan: (obs, ans, recorded) => planGroupPush(obs, ans, recorded),

  async apply(ctx, changes, obs, ans) {
    const okta = await ctx.services.okta();
    const { prefix } = ans;
    if (obs.assignmentHasPrefix) ctx.io.warn('PUSH_ASSIGNMENT_GROUP_PREFIX', { name: obs.assignmentHasPrefix, prefix });
    const refs: PushMappingRef[] = [];
    const problems: string[] = [];
    let ruleConfirmed = ruleKept(obs, prefix);
    if (ruleConfirmed) ctx.io.debug('PUSH_RULE_CONFIRMED_EARLIER', { prefix });
    let ruleOffered = false;
    const earlier = ctx.outputs['group-push'];
    for (const c of changes) {
      const pl = c.payload as GroupPushPayload;
      let m: PushMapping;
      switch (pl.action) {
        case 'rule':
          ruleOffered = true;
          await ctx.io.consoleAction(ruleAction({ id: pl.appId, label: pl.appLabel }, pl.prefix));
          ruleConfirmed = true;
          continue;
        case 'create':
          m = await okta.createPushMapping(obs.appId, pl.groupId, pl.groupName);
          ctx.io.info('PUSH_CREATED', { name: pl.groupName, id: m.id });
          break;
        case 'activate':
          m = await okta.activatePushMapping(obs.appId, pl.mappingId);
          ctx.io.info('PUSH_REACTIVATED', { name: pl.groupName, id: m.id });
          break;
        case 'repush':
          // An ERROR stays until the push is retried (e.g. after one transient SCIM failure): push again.
          ctx.io.info('PUSH_AGAIN', { name: pl.groupName, error: pl.errorSummary ?? 'no message', id: pl.mappingId });
          m = await repushMapping(okta, obs.appId, pl.mappingId);
          break;
        case 'adopt':
          ctx.io.debug('PUSH_ALREADY', { name: pl.groupName, id: pl.mappingId });
          m = obs.targets.find((t) => t.mapping?.id === pl.mappingId)!.mapping!;
          break;
      }
      // Read back: a mapping may turn to ERROR once Okta tried the push.
      m = (await okta.getPushMapping(obs.appId, m.id)) ?? m;
      if (m.status === 'ERROR') problems.push(`"${pl.groupName}": ${m.errorSummary ?? 'no message'} (likely cause: ${likelyPushErrorCause(m.errorSummary)})`);
      // Created by this run, or by an earlier one (the marker survives the runs that find it; destroy reads it).
      const created = pl.action === 'create' || (earlier?.appId === obs.appId && earlier.mappings.some((r) => r.mappingId === m.id && r.created === true));
      refs.push(toRef(m, pl.groupName, created));
    }
    for (const p of problems) ctx.io.warn('PUSH_IN_ERROR', { detail: p });
    if (!ruleConfirmed && !ruleOffered) {
      const where = ruleAction({ id: obs.appId, label: obs.appLabel }, prefix).where;
      ctx.io.info('PUSH_RULE_LATER', { prefix, where });
    }
    return { appId: obs.appId, prefix, mappings: refs, ruleConfirmed };
  },

  outputsAfter(obs, ans, changes) {
    return {
      appId: obs.appId,
      prefix: ans.prefix,
      mappings: obs.targets.map((t) => ({ mappingId: t.mapping?.id ?? KNOWN_AFTER_APPLY, sourceGroupId: t.id, groupName: t.name, status: 'ACTIVE' })),
      ruleConfirmed: ruleKept(obs, ans.prefix) || changes.some((c) => c.op === 'console'),
    };
  },
};
