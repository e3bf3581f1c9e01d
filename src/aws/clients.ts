/**
 * Thin AWS clients over the SDK v3 (owned by the AWS issue: sso-admin, identitystore,
 * organizations, sts, adaptive retries, home region).
 */
export interface AwsClients {
  readonly region: string;
}
