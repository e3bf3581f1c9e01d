/**
 * The one rule for the request log's `mutating` flag, used by both emulators and the harness:
 * whether the request ASKED for a change, whatever the answer (a refused or failed write is still a
 * write attempt, so a dry run that sends one is caught).
 *
 * - AWS JSON APIs (operation `Target.Operation`): the operation name starts with a write verb
 *   (Create, Update, Delete, Attach, Detach, Provision, Put, Tag, Untag); STS GetCallerIdentity never.
 * - Okta: any method but GET/HEAD, except getting an OAuth access token (POST /oauth2/v1/token),
 *   which changes nothing in the org (a dry run may do it).
 * - SCIM, and anything else (unknown paths, harness answers): any method but GET/HEAD.
 */
import type { ServiceName } from './types.js';

const AWS_WRITE = /^(Create|Update|Delete|Attach|Detach|Provision|Put|Tag|Untag)/;

export const OKTA_TOKEN_OPERATION = 'POST /oauth2/v1/token';

export function isMutating(service: ServiceName, method: string, operation: string): boolean {
  if (service === 'aws') {
    if (operation.startsWith('STS.')) return false;
    const m = /^[A-Za-z0-9]+\.([A-Za-z0-9]+)$/.exec(operation);
    if (m) return AWS_WRITE.test(m[1] ?? '');
  }
  if (service === 'okta' && operation === OKTA_TOKEN_OPERATION) return false;
  return method !== 'GET' && method !== 'HEAD';
}
