/**
 * Many requests waiting at once on one AbortSignal (issue 8 §5): assigning 30 accounts makes no Node
 * MaxListenersExceededWarning, because every sleeper on a signal shares one abort listener.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { assignAccounts } from '../../src/aws/assignments.js';
import { ensurePermissionSet } from '../../src/aws/permission-sets.js';
import { sleep } from '../../src/aws/retry.js';
import { InterruptedError } from '../../src/errors.js';
import { applyStep } from '../helpers/step-harness.js';
import { preflightStep } from '../../src/steps/01-preflight.js';
import { scimCall, startAwsStepFixture, type AwsStepFixture } from './step-fixture.js';

let fx: AwsStepFixture | undefined;
afterAll(async () => fx?.close());

function captureWarnings(): { warnings: string[]; stop: () => void } {
  const warnings: string[] = [];
  const on = (w: Error): void => {
    warnings.push(`${w.name}: ${w.message}`);
  };
  process.on('warning', on);
  return { warnings, stop: () => process.off('warning', on) };
}

describe('abort listeners', () => {
  it('30 sleepers on one signal: no MaxListenersExceededWarning, all interrupted on abort, none left behind', async () => {
    const cap = captureWarnings();
    try {
      const ac = new AbortController();
      const all = Array.from({ length: 30 }, (_, i) => sleep(60_000 + i, ac.signal).then(() => 'slept', (e: unknown) => e));
      await new Promise((r) => setImmediate(r));
      ac.abort();
      const out = await Promise.all(all);
      expect(out.every((e) => e instanceof InterruptedError)).toBe(true);
      // A signal whose sleepers all finished can be used again, still without a warning.
      const again = new AbortController();
      for (let round = 0; round < 3; round++) await Promise.all(Array.from({ length: 15 }, () => sleep(1, again.signal)));
      await new Promise((r) => setImmediate(r));
      expect(cap.warnings.filter((w) => /MaxListenersExceeded/.test(w))).toEqual([]);
    } finally {
      cap.stop();
    }
  });

  it('assigning 30 accounts through the paced engine emits no MaxListenersExceededWarning', async () => {
    fx = await startAwsStepFixture({ aws: { memberAccounts: 31, assignmentDelayMs: 20 } });
    const h = fx.harness();
    const preflight = await applyStep(preflightStep, h.ctx);
    const aws = await h.ctx.services.aws();
    aws.setHomeRegion(preflight.aws.region);
    const set = await ensurePermissionSet(aws.ssoAdmin(), preflight.aws.instanceArn, { name: 'ManySet', managedPolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess', sessionDuration: 'PT1H', description: 'x' });
    const token = fx.sb.aws.console.enableAutomaticProvisioning().secrets!['scim-token']!;
    const g = await scimCall(fx.sb.aws.info().scimEndpoint, token, 'POST', '/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'many' });
    const snap = fx.sb.aws.snapshot() as { accounts: { id: string; state: string }[] };
    const targets = snap.accounts.filter((a) => a.state === 'ACTIVE' && a.id !== preflight.aws.managementAccountId).map((a) => ({ accountId: a.id }));
    expect(targets.length).toBeGreaterThanOrEqual(29);
    const cap = captureWarnings();
    try {
      const ac = new AbortController();
      const { results } = await assignAccounts({
        client: aws.ssoAdminEngine(),
        instanceArn: preflight.aws.instanceArn,
        permissionSetArn: set.arn,
        principalId: g.json.id as string,
        principalType: 'GROUP',
        targets,
        bulkExisting: true,
        signal: ac.signal,
        // More requests in flight than 10, paced so that they queue in the pacer (as a real run to >10 accounts does).
        tuning: { requestsPerSecond: 15, maxOutstanding: 15 },
      });
      expect(results.filter((r) => r.status !== 'SUCCEEDED')).toEqual([]);
      await new Promise((r) => setImmediate(r));
      expect(cap.warnings.filter((w) => /MaxListenersExceeded/.test(w))).toEqual([]);
    } finally {
      cap.stop();
    }
  });
});
