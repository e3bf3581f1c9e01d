import type { Io, SecretStore } from '../steps/contract.js';
import type { OktaClient } from './client.js';
import { NotBuiltError } from '../errors.js';

/** Resolves Okta credentials through the I/O layer and returns a connected client (Okta issue). */
export async function connectOkta(_io: Io, _secrets: SecretStore): Promise<OktaClient> {
  throw new NotBuiltError('preflight (Okta connection)');
}
