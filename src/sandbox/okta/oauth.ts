/**
 * The org authorization server's token endpoint for OAuth service apps:
 * client_credentials with a private_key_jwt client assertion, REALLY verified against the client's
 * registered public JWKS.
 */
import crypto from 'node:crypto';
import { createLocalJWKSet, decodeJwt, jwtVerify, type JWK } from 'jose';

export interface OktaOAuthClient {
  clientId: string;
  /** Public keys. */
  jwks: JWK[];
  scopes: string[];
}

export interface IssuedToken {
  clientId: string;
  scopes: string[];
  /** Epoch ms. */
  expiresAt: number;
}

export const ACCESS_TOKEN_TTL_S = 3600;

interface TokenAnswer {
  status: number;
  body: Record<string, unknown>;
}

function oauthError(status: number, error: string, description: string): TokenAnswer {
  return { status, body: { error, error_description: description } };
}

/** Handles POST /oauth2/v1/token. `issue` stores the token and returns its opaque value. */
export async function tokenEndpoint(p: {
  body: Buffer;
  contentType: string;
  orgUrl: string;
  clients: OktaOAuthClient[];
  issue: (t: IssuedToken) => string;
}): Promise<TokenAnswer> {
  if (!p.contentType.includes('application/x-www-form-urlencoded')) {
    return oauthError(400, 'invalid_request', 'The request must use the application/x-www-form-urlencoded content type.');
  }
  const form = new URLSearchParams(p.body.toString('utf8'));
  const grant = form.get('grant_type');
  if (grant !== 'client_credentials') {
    return oauthError(400, 'unsupported_grant_type', `The authorization grant type is not supported by the authorization server. Configured grant types: [client_credentials].`);
  }
  if (form.get('client_assertion_type') !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer') {
    return oauthError(401, 'invalid_client', 'Client authentication failed: client_assertion_type must be urn:ietf:params:oauth:client-assertion-type:jwt-bearer.');
  }
  const assertion = form.get('client_assertion') ?? '';
  let claimedIssuer: string | undefined;
  try {
    claimedIssuer = decodeJwt(assertion).iss;
  } catch {
    return oauthError(401, 'invalid_client', 'The client_assertion is not a well-formed JWT.');
  }
  const client = p.clients.find((c) => c.clientId === claimedIssuer);
  if (!client) return oauthError(401, 'invalid_client', 'The client_assertion token is invalid: unknown client.');
  try {
    await jwtVerify(assertion, createLocalJWKSet({ keys: client.jwks }), {
      issuer: client.clientId,
      subject: client.clientId,
      audience: `${p.orgUrl}/oauth2/v1/token`,
      requiredClaims: ['exp'],
    });
  } catch (e) {
    return oauthError(401, 'invalid_client', `The client_assertion signature or claims are invalid: ${e instanceof Error ? e.message : String(e)}`);
  }
  const requested = (form.get('scope') ?? '').split(/\s+/).filter(Boolean);
  if (requested.length === 0) return oauthError(400, 'invalid_scope', 'The authorization server requires at least one scope for client_credentials.');
  const missing = requested.filter((s) => !client.scopes.includes(s));
  if (missing.length > 0) {
    return oauthError(400, 'invalid_scope', `The following scopes are not granted to the client: ${missing.join(' ')}. Grant them in the service app's "Okta API Scopes" tab.`);
  }
  const token = p.issue({ clientId: client.clientId, scopes: requested, expiresAt: Date.now() + ACCESS_TOKEN_TTL_S * 1000 });
  return { status: 200, body: { token_type: 'Bearer', expires_in: ACCESS_TOKEN_TTL_S, access_token: token, scope: requested.join(' ') } };
}

export function newAccessToken(): string {
  return `eyJsandbox.${crypto.randomBytes(32).toString('base64url')}`;
}
