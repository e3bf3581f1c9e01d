#!/usr/bin/env node
/**
 * The poll-cadence trade-off of bench profile 2, simulated (docs/performance.md, "Profile 2: the
 * lower bound of requests per account"). Not part of the build or the tests.
 *
 * The model is the bench's profile 2 as the sandbox serves it: N = 200 creations, each taking a
 * random latency uniform in 0.5-6 s, at most 10 outstanding, every request (creations and status
 * listings alike) spaced 1/20 s apart (the engine's pacer, 50.5 ms), 3 ms round trip. A creation's
 * slot is free again only once a status listing has shown it gone (nothing else tells a client a
 * creation finished). The run costs N creations, one existence page at the start, the status
 * listings, and the end: one FAILED page and ceil(N / 100) confirmation pages. floor = N x (mean
 * of the latencies drawn) / 10.
 *
 * Policies (the cadence while creations wait for a slot; once every creation is sent, the same
 * rule runs until the last one is seen gone):
 *   every     list every D ms (the engine before: D about 0.075 x mean latency)
 *   hazard    knows the latency distribution (more than a learning engine can know): list when the
 *             expected slot-seconds lost since the last listing (the creations likely finished but
 *             not yet seen, integrated over time) reach C ms
 *   clairvoyant  knows when every creation will finish (no client can): lists at the instant of a
 *             completion when the next completion is more than G ms away or M completions are
 *             waiting. A lower envelope for every real policy.
 *   optimal   the clairvoyant bound computed exactly: for the completion times of a run without
 *             listing delays, the fewest listings (dynamic programming over the batches) whose
 *             total detection delay keeps the run within the target ratio.
 *
 *   node scripts/poll-frontier.mjs [--seeds 40] [--n 200] [--target 1.15]
 */

const args = process.argv.slice(2);
const opt = (k, d) => {
  const i = args.indexOf(k);
  return i >= 0 ? Number(args[i + 1]) : d;
};
const SEEDS = opt('--seeds', 40);
const N = opt('--n', 200);
const TARGET = opt('--target', 1.15);
const SLOTS = 10;
const SPACING = 50.5;
const RTT = 3;
const LMIN = 500;
const LMAX = 6000;

function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** P(latency <= x) for the uniform 0.5-6 s distribution. */
const cdf = (x) => (x <= LMIN ? 0 : x >= LMAX ? 1 : (x - LMIN) / (LMAX - LMIN));

/**
 * One run. `policy(ctx)` returns the time of the next listing (>= ctx.now) or undefined to wait for
 * the next event; ctx: { now, lastPoll, ops (engine view: outstanding creations with sentAt, ackAt, lo, end (clairvoyant only)), sentAll }.
 */
function run(seed, policy, failedEvery = Infinity) {
  const r = rng(seed);
  const lat = Array.from({ length: N }, () => LMIN + r() * (LMAX - LMIN));
  const mean = lat.reduce((s, x) => s + x, 0) / N;
  let pacer = 0;
  const slot = (t) => {
    const at = Math.max(t, pacer);
    pacer = at + SPACING;
    return at;
  };
  let requests = 0;
  let polls = 0;
  let now = slot(0) + RTT; // existence page
  requests++;
  let cursor = 0;
  const outstanding = []; // engine view
  let lastPoll = now;
  let lastFailed = now;
  let idleWait = 0;
  for (;;) {
    if (now - lastFailed >= failedEvery) {
      // A FAILED page (the results seen so far), at the confirmation cadence.
      now = slot(now) + RTT;
      lastFailed = now;
      requests++;
    }
    // Refill every slot the engine knows free.
    while (cursor < N && outstanding.length < SLOTS) {
      const sentAt = slot(now);
      requests++;
      outstanding.push({ sentAt, ackAt: sentAt + RTT, lo: 0, end: sentAt + lat[cursor] });
      cursor++;
    }
    if (outstanding.length === 0) break;
    const sentAll = cursor >= N;
    const at = policy({ now, lastPoll, ops: outstanding, sentAll, slot: SLOTS, done: N - cursor < 0 ? 0 : cursor - outstanding.length });
    const ps = slot(Math.max(now, at));
    requests++;
    polls++;
    now = ps + RTT;
    lastPoll = ps;
    for (let i = outstanding.length - 1; i >= 0; i--) {
      const op = outstanding[i];
      if (op.ackAt > ps) continue;
      if (op.end <= ps) {
        idleWait += ps - op.end;
        outstanding.splice(i, 1);
      } else op.lo = ps - op.ackAt;
    }
  }
  // The end: one FAILED page and the confirmation pages.
  for (let i = 0; i < 1 + Math.ceil(N / 100); i++) {
    now = slot(now) + RTT;
    requests++;
  }
  const floor = (N * mean) / SLOTS;
  return { ratio: now / floor, perAccount: requests / N, polls, idleWait };
}

