/**
 * `okta-aws-sso access apply -f access.yaml`: the plan of `access plan`, approved once (a terminal
 * asks; `--yes` approves; a non-interactive run without it exits 2 with the plan), then applied:
 * groups pushed, permission sets created or updated and re-provisioned to the accounts holding them,
 * assignments created and (with --prune) deleted by the assignment engine. Resumable: what is done
 * is recorded in the state file as it finishes.
 */
import { InterruptedError, UsageError, WizardError } from '../../../errors.js';
import type { GlobalOpts } from '../../context.js';
import { DEFAULT_STATE_FILE } from '../../../engine/defaults.js';
import { line, renderBlocks, view, type CommandResult, type TextBlock } from '../../render.js';
import type { CliCommand } from '../command.js';
import { observeAndPlan, openSession, planData, readFileArg, withAccessOptions } from './shared.js';

export const accessApplyCommand: CliCommand = {
  name: 'access apply',
  define: (parent) =>
    withAccessOptions(
      parent
        .command('apply')
        .description('make Identity Center match the access file (the plan is shown and approved once)')
        .option('--prune', 'remove the assignments and permission sets okta-aws-sso created earlier that the file no longer lists')
        .option('--prune-unmanaged', 'also remove the file\'s groups\' assignments that the file does not list, whoever made them (needs --confirm)')
        .option('--confirm <instance-id>', 'with --prune-unmanaged: the Identity Center instance ID (ssoins-...) typed out, as a confirmation'),
    ),
  async run(ctx, g, opts): Promise<CommandResult> {
    const file = await readFileArg(ctx, opts);
    const pruneUnmanaged = opts['pruneUnmanaged'] === true;
    if (opts['confirm'] !== undefined && !pruneUnmanaged) throw new UsageError('--confirm was given without --prune-unmanaged.', { code: 'USAGE', hint: 'Drop --confirm, or add --prune-unmanaged.' });
    const stateFile = ctx.statePath(g);
    const out = ctx.output(g);
    const { acquireLock } = await import('../../../engine/lock.js');
    const lock = await acquireLock(stateFile, { warn: (m) => out.message(m) });
    const controller = new AbortController();
    const external = ctx.deps.signal;
    if (external) external.addEventListener('abort', () => controller.abort(), { once: true });
    // The command that continues this run, exactly as it can be typed again (same file, flags, state).
    const again = resumeCommand(g, opts);
    const onSig = (): void => {
      out.notify('ACCESS_STOPPING', { command: again });
      controller.abort();
    };
    if (ctx.deps.handleSignals) process.once('SIGINT', onSig);
    try {
      const s = await openSession(ctx, g, opts, controller.signal);
      try {
        if (pruneUnmanaged) {
          const id = s.pf.instanceArn.split('/').pop() ?? s.pf.instanceArn;
          const given = opts['confirm'] === undefined ? undefined : String(opts['confirm']);
          if (given !== id && given !== s.pf.instanceArn) {
            throw new UsageError(
              given === undefined ? '--prune-unmanaged removes assignments okta-aws-sso did not make: it needs a typed confirmation.' : `--confirm ${given} is not this setup's Identity Center instance.`,
              { code: 'ACCESS_CONFIRM', hint: `Run \`access plan --prune-unmanaged -f ${String(opts['file'])}\` to see what would go, then add \`--confirm ${id}\`.` },
            );
          }
        }
        const { planText, hasChanges } = await import('../../../access/plan.js');
        const { plan, tracked } = await observeAndPlan(s, file, { prune: opts['prune'] === true, pruneUnmanaged });
        const planBlocks: TextBlock[] = [view('access-plan', planText(plan))];
        const data = planData(file.file, plan);
        const { StateStore } = await import('../../../engine/state.js');
        const store = new StateStore(s.stateFile, s.state, { redact: (t) => s.io.redact(t) });
        // Assignments an interrupted run had sent that finished after it stopped: recorded, nothing sent.
        const { track } = await import('../../../access/apply.js');
        for (const x of plan.settled ?? []) track(tracked, x.group, x.permissionSet, x.accounts);
        const settledCount = (plan.settled ?? []).reduce((n, x) => n + x.accounts.length, 0);
        if (!hasChanges(plan)) {
          const text = [...planBlocks, line('ACCESS_NOTHING_TO_DO')];
          if (settledCount > 0) {
            store.state.access = { ...store.state.access, permissionSets: tracked.permissionSets, assignments: tracked.assignments };
            await store.save();
            text.push(line('ACCESS_SETTLED', { count: settledCount }));
          }
          return { result: 'done', exitCode: 0, stateFile: s.stateFile, data: { ...data, applied: false }, text };
        }
        renderBlocks(s.out, planBlocks);
        const risky = plan.changes.some((c) => c.risk === 'destructive' || c.risk === 'org-wide');
        let ok: boolean;
        try {
          ok = await s.io.confirm({ message: `Apply this plan (${plan.summary})?`, default: !risky });
        } catch (e) {
          if (e instanceof WizardError && e.code === 'APPROVAL_NEEDED') return { result: 'error', exitCode: e.exitCode, stateFile: s.stateFile, data: { ...data, applied: false }, error: e, text: [] };
          throw e;
        }
        if (!ok) throw new UsageError('The plan was not approved; nothing was changed.', { code: 'DECLINED', hint: 'Change the access file until `access plan` shows what you want, then apply again (or pass --yes).' });
        const save = async (): Promise<void> => {
          store.state.access = { ...store.state.access, permissionSets: tracked.permissionSets, assignments: tracked.assignments };
          await store.save();
        };
        const { applyAccess } = await import('../../../access/apply.js');
        const res = await applyAccess({ aws: s.aws, where: s.where, plan, io: s.io, okta: s.okta, ...(s.pushAppId ? { pushAppId: s.pushAppId } : {}), tracked, save, signal: controller.signal }).catch((e: unknown) => {
          if (e instanceof InterruptedError) {
            throw new InterruptedError('Interrupted. What finished is recorded in the state file; requests already sent finish in AWS on their own.', `Run \`${again}\` to continue: the new plan holds only what is left.`);
          }
          throw e;
        });
        store.state.access = { permissionSets: tracked.permissionSets, assignments: tracked.assignments, lastApply: { at: new Date().toISOString(), file: file.file, summary: plan.summary } };
        await store.save();
        const text: TextBlock[] = [
          line('ACCESS_APPLIED', {
            created: res.assignmentsCreated,
            deleted: res.assignmentsDeleted,
            setsCreated: res.permissionSetsCreated.length,
            setsUpdated: res.permissionSetsUpdated.length,
            setsDeleted: res.permissionSetsDeleted.length,
          }),
        ];
        for (const r of res.reprovisioned) text.push(line('ACCESS_REPROVISIONED', { name: r.name, accounts: r.accounts }));
        return {
          result: 'done',
          exitCode: 0,
          stateFile: s.stateFile,
          data: {
            ...data,
            applied: true,
            result: {
              assignmentsCreated: res.assignmentsCreated,
              assignmentsDeleted: res.assignmentsDeleted,
              permissionSetsCreated: res.permissionSetsCreated,
              permissionSetsUpdated: res.permissionSetsUpdated,
              permissionSetsDeleted: res.permissionSetsDeleted,
              reprovisioned: res.reprovisioned,
            },
          },
          text,
        };
      } finally {
        s.close();
      }
    } finally {
      if (ctx.deps.handleSignals) process.removeListener('SIGINT', onSig);
      await lock.release();
    }
  },
};

