/**
 * Builds the StepContext a step receives. The runner builds one per step with a state-backed
 * progress store; tests build one with createStepContext() and the real I/O binding.
 */
import { WizardError } from '../errors.js';
import type { Change, Io, SecretStore, Services, StepContext, StepProgressStore } from '../steps/contract.js';
import type { SecretKey } from '../core/answers.js';
import type { StepId, StepOutputs } from '../core/outputs.js';

export class MemorySecretStore implements SecretStore {
  private readonly values = new Map<SecretKey, string>();
  constructor(private readonly io?: Io) {}
  get(key: SecretKey): string | undefined {
    return this.values.get(key);
  }
  set(key: SecretKey, value: string): void {
    this.io?.registerSecret(value);
    this.values.set(key, value);
  }
}

export class MemoryProgressStore<T = unknown> implements StepProgressStore<T> {
  private value: T | undefined;
  constructor(initial?: T) {
    this.value = initial;
  }
  load(): T | undefined {
    return this.value;
  }
  async save(value: T): Promise<void> {
    this.value = structuredClone(value);
  }
}

/** A repair proposed where nothing may write (observe, plan, a dry run, a drift check): a bug. */
export function repairOutsideApply(change: Change): WizardError {
  return new WizardError(`A repair ("${change.summary}") was proposed outside a step's apply; nothing was sent.`, {
    code: 'REPAIR_OUTSIDE_APPLY',
    hint: 'This is a bug in okta-aws-sso: a step may propose a repair only while it applies. Please report it.',
  });
}

export interface ContextInit {
  io: Io;
  services: Services;
  secrets?: SecretStore;
  outputs?: Partial<StepOutputs>;
  progress?: StepProgressStore;
  dryRun?: boolean;
  signal?: AbortSignal;
  workDir?: string;
  now?: () => Date;
  /** How a repair is approved and recorded (the runner's, during apply). Absent: refused (not in apply). */
  repair?: StepContext['repair'];
}

export function createStepContext(init: ContextInit): StepContext {
  const outputs = init.outputs ?? {};
  return {
    io: init.io,
    services: init.services,
    secrets: init.secrets ?? new MemorySecretStore(init.io),
    outputs,
    need<K extends StepId>(id: K): StepOutputs[K] {
      const out = outputs[id];
      if (out === undefined) {
        throw new WizardError(`This step needs the result of "${id}", which has not run yet.`, {
          code: 'STEP_ORDER',
          hint: `Run the wizard from the start (okta-aws-sso init) so "${id}" runs first.`,
        });
      }
      return out as StepOutputs[K];
    },
    progress: init.progress ?? new MemoryProgressStore(),
    dryRun: init.dryRun ?? false,
    signal: init.signal ?? new AbortController().signal,
    workDir: init.workDir ?? process.cwd(),
    now: init.now ?? (() => new Date()),
    repair:
      init.repair ??
      (async (change) => {
        throw repairOutsideApply(change);
      }),
  };
}
