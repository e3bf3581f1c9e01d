/**
 * `okta-aws-sso destroy`: remove, in the reverse order of the setup, what the wizard created (as the
 * state file records it), never what it adopted unless named with --include-adopted. Plans first
 * and shows the plan; the person types the Identity Center instance id (ssoins-...) to confirm, a
 * script passes `--yes --confirm <that id>`; `--dry-run` prints the plan only. Resumable: each
 * removal is recorded in the state file and a re-run plans only what is left. The logic lives in
 * src/lifecycle/destroy.ts.
 */
import path from 'node:path';
import { ExitCode, UsageError } from '../../errors.js';
import { ioMessage, messageText } from '../../messages.js';
import { describeChange, type Change } from '../../core/change.js';
import type { StepOutputs } from '../../core/outputs.js';
import { blank, line, renderBlocks, view, type CommandResult, type TextBlock } from '../render.js';
import type { CliCommand } from './command.js';
import { withSetupOptions } from './command.js';

const INSTANCE_ID = /^ssoins-[a-zA-Z0-9-.]{16}$/;

/** A change as --json shows it (no payload). */
function jsonChange(c: Change): Record<string, unknown> {
  return { op: c.op, resource: c.resource, summary: c.summary, risk: c.risk, ...(c.scale ? { scale: c.scale } : {}), ...(c.writes ? { writes: c.writes } : {}) };
}

