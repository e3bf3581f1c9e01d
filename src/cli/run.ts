/**
 * The command line: commander program, global options, the init/resume/verify/status/sandbox
 * commands, the I/O binding for this run, and the one place that turns errors into a message, a
 * hint and an exit code (no stack trace for an expected failure).
 *
 * Nothing here loads an AWS or Okta SDK: steps, services and the sandbox are imported lazily.
 */
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { Command, CommanderError, Option } from 'commander';
import { ExitCode, InterruptedError, UsageError, WizardError, isWizardError } from '../errors.js';
import type { Step } from '../steps/contract.js';
import type { StepId } from '../core/outputs.js';
import { ANSWERS, type AnswerSpec } from '../core/answers.js';
import { AnswerSource, type AnswerValue } from './io/answer-source.js';
import { BaseIo, type ConsolePerformer } from './io/base-io.js';
import { InquirerPrompter, TerminalOutput, colorLevel, isTTY } from './io/terminal.js';
import { addAnswerOptions, answersFromOptions, loadConfigFile } from './options.js';
import { errorJson, jsonSteps, pendingConsoleActions, planLines, statusTable, type JsonDocument, type JsonResult } from './report.js';
import { DEFAULT_STATE_FILE, StateStore, newState, readState, type StepStatus, type WizardState } from '../engine/state.js';
import type { StateLock } from '../engine/lock.js';
import type { RunResult } from '../engine/runner.js';
import type { PlanResult } from '../engine/plan.js';

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

interface GlobalOpts {
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

export const EXIT_CODES_HELP = `
Exit codes:
  0    done (every step complete), or the command succeeded
  1    a step failed (the state file records which and why; the next run retries it)
  2    usage error or invalid input (bad flag, bad --config, bad state file, missing answer in a non-interactive run, state file locked)
  3    waiting for a console action only a person can do (non-interactive run); do it, then resume with --console-done <id>
  4    authentication or permission failure (Okta 401/403, AWS credentials or AccessDenied)
  130  interrupted (Ctrl-C); the state is saved: run \`okta-aws-sso resume\` to continue
`;

function envTruthy(v: string | undefined): boolean {
  return v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';
}

class Cli {
  readonly env: NodeJS.ProcessEnv;
  readonly stdin: Readable;
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly cwd: string;
  exitCode: number = ExitCode.Ok;
  private stepsCache: readonly Step<StepId>[] | undefined;
  /** Set by a command in --json mode: printed once at the end. */
  jsonDoc: JsonDocument | undefined;
  command = '';
  redact: (text: string) => string = (t) => t;

