/**
 * Step 7: the assignment group ("AWS Users") and the push groups (default awsssoPowerUsers), found or
 * created; the assignment group assigned to the Identity Center app (and to the SCIM app when one is
 * used). A group used both for assignment and for push is refused: Okta does not support it.
 */
import type { Drift, PlanAction, LegacyStep, StepContext } from './contract.js';
import type { OktaGroupRef } from '../core/outputs.js';
import { UsageError } from '../errors.js';
import type { OktaClient, OktaGroup } from '../okta/client.js';

export const DEFAULT_ASSIGNMENT_GROUP = 'AWS Users';
export const DEFAULT_PUSH_GROUPS = ['awsssoPowerUsers'];
export const DEFAULT_PUSH_PREFIX = 'awssso';

import { SCIM_FORBIDDEN, validateGroupName } from './validators.js';
export { SCIM_FORBIDDEN, validateGroupName };

export function parseGroupList(v: string): string[] {
  return [...new Set(v.split(',').map((s) => s.trim()).filter(Boolean))];
}

export interface GroupPlanInput {
  assignment: string;
  push: string[];
  prefix: string;
}

/** Refuses a group used for both assignment and push, directly or through the push prefix. */
export function checkGroupRoles(g: GroupPlanInput): void {
  for (const name of [g.assignment, ...g.push]) {
    const ok = validateGroupName(name);
    if (ok !== true) throw new UsageError(ok, { code: 'INVALID_GROUP_NAME', hint: 'Give valid names with --assignment-group and --push-groups.' });
  }
  if (g.push.length === 0) throw new UsageError('At least one push group is needed.', { code: 'NO_PUSH_GROUP', hint: 'Pass --push-groups awsssoPowerUsers (or your own names).' });
  const lower = g.assignment.toLowerCase();
  if (g.push.some((p) => p.toLowerCase() === lower)) {
    throw new UsageError(`"${g.assignment}" is both the assignment group and a push group; Okta does not support using one group for both (pushes race with assignments).`, {
      code: 'GROUP_BOTH_ASSIGNED_AND_PUSHED',
      hint: 'Use separate groups, e.g. --assignment-group "AWS Users" --push-groups awsssoPowerUsers.',
    });
  }
  if (g.prefix !== '' && g.assignment.startsWith(g.prefix)) {
    throw new UsageError(`The assignment group "${g.assignment}" starts with the push prefix "${g.prefix}", so it would also be pushed; Okta does not support one group for both.`, {
      code: 'GROUP_BOTH_ASSIGNED_AND_PUSHED',
      hint: 'Rename the assignment group (--assignment-group) or change --push-prefix.',
    });
  }
}

export async function groupAnswers(ctx: StepContext): Promise<GroupPlanInput> {
  const assignment = (await ctx.io.ask({ key: 'assignment-group', message: 'Okta group assigned to the app(s)', default: DEFAULT_ASSIGNMENT_GROUP, validate: validateGroupName })).trim();
  const push = parseGroupList(
    await ctx.io.ask({
      key: 'push-groups',
      message: 'Okta groups pushed to Identity Center (comma separated)',
      default: DEFAULT_PUSH_GROUPS.join(','),
      validate: (v) => {
        const list = parseGroupList(v);
        if (list.length === 0) return 'Give at least one group name.';
        for (const n of list) {
          const ok = validateGroupName(n);
          if (ok !== true) return ok;
        }
        return true;
      },
    }),
  );
  const prefix = (await ctx.io.ask({ key: 'push-prefix', message: 'Push every Okta group whose name starts with', default: DEFAULT_PUSH_PREFIX })).trim();
  const input = { assignment, push, prefix };
  checkGroupRoles(input);
  return input;
}

function ref(g: OktaGroup, created: boolean): OktaGroupRef {
  return { id: g.id, name: g.profile.name, created };
}

/** Did an earlier run of this step create the group (the marker survives later runs, which adopt it)? */
function createdEarlier(ctx: StepContext, id: string): boolean {
  const g = ctx.outputs.groups;
  return g !== undefined && [g.assignmentGroup, ...g.pushGroups].some((r) => r.id === id && r.created === true);
}

