/**
 * The adapter that lets a step written for the former contract (plan/apply/check) run in the
 * plan/apply engine while it waits to be migrated. Its observe() is the legacy plan() (live reads
 * only), its plan() turns those actions into Change records (writes not declared), its apply()
 * is the legacy apply() (which still asks for its own approvals), and its drift check is the
 * legacy check().
 */
import type { Change } from '../core/change.js';
import type { StepId } from '../core/outputs.js';
import type { LegacyStep, PlanAction, Step } from './contract.js';

function toChange(a: PlanAction): Change | undefined {
  const base = { resource: { kind: 'legacy', name: a.target }, summary: a.target, ...(a.detail ? { detail: a.detail } : {}) };
  switch (a.kind) {
    case 'create':
      return { ...base, op: 'create', risk: 'additive' };
    case 'update':
      return { ...base, op: 'update', risk: 'modifies-existing' };
    case 'adopt':
      return { ...base, op: 'adopt', risk: 'read-only' };
    case 'console':
      return { ...base, op: 'console', risk: 'read-only' };
    default:
      // noop, check, pending: nothing changes.
      return undefined;
  }
}

export function legacyStep<K extends StepId>(s: LegacyStep<K>): Step<K, undefined, PlanAction[]> {
  return {
    id: s.id,
    title: s.title,
    kind: s.kind,
    needs: s.needs,
    legacy: true,
    ...(s.readOnly ? { legacyReadOnly: true } : {}),
    ...(s.skip ? { skip: (ctx) => s.skip!(ctx) } : {}),
    observe: (ctx) => s.plan(ctx),
    plan: (actions) => actions.map(toChange).filter((c): c is Change => c !== undefined),
    notes: (actions) => actions.filter((a) => a.kind === 'noop' || a.kind === 'check' || a.kind === 'pending').map((a) => `${a.kind}: ${a.target}${a.detail ? ` (${a.detail})` : ''}`),
    apply: (ctx) => s.apply(ctx),
    legacyCheck: (ctx, out) => s.check(ctx, out),
  };
}
