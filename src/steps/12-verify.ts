import { notBuiltStep } from './not-built.js';

export const verifyStep = notBuiltStep('verify', 'Verification through SCIM and Identity Center', 'api', ['preflight', 'group-push', 'account-assignments', 'test-user']);
