/**
 * `okta-aws-sso profiles`: write the AWS CLI v2 configuration `aws configure sso` would, for every
 * account and permission set a user (or a group) can use, merged into ~/.aws/config. Reads Identity
 * Center only; `--dry-run` prints the diff and writes nothing; a write keeps a backup first and is
 * atomic.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { UsageError } from '../../errors.js';
import { ioMessage } from '../../messages.js';
import type { PreflightOutput } from '../../steps/outputs.js';
import { line, view, type CommandResult, type TextBlock } from '../render.js';
import type { CliCommand } from './command.js';
import { withSetupOptions } from './command.js';

/** ~/.aws/config is small; anything far larger is not an AWS config file. */
const MAX_CONFIG_BYTES = 1024 * 1024;

function expandHome(p: string, env: NodeJS.ProcessEnv): string {
  const home = env['HOME'] ?? os.homedir();
  return p === '~' ? home : p.startsWith('~/') ? path.join(home, p.slice(2)) : p;
}

async function readConfig(file: string): Promise<{ text: string; mode: number | undefined }> {
  let st;
  try {
    st = await fs.stat(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { text: '', mode: undefined };
    throw new UsageError(`Cannot read ${file}: ${(e as Error).message}.`, { code: 'PROFILE_FILE', hint: 'Check the path and its permissions, or choose another file with --file.' });
  }
  if (!st.isFile()) throw new UsageError(`${file} is not a regular file.`, { code: 'PROFILE_FILE', hint: 'Point --file at the AWS CLI config file (default ~/.aws/config).' });
  if (st.size > MAX_CONFIG_BYTES) throw new UsageError(`${file} is larger than 1 MiB: not an AWS CLI config file.`, { code: 'PROFILE_FILE', hint: 'Point --file at the AWS CLI config file (default ~/.aws/config).' });
  return { text: await fs.readFile(file, 'utf8'), mode: st.mode & 0o777 };
}

export const profilesCommand: CliCommand = {
  name: 'profiles',
  define: (parent) =>
    withSetupOptions(
      parent
        .command('profiles')
        .description('write AWS CLI profiles (an sso-session and one profile per account and permission set) into ~/.aws/config')
        .option('--user <userName>', 'the Identity Center user whose access becomes profiles (default: the test user of the setup)')
        .option('--group <displayName>', 'a group instead of a user (e.g. awsssoPowerUsers)')
        .option('--profile-template <template>', 'profile names: <account-name>, <account-id>, <permission-set>', '<account-name>-<permission-set>')
        .option('--sso-session <name>', 'the [sso-session] name', 'okta-aws-sso')
        .option('--file <path>', 'the AWS CLI config file (default: AWS_CONFIG_FILE or ~/.aws/config)')
        .option('--region <region>', 'the default region of each profile (default: the Identity Center home region)')
        .option('--take-over', 'replace same-named sections that okta-aws-sso did not write'),
    ),
  async run(ctx, g, opts): Promise<CommandResult> {
    const profiles = await import('../../aws/profiles.js');
    const template = String(opts['profileTemplate']);
    const sessionName = String(opts['ssoSession']);
    const bad = [profiles.validateProfileTemplate(template), profiles.validateSessionName(sessionName)].find((v) => v !== true);
    if (typeof bad === 'string') throw new UsageError(bad, { code: 'USAGE', hint: 'Fix --profile-template or --sso-session.' });
    if (opts['user'] !== undefined && opts['group'] !== undefined) {
      throw new UsageError('--user and --group were both given.', { code: 'USAGE', hint: 'Give one: --user <name> for a person, or --group <name> for everyone in a group.' });
    }
    const { REGION_PATTERN } = await import('../../aws/organization.js');
    if (opts['region'] !== undefined && !REGION_PATTERN.test(String(opts['region']))) {
      throw new UsageError(`"${String(opts['region'])}" is not an AWS region.`, { code: 'USAGE', hint: 'Give --region like eu-west-1.' });
    }

    const stateFile = ctx.statePath(g);
    const { readState } = await import('../../engine/state.js');
    const state = await readState(stateFile);
    const pf = state?.steps.preflight?.outputs as PreflightOutput | undefined;
    if (!state || !pf) {
      throw new UsageError(`The setup in ${stateFile} has not found Identity Center yet.`, {
        code: 'NO_STATE',
        hint: 'Run `okta-aws-sso init` first (or pass --state <file> of a setup that ran).',
      });
    }
    const testUser = state.steps['test-user']?.outputs as { login?: string } | undefined;
    const assigned = state.steps['account-assignments']?.outputs as { groupName?: string } | undefined;
    const principal: import('../../aws/profiles.js').Principal =
      opts['user'] !== undefined
        ? { type: 'USER', userName: String(opts['user']) }
        : opts['group'] !== undefined
          ? { type: 'GROUP', displayName: String(opts['group']) }
          : testUser?.login
            ? { type: 'USER', userName: testUser.login }
            : assigned?.groupName
              ? { type: 'GROUP', displayName: assigned.groupName }
              : (() => {
                  throw new UsageError('No user or group to write profiles for.', { code: 'USAGE', hint: 'Give --user <Identity Center user name> or --group <group name>.' });
                })();

    const out = ctx.output(g);
    await out.ready();
    const { AnswerSource } = await import('../io/answer-source.js');
    const { BaseIo } = await import('../io/base-io.js');
    const answers = new AnswerSource({ flags: {}, secretFiles: {}, env: ctx.env, saved: state.inputs ?? {} });
    if (g.sandbox || opts['sandbox']) {
      const { bindSandbox, sandboxDir } = await import('../sandbox.js');
      await bindSandbox({ dir: await sandboxDir((opts['sandboxDir'] as string | undefined) ?? g.sandboxDir, ctx.cwd), answers, env: ctx.env, workDir: path.dirname(stateFile) });
    }
    const io = new BaseIo({ answers, output: out, yes: g.yes ?? false });
    ctx.redact = (t) => io.redact(t);
    const { connectAwsThroughIo } = await import('../../steps/connect.js');
    const aws = await connectAwsThroughIo(io, ctx.env);
    let text: TextBlock[];
    let data: Record<string, unknown>;
    try {
      aws.setHomeRegion(pf.aws.region);
      const progress = out.progress(ioMessage('PROFILES_READING', principal.type === 'USER' ? { kind: 'user', name: principal.userName } : { kind: 'group', name: principal.displayName }));
      let targets;
      try {
        targets = await profiles.discoverProfileTargets(aws, { instanceArn: pf.aws.instanceArn, identityStoreId: pf.aws.identityStoreId, principal });
        progress.succeed(ioMessage('PROFILES_READ', { count: targets.length }));
      } catch (e) {
        progress.fail();
        throw e;
      }
      const specs = profiles.buildProfiles(targets, template);
      const region = opts['region'] !== undefined ? String(opts['region']) : pf.aws.region;
      const session = { name: sessionName, startUrl: `https://${pf.aws.identityStoreId}.awsapps.com/start`, region: pf.aws.region };
      const wanted = profiles.renderSections(session, specs, region);
      const file = path.resolve(ctx.cwd, expandHome(String(opts['file'] ?? ctx.env['AWS_CONFIG_FILE'] ?? '~/.aws/config'), ctx.env));
      const before = await readConfig(file);
      const merged = profiles.mergeConfig(before.text, wanted, sessionName, opts['takeOver'] === true);
      profiles.checkReadBack(merged.text, wanted);
      const changed = merged.text !== before.text;
      text = [];
      if (specs.length === 0) text.push(line('PROFILES_NONE', { name: principal.type === 'USER' ? principal.userName : principal.displayName }));
      let backup: string | undefined;
      if (g.dryRun) {
        const { createTwoFilesPatch } = await import('diff');
        if (changed) text.push(view('profiles-diff', createTwoFilesPatch(file, file, before.text, merged.text, 'now', 'after okta-aws-sso profiles').trimEnd().split('\n')));
        else text.push(line('PROFILES_UP_TO_DATE', { file }));
        text.push(line('DRY_RUN_NOTHING_WRITTEN'));
      } else if (changed) {
        await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
        if (before.mode !== undefined) {
          backup = `${file}.okta-aws-sso.bak`;
          await fs.writeFile(backup, before.text, { mode: 0o600 });
        }
        const { default: writeFileAtomic } = await import('write-file-atomic');
        await writeFileAtomic(file, merged.text, { mode: before.mode ?? 0o600 });
        text.push(backup ? line('PROFILES_WRITTEN_BACKUP', { file, backup }) : line('PROFILES_WRITTEN', { file }));
      } else {
        text.push(line('PROFILES_UP_TO_DATE', { file }));
      }
      const count = (xs: string[]): number => xs.filter((x) => x.startsWith('profile ')).length;
      text.push(line('PROFILES_COUNTS', { added: count(merged.added), updated: count(merged.updated), removed: count(merged.removed), unchanged: count(merged.unchanged) }));
      text.push(view('profiles', specs.map((s) => `  ${s.name.padEnd(40)} ${s.accountId} ${s.roleName}`)));
      if (specs[0]) text.push(line('PROFILES_SIGN_IN', { session: sessionName, profile: specs[0].name }));
      data = {
        file,
        ...(backup ? { backup } : {}),
        written: !g.dryRun && changed,
        ssoSession: session,
        profiles: specs,
        added: merged.added,
        updated: merged.updated,
        removed: merged.removed,
        unchanged: merged.unchanged,
      };
    } finally {
      aws.destroy();
    }
    return { result: 'ok', exitCode: 0, stateFile, data, text };
  },
};
