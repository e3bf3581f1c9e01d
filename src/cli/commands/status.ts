/** `okta-aws-sso status`: the step table from the state file; reads only, takes no lock. */
import { existsSync } from 'node:fs';
import { jsonSteps, pendingConsoleActions } from '../report.js';
import { line, type CommandResult, type TextBlock } from '../render.js';
import { EXIT_CODES_HELP, type CliCommand } from './command.js';

export const statusCommand: CliCommand = {
  name: 'status',
  define: (parent) =>
    parent
      .command('status')
      .description('the step table from the state file: status, when, key outputs, what is pending')
      .addHelpText('after', EXIT_CODES_HELP),
  async run(ctx, g): Promise<CommandResult> {
    const file = ctx.statePath(g);
    // The state reader is loaded only when there is a file; zod only when that file is not as the wizard writes it.
    const state = existsSync(file) ? await (await import('../../engine/state-read.js')).readState(file) : undefined;
    const steps = ctx.stepInfos();
    const text: TextBlock[] = [];
    if (!state) {
      text.push(line('STATUS_NO_STATE', { file }));
    } else {
      const done = steps.filter((s) => state.steps[s.id]?.status === 'done').length;
      text.push(line('STATUS_SUMMARY', { file, createdAt: state.createdAt, updatedAt: state.updatedAt, done, total: steps.length }));
    }
    text.push({ kind: 'status-table', steps, state }, { kind: 'owed-console-actions', steps, state });
    if (state) {
      const open = steps.filter((s) => !['done', 'skipped', 'waiting-for-console'].includes(state.steps[s.id]?.status ?? 'pending'));
      const waiting = steps.some((s) => state.steps[s.id]?.status === 'waiting-for-console');
      if (open.length === 0 && !waiting) text.push(line('STATUS_ALL_DONE'));
      else if (!waiting) text.push(line('STATUS_NEXT', { stepId: open[0]?.id ?? '' }));
    }
    return {
      result: 'status',
      exitCode: 0,
      stateFile: file,
      steps: jsonSteps(steps, state),
      pendingConsoleActions: pendingConsoleActions(steps, state),
      text,
    };
  },
};
