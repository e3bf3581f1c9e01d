/**
 * The one rule for the request log's `mutating` flag, used by both emulators and the harness:
 * whether the request ASKED for a change, whatever the answer (a refused or failed write is still a
 * write attempt, so a dry run that sends one is caught).
 *
 * - AWS JSON APIs (operation `Target.Operation`): the operation name starts with a write verb
 *   (Create, Update, Delete, Attach, Detach, Provision, Put, Tag, Untag); STS GetCallerIdentity never.
 * - Okta: any method but GET/HEAD, except getting an OAuth access token (POST /oauth2/v1/token),
 *   which changes nothing in the org (a dry run may do it), and signing in (POST /api/v1/authn...).
 * - SCIM, and anything else (unknown paths, harness answers): any method but GET/HEAD.
 * - Sign-in endpoints (okta/sso.ts, aws/signin.ts: authn, session cookie, SSO link, ACS, SSO OIDC,
 *   portal) set `mutating: false` themselves: they open sessions and change no configuration, like
 *   the OAuth token endpoint.
 */
import type { ServiceName } from './types.js';

const AWS_WRITE = /^(Create|Update|Delete|Attach|Detach|Provision|Put|Tag|Untag)/;

export const OKTA_TOKEN_OPERATION = 'POST /oauth2/v1/token';
/** Okta sign-in (primary authentication, session cookie, an app's SSO link): a user signing in changes nothing an admin manages. */
export const OKTA_SIGN_IN_OPERATIONS = ['POST /api/v1/authn', 'GET /login/sessionCookieRedirect', 'GET /.well-known/okta-organization', 'GET /home/{app}/sso', 'GET /app/{app}/sso', 'POST /app/{app}/sso'];

export function isMutating(service: ServiceName, method: string, operation: string): boolean {
  if (service === 'aws') {
    if (operation.startsWith('STS.')) return false;
    const m = /^[A-Za-z0-9]+\.([A-Za-z0-9]+)$/.exec(operation);
    if (m) return AWS_WRITE.test(m[1] ?? '');
  }
  if (service === 'okta' && (operation === OKTA_TOKEN_OPERATION || OKTA_SIGN_IN_OPERATIONS.includes(operation))) return false;
  return method !== 'GET' && method !== 'HEAD';
}
