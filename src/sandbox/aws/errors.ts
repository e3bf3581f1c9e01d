/** An AWS error answer: HTTP status, error code (shape name) and message, plus modelled extra members. */
export class AwsError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export const validation = (msg: string): AwsError => new AwsError(400, 'ValidationException', msg);
export const conflict = (msg: string, extra: Record<string, unknown> = {}): AwsError => new AwsError(400, 'ConflictException', msg, extra);
export const notFound = (msg: string, extra: Record<string, unknown> = {}): AwsError => new AwsError(400, 'ResourceNotFoundException', msg, extra);
export const throttled = (msg = 'Rate exceeded'): AwsError => new AwsError(400, 'ThrottlingException', msg);
