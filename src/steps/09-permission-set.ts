import { notBuiltStep } from './not-built.js';

export const permissionSetStep = notBuiltStep('permission-set', 'Identity Center permission set', 'api', ['preflight']);
