/**
 * What init, resume and verify share: take the lock, bind the answers and the I/O for this run
 * (terminal, non-interactive, sandbox), then run the steps (or plan them with --dry-run) and return
 * the result for the renderer.
 */
import path from 'node:path';
import { ExitCode, UsageError } from '../errors.js';
import { StateStore, newState, readState, validateSavedOutputs } from '../engine/state.js';
import type { StateLock } from '../engine/lock.js';
import type { RunResult } from '../engine/runner.js';
import type { PlanResult } from '../engine/plan.js';
import { AnswerSource, type AnswerValue } from './io/answer-source.js';
import { BaseIo, type ConsolePerformer } from './io/base-io.js';
import { InquirerPrompter, type TerminalOutput } from './io/terminal.js';
import { answersFromOptions, loadConfigFile } from './options.js';
import { jsonSteps, pendingConsoleActions, planLines } from './report.js';
import { toolVersion, type CliContext, type GlobalOpts } from './context.js';
import { line, type CommandResult, type TextBlock } from './render.js';

export type RunKind = 'init' | 'resume' | 'verify';

export async function runWizard(ctx: CliContext, g: GlobalOpts, cmdOpts: Record<string, unknown>, kind: RunKind): Promise<CommandResult> {
  const file = ctx.statePath(g);
  const out = ctx.output(g);
  await out.ready();
  const controller = new AbortController();
  const external = ctx.deps.signal;
  if (external) {
    if (external.aborted) controller.abort();
    else external.addEventListener('abort', () => controller.abort(), { once: true });
  }
  if (g.dryRun) return runUnlocked(ctx, g, cmdOpts, kind, file, out, controller);
  // The lock comes first: nothing is read, asked or written while another run holds the state.
  const { acquireLock } = await import('../engine/lock.js');
  const lock: StateLock = await acquireLock(file, { warn: (m) => out.warn(m) });
  const onExit = (): void => lock.releaseSync();
  process.once('exit', onExit);
  const cleanupSignals = ctx.deps.handleSignals ? installSignals(controller, out, lock) : () => undefined;
  try {
    return await runUnlocked(ctx, g, cmdOpts, kind, file, out, controller);
  } finally {
    cleanupSignals();
    await lock.release();
    process.removeListener('exit', onExit);
  }
}

