/**
 * The AWS clients a step uses after preflight: connected once per run, pinned to the Identity
 * Center home region that preflight stored (so a resumed run writes to the right region too).
 */
import type { StepContext } from '../steps/contract.js';
import type { PreflightOutput } from '../steps/outputs.js';
import type { AwsClients } from './clients.js';

export interface HomeAws {
  aws: AwsClients;
  pf: PreflightOutput['aws'];
}

export async function homeAws(ctx: StepContext): Promise<HomeAws> {
  const pf = ctx.need('preflight').aws;
  const aws = await ctx.services.aws();
  aws.setHomeRegion(pf.region);
  return { aws, pf };
}
