/**
 * Fault decisions and option checks of the sandbox harness (pure logic: the listeners' use of them
 * is covered with the real emulators in harness-server.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { FaultController, parseFaults, SandboxInputError } from '../../src/sandbox/faults.js';
import { parseSandboxOptions } from '../../src/sandbox/options.js';

function sequence(values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length]!;
}

describe('fault decisions', () => {
  it('hits a fraction of requests by the random draw, drop before throttle before error', () => {
    const f = new FaultController({ okta: { dropRate: 0.2, throttleRate: 0.5, errorRate: 0.5, latencyMs: 7 } }, sequence([0.1]));
    expect(f.decide('okta')).toEqual({ latencyMs: 7, action: 'drop' });
    const g = new FaultController({ okta: { dropRate: 0.2, throttleRate: 0.5, errorRate: 0.5 } }, sequence([0.3, 0.3]));
    expect(g.decide('okta').action).toBe('throttle');
    const h = new FaultController({ okta: { dropRate: 0.2, throttleRate: 0.5, errorRate: 0.8 } }, sequence([0.9, 0.9, 0.7]));
    expect(h.decide('okta').action).toBe('error');
    const none = new FaultController({ okta: { errorRate: 0.5 } }, sequence([0.5]));
    expect(none.decide('okta')).toEqual({ latencyMs: 0, action: undefined });
  });

  it('treats 1 as every request and 0 as none, whatever the draw', () => {
    const f = new FaultController({ aws: { errorRate: 1, throttleRate: 0 } }, sequence([0.999999]));
    for (let i = 0; i < 5; i++) expect(f.decide('aws').action).toBe('error');
    expect(f.decide('scim').action).toBeUndefined();
  });

  it('a spec for some operations only, and only the first N faults (a fault at an exact moment)', () => {
    const f = new FaultController({ scim: { errorRate: 1, operations: ['SCIM POST /Users'], limit: 2 } });
    expect(f.decide('scim', () => 'SCIM GET /Users').action).toBeUndefined();
    expect(f.decide('scim').action).toBeUndefined(); // an operation the spec cannot name is not one it lists
    expect(f.decide('scim', () => 'SCIM POST /Users').action).toBe('error');
    expect(f.decide('scim', () => 'SCIM POST /Users').action).toBe('error');
    // Spent: the third matching request passes, and the spec is gone.
    expect(f.decide('scim', () => 'SCIM POST /Users').action).toBeUndefined();
    expect(f.current()).toEqual({});
    // Without operations, the operation is never asked for.
    const g = new FaultController({ okta: { errorRate: 1 } });
    expect(g.decide('okta', () => { throw new Error('not asked'); }).action).toBe('error');
  });

  it('replaces, clears and reports specs per service', () => {
    const f = new FaultController({ okta: { errorRate: 1 }, scim: { latencyMs: 5 } });
    f.apply({ okta: null, aws: { throttleRate: 1 } });
    expect(f.current()).toEqual({ aws: { throttleRate: 1 }, scim: { latencyMs: 5 } });
    f.apply({ scim: {} });
    expect(f.current()).toEqual({ aws: { throttleRate: 1 } });
    f.clear();
    expect(f.current()).toEqual({});
  });
});

describe('fault and option input', () => {
  it('accepts well-formed faults and refuses the rest, naming the fix', () => {
    expect(parseFaults({ okta: { latencyMs: 10, dropRate: 0.5 }, scim: null })).toEqual({ okta: { latencyMs: 10, dropRate: 0.5 }, scim: null });
    expect(() => parseFaults({ okta: { dropRate: -0.1 } })).toThrow(/from 0 to 1/);
    expect(() => parseFaults({ okta: { latencyMs: '5' } })).toThrow(/latencyMs/);
    expect(() => parseFaults({ sts: {} })).toThrow(/okta, aws, scim/);
    expect(() => parseFaults([])).toThrow(SandboxInputError);
    expect(parseFaults({ scim: { errorRate: 1, operations: ['SCIM POST /Users'], limit: 1 } })).toEqual({ scim: { errorRate: 1, operations: ['SCIM POST /Users'], limit: 1 } });
    expect(() => parseFaults({ scim: { operations: [] } })).toThrow(/non-empty list of operation names/);
    expect(() => parseFaults({ scim: { operations: 'SCIM POST /Users' } })).toThrow(/operations/);
    expect(() => parseFaults({ scim: { limit: 0 } })).toThrow(/whole number of faults, 1 or more/);
    expect(() => parseFaults({ scim: { limit: 1.5 } })).toThrow(/limit/);
  });

  it('checks every sandbox option', () => {
    expect(
      parseSandboxOptions({
        okta: { provisioningApi: 'supported', rateLimitPerMinute: 100 },
        aws: { region: 'eu-central-1', memberAccounts: 3, assignmentDelayMs: 0, failingAccounts: ['123456789012'], requestsPerSecond: 5, maxOutstandingAssignments: 2 },
        faults: { aws: { errorRate: 0.1 }, okta: null },
      }),
    ).toEqual({
      okta: { provisioningApi: 'supported', rateLimitPerMinute: 100 },
      aws: { region: 'eu-central-1', memberAccounts: 3, assignmentDelayMs: 0, failingAccounts: ['123456789012'], requestsPerSecond: 5, maxOutstandingAssignments: 2 },
      faults: { aws: { errorRate: 0.1 } },
    });
    expect(parseSandboxOptions(undefined)).toEqual({});
    expect(() => parseSandboxOptions({ okta: { provisioning: 'supported' } })).toThrow(/options\.okta\.provisioning is not a sandbox option; known: .*provisioningApi/);
    expect(() => parseSandboxOptions({ aws: { region: 'Ohio' } })).toThrow(/region name such as "us-east-2"/);
    expect(() => parseSandboxOptions({ aws: { memberAccounts: 2.5 } })).toThrow(/whole number/);
    expect(() => parseSandboxOptions({ aws: { failingAccounts: ['12'] } })).toThrow(/12-digit/);
    expect(() => parseSandboxOptions({ gcp: {} })).toThrow(/okta, aws, faults/);
  });
});
