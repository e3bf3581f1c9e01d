/**
 * What init, resume and verify share: take the lock, bind the answers and the I/O for this run
 * (terminal, non-interactive, sandbox), then run the steps (or plan them with --dry-run) and return
 * the result for the renderer.
 */
import path from 'node:path';
import { existsSync } from 'node:fs';
import os from 'node:os';
import { ExitCode, MissingAnswerError, UsageError } from '../errors.js';
import { messageText } from '../messages.js';
import { StateStore, newState, readState, validateSavedOutputs, type WizardState } from '../engine/state.js';
import { ANSWERS, howToAnswer, type AnswerKey, type AnswerSpec } from '../steps/answers.js';
import type { Step } from '../steps/contract.js';
import type { StepId } from '../steps/outputs.js';
import type { StateLock } from '../engine/lock.js';
import type { RunResult } from '../engine/runner.js';
import type { PlanResult } from '../engine/plan.js';
import { AnswerSource, type AnswerProblem, type AnswerValue } from './io/answer-source.js';
import { BaseIo, type ConsolePerformer } from './io/base-io.js';
import type { ConsoleAction } from '../core/io.js';
import { InquirerPrompter, type TerminalOutput } from './io/terminal.js';
import { answersFromOptions, loadConfigFile } from './options.js';
import { closingSummary, jsonSteps, pendingConsoleActions, planLines, plannedActionLines } from './report.js';
import { toolVersion, type CliContext, type GlobalOpts } from './context.js';
import { blank, line, paragraph, view, type CommandResult, type TextBlock } from './render.js';

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
  const lock: StateLock = await acquireLock(file, { warn: (m) => out.message(m) });
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
  let existing = await readState(file);
  if (existing && !ctx.deps.steps) {
    const { OUTPUT_SCHEMAS } = await import('../steps/output-schemas.js');
    validateSavedOutputs(existing, file, OUTPUT_SCHEMAS);
  }
  if (kind !== 'init' && !existing) {
    throw new UsageError(messageText('NO_STATE', { file, kind }), { code: 'NO_STATE', hint: messageText('NO_STATE', {}, 'hint') });
  }
  if (existing && cmdOpts['fresh'] === true && !g.dryRun) {
    const aside = await moveAside(file);
    out.notify('STATE_MOVED_ASIDE', { aside });
    existing = undefined;
  }
  // How the run was started is remembered: resume, verify (and the hints naming them) reuse it.
  const mode = existing?.run;
  if (mode?.sandbox && g.sandbox === undefined) {
    g.sandbox = true;
    g.sandboxDir ??= mode.sandbox.dir;
  }
  if (mode?.yes && g.yes === undefined) g.yes = true;
  const interactive = ctx.interactive(g);

  const config = g.config ? await loadConfigFile(path.resolve(ctx.cwd, g.config)) : undefined;
  const { flags, secretFiles } = answersFromOptions(cmdOpts);
  const answers = new AnswerSource({ flags, secretFiles, env: ctx.env, config, saved: existing?.inputs ?? {}, cwd: ctx.cwd });
  // Every value is checked before any step runs (and before anything is saved).
  const problems = answers.checkAll({ interactive, warn: (m) => out.message(m) });
  if (problems.length > 0) throw invalidAnswers(problems);

  let performer: ConsolePerformer | undefined;
  let consoleHint: ((action: ConsoleAction) => string | undefined) | undefined;
  let sandboxInfo: { adminUrl: string } | undefined;
  let sandboxDirUsed: string | undefined;
  if (g.sandbox) {
    const { bindSandbox, sandboxDir, sandboxMismatch } = await import('./sandbox.js');
    sandboxDirUsed = await sandboxDir(g.sandboxDir, ctx.cwd);
    const b = await bindSandbox({ dir: sandboxDirUsed, answers, env: ctx.env, workDir: path.dirname(file), cwd: ctx.cwd });
    performer = b.performer;
    consoleHint = b.consoleHint;
    sandboxInfo = { adminUrl: b.info.adminUrl };
    out.notify('SANDBOX_BOUND', { started: b.started ? 'started' : 'running', oktaUrl: b.info.oktaUrl, awsUrl: b.info.awsUrl });
    const other = existing && !g.dryRun ? await sandboxMismatch(existing, sandboxDirUsed, b.info) : undefined;
    if (other && existing) {
      const hint = `Start over with \`okta-aws-sso init --sandbox --fresh\` (the old state file is kept beside it), or pass --state <another file>.`;
      if (!interactive) throw new UsageError(`The state file ${file} was made against another sandbox: ${other}.`, { code: 'STATE_OTHER_SANDBOX', hint });
      out.notify('STATE_OTHER_SANDBOX_WARN', { file, why: other });
      const fresh = g.yes
        ? true
        : await new InquirerPrompter({ input: ctx.stdin, output: ctx.human(g), signal: controller.signal }).confirm({ message: 'Start over with a new state file (the old one is kept beside it)?', default: true });
      if (!fresh) throw new UsageError(`Not continuing: the state file ${file} belongs to another sandbox.`, { code: 'STATE_OTHER_SANDBOX', hint });
      const aside = await moveAside(file);
      out.notify('STATE_MOVED_ASIDE', { aside });
      existing = undefined;
    }
  }
  if (!interactive && !g.dryRun) {
    const missing = missingUpFront(steps, existing, answers, ctx.env);
    if (missing.length > 0) throw missingAnswers(missing);
  }

  const io = new BaseIo({
    answers,
    output: out,
    ...(interactive ? { prompter: new InquirerPrompter({ input: ctx.stdin, output: ctx.human(g), signal: controller.signal }) } : {}),
    yes: g.yes ?? false,
    ...(performer ? { consolePerformer: performer } : {}),
    ...(consoleHint ? { consoleHint } : {}),
  });
  ctx.redact = (t) => io.redact(t);
  const { MemorySecretStore } = await import('../engine/context.js');
  const secrets = new MemorySecretStore(io);
  const { createServices } = await import('../steps/services.js');
  const services = createServices(io, secrets, sandboxInfo, { env: ctx.env, cwd: ctx.cwd });
  const store = new StateStore(file, existing ?? newState(toolVersion()), { redact: (t) => io.redact(t), inputs: () => persistentInputs(io.savedAnswers()) });
  store.state.run = { ...(sandboxDirUsed ? { sandbox: { dir: sandboxDirUsed } } : {}), ...(g.yes ? { yes: true } : {}) };
  const workDir = path.dirname(file);

  if (g.dryRun) {
    const { buildPlan } = await import('../engine/plan.js');
    out.notify('DRY_RUN', { planningFrom: existing ? `; planning from ${file}` : '' });
    const plan: PlanResult = await buildPlan({ steps, store, io, services, secrets, signal: controller.signal, workDir, verbose: g.verbose ?? false });
    const text: TextBlock[] = [view('plan', planLines(plan.steps))];
    const planned = pendingConsoleActions(steps, undefined, plan.steps);
    if (planned.length > 0) text.push(blank, line('DRY_RUN_CONSOLE_ACTIONS'), view('planned-console-actions', plannedActionLines(planned)));
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
    out.notify('STATE_CONTINUE', { file, createdAt: existing.createdAt, done, total: steps.length });
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

  // A finished run ends with a short summary; any other outcome with the step table (where it stopped).
  const text: TextBlock[] = [blank];
  if (result.outcome === 'done') {
    text.push(line(kind === 'verify' ? 'RUN_VERIFIED' : 'RUN_DONE'));
    for (const m of closingSummary(store.state, { sandbox: sandboxDirUsed !== undefined })) text.push(paragraph(m, 2));
  } else {
    text.push({ kind: 'status-table', steps, state: store.state });
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
    text.push(blank, line('HEALTH_HEADING'));
    text.push({ kind: 'health', rows, indent: 2 });
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

/** Move a state file aside (`<file>.<time>.bak`), never deleting it. */
async function moveAside(file: string): Promise<string> {
  const { rename } = await import('node:fs/promises');
  const aside = `${file}.${new Date().toISOString().replace(/[:.]/g, '-')}.bak`;
  await rename(file, aside);
  return aside;
}

function invalidAnswers(problems: AnswerProblem[]): UsageError {
  if (problems.length === 1) {
    const p = problems[0]!;
    return new UsageError(`Invalid answer: ${p.message}. Nothing was changed.`, { code: 'INVALID_ANSWER', hint: p.hint });
  }
  return new UsageError(`Invalid answers (nothing was changed):\n${problems.map((p) => `  - ${p.message}`).join('\n')}`, {
    code: 'INVALID_ANSWER',
    hint: problems.map((p) => p.hint).join(' '),
  });
}

/**
 * Answers a step will need that have no default and nobody gave, for every step not yet done: a
 * non-interactive run names them all at once, before any step runs.
 */
export function missingUpFront(steps: readonly Step<StepId>[], state: WizardState | undefined, answers: AnswerSource, env: NodeJS.ProcessEnv): AnswerKey[] {
  const open = new Set<string>(steps.filter((s) => !['done', 'skipped'].includes(state?.steps[s.id]?.status ?? 'pending')).map((s) => s.id));
  const out: AnswerKey[] = [];
  for (const [key, spec] of Object.entries(ANSWERS) as [AnswerKey, AnswerSpec][]) {
    if (!spec.required || !open.has(spec.step) || answers.has(key)) continue;
    const unless = spec.required.unless as AnswerKey | undefined;
    if (unless && answers.peek(unless)?.value === true) continue;
    // The Okta org URL may also come from the Okta SDK's okta.yaml (src/okta/connect.ts).
    if (key === 'okta-org-url' && existsSync(env['OKTA_AWS_SSO_OKTA_YAML'] ?? path.join(env['HOME'] ?? os.homedir(), '.okta', 'okta.yaml'))) continue;
    out.push(key);
  }
  return out;
}

function missingAnswers(keys: AnswerKey[]): MissingAnswerError {
  const what = (k: AnswerKey): string => ANSWERS[k].description.replace(/, e\.g\. .*$/, '');
  if (keys.length === 1) {
    const k = keys[0]!;
    return new MissingAnswerError(k, `Missing answer in a non-interactive run: ${what(k)}.`, `Supply it with ${howToAnswer(k)}.`);
  }
  return new MissingAnswerError(
    keys[0]!,
    `Missing answers in a non-interactive run (nothing was changed):\n${keys.map((k) => `  - ${what(k)}: ${howToAnswer(k)}`).join('\n')}`,
    'Supply each of them (flags, environment variables or --config), or run in a terminal to be asked.',
  );
}

function installSignals(controller: AbortController, out: TerminalOutput, lock: StateLock): () => void {
  let count = 0;
  const handler = (sig: NodeJS.Signals): void => {
    count++;
    if (count === 1) {
      out.notify('STOPPING', { signal: sig === 'SIGINT' ? 'Ctrl-C' : sig });
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