/** A shell word: as is when plain, else single-quoted. */
function word(v: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(v) ? v : `'${v.replace(/'/g, `'\\''`)}'`;
}

/** `okta-aws-sso access apply -f <file> [flags]`: this run again, with what decides what it does. */
export function resumeCommand(g: GlobalOpts, opts: Record<string, unknown>): string {
  const globals: string[] = [];
  if (g.state && g.state !== `./${DEFAULT_STATE_FILE}`) globals.push('--state', g.state);
  if (g.config) globals.push('--config', g.config);
  if (g.sandboxDir) globals.push('--sandbox-dir', g.sandboxDir);
  if (g.nonInteractive) globals.push('--non-interactive');
  if (g.yes) globals.push('--yes');
  const own: string[] = ['-f', String(opts['file'])];
  if (opts['sandbox'] === true) own.push('--sandbox');
  if (opts['sandboxDir'] !== undefined) own.push('--sandbox-dir', String(opts['sandboxDir']));
  if (opts['prune'] === true) own.push('--prune');
  if (opts['pruneUnmanaged'] === true) own.push('--prune-unmanaged');
  if (opts['confirm'] !== undefined) own.push('--confirm', String(opts['confirm']));
  // Global options are read after the subcommand too (`access apply -f x --yes`).
  return ['okta-aws-sso', 'access', 'apply', ...own, ...globals].map(word).join(' ');
}
