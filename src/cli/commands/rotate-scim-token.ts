/**
 * `okta-aws-sso rotate scim-token`: replace the Identity Center SCIM access token Okta provisions
 * with (src/steps/rotate-scim-token.ts has the phases). Guided, resumable through the state file.
 */
import { rotationCommand } from './rotation-command.js';

export const rotateScimTokenCommand = rotationCommand({
  kind: 'scim-token',
  label: 'SCIM access token',
  description:
    'replace the SCIM access token: a second token in Identity Center (console), probed, given to Okta, a push proven, then the old token deleted (console); resumable (docs/lifecycle.md)',
  async phases() {
    const m = await import('../../steps/rotate-scim-token.js');
    return {
      plan: (outputs, record, continuing) => m.planScimRotation({ outputs }, record, continuing),
      run: (env) => m.runScimRotation(env),
    };
  },
});
