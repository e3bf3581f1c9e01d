import { notBuiltStep } from './not-built.js';

export const oktaAppStep = notBuiltStep('okta-app', 'Okta "AWS IAM Identity Center" app with SAML settings', 'api', ['preflight', 'sp-metadata']);
