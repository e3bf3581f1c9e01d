/**
 * Step 7: the assignment group ("AWS Users") and the push groups (default awsssoPowerUsers), found or
 * created; the assignment group assigned to the Identity Center app (and to the SCIM app when one is
 * used). A group used both for assignment and for push is refused: Okta does not support it.
 *
 * observe: each wanted group by name (a group Okta does not manage is refused here, before any
 *          change), and whether the assignment group is assigned to each app.
 * plan:    adopt or create each group (createGroup), assign the assignment group to each app that
 *          lacks it (assignGroupToApplication). A done step whose group is gone, replaced or
 *          unassigned plans the repair as drift.
 */
import type { Step, StepContext } from './contract.js';
import { stepInfo } from './catalog.js';
import { KNOWN_AFTER_APPLY, isKnownAfterApply, type Change, type PlannedWrite } from '../core/change.js';
import type { GroupsOutput, OktaGroupRef } from '../core/outputs.js';
import { UsageError, WizardError } from '../errors.js';
import type { OktaGroup } from '../okta/client.js';

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
  const assignment = (await ctx.io.ask({ key: 'assignment-group', message: 'Okta group assigned to the app(s)', default: DEFAULT_ASSIGNMENT_GROUP })).trim();
  const push = parseGroupList(
    await ctx.io.ask({
      key: 'push-groups',
      message: 'Okta groups pushed to Identity Center (comma separated)',
      default: DEFAULT_PUSH_GROUPS.join(','),
      // The catalog checks each name; an empty list is this step's own refusal.
      validate: (v) => (parseGroupList(v).length === 0 ? 'Give at least one group name.' : true),
    }),
  );
  const prefix = (await ctx.io.ask({ key: 'push-prefix', message: 'Push every Okta group whose name starts with', default: DEFAULT_PUSH_PREFIX })).trim();
  const input = { assignment, push, prefix };
  checkGroupRoles(input);
  return input;
}

const ASSIGNMENT_DESCRIPTION = 'Users who may sign in to AWS IAM Identity Center (assigned to the Okta app; not pushed)';
const PUSH_DESCRIPTION = 'Pushed to AWS IAM Identity Center (okta-aws-sso)';

function ref(g: OktaGroup): OktaGroupRef {
  return { id: g.id, name: g.profile.name };
}

/** Did an earlier run of this step create the group (the marker survives later runs, which adopt it)? */
function createdEarlier(ctx: StepContext, id: string): boolean {
  const g = ctx.outputs.groups;
  return g !== undefined && [g.assignmentGroup, ...g.pushGroups].some((r) => r.id === id && r.created === true);
}

/** The apps the assignment group is assigned to: the Identity Center app, and the SCIM app when one is used. */
function appIdsFor(ctx: StepContext): string[] {
  const ids = [ctx.need('okta-app').appId];
  const prov = ctx.outputs['okta-provisioning'];
  if (prov && !ids.includes(prov.appId)) ids.push(prov.appId);
  return ids;
}

/** The live groups (by name) and the app assignments of the assignment group, as observed. */
export interface ObservedGroups {
  /** Each wanted group, in order (assignment group first), with the live group of that name. */
  groups: { name: string; role: 'assignment' | 'push'; found?: OktaGroupRef }[];
  /** Each app the assignment group must be assigned to, and whether it is. */
  apps: { appId: string; assigned: boolean }[];
}

export type GroupsPayload =
  | { action: 'create-group'; role: 'assignment' | 'push'; name: string; description: string }
  | { action: 'adopt-group'; role: 'assignment' | 'push'; id: string; name: string }
  | { action: 'assign-to-app'; appId: string; groupName: string };

const okta = (operation: string): PlannedWrite => ({ service: 'okta', operation, count: 1 });

export function planGroups(obs: ObservedGroups, want: GroupPlanInput, recorded?: GroupsOutput): Change<GroupsPayload>[] {
  const changes: Change<GroupsPayload>[] = [];
  const recordedRefs = recorded ? [recorded.assignmentGroup, ...recorded.pushGroups] : [];
  for (const g of obs.groups) {
    const was = recordedRefs.find((r) => r.name === g.name);
    if (!g.found) {
      changes.push({
        op: 'create',
        resource: { kind: 'okta-group', name: g.name },
        summary: `Create the Okta group "${g.name}" (${g.role === 'assignment' ? 'assigned to the app' : 'pushed to Identity Center'})`,
        risk: 'additive',
        after: { name: g.name },
        payload: { action: 'create-group', role: g.role, name: g.name, description: g.role === 'assignment' ? ASSIGNMENT_DESCRIPTION : PUSH_DESCRIPTION },
        writes: [okta('createGroup')],
        ...(was ? { drift: `The Okta group "${was.name}" (${was.id}) no longer exists.` } : {}),
      });
    } else {
      changes.push({
        op: 'adopt',
        resource: { kind: 'okta-group', id: g.found.id, name: g.name },
        summary: `Adopt the existing Okta group "${g.name}" (${g.found.id})`,
        risk: 'read-only',
        payload: { action: 'adopt-group', role: g.role, id: g.found.id, name: g.name },
        writes: [],
        ...(was && was.id !== g.found.id ? { drift: `The Okta group "${g.name}" is now ${g.found.id}, not ${was.id}.` } : {}),
      });
    }
  }
  for (const a of obs.apps) {
    if (a.assigned) continue;
    changes.push({
      op: 'create',
      resource: { kind: 'okta-app-group-assignment', name: `${want.assignment} -> app ${a.appId}` },
      summary: `Assign the group "${want.assignment}" to the app ${a.appId}`,
      risk: 'additive',
      payload: { action: 'assign-to-app', appId: a.appId, groupName: want.assignment },
      writes: [okta('assignGroupToApplication')],
      ...(recorded?.assignedAppIds.includes(a.appId) ? { drift: `The group "${recorded.assignmentGroup.name}" is no longer assigned to the app ${a.appId}.` } : {}),
    });
  }
  return changes;
}

