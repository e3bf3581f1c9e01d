/** `okta-aws-sso resume`: continue from the state file (never starts over). */
import type { CliCommand } from './command.js';
import { withRunOptions } from './run-options.js';

export const resumeCommand: CliCommand = {
  name: 'resume',
  define: (parent) => withRunOptions(parent.command('resume').description('continue from the state file (never starts over)')),
  run: (ctx, g, opts) => import('../run-steps.js').then((m) => m.runWizard(ctx, g, opts, 'resume')),
};
