/** Okta-shaped error answers: {errorCode, errorSummary, errorLink, errorId, errorCauses}. */
import crypto from 'node:crypto';

export class OktaHttpError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    readonly errorSummary: string,
    readonly causes: string[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(errorSummary);
  }

  body(): Record<string, unknown> {
    return {
      errorCode: this.errorCode,
      errorSummary: this.errorSummary,
      errorLink: this.errorCode,
      errorId: `oae${crypto.randomBytes(16).toString('base64url').slice(0, 22)}`,
      errorCauses: this.causes.map((c) => ({ errorSummary: c })),
    };
  }
}

export const apiValidation = (field: string, causes: string[]): OktaHttpError => new OktaHttpError(400, 'E0000001', `Api validation failed: ${field}`, causes);

export const notFound = (what: string, id: string): OktaHttpError => new OktaHttpError(404, 'E0000007', `Not found: Resource not found: ${id} (${what})`);

export const invalidToken = (): OktaHttpError => new OktaHttpError(401, 'E0000011', 'Invalid token provided');

export const forbidden = (detail?: string): OktaHttpError =>
  new OktaHttpError(403, 'E0000006', 'You do not have permission to perform the requested action', detail ? [detail] : []);

export const tooManyRequests = (): OktaHttpError => new OktaHttpError(429, 'E0000047', 'API call exceeded rate limit due to too many requests.');

export const malformed = (): OktaHttpError => new OktaHttpError(400, 'E0000003', 'The request body was not well-formed.');

export const internalError = (): OktaHttpError => new OktaHttpError(500, 'E0000009', 'Internal Server Error');
