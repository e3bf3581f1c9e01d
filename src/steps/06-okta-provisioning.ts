import { notBuiltStep } from './not-built.js';

export const oktaProvisioningStep = notBuiltStep('okta-provisioning', 'Okta provisioning toward the SCIM endpoint', 'api', ['okta-app', 'scim-endpoint']);
