import { notBuiltStep } from './not-built.js';

export const scimEndpointStep = notBuiltStep('scim-endpoint', 'Identity Center automatic provisioning: SCIM endpoint and token', 'console', ['preflight']);
