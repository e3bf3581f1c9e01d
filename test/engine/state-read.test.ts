/**
 * The zod-free state reader (src/engine/state-read.ts) is only ever stricter than the zod schema:
 * whatever it accepts as is, the schema accepts unchanged; everything else goes to the schema, which
 * decides and words the error. Checked on a state with every optional field, and on every way of
 * breaking each of its fields (wrong type, null, removed, an extra key, a bad date).
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { isWellFormedState } from '../../src/engine/state-read.js';
import { parseState, readState, stateSchema, type WizardState } from '../../src/engine/state.js';
import { ROOT } from '../helpers/cli.js';
import { tmpDir } from './fixtures.js';

const T = '2026-12-02T05:36:18.123Z';
function richState(): WizardState {
  return {
    schemaVersion: 1,
    toolVersion: '0.1.0',
    createdAt: T,
    updatedAt: T,
    run: { sandbox: { dir: '/tmp/x/.okta-aws-sso/sandbox' }, yes: true },
    inputs: { 'okta-org-url': 'https://example.okta.com', 'push-groups': ['a', 'b'], yes: true, count: 3 },
    steps: {
      preflight: { status: 'done', startedAt: T, finishedAt: T, outputs: { accountId: '123456789012', nested: { a: [1, 2] } }, note: 'ok' },
      'okta-app': {
        status: 'failed',
        startedAt: T,
        error: { message: 'boom', code: 'X', hint: 'do this', at: T },
        progress: { done: ['1'], at: 4 },
        applied: [
          { op: 'create', resource: { kind: 'okta-app', id: '0oa1', name: 'App' }, summary: 'create the app', risk: 'additive', scale: { count: 1, unit: 'app' }, writes: [{ service: 'okta', operation: 'POST /api/v1/apps', count: 1 }] },
          { op: 'console', resource: { kind: 'console' }, summary: 'do it', risk: 'org-wide' },
        ],
        attempts: [
          { startedAt: T, finishedAt: T, outcome: 'waiting-for-console', applied: [{ op: 'create', resource: { kind: 'okta-group', name: 'g' }, summary: 'create g', risk: 'additive', writes: [{ service: 'okta', operation: 'createGroup', count: 1 }] }] },
          { startedAt: T, finishedAt: T, outcome: 'failed' },
        ],
      },
      'upload-idp-metadata': {
        status: 'waiting-for-console',
        pendingConsoleAction: { id: 'upload-idp-metadata', title: 'Upload', where: 'AWS console', instructions: ['1', '2'], values: [{ label: 'File', value: 'idp.xml' }], optional: true },
      },
      groups: { status: 'skipped', note: 'none' },
      verify: { status: 'pending' },
    },
  } as WizardState;
}

/** Every (path, container) in a JSON value. */
function* slots(v: unknown, at: (string | number)[] = []): Generator<(string | number)[]> {
  if (Array.isArray(v)) for (let i = 0; i < v.length; i++) { yield [...at, i]; yield* slots(v[i], [...at, i]); }
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) { yield [...at, k]; yield* slots(x, [...at, k]); }
}

function mutate(base: WizardState, p: (string | number)[], how: (parent: Record<string | number, unknown>, key: string | number) => void): unknown {
  const copy = structuredClone(base) as unknown as Record<string | number, unknown>;
  let parent = copy;
  for (const k of p.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>;
  how(parent, p[p.length - 1]!);
  return copy;
}

describe('the zod-free state reader', () => {
  it('accepts a state exactly as written, and the schema accepts it unchanged', () => {
    const s = richState();
    expect(isWellFormedState(s)).toBe(true);
    const parsed = stateSchema.safeParse(s);
    expect(parsed.success).toBe(true);
    expect(parsed.data).toEqual(s);
  });

  it('is never less strict than the schema: every broken field is refused here or accepted unchanged by both', () => {
    const base = richState();
    const values: unknown[] = [null, 0, 1.5, '', 'x', true, [], {}, ['x'], [1], { extra: 1 }, '2026-13-01T00:00:00.000Z', '2026-02-30T00:00:00.000Z', '2026-12-02T05:36:18Z', '2026-12-02 05:36:18'];
    let refused = 0;
    let cases = 0;
    for (const p of slots(base)) {
      const variants = [
        ...values.map((x) => mutate(base, p, (o, k) => (o[k] = x))),
        mutate(base, p, (o, k) => (Array.isArray(o) ? o.splice(Number(k), 1) : delete o[k])),
        mutate(base, p, (o, k) => {
          const v = o[k];
          if (v !== null && typeof v === 'object' && !Array.isArray(v)) (v as Record<string, unknown>)['unexpected'] = 'x';
        }),
      ];
      for (const v of variants) {
        cases++;
        if (!isWellFormedState(v)) {
          refused++;
          continue;
        }
        const parsed = stateSchema.safeParse(v);
        expect(parsed.success, `${p.join('.')}: ${JSON.stringify(v).slice(0, 300)}`).toBe(true);
        expect(parsed.data, p.join('.')).toEqual(v);
      }
    }
    expect(cases).toBeGreaterThan(1000);
    expect(refused).toBeGreaterThan(cases / 2);
  });

  it('leaves the wording of a refusal to the schema (same message as before)', () => {
    const bad = { ...richState(), steps: { preflight: { status: 'finished' } } };
    expect(() => parseState(JSON.stringify(bad), 'f.json')).toThrow(/The state file f\.json has unexpected content: steps\.preflight\.status: /);
    // A date the schema accepts but the wizard does not write (an offset): the schema decides, and accepts.
    const offset = { ...richState(), createdAt: '2026-12-02T06:36:18+01:00' };
    expect(isWellFormedState(offset)).toBe(false);
    expect(parseState(JSON.stringify(offset), 'f.json').createdAt).toBe('2026-12-02T06:36:18+01:00');
  });

  it('status reads a well-formed state file without loading zod', async () => {
    const dir = tmpDir();
    const file = path.join(dir, 'okta-aws-sso.state.json');
    fs.writeFileSync(file, JSON.stringify(richState()), { mode: 0o600 });
    expect((await readState(file))?.steps['verify']?.status).toBe('pending');
    // The built CLI, with a loader hook that fails the run if zod is imported.
    const hook = `data:text/javascript,${encodeURIComponent("export async function resolve(s, c, n) { if (s === 'zod' || s.startsWith('zod/')) throw new Error('zod was loaded'); return n(s, c); }")}`;
    const register = `data:text/javascript,${encodeURIComponent(`import { register } from 'node:module'; register(${JSON.stringify(hook)});`)}`;
    const r = spawnSync(process.execPath, ['--import', register, path.join(ROOT, 'bin/okta-aws-sso.js'), 'status', '--state', file, '--json'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(r.status, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { steps: { id: string; status: string }[] }).steps.find((s) => s.id === 'preflight')?.status).toBe('done');
    // And the hook does catch zod: a state file the reader leaves to the schema.
    fs.writeFileSync(file, JSON.stringify({ ...richState(), createdAt: '2026-12-02T06:36:18+01:00' }), { mode: 0o600 });
    const z = spawnSync(process.execPath, ['--import', register, path.join(ROOT, 'bin/okta-aws-sso.js'), 'status', '--state', file, '--json'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(z.status).not.toBe(0);
    expect(z.stdout + z.stderr).toMatch(/zod was loaded/);
  });
});
