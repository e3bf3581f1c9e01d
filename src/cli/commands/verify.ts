/** `okta-aws-sso verify`: re-check every done step for drift and run the verify step. */
import { Option } from 'commander';
import type { CliCommand } from './command.js';
import { withRunOptions } from './run-options.js';

export const verifyCommand: CliCommand = {
  name: 'verify',
  define: (parent) =>
    withRunOptions(
      parent
        .command('verify')
        .description('re-check every done step for drift, run the verify step, then print the health table (docs/verify.md)')
        .option('--sign-in', 'also prove the sign-in and the access as the test user, without a browser (password: OKTA_AWS_SSO_TEST_USER_PASSWORD, --test-user-password-file or a hidden prompt)')
        .addOption(new Option('--fail-on <level>', 'exit 1 on a failed row (default), or also on a warning (for CI)').choices(['failed', 'warning'])),
    ),
  run: async (ctx, g, opts) => {
    (await import('../../verify/run-memory.js')).requestSignIn(opts.signIn === true);
    return import('../run-steps.js').then((m) => m.runWizard(ctx, g, opts, 'verify'));
  },
};