export const destroyCommand: CliCommand = {
  name: 'destroy',
  define: (parent) =>
    withSetupOptions(
      parent
        .command('destroy')
        .description('remove what the wizard created, in reverse order (assignments, permission set, push, groups, test user, provisioning, app); keeps what it adopted')
        .option('--confirm <instance-id>', 'the Identity Center instance id (ssoins-...) of the setup, typed to confirm (with --yes in scripts)')
        .option('--include-adopted <kinds>', 'also remove these adopted objects (comma separated): okta-app, scim-app, groups, push-mappings, test-user, permission-set, assignments, app-sign-on-policy')
        .option('--keep-idc-groups', 'leave the pushed groups in Identity Center (default: deleted with their push mappings)')
        .option('--console-done <ids>', 'console actions of destroy already done (comma separated): delete-scim-tokens, revert-identity-source'),
    ),
  async run(ctx, g, opts): Promise<CommandResult> {
    const { parseIncludeAdopted, observeDestroy, planDestroy, applyDestroy } = await import('../../lifecycle/destroy.js');
    const includeAdopted = parseIncludeAdopted(opts['includeAdopted'] as string | undefined);
    const confirm = opts['confirm'] === undefined ? undefined : String(opts['confirm']).trim();
    const stateFile = ctx.statePath(g);
    const { readState, StateStore } = await import('../../engine/state.js');
    const state = await readState(stateFile);
    if (!state) throw new UsageError(messageText('NO_STATE', { file: stateFile, kind: 'destroy' }), { code: 'NO_STATE', hint: messageText('NO_STATE', {}, 'hint') });
    const outputs: Partial<StepOutputs> = {};
    for (const [id, rec] of Object.entries(state.steps)) if (rec?.outputs !== undefined) (outputs as Record<string, unknown>)[id] = rec.outputs;
    const { OUTPUT_SCHEMAS } = await import('../../steps/output-schemas.js');
    const { validateSavedOutputs } = await import('../../engine/state.js');
    validateSavedOutputs(state, stateFile, OUTPUT_SCHEMAS);
    const instanceArn = outputs.preflight?.aws.instanceArn;
    const instanceId = instanceArn?.split('/').pop();
    // A wrong id stops everything before a single request.
    if (confirm !== undefined && instanceId !== undefined && confirm !== instanceId) {
      throw new UsageError(messageText('DESTROY_CONFIRM_MISMATCH', { given: confirm, instanceId }), { code: 'DESTROY_CONFIRM_MISMATCH', hint: messageText('DESTROY_CONFIRM_MISMATCH', { instanceId }, 'hint') });
    }

    const out = ctx.output(g);
    await out.ready();
    const interactive = ctx.interactive(g);
    // A script (no terminal, or --yes) without --confirm stops before a single request.
    if (confirm === undefined && !g.dryRun && instanceId !== undefined && (!interactive || g.yes)) {
      throw new UsageError(messageText('DESTROY_CONFIRM_NEEDED', { instanceId }), { code: 'DESTROY_CONFIRM_NEEDED', hint: messageText('DESTROY_CONFIRM_NEEDED', { instanceId }, 'hint') });
    }
    const { AnswerSource } = await import('../io/answer-source.js');
    const { BaseIo } = await import('../io/base-io.js');
    const { InquirerPrompter } = await import('../io/terminal.js');
    const flags: Record<string, string> = {};
    if (opts['consoleDone'] !== undefined) flags['console-done'] = String(opts['consoleDone']);
    const answers = new AnswerSource({ flags, secretFiles: {}, env: ctx.env, saved: state.inputs ?? {}, cwd: ctx.cwd });
    const problems = answers.checkAll({ interactive, warn: (m) => out.message(m) });
    if (problems.length > 0) throw new UsageError(`Invalid answer: ${problems.map((p) => p.message).join('; ')}. Nothing was changed.`, { code: 'INVALID_ANSWER', hint: problems.map((p) => p.hint).join(' ') });

    let performer;
    let sandboxInfo: { adminUrl: string } | undefined;
    const sandboxDirGiven = (opts['sandboxDir'] as string | undefined) ?? g.sandboxDir;
    const useSandbox = g.sandbox === true || opts['sandbox'] === true || (state.run?.sandbox !== undefined && g.sandbox === undefined && opts['sandbox'] === undefined);
    if (useSandbox) {
      const { bindSandbox, sandboxDir } = await import('../sandbox.js');
      const dir = await sandboxDir(sandboxDirGiven ?? state.run?.sandbox?.dir, ctx.cwd);
      const b = await bindSandbox({ dir, answers, env: ctx.env, workDir: path.dirname(stateFile) });
      performer = b.performer;
      sandboxInfo = { adminUrl: b.info.adminUrl };
    }
    const controller = new AbortController();
    const external = ctx.deps.signal;
    if (external) external.addEventListener('abort', () => controller.abort(), { once: true });
    const prompter = interactive ? new InquirerPrompter({ input: ctx.stdin, output: ctx.human(g), signal: controller.signal }) : undefined;
    const io = new BaseIo({
      answers,
      output: out,
      ...(prompter ? { prompter } : {}),
      yes: g.yes ?? false,
      ...(performer ? { consolePerformer: performer } : {}),
    });
    ctx.redact = (t) => io.redact(t);
    const { MemorySecretStore } = await import('../../engine/context.js');
    const secrets = new MemorySecretStore(io);
    const { createServices } = await import('../../steps/services.js');
    const services = createServices(io, secrets, sandboxInfo, { env: ctx.env, cwd: ctx.cwd });
    const dctx = { io, services, outputs, signal: controller.signal, consoleDone: state.destroy?.consoleDone ?? [] };
    const dopts = { includeAdopted, deleteIdcGroups: opts['keepIdcGroups'] !== true };

    const lock = g.dryRun ? undefined : await (await import('../../engine/lock.js')).acquireLock(stateFile, { warn: (m) => out.message(m) });
    try {
      const progress = out.progress(ioMessage('DESTROY_READING'));
      let obs;
      try {
        obs = await observeDestroy(dctx, dopts);
        progress.succeed(ioMessage('DESTROY_READ'));
      } catch (e) {
        progress.fail();
        throw e;
      }
      const changes = planDestroy(obs);
      const text: TextBlock[] = [];
      text.push(line('DESTROY_INSTANCE', { instanceId: obs.instanceId, instanceArn: obs.instanceArn }));
      if (changes.length === 0) text.push(line('DESTROY_NOTHING_LEFT'));
      else text.push(line('DESTROY_PLAN', { count: changes.length }), view('destroy-plan', changes.map((c, i) => `  ${i + 1}. ${describeChange(c)}`)));
      for (const k of obs.kept) text.push(line('DESTROY_KEPT', { what: k }));
      const data: Record<string, unknown> = { instanceId: obs.instanceId, changes: changes.map(jsonChange), kept: obs.kept, removed: [] as string[] };
      if (g.dryRun || changes.length === 0) {
        if (g.dryRun) text.push(line('DRY_RUN_NOTHING_CHANGED'));
        return { result: g.dryRun ? 'planned' : 'ok', exitCode: 0, stateFile, data, text };
      }
      // Show the plan before asking.
      renderBlocks(out, text);
      let typed = confirm;
      if (typed === undefined) {
        if (!prompter || g.yes) {
          throw new UsageError(messageText('DESTROY_CONFIRM_NEEDED', { instanceId: obs.instanceId }), { code: 'DESTROY_CONFIRM_NEEDED', hint: messageText('DESTROY_CONFIRM_NEEDED', { instanceId: obs.instanceId }, 'hint') });
        }
        typed = (await prompter.input({ message: `Type the Identity Center instance id (${obs.instanceId}) to remove the ${changes.length} item(s) above`, validate: (v) => (INSTANCE_ID.test(v.trim()) || v.trim() === obs.instanceId ? true : 'An instance id looks like ssoins-0123456789abcdef.') })).trim();
      } else if (!interactive && !g.yes) {
        throw new UsageError(messageText('DESTROY_CONFIRM_NEEDED', { instanceId: obs.instanceId }), { code: 'DESTROY_CONFIRM_NEEDED', hint: messageText('DESTROY_CONFIRM_NEEDED', { instanceId: obs.instanceId }, 'hint') });
      }
      if (typed !== obs.instanceId) {
        throw new UsageError(messageText('DESTROY_CONFIRM_MISMATCH', { given: typed, instanceId: obs.instanceId }), { code: 'DESTROY_CONFIRM_MISMATCH', hint: messageText('DESTROY_CONFIRM_MISMATCH', { instanceId: obs.instanceId }, 'hint') });
      }

      const store = new StateStore(stateFile, state, { redact: (t) => io.redact(t) });
      const rec = (store.state.destroy ??= { startedAt: new Date().toISOString(), removed: {}, consoleDone: [] });
      await store.save();
      const removed = await applyDestroy(dctx, obs, changes, {
        async removed(key, consoleId) {
          rec.removed[key] = new Date().toISOString();
          if (consoleId && !rec.consoleDone.includes(consoleId)) rec.consoleDone.push(consoleId);
          await store.save();
        },
      });
      rec.finishedAt = new Date().toISOString();
      await store.save();
      data['removed'] = removed;
      text.length = 0;
      text.push(blank, line('DESTROY_DONE', { count: removed.length, instanceId: obs.instanceId }));
      for (const k of obs.kept) text.push(line('DESTROY_KEPT', { what: k }));
      text.push(line('DESTROY_STATE_RECORDS', { file: stateFile }));
      return { result: 'done', exitCode: ExitCode.Ok, stateFile, data, text };
    } finally {
      await lock?.release();
    }
  },
};
