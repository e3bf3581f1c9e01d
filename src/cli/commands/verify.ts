/** `okta-aws-sso verify`: re-check every done step for drift and run the verify step. */
import { runWizard } from '../run-steps.js';
import type { CliCommand } from './command.js';
import { withRunOptions } from './run-options.js';

export const verifyCommand: CliCommand = {
  name: 'verify',
  define: (parent) => withRunOptions(parent.command('verify').description('re-check every done step for drift and run the verify step')),
  run: (ctx, g, opts) => runWizard(ctx, g, opts, 'verify'),
};
