/**
 * Contracts between the sandbox harness (server.ts, process.ts) and the two emulators
 * (okta/ and aws/, the latter also serving the Identity Center SCIM endpoint).
 *
 * The harness owns sockets, the request log, fault injection, persistence and the admin endpoint
 * (`/__sandbox/...`); an emulator only turns a request into a response and owns its own state.
 */

export type ServiceName = 'okta' | 'aws' | 'scim';

export interface SandboxRequest {
  method: string;
  /** Path without the query string, e.g. "/api/v1/apps". */
  path: string;
  query: URLSearchParams;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  body: Buffer;
}

export interface SandboxResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/** What an emulator reports about a request, for the request log. */
export interface HandledResponse extends SandboxResponse {
  service: ServiceName;
  /** e.g. "POST /api/v1/apps" (Okta operationId when known), "SWBExternalService.CreatePermissionSet", "SCIM POST /Users" */
  operation: string;
  mutating: boolean;
}

export interface FaultSpec {
  /** Added to every answer, in ms. */
  latencyMs?: number;
  /** Fraction 0..1 of requests answered with a 5xx. */
  errorRate?: number;
  /** Fraction 0..1 of requests answered with the service's throttling answer. */
  throttleRate?: number;
  /** Fraction 0..1 of requests whose connection is dropped without an answer. */
  dropRate?: number;
  /**
   * Fraction 0..1 of requests that are carried out but whose answer is lost (the connection drops after
   * the service did the work): a create made twice, or a write whose success is never seen.
   */
  lostAnswerRate?: number;
  /**
   * Only requests whose operation (as the request log names it, e.g. "SCIM POST /Users" or
   * "createGroupPushMapping") is listed get a fault; others pass untouched.
   */
  operations?: string[];
  /** Only the first `limit` faults are injected; then the spec is spent and cleared (e.g. 1: one failure). */
  limit?: number;
}

export interface OktaEmulatorOptions {
  /**
   * The provisioning Connections and Application Features APIs for amazon_aws_sso / scim2headerauth:
   * 'unknown' (default, as Okta documents: these apps are not among the few the APIs serve): the
   * connection reads 200 with status/authScheme UNKNOWN (also after the console action) and POST
   * stores nothing; the features endpoints answer 400 E0000001. Provisioning is set in the console.
   * 'supported': the connection is stored and becomes ENABLED; the features are read and set.
   */
  provisioningApi?: 'unknown' | 'supported';
  /**
   * What the person ticks under Provisioning > To App in the console action configure-okta-provisioning
   * (test hook for console mistakes): each defaults to true.
   */
  consoleProvisioning?: { createUsers?: boolean; updateUsers?: boolean; deactivateUsers?: boolean };
  /**
   * The permissions of the admin role behind the SSWS API token, as Management API scopes (e.g.
   * ["okta.apps.read", "okta.groups.manage"]; `.manage` includes `.read`). A call that needs another
   * answers 403 E0000006. Absent (default): a Super Administrator token, everything allowed.
   */
  apiTokenPermissions?: string[];
  /**
   * Requests per window for every endpoint family before 429. Absent (default): each family has the
   * per-minute limit Okta documents for a Workforce Identity org (src/sandbox/okta/ratelimit.ts).
   */
  rateLimitPerMinute?: number;
  /**
   * The rate-limit window in seconds (default 60, Okta's minute). A shorter window is an explicit test
   * option: a 429's X-Rate-Limit-Reset then comes that much sooner, so fault runs do not wait minutes.
   */
  rateLimitWindowSeconds?: number;
  /**
   * The people and department groups of a fresh sandbox org (default 250 of each: more than one page
   * of a list at limit=200). `{ "users": 0, "groups": 0 }` starts an empty org. `apps` (default 58:
   * bookmarks, OIN SAML apps, OIDC clients) and `awsApps` (default 2: amazon_aws_sso apps of other AWS
   * organizations) seed the app list; `{ "apps": 0, "awsApps": 0 }` starts with none.
   */
  directory?: { users?: number; groups?: number; apps?: number; awsApps?: number };
  /**
   * Sign-on policy for primary authentication (POST /api/v1/authn): 'password' (default, Classic
   * org, password only), 'mfa' (MFA_REQUIRED), 'identity-engine' (an OIE org: the session token
   * does not open the app's SSO link).
   */
  authnPolicy?: 'password' | 'mfa' | 'identity-engine';
  /**
   * Test hook: every session token is already spent when its first redirect arrives
   * (GET /login/sessionCookieRedirect answers with the sign-in page, as Okta answers a redirect sent
   * again after its answer was lost), so no token ever opens the app. Default false: good once.
   */
  sessionTokensSpent?: boolean;
}