  constructor(private readonly deps: CliDeps) {
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

  /** Human output: stdout, or stderr in --json mode. */
  human(g: GlobalOpts): Writable {
    return g.json ? this.stderr : this.stdout;
  }

  output(g: GlobalOpts): TerminalOutput {
    const stream = this.human(g);
    return new TerminalOutput({
      stream,
      color: colorLevel({ noColorFlag: g.color === false, env: this.env, isTTY: isTTY(stream) }),
      spinners: isTTY(stream) && !envTruthy(this.env['CI']),
      verbose: g.verbose ?? false,
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

  baseDoc(g: GlobalOpts, result: JsonResult, stateFile: string | null): JsonDocument {
    return {
      tool: 'okta-aws-sso',
      version: toolVersion(),
      command: this.command,
      stateFile,
      dryRun: g.dryRun ?? false,
      result,
      exitCode: this.exitCode,
      steps: [],
      pendingConsoleActions: [],
      drift: [],
      error: null,
    };
  }

  // ------------------------------------------------------------------------------------ status

  async status(g: GlobalOpts): Promise<void> {
    const file = this.statePath(g);
    const state = await readState(file);
    const steps = await this.steps();
    const out = this.output(g);
    if (!state) {
      out.info(`No setup started yet: there is no state file at ${file}. Run \`okta-aws-sso init\` to start.`);
    } else {
      const done = steps.filter((s) => state.steps[s.id]?.status === 'done').length;
      out.info(`State file ${file} (created ${state.createdAt}, updated ${state.updatedAt}): ${done} of ${steps.length} steps done.`);
    }
    this.printTable(out, steps, state);
    this.printPending(out, steps, state);
    if (state) {
      const open = steps.filter((s) => !['done', 'skipped', 'waiting-for-console'].includes(state.steps[s.id]?.status ?? 'pending'));
      const waiting = steps.some((s) => state.steps[s.id]?.status === 'waiting-for-console');
      if (open.length === 0 && !waiting) out.info('Every step is done. `okta-aws-sso verify` re-checks them.');
      else if (!waiting) out.info(`Next: \`okta-aws-sso resume\` continues with "${open[0]?.id}".`);
    }
    if (g.json) {
      const doc = this.baseDoc(g, 'status', file);
      doc.steps = jsonSteps(steps, state);
      doc.pendingConsoleActions = pendingConsoleActions(steps, state);
      this.jsonDoc = doc;
    }
  }

  printTable(out: TerminalOutput, steps: readonly Step<StepId>[], state: WizardState | undefined): void {
    const c = out.chalk;
    const paint = (s: StepStatus, t: string): string =>
      s === 'done' ? c.green(t) : s === 'failed' ? c.red(t) : s === 'waiting-for-console' ? c.magenta(t) : s === 'skipped' ? c.dim(t) : s === 'running' ? c.yellow(t) : t;
    for (const line of statusTable(steps, state, { status: paint })) out.info(line);
  }

  printPending(out: TerminalOutput, steps: readonly Step<StepId>[], state: WizardState | undefined): void {
    for (const p of pendingConsoleActions(steps, state)) {
      out.info('');
      out.info(`Owed console action for "${p.stepId}": ${p.title}`);
      if (p.where) out.info(`  Where: ${p.where}`);
      (p.instructions ?? []).forEach((ins, i) => out.info(`  ${i + 1}. ${ins}`));
      for (const v of p.values ?? []) out.info(`  ${v.label}: ${v.value}`);
      out.info(`  When done: ${p.resumeWith ?? 'okta-aws-sso resume'}`);
    }
  }

  // ------------------------------------------------------------------------------------ init / resume / verify / dry-run

  async run(g: GlobalOpts, cmdOpts: Record<string, unknown>, kind: 'init' | 'resume' | 'verify'): Promise<void> {
    const file = this.statePath(g);
    const out = this.output(g);
    await out.ready();
    const controller = new AbortController();
    const external = this.deps.signal;
    if (external) {
      if (external.aborted) controller.abort();
      else external.addEventListener('abort', () => controller.abort(), { once: true });
    }
    if (g.dryRun) {
      await this.runUnlocked(g, cmdOpts, kind, file, out, controller);
      return;
    }
    // The lock comes first: nothing is read, asked or written while another run holds the state.
    const { acquireLock } = await import('../engine/lock.js');
    const lock: StateLock = await acquireLock(file, { warn: (m) => out.warn(m) });
    const onExit = (): void => lock.releaseSync();
    process.once('exit', onExit);
    const cleanupSignals = this.deps.handleSignals ? this.installSignals(controller, out, lock) : () => undefined;
    try {
      await this.runUnlocked(g, cmdOpts, kind, file, out, controller);
    } finally {
      cleanupSignals();
      await lock.release();
      process.removeListener('exit', onExit);
    }
  }

  private async runUnlocked(
    g: GlobalOpts,
    cmdOpts: Record<string, unknown>,
    kind: 'init' | 'resume' | 'verify',
    file: string,
    out: TerminalOutput,
    controller: AbortController,
  ): Promise<void> {
    const steps = await this.steps();
    const existing = await readState(file);
    if (kind !== 'init' && !existing) {
      throw new UsageError(`There is no state file at ${file}, so there is nothing to ${kind}.`, {
        code: 'NO_STATE',
        hint: kind === 'resume' ? 'Run `okta-aws-sso init` to start the setup (or pass --state <file> to point at yours).' : 'Run `okta-aws-sso init` first, or pass --state <file>.',
      });
    }

    const config = g.config ? await loadConfigFile(path.resolve(this.cwd, g.config)) : undefined;
    const { flags, secretFiles } = answersFromOptions(cmdOpts);
    const answers = new AnswerSource({ flags, secretFiles, env: this.env, config, saved: existing?.inputs ?? {} });

    let performer: ConsolePerformer | undefined;
    let sandboxInfo: { adminUrl: string } | undefined;
    if (g.sandbox) {
      const { bindSandbox, sandboxDir } = await import('./sandbox.js');
      const b = await bindSandbox({ dir: await sandboxDir(g.sandboxDir, this.cwd), answers, env: this.env, workDir: path.dirname(file) });
      performer = b.performer;
      sandboxInfo = { adminUrl: b.info.adminUrl };
      out.info(`Sandbox ${b.started ? 'started' : 'running'}: Okta ${b.info.oktaUrl}, AWS ${b.info.awsUrl}.`);
    }

    const interactive = this.interactive(g);
    const io = new BaseIo({
      answers,
      output: out,
      ...(interactive ? { prompter: new InquirerPrompter({ input: this.stdin, output: this.human(g), signal: controller.signal }) } : {}),
      yes: g.yes ?? false,
      ...(performer ? { consolePerformer: performer } : {}),
    });
    this.redact = (t) => io.redact(t);
    const { MemorySecretStore } = await import('../engine/context.js');
    const secrets = new MemorySecretStore(io);
    const { createServices } = await import('../steps/services.js');
    const services = createServices(io, secrets, sandboxInfo);
    const store = new StateStore(file, existing ?? newState(toolVersion()), { redact: (t) => io.redact(t), inputs: () => persistentInputs(io.savedAnswers()) });
    const workDir = path.dirname(file);

    if (g.dryRun) {
      const { buildPlan } = await import('../engine/plan.js');
      out.info(`Dry run: nothing will be changed${existing ? `; planning from ${file}` : ''}.`);
      const plan: PlanResult = await buildPlan({ steps, store, io, services, secrets, signal: controller.signal, workDir, verbose: g.verbose ?? false });
      for (const line of planLines(plan.steps)) out.info(line);
      const planned = pendingConsoleActions(steps, undefined, plan.steps);
      if (planned.length > 0) {
        out.info('');
        out.info('Console actions to come (a person does these in a browser):');
        for (const p of planned) out.info(`  - ${p.title} [${p.stepId}]${p.instructions?.[0] ? `: ${p.instructions[0]}` : ''}`);
      }
      this.exitCode = plan.exitCode;
      if (plan.error) this.printError(out, plan.error);
      if (g.json) {
        const doc = this.baseDoc(g, plan.error ? 'error' : 'planned', file);
        doc.steps = jsonSteps(steps, existing, plan.steps);
        doc.pendingConsoleActions = pendingConsoleActions(steps, existing, plan.steps);
        doc.error = errorJson(plan.error);
        doc.exitCode = this.exitCode;
        this.jsonDoc = doc;
      }
      return;
    }

    if (kind === 'init' && existing) {
      const done = steps.filter((s) => existing.steps[s.id]?.status === 'done').length;
      out.info(`A setup is already in progress in ${file} (started ${existing.createdAt}; ${done} of ${steps.length} steps done).`);
      const go = await io.confirm({ message: 'Continue it from where it stopped?', default: true });
      if (!go) {
        throw new UsageError(`Not continuing the setup in ${file}; nothing was changed.`, {
          code: 'NOT_CONTINUED',
          hint: 'To start a separate setup, pass --state <another file>; to start over, move the state file aside first.',
        });
      }
    }

    await store.save();
    const { runSteps } = await import('../engine/runner.js');
    const result: RunResult = await runSteps({
      steps,
      store,
      io,
      services,
      secrets,
      signal: controller.signal,
      workDir,
      verbose: g.verbose ?? false,
      mode: kind === 'verify' ? 'verify' : 'run',
    });

    this.exitCode = result.exitCode;
    out.info('');
    this.printTable(out, steps, store.state);
    if (result.outcome === 'done') {
      out.info(out.chalk.green(kind === 'verify' ? 'Verified: every step still holds and the verify step passed.' : 'Done: every step is complete.'));
    } else if (result.error) {
      this.printError(out, result.error);
    }
    if (g.json) {
      const doc = this.baseDoc(g, result.outcome, file);
      doc.steps = jsonSteps(steps, store.state);
      doc.pendingConsoleActions = pendingConsoleActions(steps, store.state);
      doc.drift = result.drift;
      doc.error = errorJson(result.error);
      doc.exitCode = this.exitCode;
      this.jsonDoc = doc;
    }
  }

  installSignals(controller: AbortController, out: TerminalOutput, lock: StateLock): () => void {
    let count = 0;
    const handler = (sig: NodeJS.Signals): void => {
      count++;
      if (count === 1) {
        out.warn(`${sig === 'SIGINT' ? 'Ctrl-C' : sig}: stopping and saving the state (press Ctrl-C again to quit at once).`);
        controller.abort();
        return;
      }
      lock.releaseSync();
      process.exit(ExitCode.Interrupted);
    };
    process.on('SIGINT', handler);
    process.on('SIGTERM', handler);
    return () => {
      process.removeListener('SIGINT', handler);
      process.removeListener('SIGTERM', handler);
    };
  }

  printError(out: TerminalOutput, e: WizardError): void {
    const c = out.chalk;
    const stream = this.stderr;
    const write = (t: string): void => {
      stream.write(`${t}\n`);
    };
    const label = e.exitCode === ExitCode.WaitingForConsole ? 'Waiting' : e.exitCode === ExitCode.Interrupted ? 'Interrupted' : 'Error';
    write(c.red(`${label}: ${this.redact(e.message.replace(/^Interrupted\.?\s*/, ''))}`.trimEnd()));
    if (e.hint) write(`${c.bold('What to do:')} ${this.redact(e.hint)}`);
  }

  // ------------------------------------------------------------------------------------ sandbox commands

  async sandbox(g: GlobalOpts, action: 'start' | 'stop' | 'status' | 'reset' | 'console', o: Record<string, unknown>, arg?: string): Promise<void> {
    const { loadSandboxApi, sandboxDir } = await import('./sandbox.js');
    const api = await loadSandboxApi();
    const dir = await sandboxDir((o['dir'] as string | undefined) ?? (o['sandboxDir'] as string | undefined), this.cwd);
    const out = this.output(g);
    let data: unknown;
    switch (action) {
      case 'start': {
        const options: import('../sandbox/types.js').SandboxOptions = {};
        const okta: NonNullable<typeof options.okta> = {};
        const aws: NonNullable<typeof options.aws> = {};
        if (o['oktaProvisioningApi'] !== undefined) {
          const v = String(o['oktaProvisioningApi']);
          if (v !== 'unknown' && v !== 'supported') throw new UsageError(`--okta-provisioning-api must be unknown or supported, not "${v}".`, { hint: 'Use --okta-provisioning-api unknown or --okta-provisioning-api supported.' });
          okta.provisioningApi = v;
        }
        if (o['assignmentDelay'] !== undefined) aws.assignmentDelayMs = intOption('--assignment-delay', o['assignmentDelay']);
        if (o['accounts'] !== undefined) aws.memberAccounts = intOption('--accounts', o['accounts']);
        if (Object.keys(okta).length > 0) options.okta = okta;
        if (Object.keys(aws).length > 0) options.aws = aws;
        const port = o['port'] !== undefined ? intOption('--port', o['port']) : undefined;
        const r = await api.ensureSandbox({ dir, ...(port !== undefined ? { port } : {}), options });
        out.info(`Sandbox ${r.started ? 'started' : 'already running'} (pid ${r.info.pid}) in ${dir}`);
        const asked = port !== undefined || o['assignmentDelay'] !== undefined || o['accounts'] !== undefined || o['oktaProvisioningApi'] !== 'unknown';
        if (!r.started && asked) out.warn('The running sandbox keeps the options it was started with; run `okta-aws-sso sandbox stop` first to change them.');
        out.info(`  Okta: ${r.info.oktaUrl}`);
        out.info(`  AWS:  ${r.info.awsUrl} (region ${r.info.region})`);
        out.info(`  Admin: ${r.info.adminUrl}`);
        // The environment other tools need. The sandbox's API token goes only into a 0600 file to
        // `source`, never to the terminal or a log.
        const env = api.sandboxEnv(r.info);
        const envFile = path.join(dir, 'sandbox.env');
        writeFileSync(envFile, Object.entries(env).map(([k, v]) => `export ${k}=${JSON.stringify(v)}\n`).join(''), { mode: 0o600 });
        chmodSync(envFile, 0o600);
        out.info('Environment for other tools (the AWS CLI also needs --endpoint-url):');
        for (const [k, v] of Object.entries(env)) out.info(`  export ${k}=${k === 'OKTA_API_TOKEN' ? `<in ${envFile}>` : v}`);
        out.info(`  or: source ${envFile}`);
        out.info('Run the wizard against it with: okta-aws-sso init --sandbox');
        data = publicInfo(r.info, r.started);
        break;
      }
      case 'stop': {
        const stopped = await api.stopSandbox(dir);
        out.info(stopped ? `Sandbox in ${dir} stopped.` : `No sandbox was running in ${dir}.`);
        data = { stopped };
        break;
      }
      case 'status': {
        const s = await api.sandboxStatus(dir);
        if (s.running && s.info) {
          out.info(`Sandbox running (pid ${s.info.pid}, since ${s.info.startedAt}) in ${dir}`);
          out.info(`  Okta: ${s.info.oktaUrl}`);
          out.info(`  AWS:  ${s.info.awsUrl} (region ${s.info.region})`);
          out.info(`  Admin: ${s.info.adminUrl}`);
        } else {
          out.info(`No sandbox running in ${dir}. Start one with: okta-aws-sso sandbox start`);
        }
        data = { running: s.running, ...(s.info ? { info: publicInfo(s.info) } : {}) };
        break;
      }
      case 'reset': {
        await api.resetSandbox(dir);
        out.info(`Sandbox in ${dir} reset to its initial state.`);
        data = { reset: true };
        break;
      }
      case 'console': {
        const s = await api.sandboxStatus(dir);
        if (!s.running || !s.info) throw new UsageError(`No sandbox is running in ${dir}.`, { code: 'SANDBOX_NOT_RUNNING', hint: 'Start one with `okta-aws-sso sandbox start`.' });
        let payload: Record<string, unknown> | undefined;
        if (o['payloadFile'] !== undefined) {
          const f = path.resolve(this.cwd, String(o['payloadFile']));
          try {
            payload = JSON.parse(readFileSync(f, 'utf8')) as Record<string, unknown>;
          } catch (e) {
            throw new UsageError(`Cannot read the --payload-file ${f}: ${(e as Error).message}`, { code: 'PAYLOAD_INVALID', hint: 'Give a file with a JSON object.' });
          }
        }
        const r = await api.performConsoleAction(s.info, arg ?? '', payload);
        for (const v of Object.values(r.secrets ?? {})) {
          const prev = this.redact;
          this.redact = (t) => prev(t).split(v).join('****');
        }
        out.info(`Sandbox performed "${arg}"${r.message ? `: ${this.redact(r.message).replace(/\.+$/, '')}` : ''}.`);
        // Files a person would have downloaded land in the current folder.
        const files: string[] = [];
        for (const [name, content] of Object.entries(r.files ?? {})) {
          if (name === '' || path.basename(name) !== name || name === '.' || name === '..') {
            throw new UsageError(`The sandbox returned a file with an unsafe name ("${name}").`, { code: 'SANDBOX_FILE_NAME', hint: 'This is a sandbox bug; nothing was written.' });
          }
          const f = path.resolve(this.cwd, name);
          writeFileSync(f, content);
          files.push(f);
          out.info(`  saved ${f}`);
        }
        for (const [k, v] of Object.entries(r.answers ?? {})) out.info(`  ${k}: ${v}`);
        if (Object.keys(r.secrets ?? {}).length > 0) out.info(`  secrets (not shown): ${Object.keys(r.secrets ?? {}).join(', ')}`);
        data = { action: arg, answers: r.answers ?? {}, files, secrets: Object.keys(r.secrets ?? {}) };
        break;
      }
    }
    if (g.json) {
      const doc = this.baseDoc(g, 'ok', null);
      doc.data = data;
      this.jsonDoc = doc;
    }
  }
}

/**
 * Answers worth keeping for the next run. `console-done` is not kept: it vouches for one run only, so
 * a console action that must be redone (drift) is asked for again instead of being skipped silently.
 */
function persistentInputs(answers: Record<string, AnswerValue>): Record<string, AnswerValue> {
  const { 'console-done': _consoleDone, ...rest } = answers;
  return rest;
}

function publicInfo(info: import('../sandbox/types.js').SandboxInfo, started?: boolean): Record<string, unknown> {
  // Never the sandbox's secrets (API token, AWS secret key).
  return {
    pid: info.pid,
    dir: info.dir,
    startedAt: info.startedAt,
    oktaUrl: info.oktaUrl,
    awsUrl: info.awsUrl,
    adminUrl: info.adminUrl,
    region: info.region,
    ...(started !== undefined ? { started } : {}),
  };
}

function intOption(name: string, raw: unknown): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`${name} must be a whole number, not "${String(raw)}".`, { code: 'USAGE', hint: `Give ${name} a whole number.` });
  return n;
}

function answerEnvHelp(): string {
  const lines = ['', 'Answers can also come from environment variables or --config (same names as the flags, without "--").', 'Secrets are never flags: use the environment variable or the *-file flag.'];
  for (const [key, spec] of Object.entries(ANSWERS) as [string, AnswerSpec][]) {
    if (spec.env && spec.env.length > 0) lines.push(`  ${(spec.flag ?? spec.fileFlag ?? key).padEnd(34)} ${spec.env.join(', ')}`);
  }
  return `${lines.join('\n')}\n`;
}

function buildProgram(cli: Cli, holder: { action?: () => Promise<void> }): Command {
  const program = new Command('okta-aws-sso');
  program
    .description('Connects Okta to AWS IAM Identity Center end to end: SAML, SCIM provisioning, group push, permission sets and account assignments.')
    .version(toolVersion(), '-V, --version', 'print the version')
    .option('--state <path>', 'state file', `./${DEFAULT_STATE_FILE}`)
    .option('--dry-run', 'print the plan of every step (and the console actions to come); change nothing')
    .option('-y, --yes', 'approve every confirmation and take proposed defaults (never invents a value)')
    .option('--non-interactive', 'never prompt; a missing answer fails with exit 2 (implied when CI is set or stdin/stdout is not a terminal)')
    .option('--json', 'print one JSON document on stdout at the end; human output goes to stderr')
    .option('--no-color', 'no colors (also NO_COLOR; FORCE_COLOR wins)')
    .option('--verbose', 'show details (debug lines, stack traces of unexpected errors)')
    .option('--config <file>', 'answers in a JSON or YAML file, keys = flag names without "--"')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => cli.stdout.write(s),
      writeErr: (s) => cli.stderr.write(s),
    })
    .showSuggestionAfterError(true)
    .addHelpText('after', EXIT_CODES_HELP);

