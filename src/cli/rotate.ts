/**
 * What `rotate scim-token` and `rotate saml-cert` share: the lock on the state file, the answers and
 * the I/O bound as for init (terminal, non-interactive, --sandbox from the state file), the plan
 * printed first (`--dry-run` stops there and changes nothing), one approval, then the rotation's
 * phases, its progress saved in the state file after each (`rotations.<kind>`, never a secret).
 */
import path from 'node:path';
import { UsageError, isWizardError } from '../errors.js';
import { messageText } from '../messages.js';
import type { StateLock } from '../engine/lock.js';
import type { StepId, StepOutputs } from '../core/outputs.js';
import type { RotationEnv, RotationPlan, RotationRecord } from '../steps/rotation.js';
import type { CliContext, GlobalOpts } from './context.js';
import { blank, line, renderBlocks, view, type CommandResult, type TextBlock } from './render.js';

export interface RotationSpec {
  kind: 'scim-token' | 'saml-cert';
  /** In sentences: "SCIM access token". */
  label: string;
  /** The command that continues it, for every hint: "okta-aws-sso rotate scim-token". */
  command: string;
  plan(outputs: Partial<StepOutputs>, record: RotationRecord, continuing: boolean): RotationPlan;
  run(env: RotationEnv): Promise<void>;
}

function outputsOf(state: import('../engine/state.js').WizardState): Partial<StepOutputs> {
  const out: Partial<Record<string, unknown>> = {};
  for (const [id, rec] of Object.entries(state.steps)) if (rec.status === 'done' && rec.outputs) out[id] = rec.outputs;
  return out as Partial<StepOutputs>;
}

