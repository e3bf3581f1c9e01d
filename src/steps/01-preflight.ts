import { notBuiltStep } from './not-built.js';

export const preflightStep = notBuiltStep('preflight', 'Preflight: AWS and Okta credentials, organization, Identity Center instance', 'api', []);
