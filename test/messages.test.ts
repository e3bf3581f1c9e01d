/**
 * The message registry (src/messages.ts) is complete and documented: every error code raised in src/
 * (outside the separate sandbox program) is registered, docs/messages.md lists exactly the registered
 * codes with their level and exit code (regenerate: node test/fixtures/gen-messages-doc.mjs), and a
 * template fills its data.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MESSAGES, messageText, type MessageSpec } from '../src/messages.js';
import { ROOT } from './helpers/cli.js';

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return p.endsWith(`${path.sep}sandbox`) ? [] : sources(p);
    return p.endsWith('.ts') ? [p] : [];
  });
}

describe('the message registry', () => {
  it('has every code raised in src/', () => {
    const used = new Set<string>();
    for (const f of sources(path.join(ROOT, 'src'))) {
      for (const m of fs.readFileSync(f, 'utf8').matchAll(/code: '([A-Z0-9_]+)'/g)) used.add(m[1]!);
    }
    expect(used.size).toBeGreaterThan(50);
    const missing = [...used].filter((c) => !(c in MESSAGES));
    expect(missing, 'add these codes to src/messages.ts and regenerate docs/messages.md').toEqual([]);
  });

  it('docs/messages.md lists exactly the registered codes, with level and exit code', () => {
    const doc = fs.readFileSync(path.join(ROOT, 'docs/messages.md'), 'utf8');
    const rows = [...doc.matchAll(/^\| `([A-Z0-9_]+)` \| (\w+) \| ([\d-]+) \|/gm)].map((m) => [m[1], m[2], m[3]]);
    const expected = (Object.entries(MESSAGES) as [string, MessageSpec][]).map(([code, s]) => [code, s.level, s.exitCode === undefined ? '-' : String(s.exitCode)]);
    expect(rows.sort()).toEqual(expected.sort());
  });

  it('fills templates, and leaves a missing name visible', () => {
    expect(messageText('NO_STATE', { file: '/x/state.json', kind: 'resume' })).toBe('There is no state file at /x/state.json, so there is nothing to resume.');
    expect(messageText('STATUS_NEXT', {})).toContain('{stepId}');
  });
});
