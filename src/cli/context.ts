/**
 * What every command gets: the process streams and environment (injectable for tests), the global
 * options, and the few decisions every command shares (where human output goes, is this run
 * interactive, where is the state file).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import type { Step } from '../steps/contract.js';
import type { StepId } from '../steps/outputs.js';
import { STEP_CATALOG, type StepInfo } from '../steps/catalog.js';
import type { IoMessage } from '../messages.js';
import { TerminalOutput, canDrawSpinner, colorLevel, isTTY } from './io/terminal.js';

export function toolVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

export interface CliDeps {
  /** The step list (default: STEPS from src/steps/index.ts, loaded lazily). */
  steps?: readonly Step<StepId>[];
  env?: NodeJS.ProcessEnv;
  stdin?: Readable;
  stdout?: Writable;
  stderr?: Writable;
  cwd?: string;
  /** Install SIGINT/SIGTERM handlers for the run (the binary does; in-process tests pass a signal instead). */
  handleSignals?: boolean;
  /** Abort signal for in-process use (tests). */
  signal?: AbortSignal;
}

/** The global options (given before or after the command). */
export interface GlobalOpts {
  state: string;
  dryRun?: boolean;
  yes?: boolean;
  nonInteractive?: boolean;
  json?: boolean;
  color: boolean;
  verbose?: boolean;
  config?: string;
  sandbox?: boolean;
  sandboxDir?: string;
}

export function envTruthy(v: string | undefined): boolean {
  return v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';
}

export class CliContext {
  readonly env: NodeJS.ProcessEnv;
  readonly stdin: Readable;
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly cwd: string;
  /** Masks every secret this run has seen (set by the commands that see secrets). */
  redact: (text: string) => string = (t) => t;
  /** Every message record this command showed (src/messages.ts), in order: `messages` in --json. */
  readonly messages: IoMessage[] = [];
  private stepsCache: readonly Step<StepId>[] | undefined;

  constructor(readonly deps: CliDeps) {
    this.env = deps.env ?? process.env;
    this.stdin = deps.stdin ?? process.stdin;
    this.stdout = deps.stdout ?? process.stdout;
    this.stderr = deps.stderr ?? process.stderr;
    this.cwd = deps.cwd ?? process.cwd();
  }

  async steps(): Promise<readonly Step<StepId>[]> {
    if (this.deps.steps) return this.deps.steps;
    this.stepsCache ??= (await import('../steps/index.js')).STEPS;
    return this.stepsCache;
  }

  /** The steps' ids and titles only: status needs no step code (and so no AWS SDK). */
  stepInfos(): readonly StepInfo[] {
    return this.deps.steps ?? STEP_CATALOG;
  }

  /** Human output: stdout, or stderr in --json mode. */
  human(g: Pick<GlobalOpts, 'json'>): Writable {
    return g.json ? this.stderr : this.stdout;
  }

  output(g: GlobalOpts): TerminalOutput {
    const stream = this.human(g);
    return new TerminalOutput({
      stream,
      color: colorLevel({ noColorFlag: g.color === false, env: this.env, isTTY: isTTY(stream) }),
      spinners: canDrawSpinner(stream) && !envTruthy(this.env['CI']),
      verbose: g.verbose ?? false,
      record: (m) => this.messages.push(m),
    });
  }

  interactive(g: GlobalOpts): boolean {
    if (g.nonInteractive) return false;
    if (envTruthy(this.env['CI'])) return false;
    return isTTY(this.stdin) && isTTY(this.stdout);
  }

  statePath(g: GlobalOpts): string {
    return path.resolve(this.cwd, g.state);
  }
}
