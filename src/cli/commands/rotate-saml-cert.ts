/**
 * `okta-aws-sso rotate saml-cert`: a new SAML signing key for the Okta app, its metadata uploaded to
 * Identity Center (console), then the switch and a sign-in proof (src/steps/rotate-saml-cert.ts).
 */
import path from 'node:path';
import { UsageError } from '../../errors.js';
import { rotationCommand } from './rotation-command.js';

export const rotateSamlCertCommand = rotationCommand({
  kind: 'saml-cert',
  label: 'SAML signing certificate',
  description:
    'new SAML signing key for the Okta app: generated, its IdP metadata saved and uploaded to Identity Center (console), then the app switched to it and a sign-in proven; resumable (docs/lifecycle.md)',
  options: (c) =>
    c
      .option('--validity-years <n>', 'validity of the new key in years, 2-10 (Okta\'s range)', '5')
      .option('--metadata-file <file>', 'where to save the new IdP metadata (default idp-saml-<kid>.xml beside the state file)'),
  async phases(ctx, opts) {
    const m = await import('../../steps/rotate-saml-cert.js');
    const years = String(opts['validityYears'] ?? m.DEFAULT_VALIDITY_YEARS);
    const ok = m.validateValidityYears(years);
    if (ok !== true) throw new UsageError(`--validity-years "${years}" is not valid: ${ok}.`, { code: 'USAGE', hint: 'Give --validity-years a whole number from 2 to 10, e.g. --validity-years 5.' });
    const file = opts['metadataFile'] === undefined ? undefined : String(opts['metadataFile']);
    return {
      plan: (outputs, record, continuing) => m.planSamlRotation({ outputs }, record, continuing, Number(years)),
      run: (env) => m.runSamlRotation(env, { validityYears: Number(years), ...(file !== undefined ? { file: path.resolve(ctx.cwd, file) } : {}) }),
    };
  },
});
