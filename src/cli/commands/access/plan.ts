/**
 * `okta-aws-sso access plan -f access.yaml`: the diff between the access file and the live state,
 * grouped by permission set and target, with counts. Reads only. Exit 0: no change; 5: changes
 * pending (for CI, like `terraform plan -detailed-exitcode`); 2: a bad file or usage.
 */
import { ExitCode } from '../../../errors.js';
import { line, view, type CommandResult } from '../../render.js';
import type { CliCommand } from '../command.js';
import { observeAndPlan, openSession, planData, readFileArg, withAccessOptions } from './shared.js';

export const accessPlanCommand: CliCommand = {
  name: 'access plan',
  define: (parent) =>
    withAccessOptions(
      parent
        .command('plan')
        .description('show what `access apply` would change to make Identity Center match the access file (exit 0: nothing, 5: changes pending)')
        .option('--prune', 'also plan the removal of what okta-aws-sso created earlier and the file no longer lists')
        .option('--prune-unmanaged', 'also plan the removal of the file\'s groups\' assignments that the file does not list, whoever made them'),
    ),
  async run(ctx, g, opts): Promise<CommandResult> {
    const file = await readFileArg(ctx, opts);
    const s = await openSession(ctx, g, opts);
    try {
      const { planText, hasChanges } = await import('../../../access/plan.js');
      const { plan } = await observeAndPlan(s, file, { prune: opts['prune'] === true, pruneUnmanaged: opts['pruneUnmanaged'] === true });
      const pending = hasChanges(plan);
      const text = [view('access-plan', planText(plan))];
      if (pending) text.push(line('ACCESS_APPLY_HINT', { file: String(opts['file']), prune: opts['prune'] ? ' --prune' : '' }));
      else text.push(line('ACCESS_IN_SYNC'));
      return { result: 'planned', exitCode: pending ? ExitCode.ChangesPending : ExitCode.Ok, stateFile: s.stateFile, data: planData(file.file, plan), text };
    } finally {
      s.close();
    }
  },
};
