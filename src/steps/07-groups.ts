import { notBuiltStep } from './not-built.js';

export const groupsStep = notBuiltStep('groups', 'Okta groups and their app assignment', 'api', ['okta-app', 'okta-provisioning']);
