/**
 * Lazily connected clients for the steps. The SDKs are imported on first use only, so --help,
 * --version and status never load them. The questions behind each connection are asked through Io
 * (src/steps/connect.ts); the environment and working folder come from the caller (the CLI context).
 */
import type { Io, SecretStore, Services } from './contract.js';
import type { OktaClient } from '../okta/client.js';
import type { AwsClients } from '../aws/clients.js';
import type { Env } from './connect.js';

export interface ServicesEnvironment {
  /** The environment the clients read (AWS_REGION, AWS_ENDPOINT_URL*, OKTA_AWS_SSO_OKTA_YAML, ...). */
  env: Env;
  /** The folder checked for a stray okta.yaml. */
  cwd: string;
}

export function createServices(io: Io, secrets: SecretStore, sandbox: { adminUrl: string } | undefined, where: ServicesEnvironment): Services {
  let okta: Promise<OktaClient> | undefined;
  let aws: Promise<AwsClients> | undefined;
  return {
    okta: () => (okta ??= import('./connect.js').then((m) => m.connectOktaThroughIo(io, secrets, { env: where.env, cwd: where.cwd }))),
    aws: () => (aws ??= import('./connect.js').then((m) => m.connectAwsThroughIo(io, where.env))),
    sandbox,
  };
}
