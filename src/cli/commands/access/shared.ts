/**
 * What the access commands share: the setup's state file (Identity Center found by init), the
 * sandbox binding (remembered from init), AWS (and Okta when a group must be pushed), the file read
 * and validated first, the live state observed and the plan made.
 */
import path from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../../../errors.js';
import type { PreflightOutput } from '../../../core/outputs.js';
import type { WizardState } from '../../../engine/state.js';
import type { AwsClients } from '../../../aws/clients.js';
import type { AccessFile } from '../../../access/file.js';
import type { AccessPlan, GroupFacts, TrackedAccess } from '../../../access/plan.js';
import type { LiveState, Where } from '../../../access/observe.js';
import type { OktaClient } from '../../../okta/client.js';
import type { CliContext, GlobalOpts } from '../../context.js';
import type { BaseIo } from '../../io/base-io.js';
import type { TerminalOutput } from '../../io/terminal.js';
import { withSetupOptions } from '../command.js';

export function withAccessOptions(c: Command): Command {
  return withSetupOptions(c.requiredOption('-f, --file <file>', 'the access file (YAML; docs/access.md)'));
}

export interface AccessSession {
  stateFile: string;
  state: WizardState;
  pf: PreflightOutput['aws'];
  where: Where;
  io: BaseIo;
  out: TerminalOutput;
  aws: AwsClients;
  okta: () => Promise<OktaClient>;
  pushAppId: string | undefined;
  pushPrefix: string | undefined;
  /** The group-push step's push rule was confirmed. */
  pushRule: boolean;
  interactive: boolean;
  close(): void;
}

/** The state of a setup that found Identity Center (init's preflight), or exit 2 naming init. */
export async function loadSetup(ctx: CliContext, g: GlobalOpts): Promise<{ stateFile: string; state: WizardState; pf: PreflightOutput['aws'] }> {
  const stateFile = ctx.statePath(g);
  const { readState } = await import('../../../engine/state.js');
  const state = await readState(stateFile);
  const pf = (state?.steps.preflight?.outputs as PreflightOutput | undefined)?.aws;
  if (!state || !pf) {
    throw new UsageError(`The setup in ${stateFile} has not found Identity Center yet.`, {
      code: 'NO_STATE',
      hint: 'Run `okta-aws-sso init` first (or pass --state <file> of a setup that ran).',
    });
  }
  return { stateFile, state, pf };
}

export async function openSession(ctx: CliContext, g: GlobalOpts, opts: Record<string, unknown>, signal?: AbortSignal): Promise<AccessSession> {
  const { stateFile, state, pf } = await loadSetup(ctx, g);
  const out = ctx.output(g);
  await out.ready();
  const { AnswerSource } = await import('../../io/answer-source.js');
  const { BaseIo } = await import('../../io/base-io.js');
  const { InquirerPrompter } = await import('../../io/terminal.js');
  const answers = new AnswerSource({ flags: {}, secretFiles: {}, env: ctx.env, saved: state.inputs ?? {}, cwd: ctx.cwd });
  const sandbox = opts['sandbox'] === true || g.sandbox === true || state.run?.sandbox !== undefined;
  if (sandbox) {
    const { bindSandbox, sandboxDir } = await import('../../sandbox.js');
    const dir = await sandboxDir((opts['sandboxDir'] as string | undefined) ?? g.sandboxDir ?? state.run?.sandbox?.dir, ctx.cwd);
    await bindSandbox({ dir, answers, env: ctx.env, workDir: path.dirname(stateFile) });
    // As the wizard's --sandbox steps: the pushed group's arrival polled every 250 ms, not 5 s.
    (await import('../../../aws/session.js')).useSandboxTuning();
  }
  const interactive = ctx.interactive(g);
  const io = new BaseIo({
    answers,
    output: out,
    ...(interactive ? { prompter: new InquirerPrompter({ input: ctx.stdin, output: ctx.human(g), ...(signal ? { signal } : {}) }) } : {}),
    yes: g.yes ?? false,
  });
  ctx.redact = (t) => io.redact(t);
  const { connectAwsThroughIo, connectOktaThroughIo } = await import('../../../steps/connect.js');
  const aws = await connectAwsThroughIo(io, ctx.env);
  aws.setHomeRegion(pf.region);
  let okta: Promise<OktaClient> | undefined;
  const { MemorySecretStore } = await import('../../../engine/context.js');
  const secrets = new MemorySecretStore(io);
  const push = state.steps['group-push']?.outputs as { appId?: string; prefix?: string; ruleConfirmed?: boolean } | undefined;
  const prov = state.steps['okta-provisioning']?.outputs as { appId?: string } | undefined;
  return {
    stateFile,
    state,
    pf,
    where: { instanceArn: pf.instanceArn, identityStoreId: pf.identityStoreId, bulk: pf.callerIsManagementAccount },
    io,
    out,
    aws,
    okta: () => (okta ??= connectOktaThroughIo(io, secrets, { env: ctx.env, cwd: ctx.cwd })),
    pushAppId: push?.appId ?? prov?.appId,
    pushPrefix: push?.prefix,
    pushRule: push?.ruleConfirmed === true,
    interactive,
    close: () => aws.destroy(),
  };
}

