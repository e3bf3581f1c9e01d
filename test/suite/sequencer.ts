/**
 * The order `vitest run` starts test files in (vitest.config.ts `sequence.sequencer`): the long files
 * of test/suite/long-files.ts first, longest first, then the rest in Vitest's own order.
 */
import path from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { orderFiles } from './long-files.js';

export class LongFilesFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const root = this.ctx.config.root;
    return orderFiles(await super.sort(files), (f) => path.relative(root, f.moduleId).split(path.sep).join('/'));
  }
}
