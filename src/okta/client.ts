/**
 * Thin Okta client over @okta/okta-sdk-nodejs (owned by the Okta issue: raw HTTP helpers for the
 * app, retries for 429/5xx/dropped connections, typed errors).
 */
export interface OktaClient {
  readonly orgUrl: string;
}
