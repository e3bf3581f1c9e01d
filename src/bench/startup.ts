/**
 * `npm run bench`, start-up section: how long the CLI takes to answer `--version`, `--help` and
 * `status` compared with a bare `node -e 0`, as a ratio of medians (wall time, runs interleaved so
 * that a change of machine load hits every command alike). Targets: --help and --version within
 * 2.0x, status within 2.5x of `node -e 0`.
 *
 *   node dist/bench/startup.js [--runs 21] [--json]
 *
 * `status` is measured twice: in a folder without a state file, and on a state file (written here
 * with the wizard's own StateStore), which status must read and validate.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { StateStore, newState } from '../engine/state.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = path.join(ROOT, 'bin/okta-aws-sso.js');

interface Case {
  name: string;
  args: string[];
  target?: number;
}

function parseArgs(argv: string[]): { runs: number; json: boolean } {
  let runs = 21;
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--runs') runs = Number(argv[++i]);
    else if (argv[i] === '--json') json = true;
    else {
      console.error(`Error: unknown argument ${argv[i]}\nWhat to do: node dist/bench/startup.js [--runs 21] [--json]`);
      process.exit(2);
    }
  }
  if (!Number.isInteger(runs) || runs < 1) {
    console.error('Error: --runs needs a positive integer\nWhat to do: e.g. --runs 21');
    process.exit(2);
  }
  return { runs, json };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function time(args: string[], cwd: string, env: NodeJS.ProcessEnv): number {
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { cwd, env, stdio: 'ignore' });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited with ${r.status}`);
  return ms;
}

export async function benchStartup(runs: number): Promise<{ name: string; medianMs: number; ratio: number; target?: number; ok?: boolean }[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oas-bench-startup-'));
  try {
    const stateFile = path.join(dir, 'with-state', 'okta-aws-sso.state.json');
    fs.mkdirSync(path.dirname(stateFile));
    await new StateStore(stateFile, newState('bench')).save();
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: dir, NO_COLOR: '1' };
    const cases: Case[] = [
      { name: 'node -e 0', args: ['-e', '0'] },
      { name: '--version', args: [BIN, '--version'], target: 2.0 },
      { name: '--help', args: [BIN, '--help'], target: 2.0 },
      { name: 'status (no state file)', args: [BIN, 'status', '--state', path.join(dir, 'none.state.json')], target: 2.5 },
      { name: 'status (a state file)', args: [BIN, 'status', '--state', stateFile], target: 2.5 },
    ];
    const samples = new Map<string, number[]>(cases.map((c) => [c.name, []]));
    for (const c of cases) time(c.args, dir, env); // warm the file cache
    for (let i = 0; i < runs; i++) for (const c of cases) samples.get(c.name)!.push(time(c.args, dir, env));
    const base = median(samples.get('node -e 0')!);
    return cases.map((c) => {
      const m = median(samples.get(c.name)!);
      const ratio = m / base;
      return { name: c.name, medianMs: Math.round(m), ratio: Math.round(ratio * 100) / 100, ...(c.target ? { target: c.target, ok: ratio <= c.target } : {}) };
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const { runs, json } = parseArgs(process.argv.slice(2));
  const rows = await benchStartup(runs);
  if (json) {
    console.log(JSON.stringify({ benchmark: 'startup', runs, node: process.version, cpus: os.cpus().length, loadavg: os.loadavg().map((x) => Math.round(x * 100) / 100), results: rows }, null, 2));
  } else {
    console.log(`\nStart-up (median of ${runs} runs each, interleaved; node ${process.version}, ${os.cpus().length} CPUs, load ${os.loadavg()[0]!.toFixed(2)})`);
    for (const r of rows) {
      const verdict = r.target === undefined ? '' : `  target <= ${r.target.toFixed(1)}x: ${r.ok ? 'met' : 'NOT met'}`;
      console.log(`  ${r.name.padEnd(24)} ${String(r.medianMs).padStart(6)} ms  ${r.ratio.toFixed(2)}x${verdict}`);
    }
  }
}
