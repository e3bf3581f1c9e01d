/**
 * The sandbox admin endpoint, `/__sandbox/...` on both listeners (loopback only, no auth):
 *
 *   GET  status              info (without secrets), options, faults, request counts
 *   POST reset               fresh emulators, same credentials
 *   GET  log?since=N         request log entries from index N, and the next cursor
 *   POST faults              {okta|aws|scim: FaultSpec | null}
 *   POST options             {okta?, aws?} emulator options (faults too, as with POST faults)
 *   POST console/<action-id> perform a console action (payload in the body) -> ConsoleActionResult
 *   POST seed/okta-users     {count, groupName, refusableEvery?}: bulk Okta users in a new group (scale tests)
 *   GET  idle?timeoutMs=N    answers once the Okta emulator's background work (push, provisioning) is
 *                            done ({idle: true}), or after N ms (default 30000) with {idle: false}
 *
 * Payloads are never logged or echoed: configure-okta-provisioning carries the SCIM token.
 */
import { CONSOLE_ACTION_IDS, type ConsoleActionId } from '../core/io.js';
import type { AwsEmulatorLike, OktaEmulatorLike } from './emulators.js';
import { parseFaults, SandboxInputError, type FaultController } from './faults.js';
import { parseSandboxOptions } from './options.js';
import type { RequestLog } from './request-log.js';
import type { ConsoleActionResult, SandboxInfo, SandboxOptions, SandboxRequest, SandboxResponse } from './types.js';

export const ADMIN_PREFIX = '/__sandbox';
const IDLE_DEFAULT_TIMEOUT_MS = 30_000;
const IDLE_MAX_TIMEOUT_MS = 300_000;

export interface AdminContext {
  info(): SandboxInfo;
  okta(): OktaEmulatorLike;
  aws(): AwsEmulatorLike;
  log: RequestLog;
  faults: FaultController;
  options(): SandboxOptions;
  setOptions(options: Pick<SandboxOptions, 'okta' | 'aws'>): void;
  reset(): Promise<void>;
  /** The emulators' state changed outside a logged request (console action): save it. */
  changed(): void;
}

export { CONSOLE_ACTION_IDS };

