import { describe, expect, it } from 'vitest';
import { backoffDelay, isRetryableConflict, isThrottle, withRetry } from '../../src/aws/retry.js';
import { durationMinutes, validateManagedPolicyArn, validatePermissionSetName, validateSessionDuration } from '../../src/aws/permission-sets.js';
import { tokenExpiryWarning } from '../../src/steps/05-scim-endpoint.js';

function awsError(name: string, message = name): Error {
  const e = new Error(message);
  e.name = name;
  return e;
}

describe('jittered exponential backoff', () => {
  it('grows by powers of two, stays within [ceiling/2, ceiling] and under the cap', () => {
    const o = { baseMs: 100, capMs: 1000, maxAttempts: 5 };
    expect(backoffDelay(0, { ...o, random: () => 0 })).toBe(50);
    expect(backoffDelay(0, { ...o, random: () => 0.999 })).toBe(100);
    expect(backoffDelay(3, { ...o, random: () => 0 })).toBe(400);
    expect(backoffDelay(10, { ...o, random: () => 0.999 })).toBe(1000);
    const seen = new Set(Array.from({ length: 50 }, () => backoffDelay(2, o)));
    expect(seen.size).toBeGreaterThan(1); // jitter
    for (const d of seen) expect(d >= 200 && d <= 400).toBe(true);
  });

  it('retries Throttling and Conflict, not "already exists" nor validation errors', async () => {
    expect(isThrottle(awsError('ThrottlingException'))).toBe(true);
    expect(isThrottle(awsError('TooManyRequestsException'))).toBe(true);
    expect(isRetryableConflict(awsError('ConflictException', 'a previous write has not propagated'))).toBe(true);
    expect(isRetryableConflict(awsError('ConflictException', 'PermissionSet with name X already exists.'))).toBe(false);
    // The sandbox's (and AWS's) answer to an attach whose first answer was lost: adopt, do not resend.
    expect(isRetryableConflict(awsError('ConflictException', 'Managed policy arn:aws:iam::aws:policy/ReadOnlyAccess is already attached to the permission set.'))).toBe(false);

    const waits: number[] = [];
    let calls = 0;
    const out = await withRetry(
      async () => {
        calls++;
        if (calls === 1) throw awsError('ThrottlingException');
        if (calls === 2) throw awsError('ConflictException', 'concurrent modification');
        return 'ok';
      },
      { baseMs: 10, capMs: 100, maxAttempts: 5, sleep: async (ms) => void waits.push(ms) },
    );
    expect(out).toBe('ok');
    expect(calls).toBe(3);
    expect(waits).toHaveLength(2);

    let v = 0;
    await expect(withRetry(async () => { v++; throw awsError('ValidationException'); }, { sleep: async () => undefined })).rejects.toThrow('ValidationException');
    expect(v).toBe(1);
    let n = 0;
    await expect(withRetry(async () => { n++; throw awsError('ThrottlingException'); }, { maxAttempts: 3, sleep: async () => undefined })).rejects.toThrow('ThrottlingException');
    expect(n).toBe(3);
  });
});

describe('permission set inputs', () => {
  it('validates name, managed policy ARN and session duration', () => {
    expect(validatePermissionSetName('AWSPowerUserAccess')).toBe(true);
    expect(validatePermissionSetName('has space')).not.toBe(true);
    expect(validatePermissionSetName('x'.repeat(33))).not.toBe(true);
    expect(validateManagedPolicyArn('arn:aws:iam::aws:policy/PowerUserAccess')).toBe(true);
    expect(validateManagedPolicyArn('arn:aws:iam::aws:policy/job-function/ViewOnlyAccess')).toBe(true);
    expect(validateManagedPolicyArn('arn:aws:iam::123456789012:policy/Mine')).not.toBe(true);
    expect(durationMinutes('PT1H30M')).toBe(90);
    expect(validateSessionDuration('PT1H')).toBe(true);
    expect(validateSessionDuration('PT12H')).toBe(true);
    expect(validateSessionDuration('PT30M')).toMatch(/between PT1H and PT12H/);
    expect(validateSessionDuration('PT13H')).toMatch(/between/);
    expect(validateSessionDuration('1 hour')).toMatch(/ISO 8601/);
  });
});

describe('SCIM token expiry warnings', () => {
  it('warns within 90 days of the one-year expiry and after it', () => {
    const entered = '2026-01-01T00:00:00.000Z';
    expect(tokenExpiryWarning(entered, new Date('2026-06-01T00:00:00Z'))).toBeUndefined();
    expect(tokenExpiryWarning(entered, new Date('2026-11-01T00:00:00Z'))).toMatchObject({ code: 'SCIM_TOKEN_EXPIRING', level: 'warn', data: { days: 61 } });
    expect(tokenExpiryWarning(entered, new Date('2027-01-05T00:00:00Z'))).toMatchObject({ code: 'SCIM_TOKEN_EXPIRED', data: { date: '2026-01-01' } });
  });
});
