/**
 * Loopback (http://127.0.0.1, localhost) ACS, issuer and SCIM URLs: accepted in a --sandbox run, and
 * in any run whose AWS endpoint for the matching service (AWS_ENDPOINT_URL_<SERVICE> or
 * AWS_ENDPOINT_URL) points at this machine too, so the wizard can be run against other emulators.
 * Such a run says so in a warning.
 */
import { isLoopbackHost } from '../aws/clients.js';
import { isLoopbackUrl, type UrlRules } from '../saml/sp-metadata.js';
import type { StepContext } from './contract.js';

export interface LoopbackRules extends UrlRules {
  /** Warns once when `value` is a loopback URL accepted only because of the endpoint override. */
  note(value: string, what: string): void;
}

/** sso-admin for the ACS and issuer URLs (the instance), identitystore for the SCIM endpoint (what SCIM feeds). */
export async function loopbackRules(ctx: StepContext, service: 'sso-admin' | 'identitystore'): Promise<LoopbackRules> {
  if (ctx.services.sandbox) return { allowLoopback: true, note: () => undefined };
  const over = (await ctx.services.aws()).endpointOverride(service);
  if (!over || !isLoopbackHost(over.url)) return { allowLoopback: false, note: () => undefined };
  let warned = false;
  return {
    allowLoopback: true,
    note(value, what) {
      if (warned || !isLoopbackUrl(value.trim())) return;
      warned = true;
      ctx.io.warn('LOOPBACK_ACCEPTED', { what, value: value.trim(), variable: over.name, url: over.url });
    },
  };
}
