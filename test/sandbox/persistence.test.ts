/**
 * The sandbox's state writer (src/sandbox/persistence.ts) at scale: saves coalesce instead of
 * queueing one snapshot per call (a 10,000-account run queued thousands of 8 MB snapshots and
 * stalled the sandbox for minutes after the last request).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { StateWriter, STATE_FILE } from '../../src/sandbox/persistence.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oas-persist-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('sandbox state writer', () => {
  it('a burst of saves takes one snapshot per write, at most one waiting behind the write in flight', async () => {
    let n = 0;
    let snapshots = 0;
    const w = new StateWriter(path.join(dir, STATE_FILE), () => {
      snapshots++;
      return { options: {}, okta: {}, aws: { n } };
    });
    const all: Promise<void>[] = [];
    for (let i = 0; i < 200; i++) {
      n = i;
      all.push(w.saveNow());
    }
    await Promise.all(all);
    expect(snapshots).toBe(1);
    // The one write carried the last value.
    expect(JSON.parse(fs.readFileSync(path.join(dir, STATE_FILE), 'utf8')).aws).toEqual({ n: 199 });

    // Saves arriving while a write is in flight: one more write, with the state as it is then.
    const first = w.saveNow();
    await new Promise((r) => setImmediate(r)); // the write has started (its snapshot is taken)
    n = 500;
    const more = Array.from({ length: 50 }, () => w.saveNow());
    n = 501;
    await Promise.all([first, ...more]);
    expect(snapshots).toBe(3);
    expect(JSON.parse(fs.readFileSync(path.join(dir, STATE_FILE), 'utf8')).aws).toEqual({ n: 501 });
    await w.close();
  });
});
