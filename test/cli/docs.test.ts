/** docs/cli.md stays in step with the answer catalog and the exit codes. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ANSWERS, type AnswerSpec } from '../../src/core/answers.js';
import { ExitCode } from '../../src/errors.js';
import { ROOT } from '../helpers/cli.js';

const doc = fs.readFileSync(path.join(ROOT, 'docs/cli.md'), 'utf8');
const table = doc.slice(doc.indexOf('<!-- answers:begin'), doc.indexOf('<!-- answers:end -->'));

describe('docs/cli.md', () => {
  it('lists every answer with its flag and environment variables (regenerate: node test/cli/fixtures/gen-answers-doc.mjs)', () => {
    for (const [key, spec] of Object.entries(ANSWERS) as [string, AnswerSpec][]) {
      const row = table.split('\n').find((l) => l.startsWith(`| \`${key}\` |`));
      expect(row, `answer "${key}" missing from docs/cli.md`).toBeTruthy();
      if (spec.flag) expect(row).toContain(spec.flag);
      if (spec.fileFlag) expect(row).toContain(spec.fileFlag);
      for (const env of spec.env ?? []) expect(row).toContain(`\`${env}\``);
    }
  });

  it('documents every exit code', () => {
    for (const code of Object.values(ExitCode)) expect(doc).toMatch(new RegExp(`^\\| ${code} \\|`, 'm'));
  });
});
