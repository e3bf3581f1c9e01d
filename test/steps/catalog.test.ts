import { describe, expect, it } from 'vitest';
import { STEP_CATALOG } from '../../src/steps/catalog.js';
import { STEPS } from '../../src/steps/index.js';

describe('step catalog (what status shows without loading the steps)', () => {
  it('lists exactly the steps of STEPS, in order, with the same title and kind', () => {
    expect(STEP_CATALOG.map((s) => ({ id: s.id, title: s.title, kind: s.kind }))).toEqual(STEPS.map((s) => ({ id: s.id, title: s.title, kind: s.kind })));
  });
});
