/**
 * Small real steps for engine tests (they are steps, not mocks): each keeps a journal of what it
 * did, so tests can assert order, re-application and that planning made no mutating call.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AnswerSource, type AnswerValue } from '../../src/cli/io/answer-source.js';
import { BaseIo, type Prompter } from '../../src/cli/io/base-io.js';
import { MemoryOutput } from '../../src/cli/io/memory-output.js';
import { MemorySecretStore } from '../../src/engine/context.js';
import { StateStore, newState, type WizardState } from '../../src/engine/state.js';
import type { AnswerKey } from '../../src/core/answers.js';
import type { Services, Step, StepContext } from '../../src/steps/contract.js';
import { KNOWN_AFTER_APPLY, type Change, type RiskClass } from '../../src/core/change.js';
import type { StepId } from '../../src/core/outputs.js';

export interface Journal {
  events: string[];
  /** Mutations: what apply() changed in the "world". */
  world: Map<string, string>;
}

export function newJournal(): Journal {
  return { events: [], world: new Map() };
}

export interface TestStepSpec {
  id: StepId;
  needs?: StepId[];
  kind?: 'api' | 'console';
  /** Behaviour of apply(); default writes world[id] = 'v1' for a planned create and returns {value}. */
  apply?: (ctx: StepContext, j: Journal, changes: readonly Change[]) => Promise<Record<string, unknown>>;
  skip?: (ctx: StepContext) => Promise<string | undefined>;
  /** The risk class of the create change (default additive). */
  risk?: RiskClass;
  /** outputsAfter(): the outputs the step will have, so a dry run can plan the steps after it. */
  project?: boolean;
}

interface Observed {
  value: string | undefined;
}

/** A step that "creates" world[id] (adopting it when present); drift = the plan finds a change. */
export function testStep(j: Journal, spec: TestStepSpec): Step<StepId, undefined, Observed> {
  const id = spec.id;
  return {
    id,
    title: `Test step ${id}`,
    kind: spec.kind ?? 'api',
    needs: spec.needs ?? [],
    ...(spec.skip ? { skip: spec.skip } : {}),
    async observe(ctx) {
      j.events.push(`observe:${id}`);
      for (const n of spec.needs ?? []) ctx.need(n);
      return { value: j.world.get(id) };
    },
    plan(obs, _answers, recorded): Change[] {
      if (spec.kind === 'console') return [{ op: 'console', resource: { kind: 'console-action', name: `console thing ${id}` }, summary: `console thing ${id}`, risk: 'read-only', detail: 'a person clicks' }];
      const want = (recorded as { value?: string } | undefined)?.value;
      if (obs.value === undefined) {
        return [
          {
            op: 'create',
            resource: { kind: 'thing', name: id },
            summary: `thing ${id}`,
            risk: spec.risk ?? 'additive',
            after: { value: 'v1' },
            writes: [{ service: 'okta', operation: `create-${id}`, count: 1 }],
            ...(recorded ? { drift: `thing ${id} is missing but the state says ${want ?? 'nothing'}` } : {}),
          },
        ];
      }
      return [
        {
          op: 'adopt',
          resource: { kind: 'thing', name: id, id: obs.value },
          summary: `thing ${id}`,
          risk: 'read-only',
          writes: [],
          ...(recorded && want !== obs.value ? { drift: `thing ${id} is ${obs.value} but the state says ${want ?? 'nothing'}` } : {}),
        },
      ];
    },
    async apply(ctx, changes) {
      j.events.push(`apply:${id}`);
      for (const n of spec.needs ?? []) ctx.need(n);
      if (spec.apply) return (await spec.apply(ctx, j, changes)) as never;
      for (const c of changes) if (c.op === 'create') j.world.set(id, 'v1');
      return { value: j.world.get(id) } as never;
    },
    ...(spec.project ? { outputsAfter: (obs: Observed) => ({ value: obs.value ?? KNOWN_AFTER_APPLY }) as never } : {}),
  };
}

export interface EngineHarness {
  dir: string;
  file: string;
  io: BaseIo;
  output: MemoryOutput;
  secrets: MemorySecretStore;
  services: Services;
  store: StateStore;
}

export function tmpDir(prefix = 'oas-engine-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function engineHarness(opts: {
  dir?: string;
  state?: WizardState;
  flags?: Partial<Record<AnswerKey, AnswerValue>>;
  env?: Record<string, string>;
  prompter?: Prompter;
  yes?: boolean;
  /** Where the I/O core writes (default: a MemoryOutput). */
  output?: MemoryOutput;
} = {}): EngineHarness {
  const dir = opts.dir ?? tmpDir();
  const file = path.join(dir, 'okta-aws-sso.state.json');
  const answers = new AnswerSource({ flags: opts.flags ?? {}, env: opts.env ?? {}, saved: opts.state?.inputs ?? {} });
  const output = opts.output ?? new MemoryOutput();
  const io = new BaseIo({ answers, output, ...(opts.prompter ? { prompter: opts.prompter } : {}), yes: opts.yes ?? true });
  const secrets = new MemorySecretStore(io);
  const services: Services = {
    okta: () => Promise.reject(new Error('no Okta in engine tests')),
    aws: () => Promise.reject(new Error('no AWS in engine tests')),
    sandbox: undefined,
  };
  const store = new StateStore(file, opts.state ?? newState('0.0.0-test'), { redact: (t) => io.redact(t), inputs: () => io.savedAnswers() });
  return { dir, file, io, output, secrets, services, store };
}

export function readStateFile(file: string): WizardState {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as WizardState;
}
