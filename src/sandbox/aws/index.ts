/**
 * The sandbox's AWS emulator: IAM Identity Center (sso-admin), Identity Store, Organizations and
 * STS GetCallerIdentity over their real wire protocols, every request validated against the
 * service models (data/aws-models), plus the Identity Center SCIM endpoint and the console actions
 * that have no API. See docs/sandbox-aws.md for what is emulated and where it deviates.
 */
import crypto from 'node:crypto';
import { isMutating } from '../mutating.js';
import type { AwsEmulatorOptions, ConsoleActionResult, Emulator, HandledResponse, SandboxRequest } from '../types.js';
import { AwsError } from './errors.js';
import { emptyObserved, type AwsObserved, type OpContext, type ResolvedAwsOptions } from './context.js';
import { acsUrls, createScimToken, deleteScimToken, deleteScimTokens, enableAutomaticProvisioning, issuerUrl, revertIdentitySource, spMetadataXml, uploadIdpMetadata } from './console.js';
import { CallerPolicy, IAM_PREFIX, accessDeniedMessage } from './iam.js';
import { identityStore } from './identitystore.js';
import { errorNamespace, loadModel, validateInput, type AwsServiceId, type ServiceModel } from './models.js';
import { organizations } from './organizations.js';
import { ScimServer, hashToken, scimErrorBody } from './scim/server.js';
import { createAwsSignIn } from './signin.js';
import { settle, ssoAdmin } from './sso-admin.js';
import { createInitialState, type AwsState } from './state.js';

export interface AwsEmulator extends Emulator {
  setBaseUrl(url: string): void;
  setOptions(o: AwsEmulatorOptions): void;
  console: {
    /** "Download metadata file": SP metadata XML with entityID = issuer and one ACS per region variant. */
    downloadSpMetadata(): ConsoleActionResult;
    /** "Change identity source > External identity provider": validate IdP metadata XML (entityID, SSO URL, signing cert), store it. */
    uploadIdpMetadata(p: { xml: string }): ConsoleActionResult;
    /** "Automatic provisioning > Enable": SCIM endpoint + a new token (max 2 live tokens, 1-year expiry). */
    enableAutomaticProvisioning(): ConsoleActionResult;
    /** "Manage provisioning > Generate token": refused when two tokens exist (console.ts). */
    createScimToken(): ConsoleActionResult;
    /** "Manage provisioning > Delete": by ID, created before a time, or the oldest of two. */
    deleteScimToken(p: { tokenId?: string; createdBefore?: number }): ConsoleActionResult;
    /** A person signs in to the access portal as `userName` and approves a device code (signin.ts). */
    approveDevice(p: { userName: string; userCode?: string }): ConsoleActionResult;
    /** "Automatic provisioning > Access tokens > Delete" for every token, then "Disable": Okta's SCIM calls are refused from then on. */
    deleteScimTokens(): ConsoleActionResult;
    /** "Change identity source > Identity Center directory": the external IdP (its metadata) is removed. */
    revertIdentitySource(): ConsoleActionResult;
    /**
     * The access token issued last, while it is still live: the sandbox hands it again (e.g. to the
     * Okta console action of a resumed run). Kept in memory only, never in the state.
     */
    lastScimToken(): string | undefined;
  };
  /** Maximum outstanding assignment operations seen and throttles for that reason (since start or reset). */
  observed(): AwsObserved;
  info(): { region: string; instanceArn: string; identityStoreId: string; managementAccountId: string; scimEndpoint: string; portalUrl: string };
}

const TARGETS: Record<string, AwsServiceId> = {
  SWBExternalService: 'sso-admin',
  AWSIdentityStore: 'identitystore',
  AWSOrganizationsV20161128: 'organizations',
};
const STS_TARGET = 'AWSSecurityTokenServiceV20110615';
const JSON_TYPE = 'application/x-amz-json-1.1';
/** How long a permission-set write holds the set's lock (an overlapping write gets ConflictException). */
const WRITE_LOCK_MS = 15;

export const DEFAULT_AWS_OPTIONS: ResolvedAwsOptions = {
  region: 'us-east-2',
  memberAccounts: 27,
  assignmentDelayMs: 300,
  assignmentDelayMaxMs: 0,
  failingAccounts: [],
  requestsPerSecond: 20,
  maxOutstandingAssignments: 10,
  caller: 'management',
};

