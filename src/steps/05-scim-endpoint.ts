/**
 * scim-endpoint: the person enables automatic provisioning in Identity Center (no API), then gives
 * the SCIM endpoint and the access token; the token is probed, kept in memory for okta-provisioning
 * in this run, and never stored: the state keeps the endpoint and the date the token was entered.
 *
 * answers: the endpoint and token when both are given already (then the console action is done).
 * observe: probes the given values (GET /ServiceProviderConfig, a read); a done step's re-check
 *          warns about an expiring token and probes the recorded endpoint with the token this run holds.
 * plan:    a console change (enable provisioning, then give the values), or adopt the given
 *          endpoint; a token the endpoint no longer accepts is drift (the console change again).
 */
import { normaliseScimEndpoint, probeScim, validateScimEndpoint, validateScimToken } from '../scim/client.js';
import { identityCenterSettings } from '../aws/console-links.js';
import type { ConsoleAction, Step, StepContext } from './contract.js';
import { KNOWN_AFTER_APPLY, type Change } from '../core/change.js';
import type { PreflightOutput, ScimEndpointOutput } from '../core/outputs.js';
import { ioMessage, type IoMessage } from '../messages.js';
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
export function tokenExpiryWarning(enteredAt: string, now: Date): IoMessage | undefined {
  const left = TOKEN_LIFETIME_DAYS - tokenAgeDays(enteredAt, now);
  if (left <= 0) return ioMessage('SCIM_TOKEN_EXPIRED', { date: enteredAt.slice(0, 10) });
  if (left <= TOKEN_WARN_DAYS) return ioMessage('SCIM_TOKEN_EXPIRING', { date: enteredAt.slice(0, 10), days: left });
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

/** The step's answers: the endpoint and token when both are already given (flags, env, --config, sandbox). */
export interface ScimAnswers {
  /** Given before the console action (it is then done: its evidence is answered). Never printed or saved. */
  given?: { endpoint: string; token: string };
}

/** What observe read: the probe of the given values, or the re-check of a done step. */
export interface ObservedScim {
  /** The given endpoint accepted the token (probed when observed). */
  probedAt?: string;
  /** A done step's re-check with the token this run holds: why the endpoint refused it, if it did. */
  refused?: string;
}

export type ScimPayload = { action: 'console'; actionId: 'enable-automatic-provisioning' } | { action: 'use'; endpoint: string };

async function probeWithProgress(ctx: StepContext, endpoint: string, token: string): Promise<void> {
  const p = ctx.io.progress('SCIM_PROBING', { endpoint });
  try {
    await probeScim(endpoint, token, { signal: ctx.signal });
  } catch (e) {
    p.fail();
    throw e;
  }
  p.succeed('SCIM_PROBE_ACCEPTED', { endpoint });
}

export function planScimEndpoint(obs: ObservedScim, ans: ScimAnswers, recorded?: ScimEndpointOutput): Change<ScimPayload>[] {
  const console: Change<ScimPayload> = {
    op: 'console',
    resource: { kind: 'console-action', id: 'enable-automatic-provisioning', name: 'Identity Center automatic provisioning' },
    summary: 'Enable automatic provisioning in IAM Identity Center, then give the SCIM endpoint and access token',
    risk: 'read-only',
    detail: 'then probe the SCIM endpoint with the token',
    payload: { action: 'console', actionId: 'enable-automatic-provisioning' },
    writes: [],
  };
  if (recorded) return obs.refused ? [{ ...console, drift: `the SCIM endpoint no longer accepts the token: ${obs.refused}` }] : [];
  if (ans.given) {
    return [
      {
        op: 'adopt',
        resource: { kind: 'scim-endpoint', name: ans.given.endpoint },
        summary: `Use the SCIM endpoint ${ans.given.endpoint}, probed with the token`,
        risk: 'read-only',
        payload: { action: 'use', endpoint: ans.given.endpoint },
        writes: [],
      },
    ];
  }
  return [console];
}

export const scimEndpointStep: Step<'scim-endpoint', ScimAnswers, ObservedScim> = {
  id: 'scim-endpoint',
  title: 'Identity Center SCIM endpoint and token (console), then a probe',
  kind: 'console',
  needs: ['preflight'],
  async answers(ctx) {
    // Before the console action the person has no values to give: they are asked after it (apply).
    if (!(ctx.io.hasAnswer('scim-endpoint') && ctx.io.hasAnswer('scim-token'))) return {};
    return { given: await readValues(ctx, ctx.need('preflight').aws) };
  },
  async observe(ctx, ans, recorded) {
    if (recorded) {
      const warning = tokenExpiryWarning(recorded.tokenEnteredAt, ctx.now());
      if (warning) ctx.io.notify(warning);
      // Probe again only when this run has the token (a resumed run asks for it only when a later step needs it).
      const token = ctx.secrets.get('scim-token');
      if (!token) return {};
      try {
        await probeScim(recorded.endpoint, token, { signal: ctx.signal });
        return {};
      } catch (e) {
        return { refused: (e as Error).message };
      }
    }
    if (!ans.given || ctx.dryRun) return {};
    await probeWithProgress(ctx, ans.given.endpoint, ans.given.token);
    return { probedAt: ctx.now().toISOString() };
  },
  plan: (obs, ans, recorded) => planScimEndpoint(obs, ans, recorded),
  async apply(ctx, changes, obs, ans) {
    const pf = ctx.need('preflight').aws;
    const viaConsole = changes.some((c) => c.op === 'console');
    if (viaConsole) await ctx.io.consoleAction(enableProvisioningAction(pf));
    const { endpoint, token } = !viaConsole && ans.given ? ans.given : await readValues(ctx, pf);
    const enteredAt = ctx.now().toISOString();
    // The values observe probed are not probed twice.
    const probed = !viaConsole && obs.probedAt !== undefined;
    if (!probed) await probeWithProgress(ctx, endpoint, token);
    ctx.secrets.set('scim-token', token);
    return { endpoint, tokenEnteredAt: enteredAt, probedAt: probed ? obs.probedAt! : ctx.now().toISOString() };
  },
  outputsAfter(_obs, ans) {
    return { endpoint: ans.given?.endpoint ?? KNOWN_AFTER_APPLY, tokenEnteredAt: KNOWN_AFTER_APPLY, probedAt: KNOWN_AFTER_APPLY };
  },
};
