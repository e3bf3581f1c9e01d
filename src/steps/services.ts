/**
 * Lazily connected clients for the steps. The SDKs are imported on first use only, so --help,
 * --version and status never load them.
 */
import type { Io, SecretStore, Services } from './contract.js';
import type { OktaClient } from '../okta/client.js';
import type { AwsClients } from '../aws/clients.js';

export function createServices(io: Io, secrets: SecretStore, sandbox?: { adminUrl: string }): Services {
  let okta: Promise<OktaClient> | undefined;
  let aws: Promise<AwsClients> | undefined;
  return {
    okta: () => (okta ??= import('../okta/connect.js').then((m) => m.connectOkta(io, secrets))),
    aws: () => (aws ??= import('../aws/connect.js').then((m) => m.connectAws(io))),
    sandbox,
  };
}
