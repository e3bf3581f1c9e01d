/** What okta-aws-sso created, from the state file: the access file's records plus the setup's own. */
import type { AccountAssignmentsOutput, PermissionSetOutput } from '../core/outputs.js';
import type { TrackedAccess } from './plan.js';

interface StateLike {
  steps: Record<string, { status: string; outputs?: Record<string, unknown> | undefined } | undefined>;
  access?: TrackedAccess | undefined;
}

export function trackedFromState(state: StateLike): TrackedAccess {
  const t: TrackedAccess = structuredClone(state.access ? { permissionSets: state.access.permissionSets, assignments: state.access.assignments } : { permissionSets: [], assignments: [] });
  const ps = state.steps['permission-set']?.outputs as PermissionSetOutput | undefined;
  if (ps?.created && ps.arn && !t.permissionSets.some((p) => p.arn === ps.arn)) t.permissionSets.push({ name: ps.name, arn: ps.arn });
  const aa = state.steps['account-assignments']?.outputs as AccountAssignmentsOutput | undefined;
  if (aa && ps && aa.permissionSetArn === ps.arn) {
    // The setup's own assignments (those it created), unless access apply already took over the pair.
    const made = aa.results.filter((r) => r.status === 'SUCCEEDED').map((r) => r.accountId);
    if (made.length > 0 && !t.assignments.some((a) => a.group === aa.groupName && a.permissionSet.toLowerCase() === ps.name.toLowerCase())) {
      t.assignments.push({ group: aa.groupName, permissionSet: ps.name, accounts: made.sort() });
    }
  }
  return t;
}
