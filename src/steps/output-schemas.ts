/**
 * The shape of every step's outputs (src/steps/outputs.ts) as zod schemas: a state file is input
 * too, so outputs saved by an earlier run are checked on load (src/engine/state.ts
 * validateSavedOutputs) before any step reads them. Objects are loose (a newer field is kept), but
 * every field a step reads must be there with the right type.
 */
import { z } from 'zod';
import type { StepId } from './outputs.js';

const str = z.string().max(4096);
const id = z.string().min(1).max(2048);
const bool = z.boolean();
const url = z.string().max(4096).refine((v) => /^https?:\/\//i.test(v), 'must be an http(s) URL');

const preflight = z.looseObject({
  aws: z.looseObject({
    accountId: z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account ID'),
    callerArn: str,
    region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'must be an AWS region name'),
    instanceArn: id,
    identityStoreId: id,
    organizationId: str,
    managementAccountId: str,
    callerIsManagementAccount: bool,
    callerIsDelegatedAdmin: bool,
    credentialSource: str.optional(),
  }),
  okta: z.looseObject({
    orgUrl: url,
    authMode: z.enum(['ssws', 'oauth']),
    credentialSource: str,
    clientId: str.optional(),
    keyId: str.optional(),
    scopes: z.array(str).optional(),
  }),
});

const groupRef = z.looseObject({ id, name: str, created: bool.optional() });

export const OUTPUT_SCHEMAS: Record<StepId, z.ZodType> = {
  preflight,
  'sp-metadata': z.looseObject({ acsUrl: url, issuerUrl: url, source: z.enum(['metadata-file', 'pasted']), acsUrls: z.array(url), metadataFile: str.optional() }),
  'okta-app': z.looseObject({ appId: id, label: str, name: str, signingKid: str, acsUrl: url, entityId: str, adopted: bool }),
  'app-sign-on-policy': z.looseObject({ engine: z.enum(['identity', 'classic']), appId: id, policyName: str, policyId: id.optional(), ruleId: id.optional(), created: bool }),
  'idp-metadata': z.looseObject({ path: str, entityId: str, ssoUrl: url, certSubject: str, certSha256Fingerprint: str, certNotAfter: str, signingKid: str, uploadConfirmedAt: str }),
  'scim-endpoint': z.looseObject({ endpoint: url, tokenEnteredAt: str, probedAt: str }),
  'okta-provisioning': z.looseObject({
    appId: id,
    appName: str,
    appLabel: str,
    via: z.enum(['api', 'console']),
    connectionStatus: str,
    features: z.looseObject({ create: bool, update: bool, deactivate: bool, passwordSync: bool }),
  }),
  groups: z.looseObject({ assignmentGroup: groupRef, pushGroups: z.array(groupRef), assignedAppIds: z.array(id) }),
  'group-push': z.looseObject({
    appId: id,
    prefix: str,
    mappings: z.array(z.looseObject({ mappingId: id, sourceGroupId: id, groupName: str, status: str, targetGroupId: str.optional(), created: bool.optional() })),
    ruleConfirmed: bool,
  }),
  'permission-set': z.looseObject({ arn: id, name: str, managedPolicyArn: str, sessionDuration: str, created: bool }),
  'account-assignments': z.looseObject({
    groupId: id,
    groupName: str,
    permissionSetArn: id,
    results: z.array(
      z.looseObject({
        accountId: z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account ID'),
        accountName: str.optional(),
        status: z.enum(['SUCCEEDED', 'EXISTING', 'FAILED', 'SKIPPED']),
        requestId: str.optional(),
        failureReason: str.optional(),
      }),
    ),
  }),
  'test-user': z.looseObject({ userId: id, login: str, email: str, displayName: str, groupIds: z.array(id), created: bool }),
  verify: z.looseObject({
    identityStoreUserId: str.optional(),
    userHasExternalIds: bool.optional(),
    groupId: str,
    userInGroup: bool.optional(),
    accountsVerified: z.number(),
    portalUrl: str,
    verifiedAt: str,
  }),
};
