import { notBuiltStep } from './not-built.js';

export const testUserStep = notBuiltStep('test-user', 'Okta test user', 'api', ['groups']);
