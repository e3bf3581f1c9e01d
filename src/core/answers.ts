/**
 * The answer catalog: every value a step may ask for, with the flag, environment variable and
 * `--config` key that answer it. One source of truth: the CLI builds its options from this list,
 * the non-interactive binding names these flags in its errors, and the docs list them.
 *
 * Answers are resolved, first match wins: command-line flag > environment variable > --config file
 * > earlier run (non-secret answers saved in the state file) > prompt (interactive only) > default.
 *
 * Secrets (`kind: 'secret'`) are never taken as a flag value: only an environment variable, a file
 * named by `fileFlag`, or a hidden prompt. They are never saved to the state file.
 */

import { CONSOLE_ACTION_IDS } from './io.js';
import {
  oneOf,
  validateAccountId,
  validateEmail,
  validateGroupName,
  validateLabel,
  validateManagedPolicyArn,
  validateOrgUrlShape,
  validateOuId,
  validatePermissionSetName,
  validateProfileValue,
  validateRegion,
  validateSessionDuration,
  validateWholeNumber,
} from './validators.js';

export type AnswerKind = 'text' | 'list' | 'boolean' | 'number' | 'secret';

export { CONSOLE_ACTION_IDS };

export interface AnswerSpec {
  kind: AnswerKind;
  /** Command-line flag, e.g. "--okta-org-url". Secrets have none (see fileFlag). */
  flag?: string;
  /** For secrets: the flag naming a file that holds the value, e.g. "--okta-token-file". */
  fileFlag?: string;
  /** Environment variable(s) that answer it, first match wins. */
  env?: readonly string[];
  /** One line for --help and the docs. */
  description: string;
  /** Shown in --help; the step passes the default it really uses when it asks. */
  defaultText?: string;
  /** Which step asks for it (for docs, and for the up-front check of missing answers). */
  step: string;
  /**
   * The check of a value (each item of a list), used when a step asks and, before any step runs, on
   * every value given by a flag, the environment, --config or the state file.
   */
  check?: (value: string) => true | string;
  /** A file path: `~` is expanded and a relative path resolves against the current folder. */
  path?: 'existing-file' | 'new-file';
  /**
   * Needed, with no default, by its step: a non-interactive run lists every such answer missing before
   * any step runs (unless the step is done, or `unless` is answered true).
   */
  required?: { unless?: string };
  /** A tuning knob (rates, waits): never asked; its default is taken unless a flag, env or --config sets it. */
  tuning?: boolean;
  /**
   * A setting with a safe default that a newcomer cannot judge better than the default: never asked
   * either (a flag, env or --config changes it). Keeps an interactive run to a handful of questions.
   */
  advanced?: boolean;
  /** Lists: also split on spaces (OAuth scopes). Every other list splits on commas only. */
  spaceSeparated?: boolean;
}

