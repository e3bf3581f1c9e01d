/** The Okta emulator's state: plain JSON, so snapshot()/restore() are a deep copy. */
import type { SigningKey } from './saml.js';

export type EnabledStatus = 'ENABLED' | 'DISABLED';

export interface UserRec {
  id: string;
  status: 'STAGED' | 'PROVISIONED' | 'ACTIVE' | 'PASSWORD_EXPIRED' | 'DEPROVISIONED' | 'SUSPENDED';
  profile: Record<string, unknown>;
  created: string;
  activated: string | null;
  statusChanged: string | null;
  lastUpdated: string;
  passwordChanged: string | null;
  /** Whether a password was set (the value itself is never kept). */
  hasPassword: boolean;
  /** scrypt hash of the password, for primary authentication (sso.ts); never the value. */
  passwordHash?: string;
}

export interface GroupRec {
  id: string;
  profile: { name: string; description?: string };
  created: string;
  lastUpdated: string;
  lastMembershipUpdated: string;
  /** Okta user ids. */
  members: string[];
}

export interface AppUserRec {
  id: string;
  /** Assigned directly (scope USER); otherwise only through an assigned group. */
  direct: boolean;
  profile: Record<string, unknown>;
  created: string;
  lastUpdated: string;
  statusChanged: string;
  /** The id of the user in the downstream SCIM service, once provisioned. */
  scimId?: string;
  /** Whether the downstream account is active (false after deactivation was pushed). */
  remoteActive?: boolean;
  syncState: 'DISABLED' | 'SYNCING' | 'SYNCHRONIZED' | 'ERROR';
  lastSync?: string;
  errorSummary?: string;
  /** The Okta profile changed since the last push. */
  profileDirty?: boolean;
  /** No longer assigned; waiting for the deprovisioning push before removal. */
  removed?: boolean;
}

export interface TargetGroupRec {
  id: string;
  name: string;
  scimId?: string;
}

export interface MappingRec {
  id: string;
  sourceGroupId: string;
  targetGroupId: string;
  status: 'ACTIVE' | 'INACTIVE' | 'ERROR';
  errorSummary?: string;
  created: string;
  lastUpdated: string;
  lastPush?: string;
  /** SCIM ids of the users currently pushed as members of the downstream group. */
  pushedMembers: string[];
  /** Set when created by a console push rule. */
  ruleId?: string;
}

export interface PushRuleRec {
  id: string;
  name: string;
  prefix: string;
  created: string;
}

export interface ConnectionRec {
  status: EnabledStatus;
  baseUrl: string;
  /** SCIM bearer / header token (sandbox state only, never served). */
  token: string;
}

export interface CapabilitiesRec {
  create: { lifecycleCreate: { status: EnabledStatus } };
  update: {
    profile: { status: EnabledStatus };
    lifecycleDeactivate: { status: EnabledStatus };
    password: { status: EnabledStatus; seed: 'OKTA' | 'RANDOM'; change: 'CHANGE' | 'KEEP_EXISTING' };
  };
}

export interface AppRec {
  id: string;
  externalKey: string;
  name: string;
  label: string;
  signOnMode: string;
  status: 'ACTIVE' | 'INACTIVE';
  created: string;
  lastUpdated: string;
  /** Client-writable members as last given (settings incl. settings.app, visibility, accessibility, ...). */
  writable: Record<string, unknown>;
  keys: SigningKey[];
  activeKid: string;
  connection: ConnectionRec | null;
  capabilities: CapabilitiesRec;
  groups: Record<string, { priority: number; profile: Record<string, unknown>; lastUpdated: string }>;
  users: Record<string, AppUserRec>;
  targetGroups: Record<string, TargetGroupRec>;
  mappings: Record<string, MappingRec>;
  pushRules: PushRuleRec[];
  /** Identity Engine: the app sign-in (ACCESS_POLICY) policy assigned to the app (PUT /apps/{appId}/policies/{policyId}). */
  accessPolicyId?: string;
  /** Classic Engine: an app sign-on rule that prompts for a factor (console action app-sign-on-rule). */
  signOnRuleMfa?: boolean;
}

export interface PolicyRuleRec {
  id: string;
  name: string;
  status: 'ACTIVE' | 'INACTIVE';
  priority: number;
  created: string;
  lastUpdated: string;
  /** The rule as given (conditions, actions): served back as is. */
  body: Record<string, unknown>;
}

export interface PolicyRec {
  id: string;
  type: string;
  name: string;
  description?: string;
  status: 'ACTIVE' | 'INACTIVE';
  priority: number;
  system: boolean;
  created: string;
  lastUpdated: string;
  rules: PolicyRuleRec[];
}

export interface OktaState {
  apps: Record<string, AppRec>;
  groups: Record<string, GroupRec>;
  users: Record<string, UserRec>;
  /** Policies (ACCESS_POLICY in an Identity Engine org); absent in states saved before they existed. */
  policies?: Record<string, PolicyRec>;
}

export function emptyState(): OktaState {
  return { apps: {}, groups: {}, users: {} };
}

export function defaultCapabilities(): CapabilitiesRec {
  return {
    create: { lifecycleCreate: { status: 'DISABLED' } },
    update: {
      profile: { status: 'DISABLED' },
      lifecycleDeactivate: { status: 'DISABLED' },
      password: { status: 'DISABLED', seed: 'RANDOM', change: 'KEEP_EXISTING' },
    },
  };
}

/** What a new app starts with: no connection, Okta's default features, no assignment, push or rule. */
export function newAppRelations(): Pick<AppRec, 'connection' | 'capabilities' | 'groups' | 'users' | 'targetGroups' | 'mappings' | 'pushRules'> {
  return { connection: null, capabilities: defaultCapabilities(), groups: {}, users: {}, targetGroups: {}, mappings: {}, pushRules: [] };
}

/** OIN apps whose provisioning the sandbox emulates. */
export const PROVISIONING_APPS = ['amazon_aws_sso', 'scim2headerauth'];
