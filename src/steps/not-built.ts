import { NotBuiltError } from '../errors.js';
import type { Step } from './contract.js';
import type { StepId } from './outputs.js';

/** A registered step whose behaviour is not built yet: it says so and never reports success. */
export function notBuiltStep<K extends StepId>(id: K, title: string, kind: 'api' | 'console', needs: readonly StepId[]): Step<K> {
  return {
    id,
    title,
    kind,
    needs,
    async plan() {
      return [{ kind: 'pending', target: title, detail: 'not built yet in this version: the run will stop here' }];
    },
    async apply() {
      throw new NotBuiltError(id);
    },
    async check() {
      return [{ message: `${id} is not built yet, so its outputs cannot be checked` }];
    },
  };
}