export const ANSWERS = {
  // ---- general -----------------------------------------------------------------------------
  'console-done': {
    kind: 'list', flag: '--console-done', env: ['OKTA_AWS_SSO_CONSOLE_DONE'], step: '(any console step)',
    description: `Console actions you have already done, by id (comma separated): ${CONSOLE_ACTION_IDS.join(', ')}`,
    check: oneOf(CONSOLE_ACTION_IDS),
  },

  // ---- Okta (preflight, okta-app, idp-metadata, okta-provisioning, groups, group-push, test-user)
  'okta-org-url': {
    kind: 'text', flag: '--okta-org-url', env: ['OKTA_ORG_URL', 'OKTA_CLIENT_ORGURL'], step: 'preflight',
    description: 'Okta org URL, e.g. https://example.okta.com',
    check: validateOrgUrlShape, required: {},
  },
  'okta-auth': {
    kind: 'text', flag: '--okta-auth', env: ['OKTA_AUTH_MODE', 'OKTA_CLIENT_AUTHORIZATIONMODE'], step: 'preflight', defaultText: 'ssws when a token is given, else oauth',
    description: 'How to authenticate to Okta: ssws (API token) or oauth (service app with a private key)',
    check: oneOf(['ssws', 'oauth']),
  },
  'okta-api-token': {
    kind: 'secret', fileFlag: '--okta-token-file', env: ['OKTA_API_TOKEN', 'OKTA_CLIENT_TOKEN'], step: 'preflight',
    description: 'Okta API token (SSWS)',
  },
  'okta-client-id': {
    kind: 'text', flag: '--okta-client-id', env: ['OKTA_CLIENT_CLIENTID', 'OKTA_CLIENT_ID'], step: 'preflight',
    description: 'Client ID of an Okta OAuth service app',
  },
  'okta-private-key': {
    kind: 'secret', fileFlag: '--okta-private-key-file', env: ['OKTA_CLIENT_PRIVATEKEY'], step: 'preflight',
    description: 'Private key (PEM or JWK) of the OAuth service app',
  },
  'okta-key-id': {
    kind: 'text', flag: '--okta-key-id', env: ['OKTA_CLIENT_KEYID'], step: 'preflight',
    description: 'Key ID (kid) of the service app key',
  },
  'okta-scopes': {
    kind: 'list', flag: '--okta-scopes', env: ['OKTA_CLIENT_SCOPES'], step: 'preflight',
    defaultText: 'okta.apps.manage okta.apps.read okta.groups.manage okta.groups.read okta.users.manage okta.users.read',
    description: 'OAuth scopes to request (space or comma separated)',
    spaceSeparated: true,
  },
  'okta-app-label': {
    kind: 'text', flag: '--okta-app-label', env: ['OKTA_AWS_SSO_APP_LABEL'], step: 'okta-app', defaultText: 'AWS IAM Identity Center',
    description: 'Label of the Okta "AWS IAM Identity Center" app',
    check: validateLabel,
    advanced: true,
  },
  'okta-app-id': {
    kind: 'text', flag: '--okta-app-id', env: ['OKTA_AWS_SSO_APP_ID'], step: 'okta-app',
    description: 'Adopt this existing amazon_aws_sso app (when several exist)',
  },
  'idp-metadata-file': {
    kind: 'text', flag: '--idp-metadata-file', env: ['OKTA_AWS_SSO_IDP_METADATA_FILE'], step: 'idp-metadata', defaultText: 'idp-saml.xml',
    description: 'Where to save the Okta IdP metadata XML',
    path: 'new-file',
    advanced: true,
  },
  'provisioning-app': {
    kind: 'text', flag: '--provisioning-app', env: ['OKTA_AWS_SSO_PROVISIONING_APP'], step: 'okta-provisioning', defaultText: 'identity-center',
    description: 'Which Okta app provisions users: identity-center (the SAML app itself) or scim-test-app',
    check: oneOf(['identity-center', 'scim-test-app']),
    advanced: true,
  },
  'scim-app-label': {
    kind: 'text', flag: '--scim-app-label', env: ['OKTA_AWS_SSO_SCIM_APP_LABEL'], step: 'okta-provisioning', defaultText: 'SCIM 2.0 TestApp',
    description: 'Label of the separate SCIM app (with --provisioning-app scim-test-app)',
    check: validateLabel,
    advanced: true,
  },
  'assignment-group': {
    kind: 'text', flag: '--assignment-group', env: ['OKTA_AWS_SSO_ASSIGNMENT_GROUP'], step: 'groups', defaultText: 'AWS Users',
    description: 'Okta group assigned to the app(s)',
    check: validateGroupName,
  },
  'push-groups': {
    kind: 'list', flag: '--push-groups', env: ['OKTA_AWS_SSO_PUSH_GROUPS'], step: 'groups', defaultText: 'awsssoPowerUsers',
    description: 'Okta groups pushed to Identity Center (comma separated)',
    check: validateGroupName,
  },
  'push-prefix': {
    kind: 'text', flag: '--push-prefix', env: ['OKTA_AWS_SSO_PUSH_PREFIX'], step: 'group-push', defaultText: 'awssso',
    description: 'Push every Okta group whose name starts with this prefix',
    advanced: true,
  },
  'require-mfa': {
    kind: 'boolean', flag: '--require-mfa', env: ['OKTA_AWS_SSO_REQUIRE_MFA'], step: 'app-sign-on-policy',
    description: 'Require two factors to sign in to AWS through the Okta app (an app sign-in policy; off by default)',
  },
  'okta-mfa-code': {
    kind: 'secret', env: ['OKTA_AWS_SSO_MFA_CODE'], step: 'verify',
    description: 'A current code of the test user\'s authenticator app, when Okta asks verify --sign-in for a second factor (the sandbox accepts its documented code)',
  },
  'skip-test-user': {
    kind: 'boolean', flag: '--skip-test-user', env: ['OKTA_AWS_SSO_SKIP_TEST_USER'], step: 'test-user',
    description: 'Do not create a test user',
  },
  'test-user-first-name': {
    kind: 'text', flag: '--test-user-first-name', env: ['OKTA_AWS_SSO_TEST_USER_FIRST_NAME'], step: 'test-user',
    description: 'Test user first name',
    check: (v) => validateProfileValue('first name', v), required: { unless: 'skip-test-user' },
  },
  'test-user-last-name': {
    kind: 'text', flag: '--test-user-last-name', env: ['OKTA_AWS_SSO_TEST_USER_LAST_NAME'], step: 'test-user',
    description: 'Test user last name',
    check: (v) => validateProfileValue('last name', v), required: { unless: 'skip-test-user' },
  },
  'test-user-email': {
    kind: 'text', flag: '--test-user-email', env: ['OKTA_AWS_SSO_TEST_USER_EMAIL'], step: 'test-user',
    description: 'Test user email (also the Okta login and the Identity Center userName)',
    check: validateEmail, required: { unless: 'skip-test-user' },
  },
  'test-user-display-name': {
    kind: 'text', flag: '--test-user-display-name', env: ['OKTA_AWS_SSO_TEST_USER_DISPLAY_NAME'], step: 'test-user', defaultText: 'first and last name',
    description: 'Test user display name',
    check: (v) => validateProfileValue('display name', v, 255),
    advanced: true,
  },
  'test-user-password': {
    kind: 'secret', fileFlag: '--test-user-password-file', env: ['OKTA_AWS_SSO_TEST_USER_PASSWORD'], step: 'test-user', defaultText: 'generated and shown once',
    description: 'Test user password',
  },
  'test-user-must-change-password': {
    kind: 'boolean', flag: '--test-user-must-change-password', env: ['OKTA_AWS_SSO_TEST_USER_MUST_CHANGE_PASSWORD'], step: 'test-user',
    description: 'Make the test user change the password at first sign-in',
    advanced: true,
  },

  // ---- AWS (preflight, sp-metadata, scim-endpoint, permission-set, account-assignments, verify)
  'aws-profile': {
    kind: 'text', flag: '--profile', env: ['AWS_PROFILE'], step: 'preflight',
    description: 'AWS named profile (default: the SDK default credential chain)',
  },
  region: {
    kind: 'text', flag: '--region', env: ['OKTA_AWS_SSO_REGION'], step: 'preflight', defaultText: 'probed from the regions',
    description: 'Identity Center home region',
    check: validateRegion,
  },
  'instance-arn': {
    kind: 'text', flag: '--instance-arn', env: ['OKTA_AWS_SSO_INSTANCE_ARN'], step: 'preflight',
    description: 'Identity Center instance ARN (when several exist)',
  },
  'sp-metadata': {
    kind: 'text', flag: '--sp-metadata', env: ['OKTA_AWS_SSO_SP_METADATA'], step: 'sp-metadata',
    description: 'Identity Center service-provider metadata XML file (from the console)',
    path: 'existing-file',
  },
  'acs-url': {
    kind: 'text', flag: '--acs-url', env: ['OKTA_AWS_SSO_ACS_URL'], step: 'sp-metadata',
    description: 'Identity Center ACS URL (instead of --sp-metadata)',
  },
  'issuer-url': {
    kind: 'text', flag: '--issuer-url', env: ['OKTA_AWS_SSO_ISSUER_URL'], step: 'sp-metadata',
    description: 'Identity Center issuer URL (instead of --sp-metadata)',
  },
  'acs-variant': {
    kind: 'text', flag: '--acs-variant', env: ['OKTA_AWS_SSO_ACS_VARIANT'], step: 'sp-metadata',
    description: 'ipv4 or dual-stack, when the metadata offers both',
    check: oneOf(['ipv4', 'dual-stack']),
    advanced: true,
  },
  'scim-endpoint': {
    kind: 'text', flag: '--scim-endpoint', env: ['SCIM_ENDPOINT'], step: 'scim-endpoint',
    description: 'Identity Center SCIM endpoint (from Settings > Automatic provisioning)',
  },
  'scim-token': {
    kind: 'secret', fileFlag: '--scim-token-file', env: ['SCIM_TOKEN'], step: 'scim-endpoint',
    description: 'Identity Center SCIM access token',
  },
  'permission-set-name': {
    kind: 'text', flag: '--permission-set-name', env: ['OKTA_AWS_SSO_PERMISSION_SET'], step: 'permission-set', defaultText: 'AWSPowerUserAccess',
    description: 'Permission set to find or create',
    check: validatePermissionSetName,
  },
  'managed-policy-arn': {
    kind: 'text', flag: '--managed-policy-arn', env: ['OKTA_AWS_SSO_MANAGED_POLICY_ARN'], step: 'permission-set', defaultText: 'arn:aws:iam::aws:policy/PowerUserAccess',
    description: 'AWS managed policy attached to the permission set',
    check: validateManagedPolicyArn,
    advanced: true,
  },
  'session-duration': {
    kind: 'text', flag: '--session-duration', env: ['OKTA_AWS_SSO_SESSION_DURATION'], step: 'permission-set', defaultText: 'PT1H',
    description: 'Permission set session duration (ISO 8601, PT1H to PT12H)',
    check: validateSessionDuration,
    advanced: true,
  },
  accounts: {
    kind: 'list', flag: '--accounts', env: ['OKTA_AWS_SSO_ACCOUNTS'], step: 'account-assignments', defaultText: 'every active account',
    description: 'Account IDs to assign (comma separated)',
    check: validateAccountId,
  },
  ou: {
    kind: 'text', flag: '--ou', env: ['OKTA_AWS_SSO_OU'], step: 'account-assignments',
    description: 'Assign every active account under this OU (recursive)',
    check: validateOuId,
  },
  'include-management-account': {
    kind: 'boolean', flag: '--include-management-account', env: ['OKTA_AWS_SSO_INCLUDE_MANAGEMENT_ACCOUNT'], step: 'account-assignments',
    description: 'Also assign the management account (needs IAM rights there; only from the management account)',
    advanced: true,
  },
  'assignment-rate': {
    kind: 'number', flag: '--assignment-rate', env: ['OKTA_AWS_SSO_ASSIGNMENT_RATE'], step: 'account-assignments', defaultText: '20',
    description: 'Identity Center requests per second the assignment step may send (the service allows 20 in total)',
    check: validateWholeNumber(1, 20, 'the assignment rate'), tuning: true,
  },
  'wait-timeout': {
    kind: 'number', flag: '--wait-timeout', env: ['OKTA_AWS_SSO_WAIT_TIMEOUT'], step: 'account-assignments', defaultText: '300',
    description: 'Seconds to wait for groups and users to arrive through SCIM',
    check: validateWholeNumber(1, 86400, 'the wait timeout'), tuning: true,
  },
} as const satisfies Record<string, AnswerSpec>;

