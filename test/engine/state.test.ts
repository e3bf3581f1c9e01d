import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { StateStore, newState, readState, STATE_SCHEMA_VERSION } from '../../src/engine/state.js';
import { acquireLock, lockPathFor, processStart, removeLeftovers } from '../../src/engine/lock.js';
import { ExitCode, UsageError } from '../../src/errors.js';
import { tmpDir } from './fixtures.js';
import type { IoMessage } from '../../src/messages.js';

async function loadError(file: string): Promise<UsageError> {
  try {
    await readState(file);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return e as UsageError;
  }
  throw new Error('expected readState to fail');
}

function validState(): Record<string, unknown> {
  return JSON.parse(JSON.stringify(newState('0.1.0'))) as Record<string, unknown>;
}

describe('state file loading', () => {
  it('a missing file is "no state yet"; a valid file round-trips', async () => {
    const dir = tmpDir();
    const file = path.join(dir, 's.json');
    expect(await readState(file)).toBeUndefined();
    const store = new StateStore(file, newState('0.1.0'));
    store.step('preflight').status = 'done';
    store.step('preflight').outputs = { aws: { accountId: '111122223333' } };
    await store.save();
    const back = await readState(file);
    expect(back?.schemaVersion).toBe(STATE_SCHEMA_VERSION);
    expect(back?.steps['preflight']).toEqual({ status: 'done', outputs: { aws: { accountId: '111122223333' } } });
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  const cases: [string, string, string, RegExp][] = [
    ['truncated', '{"schemaVersion": 1, "toolVersion": "0.1.0", "steps": {"pre', 'STATE_TRUNCATED', /truncated/],
    ['empty', '', 'STATE_TRUNCATED', /empty/],
    ['not JSON', 'schemaVersion: 1\nthis is yaml, not json\n', 'STATE_NOT_JSON', /not JSON/],
    ['a JSON array', '[1,2,3]', 'STATE_INVALID', /expected a JSON object/],
    [
      'wrong types',
      JSON.stringify({ ...validState(), steps: { preflight: { status: 'finished', startedAt: 12 } } }),
      'STATE_INVALID',
      /steps\.preflight\.status/,
    ],
    ['a bad date', JSON.stringify({ ...validState(), createdAt: 'yesterday' }), 'STATE_INVALID', /createdAt/],
    ['a newer schema version', JSON.stringify({ ...validState(), schemaVersion: 7, somethingNew: true }), 'STATE_NEWER_VERSION', /schema version 7.*newer okta-aws-sso/],
  ];
  for (const [name, content, code, pattern] of cases) {
    it(`a state file that is ${name} gives exit 2 naming the file and what to do, and stays intact`, async () => {
      const dir = tmpDir();
      const file = path.join(dir, 'okta-aws-sso.state.json');
      fs.writeFileSync(file, content);
      const err = await loadError(file);
      expect(err.exitCode).toBe(ExitCode.Usage);
      expect(err.code).toBe(code);
      expect(err.message).toContain(file);
      expect(err.message).toMatch(pattern);
      expect(err.hint).toBeTruthy();
      expect(fs.readFileSync(file, 'utf8')).toBe(content);
    });
  }

  it('an unreadable path (a directory) is a clear error', async () => {
    const dir = tmpDir();
    const err = await loadError(dir);
    expect(err.code).toBe('STATE_UNREADABLE');
    expect(err.message).toContain(dir);
  });

  it('writes atomically: no temporary file is left behind and an existing file is replaced whole', async () => {
    const dir = tmpDir();
    const file = path.join(dir, 'state.json');
    const store = new StateStore(file, newState('0.1.0'));
    for (let i = 0; i < 5; i++) {
      store.step('groups').progress = { i };
      await store.save();
    }
    expect(fs.readdirSync(dir)).toEqual(['state.json']);
    expect((await readState(file))?.steps['groups']?.progress).toEqual({ i: 4 });
  });

  it('refuses to write a registered secret and leaves the previous file as it was', async () => {
    const dir = tmpDir();
    const file = path.join(dir, 'state.json');
    const secret = 'super-secret-scim-token-value';
    const store = new StateStore(file, newState('0.1.0'), { redact: (t) => t.split(secret).join('****') });
    await store.save();
    const before = fs.readFileSync(file, 'utf8');
    store.step('scim-endpoint').outputs = { token: secret };
    await expect(store.save()).rejects.toMatchObject({ code: 'STATE_SECRET' });
    expect(fs.readFileSync(file, 'utf8')).toBe(before);
  });
});

describe('state lock', () => {
  it('a second holder is refused with exit 2 naming the holder; release frees it', async () => {
    const dir = tmpDir();
    const file = path.join(dir, 'state.json');
    const lock = await acquireLock(file);
    const info = JSON.parse(fs.readFileSync(lockPathFor(file), 'utf8')) as { pid: number; host: string; startedAt: string };
    expect(info).toMatchObject({ pid: process.pid, host: os.hostname() });
    expect(fs.statSync(lockPathFor(file)).mode & 0o777).toBe(0o600);
    const err = await acquireLock(file).then(
      () => undefined,
      (e: unknown) => e as UsageError,
    );
    expect(err?.exitCode).toBe(ExitCode.Usage);
    expect(err?.code).toBe('STATE_LOCKED');
    expect(err?.message).toContain(`process ${process.pid} on ${os.hostname()}`);
    expect(err?.hint).toMatch(/Wait for it to finish/);
    await lock.release();
    expect(fs.existsSync(lockPathFor(file))).toBe(false);
    const again = await acquireLock(file);
    await again.release();
  });

  it('a lock left by a dead process on this host is taken over with a warning', async () => {
    const dir = tmpDir();
    const file = path.join(dir, 'state.json');
    const dead = spawnSync(process.execPath, ['-e', 'process.exit(0)']);
    expect(dead.pid).toBeGreaterThan(0);
    fs.writeFileSync(lockPathFor(file), JSON.stringify({ pid: dead.pid, host: os.hostname(), startedAt: '2026-01-01T00:00:00.000Z' }));
    const warnings: IoMessage[] = [];
    const lock = await acquireLock(file, { warn: (m) => warnings.push(m) });
    expect(warnings).toEqual([expect.objectContaining({ code: 'STATE_LOCK_TAKEN_OVER', level: 'warn', data: expect.objectContaining({ pid: dead.pid, reused: '' }) })]);
    expect(JSON.parse(fs.readFileSync(lockPathFor(file), 'utf8'))).toMatchObject({ pid: process.pid });
    await lock.release();
  });

  it('three runs starting together on a stale lock: exactly one gets it', async () => {
    const dir = tmpDir();
    const file = path.join(dir, 'state.json');
    const dead = spawnSync(process.execPath, ['-e', 'process.exit(0)']);
    fs.writeFileSync(lockPathFor(file), JSON.stringify({ pid: dead.pid, host: os.hostname(), startedAt: '2026-01-01T00:00:00.000Z' }));
    const results = await Promise.allSettled([acquireLock(file), acquireLock(file), acquireLock(file)]);
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'STATE_LOCKED' });
    await (won[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof acquireLock>>>).value.release();
  });

  it('a lock held on another host is never taken over', async () => {
    const dir = tmpDir();
    const file = path.join(dir, 'state.json');
    fs.writeFileSync(lockPathFor(file), JSON.stringify({ pid: 1, host: 'build-agent-7', startedAt: '2026-01-01T00:00:00.000Z' }));
    await expect(acquireLock(file)).rejects.toMatchObject({ code: 'STATE_LOCKED', message: expect.stringContaining('build-agent-7') });
    expect(fs.existsSync(lockPathFor(file))).toBe(true);
  });

  it('an unreadable lock file is reported, not silently removed', async () => {
    const dir = tmpDir();
    const file = path.join(dir, 'state.json');
    fs.writeFileSync(lockPathFor(file), 'garbage');
    await expect(acquireLock(file)).rejects.toMatchObject({ code: 'STATE_LOCKED', hint: expect.stringContaining('delete') });
    expect(fs.readFileSync(lockPathFor(file), 'utf8')).toBe('garbage');
  });
});

describe('state lock edge cases', () => {
  it('a lock whose pid now belongs to another program (start time differs) is taken over', async () => {
    const dir = tmpDir();
    const file = path.join(dir, 'state.json');
    // process.ppid is alive, but it is not the run that wrote this lock: its start time differs.
    const reused = { pid: process.ppid, host: os.hostname(), startedAt: '2026-01-01T00:00:00.000Z', procStart: 'another-boot:1' };
    expect(processStart(process.ppid)).toBeDefined();
    fs.writeFileSync(lockPathFor(file), JSON.stringify(reused));
    const warnings: IoMessage[] = [];
    const lock = await acquireLock(file, { warn: (m) => warnings.push(m) });
    expect(warnings.map((w) => w.code)).toEqual(['STATE_LOCK_TAKEN_OVER']);
    expect(warnings[0]!.text).toMatch(/its pid now belongs to another program/);
    const info = JSON.parse(fs.readFileSync(lockPathFor(file), 'utf8')) as { pid: number; procStart?: string };
    expect(info.pid).toBe(process.pid);
    expect(info.procStart).toBe(processStart(process.pid));
    await lock.release();
  });

  it('a live holder with the same start time still blocks', async () => {
    const dir = tmpDir();
    const file = path.join(dir, 'state.json');
    fs.writeFileSync(lockPathFor(file), JSON.stringify({ pid: process.ppid, host: os.hostname(), startedAt: '2026-01-01T00:00:00.000Z', procStart: processStart(process.ppid) }));
    await expect(acquireLock(file)).rejects.toMatchObject({ code: 'STATE_LOCKED' });
  });

  it('a leftover takeover file of a dead run never blocks', async () => {
    const dir = tmpDir();
    const file = path.join(dir, 'state.json');
    const dead = spawnSync(process.execPath, ['-e', 'process.exit(0)']);
    fs.writeFileSync(lockPathFor(file), JSON.stringify({ pid: dead.pid, host: os.hostname(), startedAt: '2026-01-01T00:00:00.000Z' }));
    fs.writeFileSync(`${lockPathFor(file)}.takeover`, JSON.stringify({ pid: dead.pid }));
    const lock = await acquireLock(file);
    expect(fs.existsSync(`${lockPathFor(file)}.takeover`)).toBe(false);
    await lock.release();
  });

  it('temporary files left by a SIGKILL are removed by the next run; others are kept', async () => {
    const dir = tmpDir();
    const file = path.join(dir, 'state.json');
    const dead = spawnSync(process.execPath, ['-e', 'process.exit(0)']);
    const leftovers = [`${file}.3735928559`, `${lockPathFor(file)}.${dead.pid}.0123456789ab.tmp`];
    const kept = [`${file}.bak`, `${lockPathFor(file)}.${process.ppid}.0123456789ab.tmp`, path.join(dir, 'other.json.123')];
    for (const f of [...leftovers, ...kept]) fs.writeFileSync(f, 'x');
    const lock = await acquireLock(file);
    for (const f of leftovers) expect(fs.existsSync(f), f).toBe(false);
    for (const f of kept) expect(fs.existsSync(f), f).toBe(true);
    expect(await removeLeftovers(file)).toBe(0);
    await lock.release();
  });
});