/** Read and validate the file (before anything is sent). */
export async function readFileArg(ctx: CliContext, opts: Record<string, unknown>): Promise<AccessFile> {
  const { readAccessFile } = await import('../../../access/file.js');
  return readAccessFile(path.resolve(ctx.cwd, String(opts['file'])));
}

export interface Planned {
  file: AccessFile;
  live: LiveState;
  tracked: TrackedAccess;
  plan: AccessPlan;
}

export async function observeAndPlan(s: AccessSession, file: AccessFile, opts: { prune: boolean; pruneUnmanaged: boolean }): Promise<Planned> {
  const { observeAccess } = await import('../../../access/observe.js');
  const { planAccess } = await import('../../../access/plan.js');
  const { trackedFromState } = await import('../../../access/tracked.js');
  const tracked = trackedFromState(s.state);
  const ous = file.assignments.flatMap((a) => [...a.targets.ous, ...a.targets.exclude.filter((x) => x.startsWith('ou-'))]);
  const p = s.io.progress('ACCESS_READING');
  let live: LiveState;
  try {
    live = await observeAccess(
      s.aws,
      s.where,
      {
        setNames: file.permissionSets.map((x) => x.name),
        setArns: tracked.permissionSets.map((x) => x.arn),
        groups: [...file.assignments.map((a) => a.group), ...tracked.assignments.map((a) => a.group)],
        ous,
      },
      (m) => s.io.debug('CLIENT_DEBUG', { message: m }),
    );
    p.succeed('ACCESS_READ', { accounts: live.accounts.length, permissionSets: live.permissionSets.length, groups: live.groups.length });
  } catch (e) {
    p.fail();
    throw e;
  }
  // Okta is asked only about groups missing from Identity Center.
  const oktaGroups: Record<string, GroupFacts> = {};
  const missing = live.groups.filter((g) => !g.groupId && file.assignments.some((a) => a.group === g.name));
  if (missing.length > 0 && s.pushAppId) {
    const okta = await s.okta();
    for (const g of missing) {
      const og = await okta.findGroupByName(g.name);
      oktaGroups[g.name] = { oktaGroup: og !== undefined, pushMapping: og ? (await okta.listPushMappings(s.pushAppId, og.id)).length > 0 : false };
    }
  }
  const plan = planAccess(file, live, tracked, { ...opts, oktaGroups, pushRule: s.pushRule, ...(s.pushPrefix ? { pushPrefix: s.pushPrefix } : {}) });
  return { file, live, tracked, plan };
}

/** The plan as --json data. */
export function planData(file: string, plan: AccessPlan): Record<string, unknown> {
  return {
    file,
    summary: plan.summary,
    counts: plan.counts,
    notes: plan.notes,
    changes: plan.changes.map((c) => {
      const pl = c.payload;
      const detail =
        pl?.kind === 'assign' || pl?.kind === 'unassign'
          ? { group: pl.group, permissionSet: pl.permissionSet, accounts: pl.accounts }
          : pl?.kind === 'ps-update'
            ? { permissionSet: pl.set.name, fields: pl.fields, reprovision: pl.reprovision, accountsHolding: pl.live.provisionedAccounts.length }
            : pl?.kind === 'ps-create'
              ? { permissionSet: pl.set.name }
              : pl?.kind === 'ps-delete'
                ? { permissionSet: pl.name }
                : pl?.kind === 'group'
                  ? { group: pl.name, createOktaGroup: pl.createOktaGroup, createPushMapping: pl.createMapping }
                  : {};
      return { op: c.op, resource: c.resource, summary: c.summary, risk: c.risk, ...(c.scale ? { scale: c.scale } : {}), ...(c.writes ? { writes: c.writes } : {}), ...detail };
    }),
  };
}
