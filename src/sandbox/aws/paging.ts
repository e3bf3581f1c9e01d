import { AwsError } from './errors.js';

/**
 * One page of `items`. NextToken is an opaque base64 string naming the operation and the offset;
 * a token from another operation, or a garbled one, is refused like AWS does (invalid token).
 */
export function page<T>(
  items: T[],
  input: Record<string, unknown>,
  opts: { operation: string; max: number; validationCode?: string },
): { items: T[]; nextToken?: string } {
  const limit = typeof input.MaxResults === 'number' ? Math.min(input.MaxResults, opts.max) : opts.max;
  let offset = 0;
  if (typeof input.NextToken === 'string' && input.NextToken !== '') {
    try {
      const t = JSON.parse(Buffer.from(input.NextToken, 'base64url').toString('utf8')) as { op?: unknown; o?: unknown };
      if (t.op !== opts.operation || typeof t.o !== 'number' || t.o < 0) throw new Error('bad');
      offset = t.o;
    } catch {
      throw new AwsError(400, opts.validationCode ?? 'ValidationException', 'The NextToken value is not valid for this request.');
    }
  }
  const slice = items.slice(offset, offset + limit);
  const next = offset + limit < items.length ? Buffer.from(JSON.stringify({ op: opts.operation, o: offset + limit })).toString('base64url') : undefined;
  return next === undefined ? { items: slice } : { items: slice, nextToken: next };
}
