/**
 * The `verify` health table (docs/verify.md): the step read-back as one row, the sign-in proof rows
 * (when it ran: --sign-in, or always in the sandbox), then the health rows.
 */
import type { Io, Services } from '../steps/contract.js';
import type { StepOutputs } from '../steps/outputs.js';
import { healthRows } from './health.js';
import { rowOf, type HealthRow } from './rows.js';
import { takeSignInRows } from './run-memory.js';

export { healthExitCode, healthLines, parseFailOn, type FailOn, type HealthRow } from './rows.js';
export { requestSignIn } from './run-memory.js';

export async function verifyTable(p: {
  io: Io;
  services: Services;
  outputs: Readonly<Partial<StepOutputs>>;
  now(): Date;
  stepsOutcome: { ok: boolean; detail: string; fix?: string };
  signInRequested: boolean;
}): Promise<HealthRow[]> {
  const rows: HealthRow[] = [rowOf('steps', 'Every step still holds (read-back of both sides)', p.stepsOutcome.ok ? 'passed' : 'failed', p.stepsOutcome.detail, p.stepsOutcome.fix)];
  const signIn = takeSignInRows();
  if (signIn) rows.push(...signIn);
  else if (p.signInRequested) rows.push(rowOf('sign-in', 'Sign-in proof', 'skipped', 'the verify step stopped before the sign-in proof', 'Fix the read-back problems above, then run `okta-aws-sso verify --sign-in` again.'));
  rows.push(...(await healthRows({ io: p.io, services: p.services, outputs: p.outputs, now: p.now })));
  return rows;
}