export async function runRotation(ctx: CliContext, g: GlobalOpts, cmdOpts: Record<string, unknown>, spec: RotationSpec): Promise<CommandResult> {
  const file = ctx.statePath(g);
  const out = ctx.output(g);
  await out.ready();
  const { readState, validateSavedOutputs, StateStore } = await import('../engine/state.js');
  const controller = new AbortController();
  const external = ctx.deps.signal;
  if (external) {
    if (external.aborted) controller.abort();
    else external.addEventListener('abort', () => controller.abort(), { once: true });
  }
  let lock: StateLock | undefined;
  if (!g.dryRun) {
    const { acquireLock } = await import('../engine/lock.js');
    lock = await acquireLock(file, { warn: (m) => out.message(m) });
  }
  const onSignal = (): void => controller.abort();
  if (ctx.deps.handleSignals) process.once('SIGINT', onSignal);
  try {
    const existing = await readState(file);
    if (!existing) throw new UsageError(messageText('NO_STATE', { file, kind: `rotate ${spec.kind}` }), { code: 'NO_STATE', hint: messageText('NO_STATE', {}, 'hint') });
    const { OUTPUT_SCHEMAS } = await import('../steps/output-schemas.js');
    validateSavedOutputs(existing, file, OUTPUT_SCHEMAS);
    // How the setup was run is remembered: the sandbox and --yes carry over, as for resume.
    if (existing.run?.sandbox && g.sandbox === undefined) {
      g.sandbox = true;
      g.sandboxDir ??= existing.run.sandbox.dir;
    }
    const interactive = ctx.interactive(g);

    const { answersFromOptions, loadConfigFile } = await import('./options.js');
    const { AnswerSource } = await import('./io/answer-source.js');
    const { BaseIo } = await import('./io/base-io.js');
    const config = g.config ? await loadConfigFile(path.resolve(ctx.cwd, g.config)) : undefined;
    const { flags, secretFiles } = answersFromOptions(cmdOpts);
    const answers = new AnswerSource({ flags, secretFiles, env: ctx.env, config, saved: existing.inputs ?? {}, cwd: ctx.cwd });
    const problems = answers.checkAll({ interactive, warn: (m) => out.message(m) });
    if (problems.length > 0) throw new UsageError(`Invalid answer: ${problems.map((p) => p.message).join('; ')}. Nothing was changed.`, { code: 'INVALID_ANSWER', hint: problems.map((p) => p.hint).join(' ') });

    // The new SCIM token must be the one given: SCIM_TOKEN wins over --scim-token-file, so an old token
    // left in the environment would silently be taken for the new one.
    const envToken = ['SCIM_TOKEN'].find((k) => (ctx.env[k] ?? '').trim() !== '');
    if (spec.kind === 'scim-token' && envToken && (secretFiles?.['scim-token'] !== undefined || (g.sandbox && !existing.rotations?.['scim-token']?.phases['token-created']))) {
      throw new UsageError(`${envToken} is set${secretFiles?.['scim-token'] !== undefined ? ' and --scim-token-file is given' : ' and the sandbox generates the new token'}: the environment variable would win, and it may hold the old token.`, {
        code: 'ROTATE_TOKEN_AMBIGUOUS',
        hint: `Give the new token one way only: unset ${envToken} (\`unset ${envToken}\`) and keep --scim-token-file, or put the new token in ${envToken} alone.`,
      });
    }

    let performer: import('./io/base-io.js').ConsolePerformer | undefined;
    let sandboxInfo: { adminUrl: string } | undefined;
    let consoleHint: ((action: import('../steps/contract.js').ConsoleAction) => string | undefined) | undefined;
    if (g.sandbox) {
      const { bindSandbox, sandboxDir } = await import('./sandbox.js');
      const b = await bindSandbox({ dir: await sandboxDir(g.sandboxDir, ctx.cwd), answers, env: ctx.env, workDir: path.dirname(file), cwd: ctx.cwd });
      performer = b.performer;
      consoleHint = b.consoleHint;
      sandboxInfo = { adminUrl: b.info.adminUrl };
      out.notify('SANDBOX_BOUND', { started: b.started ? 'started' : 'running', oktaUrl: b.info.oktaUrl, awsUrl: b.info.awsUrl });
    }
    const { InquirerPrompter } = await import('./io/terminal.js');
    const io = new BaseIo({
      answers,
      output: out,
      ...(interactive ? { prompter: new InquirerPrompter({ input: ctx.stdin, output: ctx.human(g), signal: controller.signal }) } : {}),
      yes: g.yes ?? existing.run?.yes ?? false,
      ...(performer ? { consolePerformer: performer } : {}),
      ...(consoleHint ? { consoleHint } : {}),
      continueCommand: spec.command,
    });
    ctx.redact = (t) => io.redact(t);
    const { MemorySecretStore } = await import('../engine/context.js');
    const secrets = new MemorySecretStore(io);
    const { createServices } = await import('../steps/services.js');
    const base = createServices(io, secrets, sandboxInfo, { env: ctx.env, cwd: ctx.cwd });
    let awsUsed = false;
    const services = { ...base, aws: () => ((awsUsed = true), base.aws()) };

    const store = new StateStore(file, existing, { redact: (t) => io.redact(t) });
    const outputs = outputsOf(store.state);
    const { openRecord, planLines } = await import('../steps/rotation.js');
    const { record, continuing } = openRecord(store.state.rotations?.[spec.kind], new Date());
    const plan = spec.plan(outputs, record, continuing);
    out.notify(continuing ? 'ROTATE_CONTINUE' : 'ROTATE_PLAN', { kind: spec.label, startedAt: record.startedAt });
    renderBlocks(out, [view('rotation-plan', planLines(plan))]);
    if (g.dryRun) {
      return { result: 'planned', exitCode: 0, stateFile: file, data: { rotation: plan }, text: [line('DRY_RUN_NOTHING_CHANGED')] };
    }
    if (!continuing) {
      const ok = await io.confirm({ message: `Start the rotation of the ${spec.label} as planned above?`, default: true });
      if (!ok) throw new UsageError(`Not rotating the ${spec.label}; nothing was changed.`, { code: 'DECLINED', hint: `Run \`${spec.command}\` again when you are ready.` });
    }

    const env: RotationEnv = {
      io,
      services,
      outputs,
      record,
      save: async () => {
        store.state.rotations = { ...(store.state.rotations ?? {}), [spec.kind]: record };
        await store.save();
      },
      setOutput: <K extends StepId>(id: K, value: StepOutputs[K]) => {
        (outputs as Record<string, unknown>)[id] = value;
        const rec = store.step(id);
        rec.outputs = value as unknown as Record<string, unknown>;
      },
      signal: controller.signal,
      workDir: path.dirname(file),
      now: () => new Date(),
      ...(sandboxInfo && ctx.env['AWS_ENDPOINT_URL'] ? { acsBaseUrl: ctx.env['AWS_ENDPOINT_URL'] } : {}),
    };
    await env.save();
    try {
      await spec.run(env);
    } catch (e) {
      // The phases done so far are saved; the error (secrets masked by the renderer) says what is next.
      await env.save().catch(() => undefined);
      if (isWizardError(e) && e.code === 'WAITING_FOR_CONSOLE') {
        return {
          result: 'waiting-for-console',
          exitCode: e.exitCode,
          stateFile: file,
          error: e,
          data: { rotation: spec.plan(outputs, record, true) },
          text: [blank, view('rotation-plan', planLines(spec.plan(outputs, record, true)))],
        };
      }
      throw e;
    } finally {
      if (awsUsed) (await services.aws().catch(() => undefined))?.destroy();
    }
    const text: TextBlock[] = [blank, line('ROTATE_DONE', { kind: spec.label }), view('rotation-plan', planLines({ ...spec.plan(outputs, record, true), warnings: [] }))];
    return { result: 'done', exitCode: 0, stateFile: file, data: { rotation: spec.plan(outputs, record, true), finishedAt: record.finishedAt }, text };
  } finally {
    if (ctx.deps.handleSignals) process.removeListener('SIGINT', onSignal);
    lock?.releaseSync();
  }
}
