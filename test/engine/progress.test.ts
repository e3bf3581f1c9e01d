import { describe, expect, it, vi } from 'vitest';
import { coalescedProgress } from '../../src/engine/progress.js';

describe('coalesced progress saves', () => {
  it('a burst of saves is one write of the last value; a save during a write is carried by one more write', async () => {
    const written: number[] = [];
    let release: (() => void) | undefined;
    const store = coalescedProgress<number>(
      () => written.at(-1),
      async (v) => {
        written.push(v);
        if (v === 1000) await new Promise<void>((r) => (release = r));
      },
    );
    const burst = Array.from({ length: 1000 }, (_, i) => store.save(i + 1));
    // The write of 1000 is in flight (held): these three are queued behind it, as one write.
    await new Promise((r) => setTimeout(r, 0));
    expect(written).toEqual([1000]);
    const more = [store.save(1001), store.save(1002), store.save(1003)];
    release!();
    await Promise.all([...burst, ...more]);
    expect(written).toEqual([1000, 1003]);
    expect(store.writes()).toBe(2);
    expect(store.load()).toBe(1003);
  });

  it('a failed write rejects its savers and does not block the next save', async () => {
    let fail = true;
    const written: string[] = [];
    const store = coalescedProgress<string>(
      () => undefined,
      async (v) => {
        if (fail) throw new Error('disk full');
        written.push(v);
      },
    );
    await expect(store.save('a')).rejects.toThrow('disk full');
    fail = false;
    await store.save('b');
    expect(written).toEqual(['b']);
  });
});

/** Runs fn on vitest's fake clock, always back on the real one after. */
async function onFakeClock(fn: () => Promise<void>): Promise<void> {
  vi.useFakeTimers();
  try {
    await fn();
  } finally {
    vi.useRealTimers();
  }
}

/** A coalesced store whose writes are recorded in order, each "taking" writeMs of the (fake) clock. */
function recordingStore(writeMs: number): { written: number[]; store: ReturnType<typeof coalescedProgress<number>> } {
  const written: number[] = [];
  const store = coalescedProgress<number>(
    () => written.at(-1),
    async (v) => {
      if (writeMs > 0) vi.setSystemTime(Date.now() + writeMs);
      written.push(v);
    },
  );
  return { written, store };
}

describe('flushed saves', () => {
  it('a flushed save does not wait out the gap after a slow write; a plain one does', async () => {
    await onFakeClock(async () => {
      // The write "takes" 2 s of the (fake) clock: the next plain save waits 10x that.
      const { written, store } = recordingStore(2000);
      await store.save(1);
      expect(written).toEqual([1]);
      let plainDone = false;
      const plain = store.save(2).then(() => (plainDone = true));
      await vi.advanceTimersByTimeAsync(1000);
      expect(plainDone).toBe(false); // waiting out the gap (20 s)
      expect(written).toEqual([1]);
      // A flush while it waits: written at once, with the latest value, by the same write.
      await store.save(3, { flush: true });
      expect(plainDone).toBe(true);
      expect(written).toEqual([1, 3]);
      // A flush with nothing waiting: no gap either.
      await store.save(4, { flush: true });
      expect(written).toEqual([1, 3, 4]);
      expect(store.writes()).toBe(3);
      await plain;
    });
  });
});

describe('the cost of saving a long run', () => {
  it('10,000 records at 20 a second (fake clock, instant writes): O(log) writes and O(N) values written, not O(N^2)', async () => {
    await onFakeClock(async () => {
      // A value's "size" is its number of records: what a write of the whole file costs.
      const { written, store } = recordingStore(0);
      for (let records = 1; records <= 10_000; records++) {
        void store.save(records);
        await vi.advanceTimersByTimeAsync(50);
      }
      await store.save(10_000, { flush: true });
      expect(written.at(-1)).toBe(10_000);
      const total = written.reduce((s, v) => s + v, 0);
      // A write every 250 ms would be 2,000 writes and 10^7 records written; the growing gap keeps
      // the total within about 21x the final file and the writes to a few per doubling of the run.
      expect(total).toBeLessThanOrEqual(25 * 10_000);
      expect(written.length).toBeLessThan(150);
      // And no result waits longer than 5 % of the run so far (plus the 250 ms floor) to be written.
      for (let i = 1; i < written.length - 1; i++) {
        const gapRecords = written[i + 1]! - written[i]!;
        expect(gapRecords).toBeLessThanOrEqual(Math.max(6, Math.ceil(written[i + 1]! / 20) + 2));
      }
    });
  });
});
