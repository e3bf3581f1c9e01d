/** `okta-aws-sso init`: start the setup, or continue it when a state file exists. */
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../../errors.js';
import { line } from '../render.js';
import type { CliCommand } from './command.js';
import { withRunOptions } from './run-options.js';

export const initCommand: CliCommand = {
  name: 'init',
  define: (parent) =>
    withRunOptions(parent.command('init').description('start the setup, or continue it when a state file exists'))
      .option('--fresh', 'start over: move an existing state file aside (kept as <file>.<time>.bak) and begin a new setup')
      .option('--write-access-file <file>', 'when the setup is done, write its group and permission set as an access file (docs/access.md)'),
  async run(ctx, g, opts) {
    const accessFile = opts['writeAccessFile'] === undefined ? undefined : path.resolve(ctx.cwd, String(opts['writeAccessFile']));
    // Checked before anything runs: the file is never overwritten.
    if (accessFile && fs.existsSync(accessFile)) {
      throw new UsageError(`--write-access-file ${accessFile} exists.`, { code: 'ACCESS_FILE_EXISTS', hint: 'Give another path, or move the file aside (`okta-aws-sso access export -f <file> --force` overwrites one later).' });
    }
    const r = await import('../run-steps.js').then((m) => m.runWizard(ctx, g, opts, 'init'));
    if (!accessFile || r.result !== 'done' || g.dryRun) return r;
    const { openSession } = await import('./access/shared.js');
    const { exportText } = await import('./access/export.js');
    const s = await openSession(ctx, g, {});
    try {
      const ps = s.state.steps['permission-set']?.outputs as { name?: string } | undefined;
      const aa = s.state.steps['account-assignments']?.outputs as { groupName?: string } | undefined;
      if (!ps?.name || !aa?.groupName) return r;
      const text = await exportText(s, { group: aa.groupName, permissionSet: ps.name });
      const { default: writeFileAtomic } = await import('write-file-atomic');
      await writeFileAtomic(accessFile, text.yaml, { mode: 0o644 });
      r.text.push(line('INIT_ACCESS_FILE_WRITTEN', { file: accessFile, group: aa.groupName, permissionSet: ps.name, fileArg: String(opts['writeAccessFile']) }));
    } finally {
      s.close();
    }
    return r;
  },
};
