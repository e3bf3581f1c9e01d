import { describe, expect, it } from 'vitest';
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