export type AnswerKey = keyof typeof ANSWERS;
export type SecretKey = { [K in AnswerKey]: (typeof ANSWERS)[K]['kind'] extends 'secret' ? K : never }[AnswerKey];

/**
 * What a console action hands back that the run needs, when a script (not the sandbox, not a person
 * at a prompt) finishes it with `resume --console-done <id>`: each inner list is one complete way.
 */
export const CONSOLE_ACTION_ANSWERS: Record<(typeof CONSOLE_ACTION_IDS)[number], readonly (readonly AnswerKey[])[]> = {
  'download-sp-metadata': [['sp-metadata'], ['acs-url', 'issuer-url']],
  'upload-idp-metadata': [],
  'enable-automatic-provisioning': [['scim-endpoint', 'scim-token']],
  'configure-okta-provisioning': [],
  'push-groups-by-rule': [],
  'sign-in-check': [],
  'delete-scim-tokens': [],
  'revert-identity-source': [],
  'app-sign-on-rule': [],
  'create-scim-token': [['scim-token']],
  'delete-scim-token': [],
};

/** "--sp-metadata <file>" / "--scim-token-file <file>": one answer on a command line, exactly as a script types it. */
export function answerOnCommandLine(key: AnswerKey): string {
  const s: AnswerSpec = ANSWERS[key];
  if (s.kind === 'secret') return `${s.fileFlag ?? s.flag ?? key} <file>`;
  const arg = s.path ? '<file>' : s.kind === 'boolean' ? '' : s.kind === 'list' ? '<list>' : '<value>';
  return `${s.flag ?? key}${arg ? ` ${arg}` : ''}`;
}

/** The exact command that finishes a console action from a script. */
export function consoleDoneCommand(id: (typeof CONSOLE_ACTION_IDS)[number], command = 'okta-aws-sso resume'): string {
  const ways = CONSOLE_ACTION_ANSWERS[id];
  const base = `${command} --console-done ${id}`;
  if (ways.length === 0) return `\`${base}\``;
  return ways.map((w) => `\`${base} ${w.map(answerOnCommandLine).join(' ')}\``).join(', or ');
}

export function answerSpec(key: AnswerKey): AnswerSpec {
  return ANSWERS[key];
}

/** "--okta-org-url or OKTA_ORG_URL": how to supply an answer, for error messages. */
export function howToAnswer(key: AnswerKey): string {
  const s: AnswerSpec = ANSWERS[key];
  const parts: string[] = [];
  if (s.flag) parts.push(s.flag);
  if (s.fileFlag) parts.push(`${s.fileFlag} <file>`);
  if (s.env && s.env.length > 0) parts.push(`the environment variable ${s.env[0]}`);
  if (s.kind !== 'secret') parts.push(`"${key}" in --config`);
  return parts.join(', or ');
}