  const withRunOptions = (c: Command): Command =>
    addAnswerOptions(
      c
        .option('--sandbox', 'run against the local sandbox (started when none runs)')
        .option('--sandbox-dir <dir>', 'sandbox folder (default .okta-aws-sso/sandbox)'),
    )
      .addHelpText('after', answerEnvHelp() + EXIT_CODES_HELP)
      .exitOverride();

  const globals = (c: Command): GlobalOpts => c.optsWithGlobals() as GlobalOpts;

  withRunOptions(program.command('init').description('start the setup, or continue it when a state file exists')).action((_o, c: Command) => {
    cli.command = 'init';
    holder.action = () => cli.run(globals(c), c.opts(), 'init');
  });
  withRunOptions(program.command('resume').description('continue from the state file (never starts over)')).action((_o, c: Command) => {
    cli.command = 'resume';
    holder.action = () => cli.run(globals(c), c.opts(), 'resume');
  });
  withRunOptions(program.command('verify').description('re-check every done step for drift and run the verify step')).action((_o, c: Command) => {
    cli.command = 'verify';
    holder.action = () => cli.run(globals(c), c.opts(), 'verify');
  });
  program
    .command('status')
    .description('the step table from the state file: status, when, key outputs, what is pending')
    .addHelpText('after', EXIT_CODES_HELP)
    .exitOverride()
    .action((_o, c: Command) => {
      cli.command = 'status';
      holder.action = () => cli.status(globals(c));
    });