// ------------------------------------------------------------------ policies
const every = (d) => (c) => c.lastPoll + d;

/**
 * What the engine does: it learns nothing but what the listings show. The mean latency is
 * estimated as the time on test (the summed ages of the creations seen so far, finished ones at
 * their bracket's middle, running ones at their age) over the number finished; the gap between
 * listings is k expected completions, k x mean / 10 (at least 2 / 20 s); before the first
 * completion, a backoff from 100 ms.
 */
const engine = (k) => {
  let finishedAge = 0;
  let finished = 0;
  let empty = 0;
  const seen = new Set();
  let known = new Set();
  return (c) => {
    // What left since the previous decision (the engine sees it at the listing).
    const ids = new Set(c.ops);
    let moved = 0;
    for (const op of known) {
      if (!ids.has(op)) {
        finished++;
        moved++;
        finishedAge += (op.lo + (c.lastPoll - op.sentAt)) / 2;
      }
    }
    known = ids;
    for (const op of c.ops) seen.add(op);
    empty = moved > 0 ? 0 : empty + 1;
    if (finished === 0) return c.lastPoll + Math.min(5000, 100 * 1.5 ** empty);
    let running = 0;
    for (const op of c.ops) running += Math.max(0, c.lastPoll - op.ackAt);
    const mean = (finishedAge + running) / finished;
    return c.lastPoll + Math.min(5000, Math.max(100, (k * mean) / SLOTS));
  };
};

/** Expected slot-ms lost to undetected completions since the last listing, integrated: list when it reaches cMs. */
const hazard = (cMs) => (c) => {
  const step = 10;
  let acc = 0;
  for (let t = c.lastPoll; ; t += step) {
    let expDone = 0;
    for (const op of c.ops) {
      // Known alive at age lo (its last listing), or at 0 when sent after the last listing.
      const aliveAt = op.ackAt > c.lastPoll ? 0 : op.lo;
      const s0 = 1 - cdf(aliveAt);
      const a = t - op.ackAt;
      if (a <= aliveAt || s0 <= 0) continue;
      expDone += (cdf(a) - cdf(aliveAt)) / s0;
    }
    acc += expDone * step;
    if (acc >= cMs && t >= c.now) return t;
    if (t - c.lastPoll > 60_000) return t;
  }
};

/** Knows every completion time: lists at a completion when the next is more than gMs away or m are waiting. */
const clairvoyant = (gMs, m) => (c) => {
  const ends = c.ops.map((o) => o.end).sort((x, y) => x - y);
  let waiting = 0;
  for (let i = 0; i < ends.length; i++) {
    if (ends[i] <= c.lastPoll) {
      waiting++;
      continue;
    }
    waiting++;
    const next = ends[i + 1];
    if (waiting >= m || next === undefined || next - ends[i] > gMs) return Math.max(c.now, ends[i]);
  }
  return c.now;
};

/**
 * The exact clairvoyant bound on one run: the completion times of a run without listing delay
 * (every slot refilled the moment its creation ends, at the pacer's spacing), then the fewest
 * batches whose summed detection delay D keeps (makespan + D / 10) / floor within the target.
 */
function optimal(seed) {
  // A run with zero detection delay.
  const zero = run(seed, (c) => Math.max(c.now, Math.min(...c.ops.map((o) => o.end))));
  const r = rng(seed);
  const lat = Array.from({ length: N }, () => LMIN + r() * (LMAX - LMIN));
  const mean = lat.reduce((s, x) => s + x, 0) / N;
  const floor = (N * mean) / SLOTS;
  // Replay to get the completion times (same policy, recording them).
  const ends = [];
  run(seed, (c) => {
    const t = Math.max(c.now, Math.min(...c.ops.map((o) => o.end)));
    for (const o of c.ops) if (o.end <= t && !o.rec) {
      o.rec = true;
      ends.push(o.end);
    }
    return t;
  });
  ends.sort((a, b) => a - b);
  const budget = (TARGET * floor - zero.ratio * floor) * SLOTS; // slot-ms of delay allowed
  // dp[b][j]: least delay covering the first j completions with b batches (the last batch ends at j).
  const n = ends.length;
  const pre = [0];
  for (const e of ends) pre.push(pre[pre.length - 1] + e);
  const cost = (i, j) => (j - i) * ends[j - 1] - (pre[j] - pre[i]); // batch of completions i..j-1, listed at ends[j-1]
  let prev = new Float64Array(n + 1).fill(Infinity);
  prev[0] = 0;
  for (let b = 1; b <= n; b++) {
    const cur = new Float64Array(n + 1).fill(Infinity);
    for (let j = 1; j <= n; j++) {
      let best = Infinity;
      for (let i = Math.max(0, j - 60); i < j; i++) {
        const v = prev[i] + cost(i, j);
        if (v < best) best = v;
      }
      cur[j] = best;
    }
    if (cur[n] <= budget) {
      // b listings; the zero-delay run's own fixed requests (existence page, end pages) are counted as in run().
      return { batches: b, perAccount: (N + 1 + b + 1 + Math.ceil(N / 100)) / N, zeroRatio: zero.ratio };
    }
    prev = cur;
  }
  return { batches: n, perAccount: NaN, zeroRatio: zero.ratio };
}

