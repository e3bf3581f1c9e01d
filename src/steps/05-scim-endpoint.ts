/**
 * scim-endpoint: the person enables automatic provisioning in Identity Center (no API), then gives
 * the SCIM endpoint and the access token; the token is probed, kept in memory for okta-provisioning
 * in this run, and never stored: the state keeps the endpoint and the date the token was entered.
 */
import { normaliseScimEndpoint, probeScim, validateScimEndpoint, validateScimToken } from '../scim/client.js';
import { identityCenterSettings } from '../aws/console-links.js';
import type { ConsoleAction, Drift, Step, StepContext } from './contract.js';
import type { PreflightOutput } from './outputs.js';
import { loopbackRules } from './loopback.js';

/** Tokens last one year; the console starts reminding 90 days before expiry. */
export const TOKEN_LIFETIME_DAYS = 365;
export const TOKEN_WARN_DAYS = 90;

export function enableProvisioningAction(pf: PreflightOutput['aws']): ConsoleAction {
  const settings = identityCenterSettings(pf.region);
  return {
    id: 'enable-automatic-provisioning',
    title: 'Enable automatic provisioning (SCIM) in IAM Identity Center',
    where: settings.where,
    instructions: [
      `Open ${settings.url}.`,
      'On the "Identity source" tab, find "Automatic provisioning" and choose "Enable" (if it already shows "Enabled", choose Actions > "Manage provisioning" > "Generate token").',
      'The dialog "Inbound automatic provisioning" shows the "SCIM endpoint" and the "Access token": choose "Show token" and copy both now, the token is shown only once.',
      'Give the wizard the endpoint (--scim-endpoint or SCIM_ENDPOINT) and the token (hidden prompt, SCIM_TOKEN or --scim-token-file). The token is never saved; it expires after one year.',
    ],
    evidence: ['scim-endpoint', 'scim-token'],
  };
}

function tokenAgeDays(enteredAt: string, now: Date): number {
  return Math.floor((now.getTime() - new Date(enteredAt).getTime()) / 86_400_000);
}

/** A warning when the token entered on `enteredAt` expires within 90 days (or has expired). */
export function tokenExpiryWarning(enteredAt: string, now: Date): string | undefined {
  const left = TOKEN_LIFETIME_DAYS - tokenAgeDays(enteredAt, now);
  if (left <= 0) return `The SCIM access token entered on ${enteredAt.slice(0, 10)} has expired: provisioning stopped. Generate a new one (Settings > Automatic provisioning > Manage provisioning) and run the wizard again with it.`;
  if (left <= TOKEN_WARN_DAYS) return `The SCIM access token entered on ${enteredAt.slice(0, 10)} expires in about ${left} days: generate a new one and update Okta's provisioning before then.`;
  return undefined;
}

async function readValues(ctx: StepContext, pf: PreflightOutput['aws']): Promise<{ endpoint: string; token: string }> {
  // Loopback: a --sandbox run, or an identitystore endpoint pointed at this machine (another emulator).
  const rules = await loopbackRules(ctx, 'identitystore');
  const endpoint = normaliseScimEndpoint(
    await ctx.io.ask({ key: 'scim-endpoint', message: 'SCIM endpoint (from Settings > Automatic provisioning)', validate: (v) => validateScimEndpoint(v, rules, pf.region) }),
  );
  rules.note(endpoint, 'SCIM endpoint');
  const token = (await ctx.io.secret({ key: 'scim-token', message: 'SCIM access token (hidden)', validate: validateScimToken })) ?? '';
  return { endpoint, token };
}

export const scimEndpointStep: Step<'scim-endpoint'> = {
  id: 'scim-endpoint',
  title: 'Identity Center SCIM endpoint and token (console), then a probe',
  kind: 'console',
  needs: ['preflight'],
  async plan(ctx) {
    if (ctx.io.hasAnswer('scim-endpoint') && ctx.io.hasAnswer('scim-token')) return [{ kind: 'check', target: 'SCIM endpoint', detail: 'probe GET /ServiceProviderConfig with the token' }];
    return [{ kind: 'console', target: 'Enable automatic provisioning in IAM Identity Center', detail: 'then probe the SCIM endpoint with the token' }];
  },
  async apply(ctx) {
    const pf = ctx.need('preflight').aws;
    await ctx.io.consoleAction(enableProvisioningAction(pf));
    const { endpoint, token } = await readValues(ctx, pf);
    const enteredAt = ctx.now().toISOString();
    const p = ctx.io.progress(`Probing ${endpoint}/ServiceProviderConfig`);
    try {
      await probeScim(endpoint, token, { signal: ctx.signal });
    } catch (e) {
      p.fail();
      throw e;
    }
    p.succeed(`The SCIM endpoint accepted the token (${endpoint}).`);
    ctx.secrets.set('scim-token', token);
    return { endpoint, tokenEnteredAt: enteredAt, probedAt: ctx.now().toISOString() };
  },
  async check(ctx, out) {
    const drifts: Drift[] = [];
    const warning = tokenExpiryWarning(out.tokenEnteredAt, ctx.now());
    if (warning) ctx.io.warn(warning);
    // Probe again only when this run has the token (a resumed run asks for it only when a later step needs it).
    const token = ctx.secrets.get('scim-token');
    if (token) {
      try {
        await probeScim(out.endpoint, token, { signal: ctx.signal });
      } catch (e) {
        drifts.push({ message: `the SCIM endpoint no longer accepts the token: ${(e as Error).message}` });
      }
    }
    return drifts;
  },
};