export interface AwsEmulatorOptions {
  /** Home region of the Identity Center instance (default us-east-2). */
  region?: string;
  /** Number of member accounts besides the management account (default 27 in nested OUs, the last one suspended). */
  memberAccounts?: number;
  /** Delay before an account assignment creation leaves IN_PROGRESS, in ms (default 300). */
  assignmentDelayMs?: number;
  /**
   * Upper end of a random delay: when above assignmentDelayMs, each asynchronous operation (assignment
   * creation/deletion, provisioning) takes a delay drawn uniformly from [assignmentDelayMs,
   * assignmentDelayMaxMs], seeded by its request id (same seed, same delays). Default 0 = fixed delay.
   */
  assignmentDelayMaxMs?: number;
  /** Account IDs whose assignment creation ends FAILED (besides suspended ones). */
  failingAccounts?: string[];
  /** Requests per second before ThrottlingException (default 20). */
  requestsPerSecond?: number;
  /** Outstanding CreateAccountAssignment requests before ThrottlingException (default 10). */
  maxOutstandingAssignments?: number;
  /**
   * The caller's IAM identity policy (`sandbox start --aws-policy <file>`): a call whose action
   * (`sso:`, `identitystore:`, `organizations:` + operation) it does not allow answers AccessDeniedException.
   * Absent (default): every call is allowed.
   */
  callerPolicy?: Record<string, unknown>;
  /**
   * Who calls AWS (default 'management'): 'delegated-admin' is the member account registered as the
   * Identity Center delegated administrator, with the limits AWS documents for it (see docs/sandbox-aws.md).
   */
  caller?: 'management' | 'delegated-admin';
}

export interface SandboxOptions {
  okta?: OktaEmulatorOptions;
  aws?: AwsEmulatorOptions;
  faults?: Partial<Record<ServiceName, FaultSpec>>;
}

/**
 * What a console action performed by the sandbox hands back to the wizard: answers and secrets
 * a person would have copied, and files a person would have downloaded (name -> content).
 */
export interface ConsoleActionResult {
  answers?: Record<string, string>;
  secrets?: Record<string, string>;
  files?: Record<string, string>;
  message?: string;
}

export interface Emulator {
  handle(req: SandboxRequest): Promise<HandledResponse>;
  /** The service's own throttling / server-error answer, used by fault injection. */
  faultResponse(kind: 'throttle' | 'error', req: SandboxRequest): HandledResponse;
  /** JSON-serialisable state, persisted by the harness after mutating requests. */
  snapshot(): unknown;
  restore(snapshot: unknown): void;
}

/** Everything `okta-aws-sso sandbox start` prints and `--sandbox` runs use. */
export interface SandboxInfo {
  pid: number;
  dir: string;
  startedAt: string;
  oktaUrl: string;
  awsUrl: string;
  adminUrl: string;
  region: string;
  /** SSWS token of the sandbox org (a sandbox secret, kept in the sandbox folder, mode 0600). */
  oktaApiToken: string;
  oauth: { clientId: string; keyId: string; privateKeyPath: string; scopes: string[] };
  aws: { accessKeyId: string; secretAccessKey: string };
}
