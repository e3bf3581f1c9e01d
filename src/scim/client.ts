/**
 * The Identity Center SCIM endpoint as a client sees it: format checks and the token probe
 * (GET {endpoint}/ServiceProviderConfig with the bearer token). The token never appears in a message.
 */
import { AuthError, UsageError, WizardError, isWizardError } from '../errors.js';
import { PROBE_POLICY, RetryBudget, sleep, type RetryPolicy } from '../retry/policy.js';
import { isLoopbackUrl, type UrlRules } from '../saml/sp-metadata.js';

const SCIM_RE = /^https:\/\/scim\.([a-z]{2}(?:-gov)?-[a-z]+-\d)\.amazonaws\.com\/[A-Za-z0-9-]+\/scim\/v2$/;

/** Trailing slashes removed: Okta's base URL must not end with one. */
export function normaliseScimEndpoint(value: string): string {
  return value.trim().replace(/\/+$/, '');
}

export function validateScimEndpoint(value: string, rules: UrlRules, region?: string): true | string {
  const v = normaliseScimEndpoint(value);
  const m = SCIM_RE.exec(v);
  if (!m) {
    if (rules.allowLoopback && isLoopbackUrl(v)) return true;
    return 'a SCIM endpoint looks like https://scim.<region>.amazonaws.com/<tenant-id>/scim/v2; copy it from IAM Identity Center > Settings > Automatic provisioning';
  }
  if (region && m[1] !== region) return `this SCIM endpoint is in ${m[1]}, but the Identity Center home region is ${region} (SCIM works in the home region only)`;
  return true;
}

export function validateScimToken(value: string): true | string {
  const v = value.trim();
  if (v.length < 8) return 'the access token is much longer; copy the whole "Access token" value shown when you enabled automatic provisioning';
  if (/\s/.test(v)) return 'the access token has no spaces or line breaks; copy it again';
  if (/^bearer\s/i.test(value.trim())) return 'give the token without the "Bearer " prefix';
  return true;
}

export interface ProbeResult {
  status: number;
  /** The ServiceProviderConfig's patch/filter support, when it answered. */
  patchSupported?: boolean;
}

/**
 * A GET on the one retry policy's probe allowance (PROBE_POLICY, src/retry/policy.ts): 429 and 5xx
 * answers and dropped connections are retried with backoff within one operation budget (a 429's
 * Retry-After is honoured, capped by the policy);
 * the last answer or error is returned. `signal` bounds the whole operation; `interrupt` is Ctrl-C.
 */
async function fetchWithPolicy(url: string, init: RequestInit, signal: AbortSignal, interrupt: AbortSignal | undefined, policy: Partial<RetryPolicy> | undefined): Promise<Response> {
  const p = { ...PROBE_POLICY, ...policy };
  const budget = new RetryBudget(p);
  for (;;) {
    let res: Response | undefined;
    let error: unknown;
    try {
      res = await fetch(url, { ...init, signal });
    } catch (e) {
      if (signal.aborted) throw e; // timed out or interrupted: final
      error = e;
    }
    if (res && res.status !== 429 && res.status < 500) return res;
    let wanted: number | undefined;
    const after = res?.headers.get('retry-after');
    if (after && /^\d+$/.test(after)) wanted = Math.min(Number(after) * 1000, p.rateLimitMaxWaitMs);
    const delay = budget.next(wanted);
    if (delay === undefined) {
      if (res) return res;
      throw error;
    }
    await res?.text().catch(() => undefined);
    await sleep(delay, interrupt);
  }
}

/**
 * The bound of the whole probe, its sends and waits included: an endpoint that never answers ends
 * in SCIM_UNREACHABLE within it. An endpoint that answers every request with an error ends sooner,
 * after PROBE_POLICY's sends (worstCaseWaitMs(PROBE_POLICY) of waits at most).
 */
export const SCIM_PROBE_TIMEOUT_MS = 45_000;

/** Probe the endpoint with the token. 401 -> AuthError (wrong token or wrong tenant); others -> WizardError. */
export async function probeScim(endpoint: string, token: string, opts: { timeoutMs?: number; signal?: AbortSignal; policy?: Partial<RetryPolicy> } = {}): Promise<ProbeResult> {
  const url = `${normaliseScimEndpoint(endpoint)}/ServiceProviderConfig`;
  // One bound for the whole probe, retries included: 100% SCIM faults end within a minute.
  const timeout = AbortSignal.timeout(opts.timeoutMs ?? SCIM_PROBE_TIMEOUT_MS);
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
  let res: Response;
  try {
    res = await fetchWithPolicy(url, { headers: { Authorization: `Bearer ${token}`, Accept: 'application/scim+json, application/json' } }, signal, opts.signal, opts.policy);
  } catch (e) {
    if (isWizardError(e)) throw e;
    throw new WizardError(`Could not reach the SCIM endpoint ${normaliseScimEndpoint(endpoint)} (${(e as Error).name === 'TimeoutError' ? 'timed out' : ((e as { cause?: { code?: string } }).cause?.code ?? (e as Error).message)}).`, {
      code: 'SCIM_UNREACHABLE',
      hint: 'Check the endpoint (copy it again from IAM Identity Center > Settings > Automatic provisioning) and the network or proxy, then run again.',
    });
  }
  const body = await res.text();
  if (res.status === 401) {
    throw new AuthError(`The SCIM endpoint refused the access token (401 Unauthorized): the token is wrong, expired or revoked, or the endpoint belongs to another tenant.`, {
      code: 'SCIM_UNAUTHORIZED',
      hint: 'In IAM Identity Center > Settings > Automatic provisioning > Manage provisioning, generate a new access token (at most two exist at a time), copy the SCIM endpoint and the token from the same page, and give them again (SCIM_TOKEN or --scim-token-file).',
    });
  }
  if (res.status === 404) {
    throw new UsageError(`The SCIM endpoint ${normaliseScimEndpoint(endpoint)} answered 404: the path is wrong.`, {
      code: 'SCIM_NOT_FOUND',
      hint: 'Copy the SCIM endpoint exactly as shown (it ends in /scim/v2) and give it without a trailing slash.',
    });
  }
  if (res.status < 200 || res.status >= 300) {
    throw new WizardError(`The SCIM endpoint answered ${res.status} to the probe.`, {
      code: 'SCIM_PROBE_FAILED',
      hint: res.status === 403 ? 'Automatic provisioning may be disabled, or source-IP restrictions (ScimAllowSourceIps) block this machine; check IAM Identity Center > Settings.' : 'Run again in a few minutes; if it persists, check the AWS Health dashboard.',
    });
  }
  let patchSupported: boolean | undefined;
  try {
    const j = JSON.parse(body) as { patch?: { supported?: boolean } };
    patchSupported = j.patch?.supported;
  } catch {
    // not JSON: the status is what matters
  }
  return { status: res.status, patchSupported };
}