async function findOrCreate(ctx: StepContext, okta: OktaClient, name: string, description: string): Promise<OktaGroupRef> {
  const found = await okta.findGroupByName(name);
  if (found) {
    if (found.type && found.type !== 'OKTA_GROUP') {
      throw new UsageError(`The group "${name}" is a ${found.type} group (imported from a directory or built in), so Okta cannot manage its members here.`, {
        code: 'GROUP_NOT_OKTA',
        hint: 'Choose another name for the wizard\'s group.',
      });
    }
    const mine = createdEarlier(ctx, found.id);
    ctx.io.info(mine ? `The Okta group "${name}" (${found.id}) exists (created by an earlier run).` : `Adopting the existing Okta group "${name}" (${found.id}).`);
    return ref(found, mine);
  }
  const ok = await ctx.io.confirm({ message: `Create the Okta group "${name}"?`, default: true });
  if (!ok) throw new UsageError(`Stopped: the group "${name}" was not created.`, { code: 'DECLINED', hint: 'Run again and approve, or create the group in Okta first.' });
  const g = await okta.createGroup(name, description);
  ctx.io.info(`Created the Okta group "${name}" (${g.id}).`);
  return ref(g, true);
}

function appIdsFor(ctx: StepContext): string[] {
  const ids = [ctx.need('okta-app').appId];
  const prov = ctx.outputs['okta-provisioning'];
  if (prov && !ids.includes(prov.appId)) ids.push(prov.appId);
  return ids;
}

export const groupsStep: LegacyStep<'groups'> = {
  id: 'groups',
  title: 'Okta groups: assignment group and push groups',
  kind: 'api',
  needs: ['okta-app', 'okta-provisioning'],

  async plan(ctx) {
    if (!ctx.outputs['okta-app']) return [{ kind: 'pending', target: 'Okta groups', detail: 'needs the Okta app' }];
    const okta = await ctx.services.okta();
    const g = await groupAnswers(ctx);
    const actions: PlanAction[] = [];
    let assignment: OktaGroup | undefined;
    for (const name of [g.assignment, ...g.push]) {
      const found = await okta.findGroupByName(name);
      if (name === g.assignment) assignment = found;
      actions.push(found ? { kind: 'adopt', target: `Okta group "${name}"`, detail: found.id } : { kind: 'create', target: `Okta group "${name}"` });
    }
    for (const appId of appIdsFor(ctx)) {
      const assigned = assignment ? (await okta.listAppGroups(appId)).some((a) => a.id === assignment!.id) : false;
      actions.push({ kind: assigned ? 'noop' : 'create', target: `assignment of "${g.assignment}" to app ${appId}` });
    }
    return actions;
  },

  async apply(ctx) {
    const okta = await ctx.services.okta();
    const g = await groupAnswers(ctx);
    const assignmentGroup = await findOrCreate(ctx, okta, g.assignment, 'Users who may sign in to AWS IAM Identity Center (assigned to the Okta app; not pushed)');
    const pushGroups: OktaGroupRef[] = [];
    for (const name of g.push) {
      pushGroups.push(await findOrCreate(ctx, okta, name, 'Pushed to AWS IAM Identity Center (okta-aws-sso)'));
      if (g.prefix !== '' && !name.startsWith(g.prefix)) ctx.io.warn(`The push group "${name}" does not start with the prefix "${g.prefix}"; it is pushed by name, but a console push rule on the prefix will not cover it.`);
    }
    const assignedAppIds: string[] = [];
    for (const appId of appIdsFor(ctx)) {
      const assigned = await okta.listAppGroups(appId);
      if (!assigned.some((a) => a.id === assignmentGroup.id)) {
        await okta.assignGroupToApp(appId, assignmentGroup.id);
        ctx.io.info(`Assigned the group "${assignmentGroup.name}" to the app ${appId}.`);
      }
      assignedAppIds.push(appId);
    }
    return { assignmentGroup, pushGroups, assignedAppIds };
  },

  async check(ctx, out) {
    const okta = await ctx.services.okta();
    const drift: Drift[] = [];
    for (const g of [out.assignmentGroup, ...out.pushGroups]) {
      const live = await okta.getGroup(g.id);
      if (!live) drift.push({ message: `The Okta group "${g.name}" (${g.id}) no longer exists.` });
      else if (live.profile.name !== g.name) drift.push({ message: `The Okta group ${g.id} is now named "${live.profile.name}", not "${g.name}".` });
    }
    for (const appId of out.assignedAppIds) {
      const assigned = await okta.listAppGroups(appId).catch(() => []);
      if (!assigned.some((a) => a.id === out.assignmentGroup.id)) drift.push({ message: `The group "${out.assignmentGroup.name}" is no longer assigned to the app ${appId}.` });
    }
    return drift;
  },
};
