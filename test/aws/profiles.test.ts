import { describe, expect, it } from 'vitest';
import { parse as parseIni } from 'ini';
import {
  DEFAULT_PROFILE_TEMPLATE,
  MANAGED_MARKER,
  buildProfiles,
  checkReadBack,
  mergeConfig,
  profileName,
  renderSections,
  validateProfileTemplate,
  validateSessionName,
} from '../../src/aws/profiles.js';
import { UsageError } from '../../src/errors.js';

const session = { name: 'okta-aws-sso', startUrl: 'https://d-1234567890.awsapps.com/start', region: 'eu-west-1' };
const targets = [
  { accountId: '111111111111', accountName: 'Prod Payments', permissionSetName: 'AWSPowerUserAccess' },
  { accountId: '222222222222', accountName: 'dev.sandbox', permissionSetName: 'ReadOnly' },
];

const USER_FILE = `# my settings, keep me
[default]
region = us-east-1   ; inline comment

[profile legacy]
role_arn = arn:aws:iam::333333333333:role/Admin
source_profile = default
; trailing comment of legacy
`;

describe('profiles: names', () => {
  it('renders the default template from account name and permission set, safe for INI', () => {
    expect(profileName(DEFAULT_PROFILE_TEMPLATE, targets[0]!)).toBe('prod-payments-awspoweruseraccess');
    // a dot would make an INI reader nest the section: it becomes "-"
    expect(profileName(DEFAULT_PROFILE_TEMPLATE, targets[1]!)).toBe('dev-sandbox-readonly');
    expect(profileName('<account-id>_<permission-set>', targets[0]!)).toBe('111111111111_awspoweruseraccess');
  });

  it('validates templates and session names, naming the fix', () => {
    expect(validateProfileTemplate('static')).toMatch(/needs at least one of/);
    expect(validateProfileTemplate('<account-id> x')).toMatch(/only letters/);
    expect(validateProfileTemplate('team-<account-id>')).toBe(true);
    expect(validateSessionName('my session')).toMatch(/letters, digits/);
    expect(validateSessionName('corp')).toBe(true);
  });

  it('refuses a template that gives two targets the same name', () => {
    const twice = [targets[0]!, { ...targets[0]!, accountId: '444444444444' }];
    expect(() => buildProfiles(twice, '<account-name>-<permission-set>')).toThrowError(/both be called/);
    expect(buildProfiles(twice, '<account-id>-<permission-set>').map((p) => p.name)).toEqual(['111111111111-awspoweruseraccess', '444444444444-awspoweruseraccess']);
  });
});

describe('profiles: merging into ~/.aws/config', () => {
  const wanted = renderSections(session, buildProfiles(targets, DEFAULT_PROFILE_TEMPLATE), 'eu-west-1');

  it('keeps every unrelated line byte for byte and adds the sso-session and one profile per target', () => {
    const r = mergeConfig(USER_FILE, wanted, session.name);
    expect(r.text.startsWith(USER_FILE.trimEnd())).toBe(true);
    expect(r.added).toEqual(['sso-session okta-aws-sso', 'profile dev-sandbox-readonly', 'profile prod-payments-awspoweruseraccess']);
    const ini = parseIni(r.text) as Record<string, Record<string, string>>;
    expect(ini['sso-session okta-aws-sso']).toEqual({ sso_start_url: session.startUrl, sso_region: 'eu-west-1', sso_registration_scopes: 'sso:account:access' });
    expect(ini['profile prod-payments-awspoweruseraccess']).toMatchObject({ sso_session: 'okta-aws-sso', sso_account_id: '111111111111', sso_role_name: 'AWSPowerUserAccess', region: 'eu-west-1' });
    expect(ini['profile legacy']).toEqual({ role_arn: 'arn:aws:iam::333333333333:role/Admin', source_profile: 'default' });
    expect(() => checkReadBack(r.text, wanted)).not.toThrow();
  });

  it('a second merge changes nothing; a lost grant removes only its own managed profile', () => {
    const first = mergeConfig(USER_FILE, wanted, session.name).text;
    const again = mergeConfig(first, wanted, session.name);
    expect(again.text).toBe(first);
    expect(again.added).toEqual([]);
    expect(again.unchanged).toHaveLength(3);

    const fewer = renderSections(session, buildProfiles([targets[0]!], DEFAULT_PROFILE_TEMPLATE), 'eu-west-1');
    const r = mergeConfig(first, fewer, session.name);
    expect(r.removed).toEqual(['profile dev-sandbox-readonly']);
    expect(r.text).not.toContain('dev-sandbox-readonly');
    expect(r.text.startsWith(USER_FILE.trimEnd())).toBe(true);
  });

  it('updates a managed section edited by hand, and leaves managed profiles of another sso-session alone', () => {
    const first = mergeConfig('', wanted, session.name).text;
    const edited = first.replace('sso_region = eu-west-1', 'sso_region = us-west-2');
    const other = renderSections({ ...session, name: 'other' }, buildProfiles([targets[1]!], '<account-id>'), 'us-east-1');
    const both = mergeConfig(edited, other, 'other').text;
    const r = mergeConfig(both, wanted, session.name);
    expect(r.updated).toEqual(['sso-session okta-aws-sso']);
    expect(r.text).toContain('[profile 222222222222]');
    expect(r.text).toContain('[sso-session other]');
    expect(r.text).not.toContain('us-west-2');
  });

  it('refuses to overwrite a same-named section it did not write, unless taken over', () => {
    const mine = '[profile prod-payments-awspoweruseraccess]\nregion = us-east-1\n';
    expect(() => mergeConfig(mine, wanted, session.name)).toThrowError(UsageError);
    try {
      mergeConfig(mine, wanted, session.name);
    } catch (e) {
      expect((e as UsageError).hint).toMatch(/--profile-template|--take-over/);
    }
    const r = mergeConfig(mine, wanted, session.name, true);
    expect(r.updated).toEqual(['profile prod-payments-awspoweruseraccess']);
    expect(r.text).toContain(MANAGED_MARKER);
  });

  it('writes a new file without a leading blank line', () => {
    const r = mergeConfig('', wanted, session.name);
    expect(r.text.startsWith('[sso-session okta-aws-sso]\n')).toBe(true);
    expect(r.text.endsWith('\n')).toBe(true);
  });
});
