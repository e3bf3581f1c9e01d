/**
 * Per-step progress saves (ctx.progress.save): coalesced and atomic. At most one write is in flight;
 * every value saved meanwhile is carried by the next write, which starts no sooner than
 *
 *   max(MIN_GAP_MS, 10 x the last write's duration, the time since the first write / 20)
 *
 * after the previous one ended. A write costs O(records) (the whole file), so writing at every
 * record would cost O(N^2) over a long run. The second term keeps writing to about a tenth of the
 * run whatever a write costs; the third makes the gaps grow with the run, so that the number of
 * writes grows with the logarithm of the run's length and the bytes written stay within about
 * 21 x the final file (the sizes grow geometrically), i.e. linear in N. A fixed gap, or one set by
 * the write's duration alone (dominated by fsync, not by the size, on a real disk), writes O(N^2)
 * bytes. At most the last 5 % of the run's results are unsaved at any time (a resumed run finds
 * them again in its bulk listing). The promise of save(v) resolves once a write holding v (or a
 * later value) is on disk.
 *
 * save(v, { flush: true }) (the end of a step, or its failure) does not wait out the gap: it is
 * written as soon as the write in flight, if any, has ended. Without it the step's last save
 * would wait for nothing.
 */
import type { StepProgressStore } from '../steps/contract.js';

const MIN_GAP_MS = 250;
/** The gap is at least the time since the first write over this. */
const GROWTH = 20;

export function coalescedProgress<T = unknown>(load: () => T | undefined, write: (value: T) => Promise<void>): StepProgressStore<T> & { writes(): number } {
  let latest: T | undefined;
  let queued = false;
  let flushing = false;
  /** Ends the gap the queued write is waiting out (set while it waits). */
  let skipGap: (() => void) | undefined;
  let chain: Promise<void> = Promise.resolve();
  let lastEnd = 0;
  let lastCost = 0;
  let firstAt = 0;
  let writes = 0;
  return {
    load,
    writes: () => writes,
    save(value: T, opts?: { flush?: boolean }): Promise<void> {
      latest = value;
      if (opts?.flush) {
        flushing = true;
        skipGap?.();
      }
      if (queued) return chain;
      queued = true;
      chain = chain
        .catch(() => undefined)
        .then(async () => {
          const now = Date.now();
          const wait = Math.max(MIN_GAP_MS, 10 * lastCost, (now - firstAt) / GROWTH) - (now - lastEnd);
          if (!flushing && wait > 0 && lastEnd > 0) {
            await new Promise<void>((resolve) => {
              const timer = setTimeout(resolve, wait);
              skipGap = () => {
                clearTimeout(timer);
                resolve();
              };
            });
          }
          skipGap = undefined;
          flushing = false;
          queued = false;
          const t0 = Date.now();
          if (firstAt === 0) firstAt = t0;
          try {
            writes++;
            await write(latest as T);
          } finally {
            lastEnd = Date.now();
            lastCost = lastEnd - t0;
          }
        });
      return chain;
    },
  };
}
