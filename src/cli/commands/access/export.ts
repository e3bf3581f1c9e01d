/**
 * `okta-aws-sso access export -f access.yaml`: write an access file from what exists in Identity
 * Center today (every permission set with its policies and tags, every group assignment), so that
 * access made by hand can be managed as code. Reads only; never overwrites a file without --force.
 */
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../../../errors.js';
import { line, type CommandResult } from '../../render.js';
import { withSetupOptions, type CliCommand } from '../command.js';
import { openSession } from './shared.js';

export const accessExportCommand: CliCommand = {
  name: 'access export',
  define: (parent) =>
    withSetupOptions(
      parent
        .command('export')
        .description('write an access file from the permission sets and group assignments that exist in Identity Center')
        .requiredOption('-f, --file <file>', 'the access file to write')
        .option('--force', 'overwrite the file when it exists'),
    ),
  async run(ctx, g, opts): Promise<CommandResult> {
    const target = path.resolve(ctx.cwd, String(opts['file']));
    if (fs.existsSync(target) && opts['force'] !== true) {
      throw new UsageError(`${target} exists.`, { code: 'ACCESS_FILE_EXISTS', hint: 'Pass --force to overwrite it, or give another -f <file>.' });
    }
    const s = await openSession(ctx, g, opts);
    try {
      const text = await exportText(s);
      const { default: writeFileAtomic } = await import('write-file-atomic');
      await writeFileAtomic(target, text.yaml, { mode: 0o644 });
      return {
        result: 'ok',
        exitCode: 0,
        stateFile: s.stateFile,
        data: { file: target, permissionSets: text.sets, assignments: text.assignments },
        text: [line('ACCESS_EXPORTED', { file: target, sets: text.sets, assignments: text.assignments, fileArg: String(opts['file']) })],
      };
    } finally {
      s.close();
    }
  },
};

/** The access file of the whole instance, or of one group and set (init --write-access-file). */
export async function exportText(
  s: Awaited<ReturnType<typeof openSession>>,
  only?: { group: string; permissionSet: string },
): Promise<{ yaml: string; sets: number; assignments: number }> {
  const { observeAccess, observeAllGroupAssignments } = await import('../../../access/observe.js');
  const { exportAccessFile } = await import('../../../access/export.js');
  const p = s.io.progress('EXPORT_READING');
  const live = await observeAccess(s.aws, s.where, { setNames: only ? [only.permissionSet] : [], setArns: [], groups: [], ous: [], allSets: !only });
  const sets = live.permissionSets.filter((x) => (only ? x.name === only.permissionSet : true));
  let assignments = await observeAllGroupAssignments(s.aws, s.where, sets);
  if (only) assignments = assignments.filter((a) => a.group === only.group);
  p.succeed('EXPORT_READ', { sets: sets.length, assignments: assignments.length });
  const active = live.accounts.filter((a) => a.state === 'ACTIVE').map((a) => a.id);
  const header = `okta-aws-sso access file, exported ${new Date().toISOString()} from ${s.pf.instanceArn}.\nFormat: docs/access.md. Plan with \`okta-aws-sso access plan -f <this file>\`.`;
  return { yaml: exportAccessFile(sets, assignments, active, header), sets: sets.length, assignments: assignments.length };
}
