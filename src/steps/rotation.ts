/**
 * What the two day-two rotations share (`rotate scim-token`, `rotate saml-cert`): the record of a
 * rotation's progress kept in the state file (phases done and non-secret facts, never a token or a
 * key), the environment the CLI hands a rotation, and its plan as data.
 *
 * A rotation is a short sequence of phases, each done once: a re-run (after a console action, a
 * failure or Ctrl-C) skips the phases already recorded and continues with the first one left.
 */
import type { Io, Services } from './contract.js';
import type { StepId, StepOutputs } from '../core/outputs.js';
import type { PlannedWrite } from '../core/change.js';

export interface RotationRecord {
  startedAt: string;
  finishedAt?: string;
  /** phase id -> when it was done (ISO). */
  phases: Record<string, string>;
  /** Non-secret facts: key IDs, file paths, dates. */
  facts?: Record<string, string>;
}

export interface RotationEnv {
  io: Io;
  services: Services;
  /** The outputs of the setup's done steps (read; the rotation changes them through setOutput). */
  outputs: Partial<StepOutputs>;
  /** This rotation's record (mutated as phases complete; saved by save()). */
  record: RotationRecord;
  /** Persists the record and any outputs set since (the state file). */
  save(): Promise<void>;
  /** Replaces a step's outputs in the state file (saved by the next save()). */
  setOutput<K extends StepId>(id: K, value: StepOutputs[K]): void;
  signal: AbortSignal;
  workDir: string;
  now(): Date;
  /** In the sandbox: where Identity Center's ACS URL is served (the sandbox's AWS endpoint). */
  acsBaseUrl?: string;
}

/** One phase of a rotation in a plan: done already, or still to do (and how: API, console, check). */
export interface RotationPhasePlan {
  id: string;
  title: string;
  kind: 'api' | 'console' | 'check';
  /** When it was done (ISO), if it was. */
  doneAt?: string;
  /** What it changes, in words (never a secret). */
  detail?: string;
  /**
   * The mutating Okta and AWS requests the phase sends when it runs (as a step's Change declares
   * them; none for a console action or a check that only reads). A phase already done sends nothing.
   */
  writes: PlannedWrite[];
}

export interface RotationPlan {
  rotation: 'scim-token' | 'saml-cert';
  /** True when a rotation was started earlier and this run continues it. */
  continuing: boolean;
  phases: RotationPhasePlan[];
  warnings: string[];
}

export function planLines(plan: RotationPlan): string[] {
  const out: string[] = [];
  for (const [i, p] of plan.phases.entries()) {
    const mark = p.doneAt ? `done ${p.doneAt.slice(0, 19).replace('T', ' ')}` : p.kind === 'console' ? 'console action' : p.kind === 'check' ? 'check' : 'API';
    out.push(`  ${i + 1}. ${p.title} [${mark}]${p.detail && !p.doneAt ? `: ${p.detail}` : ''}`);
  }
  for (const w of plan.warnings) out.push(`  ! ${w}`);
  return out;
}

/** A fresh record, or the unfinished one of an earlier run. */
export function openRecord(existing: RotationRecord | undefined, now: Date): { record: RotationRecord; continuing: boolean } {
  if (existing && !existing.finishedAt) return { record: existing, continuing: true };
  return { record: { startedAt: now.toISOString(), phases: {}, facts: {} }, continuing: false };
}

export async function markDone(env: RotationEnv, phase: string, facts?: Record<string, string>): Promise<void> {
  env.record.phases[phase] = env.now().toISOString();
  if (facts) env.record.facts = { ...(env.record.facts ?? {}), ...facts };
  await env.save();
}
