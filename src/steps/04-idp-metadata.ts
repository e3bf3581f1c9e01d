import { notBuiltStep } from './not-built.js';

export const idpMetadataStep = notBuiltStep('idp-metadata', 'Okta IdP metadata, uploaded to Identity Center', 'console', ['okta-app']);
