import { notBuiltStep } from './not-built.js';

export const groupPushStep = notBuiltStep('group-push', 'Okta group push to Identity Center', 'api', ['groups', 'okta-provisioning']);
