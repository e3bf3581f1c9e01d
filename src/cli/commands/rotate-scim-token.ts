/**
 * `okta-aws-sso rotate scim-token`: replace the Identity Center SCIM access token Okta provisions
 * with (src/steps/rotate-scim-token.ts has the phases). Guided, resumable through the state file.
 */
import type { CliCommand } from './command.js';
import { withRunOptions } from './run-options.js';

export const ROTATE_SCIM_TOKEN = 'okta-aws-sso rotate scim-token';

export const rotateScimTokenCommand: CliCommand = {
  name: 'rotate scim-token',
  define: (parent) =>
    withRunOptions(
      parent
        .command('scim-token')
        .description(
          'replace the SCIM access token: a second token in Identity Center (console), probed, given to Okta, a push proven, then the old token deleted (console); resumable (docs/lifecycle.md)',
        ),
    ),
  async run(ctx, g, opts) {
    const [{ runRotation }, m] = await Promise.all([import('../rotate.js'), import('../../steps/rotate-scim-token.js')]);
    return runRotation(ctx, g, opts, {
      kind: 'scim-token',
      label: 'SCIM access token',
      command: ROTATE_SCIM_TOKEN,
      plan: (outputs, record, continuing) => m.planScimRotation({ outputs }, record, continuing),
      run: (env) => m.runScimRotation(env),
    });
  },
};
