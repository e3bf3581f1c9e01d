/**
 * Thin AWS clients over the SDK v3: sso-admin and identitystore per region (every write goes to the
 * Identity Center home region), organizations (global), sts. The one retry policy everywhere (src/aws/retry-strategy.ts):
 * the SDK retries throttling, 5xx and dropped connections, but not ConflictException (see src/aws/retry.ts).
 *
 * The SDK honours AWS_ENDPOINT_URL (and the per-service variants) by itself: the sandbox relies on it.
 */
import { RETRY_POLICY } from '../retry/policy.js';
import { sdkRetrySettings } from './retry-strategy.js';
import { SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { IdentitystoreClient } from '@aws-sdk/client-identitystore';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { STSClient } from '@aws-sdk/client-sts';
import type { fromNodeProviderChain } from '@aws-sdk/credential-providers';

type CredentialProvider = ReturnType<typeof fromNodeProviderChain>;

export interface CallerIdentity {
  accountId: string;
  arn: string;
  userId: string;
}

export interface AwsClients {
  /** The region the connection started in (configured, or the SDK default); not necessarily the home region. */
  readonly region: string;
  /** Identity Center home region, once preflight found it (or a resumed run restored it). */
  readonly homeRegion: string | undefined;
  readonly caller: CallerIdentity;
  /** "profile prod", "environment", "default chain", ... */
  readonly credentialSource: string;
  readonly sts: STSClient;
  readonly organizations: OrganizationsClient;
  /** sso-admin in `region`, or in the home region when omitted (falls back to `region`). */
  ssoAdmin(region?: string): SSOAdminClient;
  /**
   * sso-admin without SDK retries, for the assignment engine: it paces its own requests and retries
   * Throttling/Conflict itself (the SDK's adaptive limiter would otherwise slow a bulk run to a crawl).
   */
  ssoAdminEngine(region?: string): SSOAdminClient;
  identityStore(region?: string): IdentitystoreClient;
  /** Pin the home region for every later write. */
  setHomeRegion(region: string): void;
  /**
   * The endpoint the SDK was pointed at for this service by AWS_ENDPOINT_URL_<SERVICE> or
   * AWS_ENDPOINT_URL (the service-specific one wins, as in the SDK), or undefined for AWS itself.
   */
  endpointOverride(service: 'sso-admin' | 'identitystore'): EndpointOverride | undefined;
  /** Close every socket (tests, the end of a run). */
  destroy(): void;
}

export interface ClientFactoryInit {
  region: string;
  credentials: CredentialProvider;
  caller: CallerIdentity;
  credentialSource: string;
  /** Attempts per call before the SDK gives up (adaptive mode). */
  maxAttempts?: number;
  /** The environment the endpoint overrides come from (passed in; none: no override). */
  env?: Record<string, string | undefined>;
}

export interface EndpointOverride {
  /** The variable that set it, e.g. AWS_ENDPOINT_URL_SSO_ADMIN. */
  name: string;
  url: string;
}

/** AWS_ENDPOINT_URL_<SERVICE> (the SDK's env name for the service), else AWS_ENDPOINT_URL. */
export function endpointOverrideFrom(env: Record<string, string | undefined>, service: 'sso-admin' | 'identitystore'): EndpointOverride | undefined {
  for (const name of [`AWS_ENDPOINT_URL_${service.toUpperCase().replace(/-/g, '_')}`, 'AWS_ENDPOINT_URL']) {
    const v = env[name];
    if (v !== undefined && v.trim() !== '') return { name, url: v.trim() };
  }
  return undefined;
}

/** An http(s) URL whose host is this machine (127.0.0.0/8, localhost, ::1). */
export function isLoopbackHost(url: string): boolean {
  try {
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return false;
    const h = u.hostname.toLowerCase();
    return h === 'localhost' || h.endsWith('.localhost') || h === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
  } catch {
    return false;
  }
}

export const DEFAULT_MAX_ATTEMPTS = RETRY_POLICY.maxAttempts;

export function createAwsClients(init: ClientFactoryInit, sts: STSClient): AwsClients {
  // One retry policy, a budget per operation (src/retry/policy.ts); no application retry wraps these for throttling or 5xx.
  const common = { credentials: init.credentials, ...sdkRetrySettings(init.maxAttempts ? { maxAttempts: init.maxAttempts } : {}) };
  let home: string | undefined;
  // Organizations is global: its endpoint resolves to us-east-1 in the aws partition whatever the region.
  const organizations = new OrganizationsClient({ ...common, region: init.region });
  const pick = (r?: string): string => r ?? home ?? init.region;
  /** One client per region, made on first use (the home region when none is named). */
  const made: { destroy(): void }[] = [];
  const perRegion = <C extends { destroy(): void }>(make: (region: string) => C): ((region?: string) => C) => {
    const byRegion = new Map<string, C>();
    return (region) => {
      const r = pick(region);
      let c = byRegion.get(r);
      if (!c) {
        c = make(r);
        byRegion.set(r, c);
        made.push(c);
      }
      return c;
    };
  };
  return {
    region: init.region,
    get homeRegion() {
      return home;
    },
    caller: init.caller,
    credentialSource: init.credentialSource,
    sts,
    organizations,
    endpointOverride(service) {
      return endpointOverrideFrom(init.env ?? {}, service);
    },
    ssoAdmin: perRegion((region) => new SSOAdminClient({ ...common, region })),
    ssoAdminEngine: perRegion((region) => new SSOAdminClient({ credentials: init.credentials, region, retryMode: 'standard', maxAttempts: 1 })),
    identityStore: perRegion((region) => new IdentitystoreClient({ ...common, region })),
    setHomeRegion(region: string) {
      home = region;
    },
    destroy() {
      for (const c of made) c.destroy();
      organizations.destroy();
      sts.destroy();
    },
  };
}

/** The name an AWS SDK error carries (ThrottlingException, ConflictException, ...). */
export function awsErrorName(e: unknown): string {
  if (e && typeof e === 'object' && 'name' in e && typeof (e as { name: unknown }).name === 'string') return (e as { name: string }).name;
  return '';
}

export function awsErrorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}
