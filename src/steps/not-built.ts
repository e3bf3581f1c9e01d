import { NotBuiltError } from '../errors.js';
import type { Step } from './contract.js';
import type { StepId } from '../core/outputs.js';

/** A registered step whose behaviour is not built yet: it says so and never reports success. */
export function notBuiltStep<K extends StepId>(id: K, title: string, kind: 'api' | 'console', needs: readonly StepId[]): Step<K, undefined, undefined> {
  return {
    id,
    title,
    kind,
    needs,
    async observe() {
      return undefined;
    },
    plan() {
      // What it would change cannot be said: no change; the note says why.
      return [];
    },
    notes() {
      return [`pending: ${title} is not built yet in this version: the run will stop here`];
    },
    async apply() {
      throw new NotBuiltError(id);
    },
  };
}
