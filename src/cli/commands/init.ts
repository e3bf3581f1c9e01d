/** `okta-aws-sso init`: start the setup, or continue it when a state file exists. */
import type { CliCommand } from './command.js';
import { withRunOptions } from './run-options.js';

export const initCommand: CliCommand = {
  name: 'init',
  define: (parent) =>
    withRunOptions(parent.command('init').description('start the setup, or continue it when a state file exists')).option(
      '--fresh',
      'start over: move an existing state file aside (kept as <file>.<time>.bak) and begin a new setup',
    ),
  run: (ctx, g, opts) => import('../run-steps.js').then((m) => m.runWizard(ctx, g, opts, 'init')),
};
