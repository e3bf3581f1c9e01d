#!/usr/bin/env node
/**
 * Measures runs of `init --sandbox --yes` under injected faults (not part of `npm test`; figures in
 * docs/performance.md, "Under faults"). Needs dist/ (npm run build).
 *
 *   node scripts/measure-faults.mjs --runs 10 --faults '{"errorRate":0.1,"throttleRate":0.1,"dropRate":0.02}' \
 *        --services okta,aws,scim --window 2
 *   node scripts/measure-faults.mjs --runs 3                       # fault-free baseline
 *   node scripts/measure-faults.mjs --runs 1 --faults '{"errorRate":1}' --services scim
 *
 * Each run gets a fresh sandbox; prints one line per run (exit code, seconds, faults injected, the
 * first error line), where its time went (the longest pauses of the request log, and the time spent
 * waiting to retry after each kind of fault) and a summary. --window sets the sandbox's Okta rate-limit
 * window (seconds). --baseline N adds N fault-free runs spread among them (same machine load), and the
 * summary gives each fault run's time as a ratio to their median (the target is at most 3x). The load
 * average is printed at the start and the end (the machine may be shared).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'bin/okta-aws-sso.js');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const runs = Number(opt('runs', '1'));
const faults = opt('faults');
const services = (opt('services', 'okta,aws,scim') ?? '').split(',').filter(Boolean);
const windowSeconds = opt('window');
const baselineRuns = Number(opt('baseline', '0'));

const load = () => os.loadavg().map((x) => x.toFixed(2)).join(' ');

/**
 * Where a run's time went, from its request log: per fault kind (service:fault), the time from the
 * faulted request to the next request of the same operation (the retry's wait, or the re-trigger of
 * Okta's provisioning); and the three longest pauses between any two requests.
 */
function timeGoes(log) {
  const t = (e) => Date.parse(e.ts);
  const waits = {};
  log.forEach((e, i) => {
    if (!e.fault) return;
    const next = log.slice(i + 1).find((x) => x.service === e.service && x.operation === e.operation);
    if (!next) return;
    const k = `${e.service}:${e.fault}`;
    waits[k] = (waits[k] ?? 0) + (t(next) - t(e) - (e.ms ?? 0)) / 1000;
  });
  const gaps = [];
  for (let i = 1; i < log.length; i++) gaps.push({ s: (t(log[i]) - t(log[i - 1]) - (log[i - 1].ms ?? 0)) / 1000, before: log[i - 1], after: log[i] });
  gaps.sort((a, b) => b.s - a.s);
  const fmt = (e) => `${e.service} ${e.operation}${e.fault ? ` [${e.fault}]` : ''}`;
  return {
    waits: Object.fromEntries(Object.entries(waits).map(([k, v]) => [k, Number(v.toFixed(1))])),
    pauses: gaps.slice(0, 3).map((g) => `${g.s.toFixed(1)} s after ${fmt(g.before)} -> ${fmt(g.after)}`),
  };
}

const env = {};
for (const [k, v] of Object.entries(process.env)) if (!/^(AWS_|OKTA_|SCIM_|CI$|NO_COLOR$|FORCE_COLOR$)/.test(k)) env[k] = v;
const cli = (argv, cwd) => spawnSync(process.execPath, [BIN, ...argv], { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
const admin = async (info, route, body) => {
  const res = await fetch(`${info.adminUrl}/${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (res.status !== 200) throw new Error(`admin ${route}: ${res.status} ${await res.text()}`);
};

console.log(`load average at start: ${load()}`);
const results = [];
const baseline = [];
// The fault-free runs are spread among the fault runs (first, then evenly), so that both meet the same load.
const schedule = [];
for (let i = 1; i <= runs; i++) schedule.push(i);
for (let b = 0; b < baselineRuns; b++) schedule.splice(Math.round((b * (schedule.length + 1)) / baselineRuns), 0, 0);
for (const i of schedule) {
  const isBaseline = i === 0;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oas-measure-'));
  const sb = path.join(dir, 'sb');
  try {
    const start = cli(['sandbox', 'start', '--dir', sb], dir);
    if (start.status !== 0) throw new Error(`sandbox start failed: ${start.stderr}`);
    const info = JSON.parse(fs.readFileSync(path.join(sb, 'sandbox.json'), 'utf8'));
    if (windowSeconds) await admin(info, 'options', { okta: { rateLimitWindowSeconds: Number(windowSeconds) } });
    if (faults && !isBaseline) await admin(info, 'faults', Object.fromEntries(services.map((s) => [s, JSON.parse(faults)])));
    const t0 = Date.now();
    const r = cli(['init', '--sandbox', '--yes', '--sandbox-dir', sb], dir);
    const secs = (Date.now() - t0) / 1000;
    const log = fs.readFileSync(path.join(sb, 'requests.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
    const injected = {};
    for (const e of log) if (e.fault) injected[`${e.service}:${e.fault}`] = (injected[`${e.service}:${e.fault}`] ?? 0) + 1;
    const err = (r.stderr + r.stdout).split('\n').find((l) => /^Error:/.test(l.trim())) ?? '';
    if (isBaseline) {
      baseline.push(secs);
      console.log(`baseline ${baseline.length}: exit ${r.status} in ${secs.toFixed(1)} s, ${log.length} requests${err ? `; ${err.trim()}` : ''}`);
      continue;
    }
    results.push({ run: i, code: r.status, secs, requests: log.length, injected, err: err.trim() });
    console.log(`run ${i}: exit ${r.status} in ${secs.toFixed(1)} s, ${log.length} requests, faults ${JSON.stringify(injected)}${err ? `; ${err.trim()}` : ''}`);
    const goes = timeGoes(log);
    console.log(`  waits after faults (s): ${JSON.stringify(goes.waits)}; longest pauses: ${goes.pauses.join('; ')}`);
    if (r.status !== 0 && process.env.MEASURE_KEEP) console.log(r.stdout + r.stderr);
  } finally {
    cli(['sandbox', 'stop', '--dir', sb], dir);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
const ok = results.filter((r) => r.code === 0);
const times = results.map((r) => r.secs).sort((a, b) => a - b);
console.log(`\n${ok.length}/${results.length} finished the first time; run times min ${times[0]?.toFixed(1)} s, median ${times[Math.floor(times.length / 2)]?.toFixed(1)} s, max ${times.at(-1)?.toFixed(1)} s`);
if (baseline.length > 0) {
  const b = [...baseline].sort((x, y) => x - y)[Math.floor(baseline.length / 2)];
  console.log(`fault-free median ${b.toFixed(1)} s (${baseline.length} runs); ratio median ${(times[Math.floor(times.length / 2)] / b).toFixed(2)}x, max ${(times.at(-1) / b).toFixed(2)}x`);
}
console.log(`load average at end: ${load()}`);
