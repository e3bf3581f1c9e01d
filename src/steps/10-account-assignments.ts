import { notBuiltStep } from './not-built.js';

export const accountAssignmentsStep = notBuiltStep('account-assignments', 'Permission set assigned to the pushed group on every target account', 'api', ['preflight', 'group-push', 'permission-set']);