function json(status: number, body: unknown): SandboxResponse {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

function bad(message: string, status = 400, hint?: string): SandboxResponse {
  return json(status, hint ? { error: message, hint } : { error: message });
}

/** The info a status call may show: no Okta token, no AWS secret. */
export function publicInfo(info: SandboxInfo): Omit<SandboxInfo, 'oktaApiToken' | 'aws'> & { aws: { accessKeyId: string } } {
  const { oktaApiToken: _t, aws, ...rest } = info;
  return { ...rest, aws: { accessKeyId: aws.accessKeyId } };
}

function parseBody(req: SandboxRequest): unknown {
  const text = req.body.toString('utf8').trim();
  if (text === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new SandboxInputError('The request body is not valid JSON; send a JSON object with content-type application/json.');
  }
}

function stringField(actionId: string, payload: Record<string, unknown>, key: string): string {
  const v = payload[key];
  if (typeof v !== 'string' || v.trim() === '') {
    throw new SandboxInputError(`The console action "${actionId}" needs "${key}" (a non-empty string) in its payload.`);
  }
  return v;
}

function normalise(result: ConsoleActionResult | void, fallback: string): ConsoleActionResult {
  if (!result || typeof result !== 'object') return { message: fallback };
  return result;
}

async function performConsole(ctx: AdminContext, actionId: string, payload: Record<string, unknown>): Promise<ConsoleActionResult> {
  switch (actionId as ConsoleActionId) {
    case 'download-sp-metadata':
      return normalise(await ctx.aws().console.downloadSpMetadata(), 'downloaded the service provider metadata');
    case 'upload-idp-metadata':
      return normalise(await ctx.aws().console.uploadIdpMetadata({ xml: stringField(actionId, payload, 'xml') }), 'uploaded the IdP metadata');
    case 'enable-automatic-provisioning':
      return normalise(await ctx.aws().console.enableAutomaticProvisioning(), 'enabled automatic provisioning');
    case 'configure-okta-provisioning': {
      // Without a token (a resumed run no longer holds it), the sandbox hands the one its Identity
      // Center issued last, as a person would paste the token they copied.
      const token = payload.token === undefined ? ctx.aws().console.lastScimToken() : stringField(actionId, payload, 'token');
      if (token === undefined) {
        throw new SandboxInputError(
          'The console action "configure-okta-provisioning" got no token and this sandbox has no live SCIM token to hand: perform "enable-automatic-provisioning" first (or send "token").',
        );
      }
      return normalise(
        await ctx.okta().console.configureProvisioning({ appId: stringField(actionId, payload, 'appId'), baseUrl: stringField(actionId, payload, 'baseUrl'), token }),
        'configured provisioning in Okta',
      );
    }
    case 'push-groups-by-rule':
      return normalise(
        await ctx.okta().console.createPushRule({
          appId: stringField(actionId, payload, 'appId'),
          name: stringField(actionId, payload, 'name'),
          prefix: stringField(actionId, payload, 'prefix'),
        }),
        'created the group push rule',
      );
    case 'create-scim-token':
      return normalise(await ctx.aws().console.createScimToken(), 'generated an access token');
    case 'delete-scim-token': {
      const tokenId = payload.tokenId === undefined ? undefined : stringField(actionId, payload, 'tokenId');
      const raw = payload.createdBefore;
      const createdBefore = raw === undefined ? undefined : typeof raw === 'string' ? Date.parse(raw) : Number(raw);
      if (createdBefore !== undefined && !Number.isFinite(createdBefore)) {
        throw new SandboxInputError('The console action "delete-scim-token" takes "createdBefore" as an ISO date or epoch milliseconds.');
      }
      return normalise(
        await ctx.aws().console.deleteScimToken({ ...(tokenId !== undefined ? { tokenId } : {}), ...(createdBefore !== undefined ? { createdBefore } : {}) }),
        'deleted an access token',
      );
    }
    case 'sign-in-check':
      // With a user name: sign in to the access portal as that user and approve the device code
      // (the device-authorization part of `verify --sign-in`); without: nothing to do.
      if (typeof payload.userName === 'string' && payload.userName !== '') {
        return normalise(
          ctx.aws().console.approveDevice({ userName: payload.userName, ...(typeof payload.userCode === 'string' ? { userCode: payload.userCode } : {}) }),
          'approved the device authorization',
        );
      }
      return { message: `nothing to do in the sandbox (a person would sign in at ${ctx.aws().info().portalUrl})` };
    case 'app-sign-on-rule':
      return normalise(await ctx.okta().console.addAppSignOnRule({ appId: stringField(actionId, payload, 'appId') }), 'added the app sign-on rule');
    case 'delete-scim-tokens':
      return normalise(ctx.aws().console.deleteScimTokens(), 'deleted the SCIM access tokens');
    case 'revert-identity-source':
      return normalise(ctx.aws().console.revertIdentitySource(), 'changed the identity source back to the Identity Center directory');
    default:
      throw new SandboxInputError(`"${actionId}" is not a console action; known: ${CONSOLE_ACTION_IDS.join(', ')}.`);
  }
}

/** Removes the secrets a payload carried (the SCIM token) from a message before it is sent back. */
function scrub(message: string, payload: Record<string, unknown>): string {
  let out = message;
  for (const [k, v] of Object.entries(payload)) {
    if (/token|secret|password|key/i.test(k) && typeof v === 'string' && v.length >= 4) out = out.split(v).join('****');
  }
  return out;
}

export async function handleAdmin(ctx: AdminContext, req: SandboxRequest): Promise<SandboxResponse> {
  const route = req.path.slice(ADMIN_PREFIX.length).replace(/\/+$/, '') || '/';
  const method = req.method;
  const want = (m: string): SandboxResponse | undefined => (method === m ? undefined : bad(`${route} takes ${m}, not ${method}.`, 405));
  try {
    if (route === '/status') {
      const info = ctx.info();
      return (
        want('GET') ??
        json(200, { running: true, info: publicInfo(info), aws: ctx.aws().info(), awsObserved: ctx.aws().observed(), options: ctx.options(), faults: ctx.faults.current(), counts: ctx.log.counts() })
      );
    }
    if (route === '/seed/okta-users') {
      // Scale tests: many Okta users in one new group, without one API call per user (okta/seed.ts).
      const w = want('POST');
      if (w) return w;
      const b = parseBody(req) as Record<string, unknown>;
      try {
        const r = ctx.okta().seedUsers({ count: Number(b.count), groupName: String(b.groupName ?? ''), ...(b.refusableEvery !== undefined ? { refusableEvery: Number(b.refusableEvery) } : {}) });
        ctx.changed();
        return json(200, r);
      } catch (e) {
        return bad(e instanceof Error ? e.message : String(e));
      }
    }
    if (route === '/reset') {
      const w = want('POST');
      if (w) return w;
      await ctx.reset();
      return json(200, { reset: true });
    }
    if (route === '/log') {
      const w = want('GET');
      if (w) return w;
      const raw = req.query.get('since') ?? '0';
      const since = Number(raw);
      if (!Number.isInteger(since) || since < 0) return bad(`since must be a whole number >= 0 (a "next" value from an earlier call), not "${raw}".`);
      return json(200, ctx.log.since(since));
    }
    if (route === '/faults') {
      const w = want('POST');
      if (w) return w;
      ctx.faults.apply(parseFaults(parseBody(req)));
      return json(200, { faults: ctx.faults.current() });
    }
    if (route === '/options') {
      const w = want('POST');
      if (w) return w;
      const opts = parseSandboxOptions(parseBody(req));
      if (opts.faults) ctx.faults.apply(opts.faults);
      ctx.setOptions({ okta: opts.okta, aws: opts.aws });
      return json(200, { options: ctx.options(), faults: ctx.faults.current() });
    }
    if (route === '/idle') {
      const w = want('GET');
      if (w) return w;
      const raw = req.query.get('timeoutMs') ?? String(IDLE_DEFAULT_TIMEOUT_MS);
      const timeoutMs = Number(raw);
      if (!Number.isInteger(timeoutMs) || timeoutMs < 0 || timeoutMs > IDLE_MAX_TIMEOUT_MS) {
        return bad(`timeoutMs must be a whole number of milliseconds from 0 to ${IDLE_MAX_TIMEOUT_MS}, not "${raw}".`);
      }
      let timer: NodeJS.Timeout | undefined;
      const idle = await Promise.race([
        ctx.okta().idle().then(() => true),
        new Promise<boolean>((r) => (timer = setTimeout(() => r(false), timeoutMs))),
      ]);
      clearTimeout(timer);
      return json(200, idle ? { idle: true } : { idle: false, waitedMs: timeoutMs });
    }
    if (route === '/console') return bad(`Name the console action: POST ${ADMIN_PREFIX}/console/<action-id>, one of: ${CONSOLE_ACTION_IDS.join(', ')}.`, 404);
    if (route.startsWith('/console/')) {
      const w = want('POST');
      if (w) return w;
      const actionId = decodeURIComponent(route.slice('/console/'.length));
      if (!(CONSOLE_ACTION_IDS as readonly string[]).includes(actionId)) {
        return bad(`"${actionId}" is not a console action; known: ${CONSOLE_ACTION_IDS.join(', ')}.`, 404);
      }
      const body = parseBody(req);
      if (typeof body !== 'object' || body === null || Array.isArray(body)) return bad(`The payload of "${actionId}" must be a JSON object.`);
      const payload = body as Record<string, unknown>;
      try {
        const result = await performConsole(ctx, actionId, payload);
        ctx.changed();
        return json(200, result);
      } catch (e) {
        if (e instanceof SandboxInputError) return bad(e.message);
        // The emulator refused (unknown app, bad XML, ...): the caller's input, said without the payload.
        const hint = (e as { hint?: unknown }).hint;
        return bad(`${scrub((e as Error).message ?? String(e), payload)}`, 400, typeof hint === 'string' ? scrub(hint, payload) : undefined);
      }
    }
    return bad(`No admin route ${method} ${ADMIN_PREFIX}${route === '/' ? '' : route}; see docs/sandbox.md (status, reset, log, faults, options, console/<id>, idle).`, 404);
  } catch (e) {
    if (e instanceof SandboxInputError) return bad(e.message);
    throw e;
  }
}
