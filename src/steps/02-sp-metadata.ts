import { notBuiltStep } from './not-built.js';

export const spMetadataStep = notBuiltStep('sp-metadata', 'Identity Center service-provider values (ACS URL, issuer)', 'console', ['preflight']);