  const sb = program.command('sandbox').description('a local Okta + AWS emulator to try the wizard without real accounts').exitOverride();
  const dirOpt = (): Option => new Option('--dir <dir>', 'sandbox folder (default .okta-aws-sso/sandbox)');
  const dirAlias = (): Option => new Option('--sandbox-dir <dir>', 'same as --dir').hideHelp();
  sb.command('start')
    .description('start the sandbox (or report the running one)')
    .option('--port <n>', 'port of the sandbox (default: a free port)')
    .option('--okta-provisioning-api <mode>', 'what the Okta provisioning API does: unknown or supported', 'unknown')
    .option('--assignment-delay <ms>', 'delay before an account assignment completes')
    .option('--accounts <n>', 'number of member accounts')
    .addOption(dirOpt())
    .addOption(dirAlias())
    .exitOverride()
    .action((o: Record<string, unknown>, c: Command) => {
      cli.command = 'sandbox start';
      holder.action = () => cli.sandbox(globals(c), 'start', o);
    });
  for (const [name, desc] of [
    ['stop', 'stop the sandbox'],
    ['status', 'is a sandbox running, and where'],
    ['reset', 'reset the sandbox to its initial data'],
  ] as const) {
    sb.command(name)
      .description(desc)
      .addOption(dirOpt())
      .addOption(dirAlias())
      .exitOverride()
      .action((o: Record<string, unknown>, c: Command) => {
        cli.command = `sandbox ${name}`;
        holder.action = () => cli.sandbox(globals(c), name, o);
      });
  }
  sb.command('console <action-id>')
    .description('perform a console action in the sandbox, as a person would in the browser')
    .option('--payload-file <file>', 'JSON payload for the action')
    .addOption(dirOpt())
    .addOption(dirAlias())
    .exitOverride()
    .action((actionId: string, o: Record<string, unknown>, c: Command) => {
      cli.command = 'sandbox console';
      holder.action = () => cli.sandbox(globals(c), 'console', o, actionId);
    });
  return program;
}

/** Run the CLI; resolves with the exit code (never throws, never prints a stack for an expected failure). */
export async function runCli(argv: readonly string[], deps: CliDeps = {}): Promise<number> {
  const cli = new Cli(deps);
  const holder: { action?: () => Promise<void> } = {};
  const program = buildProgram(cli, holder);
  let g: GlobalOpts = { state: `./${DEFAULT_STATE_FILE}`, color: true };
  try {
    try {
      await program.parseAsync([...argv], { from: 'user' });
    } catch (e) {
      if (e instanceof CommanderError) {
        // --help, `help <command>`, --version: 0. Help shown because no (sub)command was given: a usage error.
        if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || (e.code === 'commander.help' && e.exitCode === 0)) return 0;
        if (e.code === 'commander.help') return ExitCode.Usage;
        // commander has already printed its message
        cli.stderr.write(`Run \`okta-aws-sso --help\` for the commands and options.\n`);
        if (argv.includes('--json')) {
          const doc = cli.baseDoc({ ...g, dryRun: argv.includes('--dry-run') }, 'error', null);
          doc.exitCode = ExitCode.Usage;
          doc.error = { message: e.message.replace(/^error: /, ''), code: 'USAGE', hint: 'Run `okta-aws-sso --help` for the commands and options.' };
          cli.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
        }
        return ExitCode.Usage;
      }
      throw e;
    }
    g = program.opts() as GlobalOpts;
    if (!holder.action) {
      program.outputHelp({ error: true });
      return ExitCode.Usage;
    }
    // the subcommand's merged globals (options may come after the subcommand)
    await holder.action();
    const code = cli.exitCode;
    if (cli.jsonDoc) cli.stdout.write(`${cli.redact(JSON.stringify({ ...cli.jsonDoc, exitCode: code }, null, 2))}\n`);
    return code;
  } catch (e) {
    const err = toWizardError(e);
    const out = new TerminalOutput({ stream: cli.stderr, color: colorLevel({ noColorFlag: g.color === false || argv.includes('--no-color'), env: cli.env, isTTY: isTTY(cli.stderr) }), spinners: false, verbose: false });
    cli.printError(out, err);
    if (!isWizardError(e) && !(e instanceof InterruptedError) && argv.includes('--verbose') && e instanceof Error && e.stack) cli.stderr.write(`${cli.redact(e.stack)}\n`);
    if (argv.includes('--json')) {
      const doc = cli.baseDoc({ ...g, dryRun: argv.includes('--dry-run') }, 'error', null);
      doc.exitCode = err.exitCode;
      doc.error = errorJson(err);
      cli.stdout.write(`${cli.redact(JSON.stringify(doc, null, 2))}\n`);
    }
    return err.exitCode;
  }
}

function toWizardError(e: unknown): WizardError {
  if (isWizardError(e)) return e;
  const name = (e as { name?: unknown } | null)?.name;
  if (name === 'ExitPromptError' || name === 'AbortPromptError') {
    return new InterruptedError('Interrupted. Nothing more was changed; run `okta-aws-sso resume` to continue.');
  }
  const msg = e instanceof Error ? e.message : String(e);
  return new WizardError(`Unexpected failure: ${msg}`, { code: 'UNEXPECTED', hint: 'Run again with --verbose for details. If it keeps failing, please report it.' });
}
