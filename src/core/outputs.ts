/**
 * Typed outputs of every step, in the documented order. These are saved in the state file, so
 * they hold no secret: IDs, names, URLs, dates, fingerprints.
 */

export const STEP_IDS = [
  'preflight',
  'sp-metadata',
  'okta-app',
  'app-sign-on-policy',
  'idp-metadata',
  'scim-endpoint',
  'okta-provisioning',
  'groups',
  'group-push',
  'permission-set',
  'account-assignments',
  'test-user',
  'verify',
] as const;

export type StepId = (typeof STEP_IDS)[number];

export interface PreflightOutput {
  aws: {
    accountId: string;
    callerArn: string;
    /** Identity Center home (primary) region: every sso-admin write goes here. */
    region: string;
    instanceArn: string;
    identityStoreId: string;
    organizationId: string;
    managementAccountId: string;
    callerIsManagementAccount: boolean;
    callerIsDelegatedAdmin: boolean;
    /** "profile default", "environment", ... as reported by the SDK chain, when known. */
    credentialSource?: string;
  };
  okta: {
    orgUrl: string;
    authMode: 'ssws' | 'oauth';
    /** Where the credentials came from: "OKTA_API_TOKEN", "--okta-token-file", "~/.okta/okta.yaml", ... */
    credentialSource: string;
    clientId?: string;
    keyId?: string;
    scopes?: string[];
  };
}

export interface SpMetadataOutput {
  acsUrl: string;
  issuerUrl: string;
  source: 'metadata-file' | 'pasted';
  /** Every ACS URL the metadata offered (multi-region, IPv4/dual-stack). */
  acsUrls: string[];
  /** Path to the metadata file the values came from, when any. */
  metadataFile?: string;
}

export interface OktaAppOutput {
  appId: string;
  label: string;
  /** "amazon_aws_sso" */
  name: string;
  signingKid: string;
  acsUrl: string;
  entityId: string;
  adopted: boolean;
}

/** --require-mfa: the app's sign-in policy that asks for two factors. */
export interface AppSignOnPolicyOutput {
  /** "identity": an ACCESS_POLICY assigned through the API; "classic": an app sign-on rule made in the console. */
  engine: 'identity' | 'classic';
  appId: string;
  policyName: string;
  policyId?: string;
  ruleId?: string;
  /** True when the wizard created the policy (destroy removes it); false when it adopted one by name. */
  created: boolean;
}

export interface IdpMetadataOutput {
  path: string;
  entityId: string;
  ssoUrl: string;
  certSubject: string;
  certSha256Fingerprint: string;
  certNotAfter: string;
  signingKid: string;
  uploadConfirmedAt: string;
}

export interface ScimEndpointOutput {
  endpoint: string;
  /** When the token was entered (ISO); tokens last one year. Never the token itself. */
  tokenEnteredAt: string;
  probedAt: string;
}

export interface OktaProvisioningOutput {
  /** The app that provisions: the Identity Center app itself, or the separate SCIM app. */
  appId: string;
  appName: string;
  appLabel: string;
  via: 'api' | 'console';
  /** The connection status as Okta's API reads it (UNKNOWN for apps the Connections API does not serve). */
  connectionStatus: string;
  features: { create: boolean; update: boolean; deactivate: boolean; passwordSync: boolean };
  /**
   * Where `features` come from: read back from Okta's Application Features API ('api'), or confirmed
   * by the person after the console action ('person': the API answers 400 for this app); then the
   * later steps verify provisioning by its effect (pushed group and test user arriving in Identity
   * Center). Absent in states written before this field existed: read as 'api'.
   */
  featuresSource?: 'api' | 'person';
  /** tokenEnteredAt (scim-endpoint) of the SCIM token given to Okta: a newer token must reach Okta too. */
  scimTokenEnteredAt?: string;
  /**
   * True when the wizard created the separate SCIM app (--provisioning-app scim-test-app); destroy
   * removes it. Absent (older states, or the Identity Center app itself): not created here.
   */
  appCreated?: boolean;
}

export interface OktaGroupRef {
  id: string;
  name: string;
  /**
   * True when the wizard created the group (destroy removes it); false when it adopted an existing
   * one. Absent in states written before this field existed: read as adopted (destroy keeps it).
   */
  created?: boolean;
}

export interface GroupsOutput {
  assignmentGroup: OktaGroupRef;
  pushGroups: OktaGroupRef[];
  /** App IDs the assignment group is assigned to. */
  assignedAppIds: string[];
}

export interface PushMappingRef {
  mappingId: string;
  sourceGroupId: string;
  groupName: string;
  status: string;
  targetGroupId?: string;
  /** True when the wizard created the mapping (destroy removes it). Absent in older states: read as adopted. */
  created?: boolean;
}

export interface GroupPushOutput {
  appId: string;
  prefix: string;
  mappings: PushMappingRef[];
  /** True when the person confirmed the "push groups by rule" console rule exists. */
  ruleConfirmed: boolean;
}

export interface PermissionSetOutput {
  arn: string;
  name: string;
  managedPolicyArn: string;
  sessionDuration: string;
  created: boolean;
}

export type AssignmentResultStatus = 'SUCCEEDED' | 'EXISTING' | 'FAILED' | 'SKIPPED';

export interface AccountAssignmentResult {
  accountId: string;
  accountName?: string;
  status: AssignmentResultStatus;
  requestId?: string;
  failureReason?: string;
}

export interface AccountAssignmentsOutput {
  /** Identity store GroupId of the pushed group that received the permission set. */
  groupId: string;
  groupName: string;
  permissionSetArn: string;
  results: AccountAssignmentResult[];
}

export interface TestUserOutput {
  userId: string;
  login: string;
  email: string;
  displayName: string;
  groupIds: string[];
  created: boolean;
}

export interface VerifyOutput {
  identityStoreUserId?: string;
  userHasExternalIds?: boolean;
  groupId: string;
  userInGroup?: boolean;
  accountsVerified: number;
  portalUrl: string;
  verifiedAt: string;
}

export interface StepOutputs {
  preflight: PreflightOutput;
  'sp-metadata': SpMetadataOutput;
  'okta-app': OktaAppOutput;
  'app-sign-on-policy': AppSignOnPolicyOutput;
  'idp-metadata': IdpMetadataOutput;
  'scim-endpoint': ScimEndpointOutput;
  'okta-provisioning': OktaProvisioningOutput;
  groups: GroupsOutput;
  'group-push': GroupPushOutput;
  'permission-set': PermissionSetOutput;
  'account-assignments': AccountAssignmentsOutput;
  'test-user': TestUserOutput;
  verify: VerifyOutput;
}
