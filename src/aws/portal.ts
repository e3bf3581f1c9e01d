/**
 * Access as the test user, like `aws sso login`: SSO OIDC device authorization (RegisterClient,
 * StartDeviceAuthorization, CreateToken polled while AuthorizationPending), then the portal API
 * (ListAccounts, ListAccountRoles, GetRoleCredentials) and STS GetCallerIdentity with the role
 * credentials. The SDK honours AWS_ENDPOINT_URL (the sandbox) like the other clients.
 *
 * These clients run the one retry policy like every other AWS client (src/aws/retry-strategy.ts,
 * a budget per operation): throttling, 5xx and dropped connections are retried inside the SDK. The
 * device-code poll below only handles AuthorizationPending / SlowDown (client errors the strategy
 * never retries), so retries are not nested.
 *
 * Tokens and credentials stay in memory and are never printed.
 */
import { CreateTokenCommand, RegisterClientCommand, SSOOIDCClient, StartDeviceAuthorizationCommand } from '@aws-sdk/client-sso-oidc';
import { GetRoleCredentialsCommand, ListAccountRolesCommand, ListAccountsCommand, SSOClient } from '@aws-sdk/client-sso';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { awsErrorName } from './clients.js';
import { sdkRetrySettings } from './retry-strategy.js';
import { sleep } from '../retry/policy.js';

export interface DeviceCode {
  verificationUri: string;
  verificationUriComplete?: string;
  userCode: string;
  expiresIn: number;
}

export interface PortalAccount {
  accountId: string;
  accountName?: string;
  roles: string[];
}

export class DeviceAuthorizationError extends Error {
  constructor(
    message: string,
    readonly reason: 'expired' | 'denied' | 'timeout' | 'other',
  ) {
    super(message);
  }
}

/** Device authorization: `onCode` shows the code (and, in the sandbox, has it approved); resolves with the access token. */
export async function deviceAuthorization(p: {
  region: string;
  startUrl: string;
  clientName: string;
  onCode: (code: DeviceCode) => Promise<void>;
  signal?: AbortSignal;
  /** Upper bound on the wait, whatever the code's own expiry (ms). */
  maxWaitMs?: number;
}): Promise<string> {
  const oidc = new SSOOIDCClient({ region: p.region, ...sdkRetrySettings() });
  try {
    const reg = await oidc.send(new RegisterClientCommand({ clientName: p.clientName, clientType: 'public' }));
    const clientId = reg.clientId!;
    const clientSecret = reg.clientSecret!;
    const start = await oidc.send(new StartDeviceAuthorizationCommand({ clientId, clientSecret, startUrl: p.startUrl }));
    const expiresIn = start.expiresIn ?? 600;
    await p.onCode({
      verificationUri: start.verificationUri ?? '',
      ...(start.verificationUriComplete ? { verificationUriComplete: start.verificationUriComplete } : {}),
      userCode: start.userCode ?? '',
      expiresIn,
    });
    let interval = Math.max(1, start.interval ?? 5) * 1000;
    const deadline = Date.now() + Math.min(expiresIn * 1000, p.maxWaitMs ?? Number.POSITIVE_INFINITY);
    for (;;) {
      try {
        const t = await oidc.send(new CreateTokenCommand({ clientId, clientSecret, grantType: 'urn:ietf:params:oauth:grant-type:device_code', deviceCode: start.deviceCode! }), { abortSignal: p.signal });
        return t.accessToken!;
      } catch (e) {
        const name = awsErrorName(e);
        if (name === 'SlowDownException') interval += 5000;
        else if (name === 'ExpiredTokenException') throw new DeviceAuthorizationError('the code expired before it was approved', 'expired');
        else if (name === 'AccessDeniedException') throw new DeviceAuthorizationError('the request was denied in the browser', 'denied');
        else if (name !== 'AuthorizationPendingException') throw e;
      }
      if (Date.now() + interval > deadline) throw new DeviceAuthorizationError('nobody approved the code in time', 'timeout');
      await sleep(interval, p.signal);
    }
  } finally {
    oidc.destroy();
  }
}

/** Accounts whose roles are listed at once: a throttled or failed listing waits without holding up the others. */
const ROLE_LISTINGS_AT_ONCE = 4;

/** Every account of the portal user, with the roles (permission sets) on each, in the portal's order. */
export async function listPortalAccounts(region: string, accessToken: string): Promise<PortalAccount[]> {
  const sso = new SSOClient({ region, ...sdkRetrySettings() });
  try {
    const accounts: { accountId: string; accountName?: string }[] = [];
    let next: string | undefined;
    do {
      const page = await sso.send(new ListAccountsCommand({ accessToken, nextToken: next }));
      for (const a of page.accountList ?? []) if (a.accountId) accounts.push({ accountId: a.accountId, ...(a.accountName ? { accountName: a.accountName } : {}) });
      next = page.nextToken;
    } while (next);
    const out: PortalAccount[] = new Array<PortalAccount>(accounts.length);
    let cursor = 0;
    const worker = async (): Promise<void> => {
      while (cursor < accounts.length) {
        const i = cursor++;
        const a = accounts[i]!;
        const roles: string[] = [];
        let rn: string | undefined;
        do {
          const r = await sso.send(new ListAccountRolesCommand({ accessToken, accountId: a.accountId, nextToken: rn }));
          for (const x of r.roleList ?? []) if (x.roleName) roles.push(x.roleName);
          rn = r.nextToken;
        } while (rn);
        out[i] = { ...a, roles };
      }
    };
    await Promise.all(Array.from({ length: Math.min(ROLE_LISTINGS_AT_ONCE, accounts.length) }, worker));
    return out;
  } finally {
    sso.destroy();
  }
}

/** GetRoleCredentials, then STS GetCallerIdentity signed with them: the ARN of the role. */
export async function callerWithRole(region: string, accessToken: string, accountId: string, roleName: string): Promise<{ arn: string; account: string }> {
  const sso = new SSOClient({ region, ...sdkRetrySettings() });
  let creds;
  try {
    creds = (await sso.send(new GetRoleCredentialsCommand({ accessToken, accountId, roleName }))).roleCredentials;
  } finally {
    sso.destroy();
  }
  if (!creds?.accessKeyId || !creds.secretAccessKey) throw new Error('GetRoleCredentials returned no credentials');
  const sts = new STSClient({ region, ...sdkRetrySettings(), credentials: { accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey, ...(creds.sessionToken ? { sessionToken: creds.sessionToken } : {}) } });
  try {
    const id = await sts.send(new GetCallerIdentityCommand({}));
    return { arn: id.Arn ?? '', account: id.Account ?? '' };
  } finally {
    sts.destroy();
  }
}
