/**
 * The AWS clients a step uses after preflight: connected once per run, pinned to the Identity
 * Center home region that preflight stored (so a resumed run writes to the right region too).
 */
import type { PreflightOutput } from '../core/outputs.js';
import type { AwsClients } from './clients.js';
import { awsTuning, setAwsTuning, type AwsTuning } from './tuning.js';

/**
 * A --sandbox run: the sandbox pushes groups at once, so the real-world 5 s SCIM poll would only
 * slow it down. Nothing here tells the assignment engine how long an operation takes.
 */
export const SANDBOX_TUNING: Partial<AwsTuning> = {
  scimPollMs: 250,
};

/**
 * A run against the sandbox (a --sandbox step, or an access command on a setup made with --sandbox):
 * from now on, in this process, no wait is longer than SANDBOX_TUNING's (a shorter one, set by a test,
 * stays). Checked on every call rather than remembered, so a tuning put back meanwhile (the test suite
 * does between files) is shortened again.
 */
export function useSandboxTuning(): void {
  const now = awsTuning();
  const patch = Object.fromEntries(Object.entries(SANDBOX_TUNING).filter(([k, v]) => v < now[k as keyof AwsTuning]));
  if (Object.keys(patch).length > 0) setAwsTuning(patch);
}

export interface HomeAws {
  aws: AwsClients;
  pf: PreflightOutput['aws'];
}

/** What homeAws needs from a step's context (structural: this layer imports nothing from src/steps). */
export interface HomeAwsContext {
  need(id: 'preflight'): PreflightOutput;
  services: { aws(): Promise<AwsClients>; readonly sandbox: unknown };
}

export async function homeAws(ctx: HomeAwsContext): Promise<HomeAws> {
  const pf = ctx.need('preflight').aws;
  const aws = await ctx.services.aws();
  aws.setHomeRegion(pf.region);
  if (ctx.services.sandbox) useSandboxTuning();
  return { aws, pf };
}
