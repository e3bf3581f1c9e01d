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
import type { AnswerKey } from '../../src/steps/answers.js';
import type { Drift, PlanAction, Services, Step, StepContext } from '../../src/steps/contract.js';
import type { StepId } from '../../src/steps/outputs.js';

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
  /** Behaviour of apply(); default writes world[id] = 'v1' and returns {value}. */
  apply?: (ctx: StepContext, j: Journal) => Promise<Record<string, unknown>>;
  skip?: (ctx: StepContext) => Promise<string | undefined>;
}

/** A step that "creates" world[id] (adopting it when present) and checks it still holds. */
export function testStep(j: Journal, spec: TestStepSpec): Step<StepId> {
  const id = spec.id;
  return {
    id,
    title: `Test step ${id}`,
    kind: spec.kind ?? 'api',
    needs: spec.needs ?? [],
    ...(spec.skip ? { skip: spec.skip } : {}),
    async plan(ctx): Promise<PlanAction[]> {
      j.events.push(`plan:${id}`);
      for (const n of spec.needs ?? []) ctx.need(n);
      if (spec.kind === 'console') return [{ kind: 'console', target: `console thing ${id}`, detail: 'a person clicks' }];
      return [{ kind: j.world.has(id) ? 'adopt' : 'create', target: `thing ${id}` }];
    },
    async apply(ctx) {
      j.events.push(`apply:${id}`);
      for (const n of spec.needs ?? []) ctx.need(n);
      if (spec.apply) return (await spec.apply(ctx, j)) as never;
      if (!j.world.has(id)) j.world.set(id, 'v1');
      return { value: j.world.get(id) } as never;
    },
    async check(_ctx, outputs): Promise<Drift[]> {
      j.events.push(`check:${id}`);
      const want = (outputs as unknown as { value?: string }).value;
      const have = j.world.get(id);
      return have === want ? [] : [{ message: `thing ${id} is ${have ?? 'missing'} but the state says ${want ?? 'nothing'}` }];
    },
  } as Step<StepId>;
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
} = {}): EngineHarness {
  const dir = opts.dir ?? tmpDir();
  const file = path.join(dir, 'okta-aws-sso.state.json');
  const answers = new AnswerSource({ flags: opts.flags ?? {}, env: opts.env ?? {}, saved: opts.state?.inputs ?? {} });
  const output = new MemoryOutput();
  const io = new BaseIo({ answers, output, ...(opts.prompter ? { prompter: opts.prompter } : {}), yes: opts.yes ?? false });
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
