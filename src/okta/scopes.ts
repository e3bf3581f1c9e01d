/**
 * The OAuth scopes the wizard requests (a module of its own, free of the client: the sandbox grants
 * them to its service app without loading the client).
 */

/** The scopes of every run. */
export const OKTA_SCOPES = [
  'okta.apps.manage',
  'okta.apps.read',
  'okta.groups.manage',
  'okta.groups.read',
  'okta.users.manage',
  'okta.users.read',
] as const;

/** The extra scopes of --require-mfa (the app's sign-in policy, Identity Engine). */
export const OKTA_POLICY_SCOPES: readonly string[] = ['okta.policies.manage', 'okta.policies.read'];