function resolve(o: AwsEmulatorOptions | undefined, base: ResolvedAwsOptions = DEFAULT_AWS_OPTIONS): ResolvedAwsOptions {
  const out = { ...base };
  for (const [k, v] of Object.entries(o ?? {})) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}

/** Region and signing service from a SigV4 Authorization header's credential scope. */
export function credentialScope(auth: string | undefined): { accessKeyId: string; region: string; service: string } | undefined {
  const m = /Credential=([^/,\s]+)\/\d{8}\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request/.exec(auth ?? '');
  return m ? { accessKeyId: m[1]!, region: m[2]!, service: m[3]! } : undefined;
}

class TokenBucket {
  private tokens: number;
  private last: number;
  constructor(private rate: number) {
    this.tokens = rate;
    this.last = Date.now();
  }
  setRate(rate: number): void {
    this.rate = rate;
    this.tokens = Math.min(this.tokens, rate);
  }
  take(now: number): boolean {
    this.tokens = Math.min(this.rate, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/**
 * `writeLockMs` (sandbox-internal, default 15): how long a permission-set write holds the set's lock;
 * tests raise it so that two writes sent together surely overlap.
 */
export function createAwsEmulator(cfg: { options?: AwsEmulatorOptions; seed?: string | number; writeLockMs?: number } = {}): AwsEmulator {
  let opts = resolve(cfg.options);
  const seed = String(cfg.seed ?? 'okta-aws-sso-sandbox');
  let state: AwsState = createInitialState({ seed, region: opts.region, memberAccounts: opts.memberAccounts, now: Date.now() });
  let baseUrl = 'http://127.0.0.1';
  let lastToken: string | undefined;
  const bucket = new TokenBucket(opts.requestsPerSecond);
  const locks = new Set<string>();
  const observed = emptyObserved();
  const scim = new ScimServer(
    () => state,
    () => baseUrl,
  );
  const scimEndpoint = () => `${baseUrl}/${state.scim.tenantId}/scim/v2`;
  const signIn = createAwsSignIn(() => state);

  /** `mutating` says what the request asked for, not whether it succeeded: a refused write is still a write attempt. */
  function jsonError(model: ServiceModel | undefined, e: AwsError, operation: string): HandledResponse {
    const ns = model ? errorNamespace(model) : 'com.amazonaws.sandbox';
    return {
      status: e.status,
      headers: { 'content-type': JSON_TYPE, 'x-amzn-requestid': crypto.randomUUID(), 'x-amzn-errortype': e.code },
      body: JSON.stringify({ __type: `${ns}#${e.code}`, message: e.message, Message: e.message, ...e.extra }),
      service: 'aws',
      operation,
      mutating: isMutating('aws', 'POST', operation),
    };
  }

  function stsXml(status: number, body: string, operation: string): HandledResponse {
    return { status, headers: { 'content-type': 'text/xml', 'x-amzn-requestid': crypto.randomUUID() }, body, service: 'aws', operation, mutating: isMutating('aws', 'POST', operation) };
  }

  function stsError(code: string, message: string, status: number): HandledResponse {
    const type = status >= 500 ? 'Receiver' : 'Sender';
    return stsXml(
      status,
      `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>${type}</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>${crypto.randomUUID()}</RequestId></ErrorResponse>`,
      'STS.GetCallerIdentity',
    );
  }

  /** The calling account: the management account, or the Identity Center delegated administrator. */
  function callerAccount(): string {
    if (opts.caller === 'delegated-admin') {
      const id = state.delegatedAdministrators[0];
      if (id) return id;
    }
    return state.org.managementAccountId;
  }
  const callerArn = (): string => `arn:aws:iam::${callerAccount()}:user/sandbox-admin`;
  let callerPolicy: CallerPolicy | undefined;
  let callerPolicySource: Record<string, unknown> | undefined;
  function policy(): CallerPolicy | undefined {
    if (opts.callerPolicy !== callerPolicySource) {
      callerPolicySource = opts.callerPolicy;
      callerPolicy = opts.callerPolicy ? new CallerPolicy(opts.callerPolicy, () => ({ arn: callerArn(), accountId: callerAccount() })) : undefined;
    }
    return callerPolicy;
  }

  function callerIdentity(req: SandboxRequest): { Account: string; Arn: string; UserId: string } {
    const akid = credentialScope(req.headers.authorization)?.accessKeyId ?? 'sandbox';
    const role = signIn.callerFor(akid);
    if (role) return role;
    const uid = `AIDA${crypto.createHash('sha256').update(akid).digest('hex').slice(0, 17).toUpperCase()}`;
    return { Account: callerAccount(), Arn: callerArn(), UserId: uid };
  }

  /** The resource AWS names in an AccessDenied message for this call. */
  function deniedResource(svc: AwsServiceId, input: Record<string, unknown>): string {
    if (svc === 'sso-admin') return typeof input.PermissionSetArn === 'string' ? input.PermissionSetArn : typeof input.InstanceArn === 'string' ? input.InstanceArn : '*';
    if (svc === 'identitystore') return `arn:aws:identitystore::${callerAccount()}:identitystore/${typeof input.IdentityStoreId === 'string' ? input.IdentityStoreId : state.instance.identityStoreId}`;
    return '*';
  }

  /**
   * What AWS refuses a delegated administrator whatever its policy: listing the delegated administrators
   * (Organizations allows it to the management account and Organizations' own delegated admins only),
   * assigning in the management account, and changing a permission set provisioned in the management account.
   */
  function delegatedAdminRefusal(svc: AwsServiceId, op: string, input: Record<string, unknown>): AwsError | undefined {
    if (opts.caller !== 'delegated-admin' || callerAccount() === state.org.managementAccountId) return undefined;
    const mgmt = state.org.managementAccountId;
    if (svc === 'organizations' && op === 'ListDelegatedAdministrators') return new AwsError(400, 'AccessDeniedException', "You don't have permissions to access this resource.");
    if (svc !== 'sso-admin') return undefined;
    if ((op === 'CreateAccountAssignment' || op === 'DeleteAccountAssignment') && input.TargetId === mgmt) {
      return new AwsError(400, 'AccessDeniedException', `The delegated administrator cannot manage account assignments in the management account ${mgmt}.`);
    }
    if (/^(Update|Delete|Attach|Detach|Put|Provision)/.test(op) && typeof input.PermissionSetArn === 'string') {
      const ps = state.permissionSets.find((p) => p.arn === input.PermissionSetArn);
      if (ps && ps.provisioned[mgmt] !== undefined) {
        return new AwsError(400, 'AccessDeniedException', `The permission set ${ps.arn} is provisioned in the management account; only the management account can change it.`);
      }
    }
    return undefined;
  }

  function kindOf(req: SandboxRequest): { kind: 'scim'; rest: string; tenantOk: boolean } | { kind: 'json'; target: string } | { kind: 'sts' } | { kind: 'other' } {
    const m = /^\/([^/]+)\/scim\/v2(\/.*)?$/.exec(req.path);
    if (m) return { kind: 'scim', rest: m[2] ?? '', tenantOk: m[1] === state.scim.tenantId };
    const target = req.headers['x-amz-target'];
    if (req.method === 'POST' && target) return { kind: 'json', target };
    if (req.method === 'POST' && /(^|&)Action=GetCallerIdentity(&|$)/.test(req.body.toString('utf8'))) return { kind: 'sts' };
    return { kind: 'other' };
  }

  async function handleJson(req: SandboxRequest, target: string): Promise<HandledResponse> {
    const [prefix, op = ''] = target.split('.');
    if (prefix === STS_TARGET && op === 'GetCallerIdentity') {
      return { status: 200, headers: { 'content-type': 'application/x-amz-json-1.0' }, body: JSON.stringify(callerIdentity(req)), service: 'aws', operation: 'STS.GetCallerIdentity', mutating: isMutating('aws', 'POST', 'STS.GetCallerIdentity') };
    }
    const svc = prefix ? TARGETS[prefix] : undefined;
    const operation = target;
    if (!svc) return jsonError(undefined, new AwsError(400, 'UnknownOperationException', `Unknown service target ${target}.`), operation);
    const model = loadModel(svc);
    if (!model.operations[op]) return jsonError(model, new AwsError(400, 'UnknownOperationException', `Operation ${op} is not served by the sandbox.`), operation);
    const now = Date.now();
    if (svc === 'sso-admin' && !bucket.take(now)) return jsonError(model, new AwsError(400, 'ThrottlingException', 'Rate exceeded'), operation);
    let input: Record<string, unknown>;
    try {
      const text = req.body.toString('utf8').trim();
      const parsed: unknown = text === '' ? {} : JSON.parse(text);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      input = parsed as Record<string, unknown>;
    } catch {
      return jsonError(model, new AwsError(400, 'SerializationException', 'The request body is not a JSON object.'), operation);
    }
    const p = policy();
    if (p) {
      // Tagging on create needs the tagging permission as well (sso:TagResource for CreatePermissionSet with Tags).
      const tags = op === 'CreatePermissionSet' && Array.isArray(input.Tags) && input.Tags.length > 0;
      for (const action of [`${IAM_PREFIX[svc]}:${op}`, ...(tags ? ['sso:TagResource'] : [])]) {
        const decision = await p.decide(action);
        if (decision !== 'Allowed') return jsonError(model, new AwsError(400, 'AccessDeniedException', accessDeniedMessage(callerArn(), action, deniedResource(svc, input), decision)), operation);
      }
    }
    const refused = delegatedAdminRefusal(svc, op, input);
    if (refused) return jsonError(model, refused, operation);
    const invalid = validateInput(model, op, input);
    const validationCode = svc === 'organizations' ? 'InvalidInputException' : 'ValidationException';
    if (invalid) return jsonError(model, new AwsError(400, validationCode, invalid), operation);
    settle(state, now);
    const ctx: OpContext = {
      state,
      opts,
      now,
      region: credentialScope(req.headers.authorization)?.region ?? state.region,
      locks,
      writeLockMs: cfg.writeLockMs ?? WRITE_LOCK_MS,
      observed,
    };
    try {
      const out = svc === 'sso-admin' ? await ssoAdmin(op, input, ctx) : svc === 'identitystore' ? identityStore(op, input, ctx) : organizations(op, input, ctx);
      return {
        status: 200,
        headers: { 'content-type': JSON_TYPE, 'x-amzn-requestid': crypto.randomUUID() },
        body: JSON.stringify(out),
        service: 'aws',
        operation,
        mutating: isMutating('aws', 'POST', operation),
      };
    } catch (e) {
      if (e instanceof AwsError) return jsonError(model, e, operation);
      throw e;
    }
  }

  const emulator: AwsEmulator = {
    async handle(req) {
      const k = kindOf(req);
      if (k.kind === 'scim') {
        if (!k.tenantOk) {
          return { status: 401, headers: { 'content-type': 'application/scim+json' }, body: JSON.stringify(scimErrorBody(401, 'The tenant id in the SCIM endpoint is wrong.')), service: 'scim', operation: `SCIM ${req.method} ${k.rest || '/'}`, mutating: isMutating('scim', req.method, `SCIM ${req.method} ${k.rest || '/'}`) };
        }
        settle(state, Date.now());
        const r = scim.handle(req, k.rest, Date.now());
        return {
          status: r.status,
          headers: r.body === undefined ? {} : { 'content-type': 'application/scim+json' },
          body: r.body === undefined ? '' : JSON.stringify(r.body),
          service: 'scim',
          operation: r.operation,
          mutating: r.mutating,
        };
      }
      if (k.kind === 'json') return handleJson(req, k.target);
      if (k.kind === 'sts') {
        const c = callerIdentity(req);
        return stsXml(
          200,
          `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>${c.Arn}</Arn><UserId>${c.UserId}</UserId><Account>${c.Account}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>${crypto.randomUUID()}</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
          'STS.GetCallerIdentity',
        );
      }
      // ACS, SSO OIDC and the portal API (signin.ts).
      const signedIn = signIn.handle(req);
      if (signedIn) return signedIn;
      return {
        status: 404,
        headers: { 'content-type': JSON_TYPE },
        body: JSON.stringify({ __type: 'UnknownOperationException', message: `The sandbox's AWS endpoint serves POST / with X-Amz-Target, STS GetCallerIdentity and the SCIM endpoint; not ${req.method} ${req.path}.` }),
        service: 'aws',
        operation: `${req.method} ${req.path}`,
        mutating: isMutating('aws', req.method, `${req.method} ${req.path}`),
      };
    },

    faultResponse(kind, req) {
      const k = kindOf(req);
      if (k.kind === 'scim') {
        const status = kind === 'throttle' ? 429 : 500;
        return {
          status,
          headers: { 'content-type': 'application/scim+json' },
          body: JSON.stringify(scimErrorBody(status, kind === 'throttle' ? 'Too many requests.' : 'An internal error occurred.')),
          service: 'scim',
          operation: `SCIM ${req.method} ${k.rest || '/'}`,
          mutating: isMutating('scim', req.method, `SCIM ${req.method} ${k.rest || '/'}`),
        };
      }
      if (k.kind === 'sts') return kind === 'throttle' ? stsError('Throttling', 'Rate exceeded', 400) : stsError('InternalFailure', 'An internal error occurred.', 500);
      if (k.kind === 'other') {
        // The web endpoints (the sign-in ACS, the access portal): an HTTP throttle or server error,
        // never an API error body (a 400 there reads as a refused assertion).
        const status = kind === 'throttle' ? 429 : 503;
        return {
          status,
          headers: { 'content-type': 'text/html; charset=utf-8', ...(kind === 'throttle' ? { 'retry-after': '1' } : {}) },
          body: `<html><body>${kind === 'throttle' ? 'Too many requests' : 'Service unavailable'}</body></html>`,
          service: 'aws',
          operation: `${req.method} ${req.path}`,
          mutating: false,
        };
      }
      const target = k.kind === 'json' ? k.target : 'unknown';
      const svc = TARGETS[target.split('.')[0] ?? ''];
      const model = svc ? loadModel(svc) : undefined;
      const err =
        kind === 'throttle'
          ? new AwsError(400, svc === 'organizations' ? 'TooManyRequestsException' : 'ThrottlingException', 'Rate exceeded')
          : new AwsError(500, svc === 'organizations' ? 'ServiceException' : 'InternalServerException', 'An internal error occurred. Retry the request.');
      return jsonError(model, err, target);
    },

    snapshot() {
      return structuredClone(state);
    },

    restore(snap) {
      const s = snap as Partial<AwsState> | null;
      if (!s || typeof s !== 'object' || s.version !== 1 || !s.instance || !Array.isArray(s.accounts) || !s.scim) {
        throw new Error('AWS emulator snapshot is not a version-1 state; delete the sandbox folder to start fresh.');
      }
      state = structuredClone(s as AwsState);
      locks.clear();
      signIn.reset();
    },

    observed() {
      return structuredClone(observed);
    },

    setBaseUrl(url) {
      baseUrl = url.replace(/\/+$/, '');
    },

    setOptions(o) {
      const next = resolve(o, opts);
      const pristine = state.permissionSets.length === 0 && state.users.length === 0 && state.groups.length === 0 && !state.scim.enabled;
      if (pristine && (next.region !== opts.region || next.memberAccounts !== opts.memberAccounts)) {
        state = createInitialState({ seed, region: next.region, memberAccounts: next.memberAccounts, now: Date.now() });
      } else if (next.region !== state.region) {
        state.region = next.region;
      }
      opts = next;
      bucket.setRate(opts.requestsPerSecond);
    },

    console: {
      downloadSpMetadata() {
        return { files: { 'sp-metadata.xml': spMetadataXml(state) }, answers: { 'sp-metadata': 'sp-metadata.xml' }, message: `Service provider metadata for ${issuerUrl(state)} (ACS ${acsUrls(state)[0]}).` };
      },
      uploadIdpMetadata(p) {
        return uploadIdpMetadata(state, p.xml, Date.now());
      },
      enableAutomaticProvisioning() {
        const r = enableAutomaticProvisioning(state, scimEndpoint(), Date.now());
        lastToken = r.secrets?.['scim-token'];
        return r;
      },
      createScimToken() {
        const r = createScimToken(state, scimEndpoint(), Date.now());
        lastToken = r.secrets?.['scim-token'];
        return r;
      },
      deleteScimToken(p) {
        return deleteScimToken(state, p);
      },
      lastScimToken() {
        if (lastToken === undefined) return undefined;
        const sha = hashToken(lastToken);
        const now = Date.now();
        return state.scim.tokens.some((t) => t.sha256 === sha && t.expiresAt > now) ? lastToken : undefined;
      },
      approveDevice(p) {
        return signIn.approveDevice(p);
      },
      deleteScimTokens() {
        lastToken = undefined;
        return deleteScimTokens(state);
      },
      revertIdentitySource() {
        return revertIdentitySource(state);
      },
    },

    info() {
      return {
        region: state.region,
        instanceArn: state.instance.arn,
        identityStoreId: state.instance.identityStoreId,
        managementAccountId: state.org.managementAccountId,
        scimEndpoint: scimEndpoint(),
        portalUrl: `https://${state.instance.identityStoreId}.awsapps.com/start`,
      };
    },
  };
  return emulator;
}