export const groupsStep: Step<'groups', GroupPlanInput, ObservedGroups> = {
  ...stepInfo('groups'),
  needs: ['okta-app', 'okta-provisioning'],
  answers: groupAnswers,

  async observe(ctx, want) {
    const client = await ctx.services.okta();
    const groups: ObservedGroups['groups'] = [];
    for (const [name, role] of [[want.assignment, 'assignment'], ...want.push.map((p) => [p, 'push'])] as [string, 'assignment' | 'push'][]) {
      const found = await client.findGroupByName(name);
      if (found?.type && found.type !== 'OKTA_GROUP') {
        throw new UsageError(`The group "${name}" is a ${found.type} group (imported from a directory or built in), so Okta cannot manage its members here.`, {
          code: 'GROUP_NOT_OKTA',
          hint: 'Choose another name for the wizard\'s group.',
        });
      }
      groups.push({ name, role, ...(found ? { found: ref(found) } : {}) });
    }
    const assignmentId = groups[0]!.found?.id;
    const apps: ObservedGroups['apps'] = [];
    for (const appId of appIdsFor(ctx)) {
      const assigned = assignmentId !== undefined && !isKnownAfterApply(appId) && (await client.listAppGroups(appId)).some((a) => a.id === assignmentId);
      apps.push({ appId, assigned });
    }
    return { groups, apps };
  },

  plan: (obs, want, recorded) => planGroups(obs, want, recorded),

  async apply(ctx, changes, obs, want) {
    const client = await ctx.services.okta();
    let assignmentGroup: OktaGroupRef | undefined;
    const pushGroups: OktaGroupRef[] = [];
    const keep = (role: 'assignment' | 'push', g: OktaGroupRef): void => {
      if (role === 'assignment') assignmentGroup = g;
      else pushGroups.push(g);
    };
    for (const c of changes) {
      const pl = c.payload as GroupsPayload;
      switch (pl.action) {
        case 'adopt-group': {
          // Created by an earlier run of this step: the marker survives the runs that find it (destroy reads it).
          const mine = createdEarlier(ctx, pl.id);
          ctx.io.info('GROUP_ADOPTED', { name: pl.name, id: pl.id });
          keep(pl.role, { id: pl.id, name: pl.name, created: mine });
          break;
        }
        case 'create-group': {
          const g = { ...ref(await client.createGroup(pl.name, pl.description)), created: true };
          ctx.io.info('GROUP_CREATED', { name: pl.name, id: g.id });
          keep(pl.role, g);
          break;
        }
        case 'assign-to-app':
          if (!assignmentGroup) throw new WizardError('The groups plan assigns a group it neither created nor adopted.', { code: 'PLAN_INVALID', hint: 'Run again; if it persists, please report it.' });
          await client.assignGroupToApp(pl.appId, assignmentGroup.id);
          ctx.io.info('GROUP_ASSIGNED_TO_APP', { name: assignmentGroup.name, appId: pl.appId });
          break;
      }
    }
    for (const name of want.push) {
      if (want.prefix !== '' && !name.startsWith(want.prefix)) ctx.io.warn('GROUP_PREFIX_MISMATCH', { name, prefix: want.prefix });
    }
    if (!assignmentGroup) throw new WizardError('The groups plan had no change for the assignment group.', { code: 'PLAN_INVALID', hint: 'Run again; if it persists, please report it.' });
    // Push groups in the order asked (adopted and created ones are interleaved in the plan).
    pushGroups.sort((a, b) => want.push.indexOf(a.name) - want.push.indexOf(b.name));
    return { assignmentGroup, pushGroups, assignedAppIds: obs.apps.map((a) => a.appId) };
  },

  outputsAfter(obs) {
    const refOf = (g: ObservedGroups['groups'][number]): OktaGroupRef => g.found ?? { id: KNOWN_AFTER_APPLY, name: g.name };
    return { assignmentGroup: refOf(obs.groups[0]!), pushGroups: obs.groups.slice(1).map(refOf), assignedAppIds: obs.apps.map((a) => a.appId) };
  },
};
