/**
 * The documented sequence, in order. The engine runs exactly this list.
 */
import type { AnyStep } from './contract.js';
import { preflightStep } from './01-preflight.js';
import { spMetadataStep } from './02-sp-metadata.js';
import { oktaAppStep } from './03-okta-app.js';
import { idpMetadataStep } from './04-idp-metadata.js';
import { scimEndpointStep } from './05-scim-endpoint.js';
import { oktaProvisioningStep } from './06-okta-provisioning.js';
import { groupsStep } from './07-groups.js';
import { groupPushStep } from './08-group-push.js';
import { permissionSetStep } from './09-permission-set.js';
import { accountAssignmentsStep } from './10-account-assignments.js';
import { testUserStep } from './11-test-user.js';
import { verifyStep } from './12-verify.js';

export const STEPS: readonly AnyStep[] = [
  preflightStep,
  spMetadataStep,
  oktaAppStep,
  idpMetadataStep,
  scimEndpointStep,
  oktaProvisioningStep,
  groupsStep,
  groupPushStep,
  permissionSetStep,
  accountAssignmentsStep,
  testUserStep,
  verifyStep,
];