function sweep(name, make, params, failedEvery = Infinity) {
  const rows = [];
  for (const p of params) {
    let ratio = 0;
    let per = 0;
    let worst = 0;
    for (let s = 1; s <= SEEDS; s++) {
      const x = run(s, make(...p), failedEvery);
      ratio += x.ratio / SEEDS;
      per += x.perAccount / SEEDS;
      worst = Math.max(worst, x.ratio);
    }
    rows.push({ name, p: p.join(','), ratio, worst, per });
  }
  return rows;
}

const out = [];
const range = (a, b, d) => Array.from({ length: Math.round((b - a) / d) + 1 }, (_, i) => [a + i * d]);
out.push(...sweep('every', every, [[150], [200], [250], [300], ...range(350, 600, 25), [700], [800], [1000]]));
out.push(...sweep('hazard', hazard, [[20], [50], [100], [150], ...range(200, 400, 25), [500]]));
out.push(...sweep('engine/5s', engine, [[0.75], [1], [1.25], [1.5], [1.75], [2]], 5000));
out.push(...sweep('engine/10s', engine, [[0.6], [0.75], [0.8], [0.85], [0.9], [1], [1.25], [1.5], [1.75], [2]], 10_000));
const cv = [];
for (const g of [100, 200, 300, 400, 500, 700]) for (const m of [2, 3, 4, 5, 6, 8]) cv.push([g, m]);
out.push(...sweep('clairvoyant', clairvoyant, cv));

console.log(`N = ${N}, ${SEEDS} seeds, latency uniform ${LMIN}-${LMAX} ms, ${SLOTS} outstanding, ${(1000 / SPACING).toFixed(1)} requests/s; target ${TARGET}x`);
console.log('policy       param        mean ratio  worst ratio  requests/account');
for (const r of out) console.log(`${r.name.padEnd(12)} ${r.p.padEnd(12)} ${r.ratio.toFixed(3).padStart(10)}  ${r.worst.toFixed(3).padStart(11)}  ${r.per.toFixed(3).padStart(16)}`);
console.log('');
for (const name of ['every', 'hazard', 'engine/5s', 'engine/10s', 'clairvoyant']) {
  const rows = out.filter((r) => r.name === name);
  const ok = rows.filter((r) => r.ratio <= TARGET).sort((a, b) => a.per - b.per)[0];
  // The lower envelope, interpolated at exactly the target.
  const env = rows.sort((a, b) => a.ratio - b.ratio).filter((r, i, all) => all.slice(0, i).every((q) => q.per > r.per));
  const hi = env.find((r) => r.ratio >= TARGET);
  const lo = [...env].reverse().find((r) => r.ratio <= TARGET);
  const at = hi && lo && hi !== lo ? lo.per + ((hi.per - lo.per) * (TARGET - lo.ratio)) / (hi.ratio - lo.ratio) : undefined;
  console.log(
    `${name}: fewest requests/account with a mean ratio <= ${TARGET}: ${ok ? `${ok.per.toFixed(3)} (${ok.p}; mean ${ok.ratio.toFixed(3)}x, worst ${ok.worst.toFixed(3)}x)` : 'none in the sweep'}` +
      (at !== undefined ? `; envelope at ${TARGET}x: ${at.toFixed(3)}` : ''),
  );
}
let per = 0;
let zr = 0;
for (let s = 1; s <= SEEDS; s++) {
  const o = optimal(s);
  per += o.perAccount / SEEDS;
  zr += o.zeroRatio / SEEDS;
}
console.log(`optimal (clairvoyant, exact per run): ${per.toFixed(3)} requests/account at ${TARGET}x; a run with zero detection delay (and a listing per completion) is ${zr.toFixed(3)}x the floor`);
