/**
 * The AWS clients a step uses after preflight: connected once per run, pinned to the Identity
 * Center home region that preflight stored (so a resumed run writes to the right region too).
 */
import type { StepContext } from '../steps/contract.js';
import type { PreflightOutput } from '../steps/outputs.js';
import type { AwsClients } from './clients.js';
import { setAwsTuning, type AwsTuning } from './tuning.js';

/**
 * A --sandbox run: the sandbox pushes groups at once, so the real-world 5 s SCIM poll would only
 * slow it down. Nothing here tells the assignment engine how long an operation takes.
 */
export const SANDBOX_TUNING: Partial<AwsTuning> = {
  scimPollMs: 250,
};

let sandboxTuned = false;

export interface HomeAws {
  aws: AwsClients;
  pf: PreflightOutput['aws'];
}

export async function homeAws(ctx: StepContext): Promise<HomeAws> {
  const pf = ctx.need('preflight').aws;
  const aws = await ctx.services.aws();
  aws.setHomeRegion(pf.region);
  if (ctx.services.sandbox && !sandboxTuned) {
    sandboxTuned = true;
    setAwsTuning(SANDBOX_TUNING);
  }
  return { aws, pf };
}
