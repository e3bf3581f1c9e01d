/**
 * Runs a real step with the real I/O core (BaseIo + AnswerSource), capturing what a person would
 * see. Answers come from `flags`/`env` exactly as the CLI would pass them; an interactive run passes
 * a Prompter (e.g. the real inquirer binding driven by streams).
 */
import os from 'node:os';
import fs from 'node:fs';
import path from 'node:path';
import { AnswerSource, type AnswerValue } from '../../src/cli/io/answer-source.js';
import { BaseIo, type ConsolePerformer, type Prompter } from '../../src/cli/io/base-io.js';
import { MemoryOutput } from '../../src/cli/io/memory-output.js';
import { createStepContext, MemorySecretStore, MemoryProgressStore } from '../../src/engine/context.js';
import { createServices } from '../../src/steps/services.js';
import type { AnswerKey, SecretKey } from '../../src/core/answers.js';
import type { AnyStep, Drift, Step, StepContext } from '../../src/steps/contract.js';
import type { StepId, StepOutputs } from '../../src/core/outputs.js';
import type { Change } from '../../src/core/change.js';
import { approve, driftOf, planStep, RunApprovals, type RecordedChange } from '../../src/engine/step-plan.js';

export interface HarnessInit {
  flags?: Partial<Record<AnswerKey, AnswerValue>>;
  env?: Record<string, string>;
  secretFiles?: Partial<Record<SecretKey, string>>;
  config?: Record<string, unknown>;
  outputs?: Partial<StepOutputs>;
  prompter?: Prompter;
  yes?: boolean;
  dryRun?: boolean;
  workDir?: string;
  consolePerformer?: ConsolePerformer;
  sandboxAdminUrl?: string;
}

export interface Harness {
  ctx: StepContext;
  /** The repairs the step proposed while applying, as the engine records them (approved by asking: --yes). */
  repairs: RecordedChange[];
  io: BaseIo;
  output: MemoryOutput;
  answers: AnswerSource;
  secrets: MemorySecretStore;
}

export function stepHarness(init: HarnessInit = {}): Harness {
  const answers = new AnswerSource({ flags: init.flags, env: init.env ?? {}, secretFiles: init.secretFiles, config: init.config });
  const output = new MemoryOutput();
  const io = new BaseIo({ answers, output, prompter: init.prompter, yes: init.yes ?? true, consolePerformer: init.consolePerformer });
  const secrets = new MemorySecretStore(io);
  // The test process's environment (the CLI passes its own), as the CLI context does.
  const services = createServices(io, secrets, init.sandboxAdminUrl ? { adminUrl: init.sandboxAdminUrl } : undefined, { env: process.env, cwd: process.cwd() });
  const workDir = init.workDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'oas-step-'));
  // Repairs are approved as the engine does it, with no earlier approval to fall under: asked (yes: approved).
  const approvals = new RunApprovals();
  const repairs: RecordedChange[] = [];
  const ctx = createStepContext({
    repair: async (change, reason) => {
      // The step is not known here: the id only names it in a later repair's coveredBy.
      repairs.push(await approvals.repair('verify', 'this step', change, reason, io));
    },
    io,
    services,
    secrets,
    outputs: init.outputs ?? {},
    progress: new MemoryProgressStore(),
    dryRun: init.dryRun ?? false,
    workDir,
  });
  return { ctx, io, output, answers, secrets, repairs };
}

/**
 * What the engine does with one step: answers -> observe -> plan -> approve -> apply exactly those
 * changes. Returns the outputs and the changes applied (their `writes` can be compared with the
 * sandbox request log).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function runStep<K extends StepId>(s: Step<K, any, any>, ctx: StepContext): Promise<{ outputs: StepOutputs[K]; changes: Change[] }> {
  const step = s as AnyStep;
  const p = await planStep(step, ctx);
  await approve(step, p.changes, ctx.io);
  const outputs = (await step.apply(ctx, p.changes, p.observed, p.answers)) as StepOutputs[K];
  return { outputs, changes: p.changes };
}

/** The plan of one step with its notes (facts that are not changes). */
export async function planWithNotes(s: AnyStep, ctx: StepContext): Promise<{ changes: Change[]; notes: string[] }> {
  const step = s;
  const p = await planStep(step, ctx);
  return { changes: p.changes, notes: step.notes?.(p.observed, p.answers) ?? [] };
}

/** The plan of one step against the live state (`recorded`: the outputs of an earlier run). */
export async function planChanges(s: AnyStep, ctx: StepContext, recorded?: unknown): Promise<Change[]> {
  return (await planStep(s, ctx, recorded)).changes;
}

/** Drift of a done step, as the engine finds it: a non-empty plan against the live state. */
export async function stepDrift(s: AnyStep, ctx: StepContext, recorded: unknown): Promise<Drift[]> {
  return (await driftOf(s, ctx, recorded)).drifts;
}

/** runStep() for tests that only need the outputs. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function applyStep<K extends StepId>(s: Step<K, any, any>, ctx: StepContext): Promise<StepOutputs[K]> {
  return (await runStep(s, ctx)).outputs;
}
