/**
 * `npm run bench`, start-up section: how long the CLI takes to answer `--version`, `--help` and
 * `status` compared with a bare `node -e 0`, as a ratio of medians (wall time, runs interleaved so
 * that a change of machine load hits every command alike). Targets: --help and --version within
 * 2.0x, status within 2.5x of `node -e 0`.
 *
 *   node dist/bench/startup.js [--runs 21] [--json]
 *
 * The targets are checked on the wall-time ratio. On Linux the CPU time of each run (user + system,
 * from /proc) is shown too: on a loaded machine the wall times stretch, the CPU times hardly do.
 *
 * `status` is measured twice: in a folder without a state file, and on a state file (written here
 * with the wizard's own StateStore), which status must read and validate. A last row, without a
 * target, runs the same `status` through dist/cli/main.js, the CLI without the binary's start-up
 * bundle (scripts/bundle-cli.mjs), to show what the bundle saves under the same load.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { StateStore, newState } from '../engine/state.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = path.join(ROOT, 'bin/okta-aws-sso.js');
/** The CLI without the binary's start-up paths (no quick --help/--version, no bundle): shown for comparison. */
const UNBUNDLED = path.join(ROOT, 'dist/cli/main.js');

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

/** CPU time (user + system, ms) of this process's waited-for children, from /proc (Linux), else undefined. */
function childrenCpuMs(): number | undefined {
  try {
    // Fields after the command name: cutime and cstime are the 14th and 15th (clock ticks, 100 Hz).
    const stat = fs.readFileSync('/proc/self/stat', 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[13]) + Number(f[14])) * 10;
  } catch {
    return undefined;
  }
}

/** Wall time and (on Linux) CPU time of one run, in ms. CPU time hardly changes with machine load. */
function time(args: string[], cwd: string, env: NodeJS.ProcessEnv): { wall: number; cpu?: number } {
  const c0 = childrenCpuMs();
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { cwd, env, stdio: 'ignore' });
  const wall = Number(process.hrtime.bigint() - t) / 1e6;
  const c1 = childrenCpuMs();
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited with ${r.status}`);
  return c0 === undefined || c1 === undefined ? { wall } : { wall, cpu: c1 - c0 };
}

export interface StartupRow {
  name: string;
  medianMs: number;
  ratio: number;
  /** Median CPU time (user + system) and its ratio to `node -e 0`'s, on Linux. */
  cpuMs?: number;
  cpuRatio?: number;
  target?: number;
  ok?: boolean;
}

export async function benchStartup(runs: number): Promise<StartupRow[]> {
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
      { name: '  same, unbundled', args: [UNBUNDLED, 'status', '--state', stateFile] },
    ];
    const wall = new Map<string, number[]>(cases.map((c) => [c.name, []]));
    const cpu = new Map<string, number[]>(cases.map((c) => [c.name, []]));
    for (const c of cases) time(c.args, dir, env); // warm the file cache
    for (let i = 0; i < runs; i++) {
      for (const c of cases) {
        const t = time(c.args, dir, env);
        wall.get(c.name)!.push(t.wall);
        if (t.cpu !== undefined) cpu.get(c.name)!.push(t.cpu);
      }
    }
    const base = median(wall.get('node -e 0')!);
    const cpuBase = cpu.get('node -e 0')!.length ? median(cpu.get('node -e 0')!) : 0;
    const r2 = (x: number): number => Math.round(x * 100) / 100;
    return cases.map((c) => {
      const m = median(wall.get(c.name)!);
      const ratio = m / base;
      const cm = cpu.get(c.name)!.length ? median(cpu.get(c.name)!) : undefined;
      return {
        name: c.name,
        medianMs: Math.round(m),
        ratio: r2(ratio),
        ...(cm !== undefined && cpuBase > 0 ? { cpuMs: Math.round(cm), cpuRatio: r2(cm / cpuBase) } : {}),
        ...(c.target ? { target: c.target, ok: ratio <= c.target } : {}),
      };
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
      const cpuCol = r.cpuMs !== undefined ? `   cpu ${String(r.cpuMs).padStart(5)} ms  ${r.cpuRatio!.toFixed(2)}x` : '';
      console.log(`  ${r.name.padEnd(24)} wall ${String(r.medianMs).padStart(6)} ms  ${r.ratio.toFixed(2)}x${cpuCol}${verdict}`);
    }
  }
}