async function runUnlocked(
  ctx: CliContext,
  g: GlobalOpts,
  cmdOpts: Record<string, unknown>,
  kind: RunKind,
  file: string,
  out: TerminalOutput,
  controller: AbortController,
): Promise<CommandResult> {
  const steps = await ctx.steps();
  const existing = await readState(file);
  if (existing && !ctx.deps.steps) {
    const { OUTPUT_SCHEMAS } = await import('../steps/output-schemas.js');
    validateSavedOutputs(existing, file, OUTPUT_SCHEMAS);
  }
  if (kind !== 'init' && !existing) {
    throw new UsageError(`There is no state file at ${file}, so there is nothing to ${kind}.`, {
      code: 'NO_STATE',
      hint: kind === 'resume' ? 'Run `okta-aws-sso init` to start the setup (or pass --state <file> to point at yours).' : 'Run `okta-aws-sso init` first, or pass --state <file>.',
    });
  }

  const config = g.config ? await loadConfigFile(path.resolve(ctx.cwd, g.config)) : undefined;
  const { flags, secretFiles } = answersFromOptions(cmdOpts);
  const answers = new AnswerSource({ flags, secretFiles, env: ctx.env, config, saved: existing?.inputs ?? {} });

  let performer: ConsolePerformer | undefined;
  let sandboxInfo: { adminUrl: string } | undefined;
  if (g.sandbox) {
    const { bindSandbox, sandboxDir } = await import('./sandbox.js');
    const b = await bindSandbox({ dir: await sandboxDir(g.sandboxDir, ctx.cwd), answers, env: ctx.env, workDir: path.dirname(file) });
    performer = b.performer;
    sandboxInfo = { adminUrl: b.info.adminUrl };
    out.info(`Sandbox ${b.started ? 'started' : 'running'}: Okta ${b.info.oktaUrl}, AWS ${b.info.awsUrl}.`);
  }

  const interactive = ctx.interactive(g);
  const io = new BaseIo({
    answers,
    output: out,
    ...(interactive ? { prompter: new InquirerPrompter({ input: ctx.stdin, output: ctx.human(g), signal: controller.signal }) } : {}),
    yes: g.yes ?? false,
    ...(performer ? { consolePerformer: performer } : {}),
  });
  ctx.redact = (t) => io.redact(t);
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
    const text: TextBlock[] = planLines(plan.steps).map((l) => line(l));
    const planned = pendingConsoleActions(steps, undefined, plan.steps);
    if (planned.length > 0) {
      text.push(line(''), line('Console actions to come (a person does these in a browser):'));
      for (const p of planned) text.push(line(`  - ${p.title} [${p.stepId}]${p.instructions?.[0] ? `: ${p.instructions[0]}` : ''}`));
    }
    return {
      result: plan.error ? 'error' : 'planned',
      exitCode: plan.exitCode,
      stateFile: file,
      steps: jsonSteps(steps, existing, plan.steps),
      pendingConsoleActions: pendingConsoleActions(steps, existing, plan.steps),
      error: plan.error,
      text,
    };
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

  const text: TextBlock[] = [line(''), { kind: 'status-table', steps, state: store.state }];
  if (result.outcome === 'done') {
    text.push(line(kind === 'verify' ? 'Verified: every step still holds and the verify step passed.' : 'Done: every step is complete.', 'success'));
  }
  // --- verify health table (src/verify, docs/verify.md): one row per check, --fail-on, rows in --json.
  let exitCode: number = result.exitCode;
  let health: unknown[] | undefined;
  if (kind === 'verify' && result.outcome !== 'interrupted') {
    const v = await import('../verify/index.js');
    const outputs = Object.fromEntries(Object.entries(store.state.steps).filter(([, r]) => r?.outputs !== undefined).map(([k, r]) => [k, r!.outputs]));
    const rows = await v.verifyTable({
      io,
      services,
      outputs,
      now: () => new Date(),
      signInRequested: cmdOpts.signIn === true,
      stepsOutcome:
        result.outcome === 'done'
          ? { ok: true, detail: 'every done step re-checked, the verify step passed' }
          : result.error?.code === 'SIGN_IN_FAILED'
            ? { ok: true, detail: 'every done step re-checked; the sign-in proof failed (rows below)' }
            : { ok: false, detail: result.error?.message ?? `stopped (${result.outcome})`, ...(result.error?.hint ? { fix: result.error.hint } : {}) },
    });
    text.push(line(''), line('Health:'));
    for (const l of v.healthLines(rows)) text.push(line(`  ${l}`));
    const failOn = v.parseFailOn(cmdOpts.failOn) ?? 'failed';
    if (exitCode === ExitCode.Ok && v.healthExitCode(rows, failOn) !== 0) exitCode = ExitCode.StepFailed;
    health = rows;
  }
  return {
    result: result.outcome,
    exitCode,
    ...(health ? { health } : {}),
    stateFile: file,
    steps: jsonSteps(steps, store.state),
    pendingConsoleActions: pendingConsoleActions(steps, store.state),
    drift: result.drift,
    error: result.error,
    text,
  };
}

function installSignals(controller: AbortController, out: TerminalOutput, lock: StateLock): () => void {
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

/**
 * Answers worth keeping for the next run. `console-done` is not kept: it vouches for one run only, so
 * a console action that must be redone (drift) is asked for again instead of being skipped silently.
 */
function persistentInputs(answers: Record<string, AnswerValue>): Record<string, AnswerValue> {
  const { 'console-done': _consoleDone, ...rest } = answers;
  return rest;
}
