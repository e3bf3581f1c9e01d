import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LONG_FILES, orderFiles } from './long-files.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe('the long test files started first (test/suite/long-files.ts)', () => {
  it('names only existing test files of the suite, each with a positive weight', () => {
    for (const [file, secs] of Object.entries(LONG_FILES)) {
      expect(fs.existsSync(path.join(root, file)), `${file} is named in test/suite/long-files.ts but does not exist`).toBe(true);
      expect(file).toMatch(/^test\/.+\.test\.ts$/);
      expect(secs).toBeGreaterThan(0);
    }
  });

  it('orders the listed files longest first, then the others in their given order', () => {
    const files = ['test/a.test.ts', 'test/e2e/day-two.test.ts', 'test/b.test.ts', 'test/e2e/access.test.ts', 'test/package/pack.test.ts'];
    expect(orderFiles(files, (f) => f)).toEqual([
      'test/e2e/access.test.ts',
      'test/package/pack.test.ts',
      'test/e2e/day-two.test.ts',
      'test/a.test.ts',
      'test/b.test.ts',
    ]);
  });
});
