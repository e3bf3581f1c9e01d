/**
 * The caller's IAM permissions (optional, `sandbox start --aws-policy <file>`): each AWS JSON API call
 * is evaluated as the action `<service>:<Operation>` against the caller's identity policy by a
 * maintained IAM policy simulator (@cloud-copilot/iam-simulate, loaded only when a policy is given),
 * and a call outside it answers AccessDeniedException the way AWS does. STS GetCallerIdentity needs no
 * permission (AWS documents it cannot be denied) and is never checked; SCIM uses its bearer token.
 */
import { SandboxInputError } from '../faults.js';
import type { AwsServiceId } from './models.js';

/** IAM action prefix of each emulated service (the sso-admin API's actions are `sso:*`). */
export const IAM_PREFIX: Record<AwsServiceId, string> = { 'sso-admin': 'sso', identitystore: 'identitystore', organizations: 'organizations' };

export type Decision = 'Allowed' | 'ImplicitlyDenied' | 'ExplicitlyDenied';

type Simulate = (typeof import('@cloud-copilot/iam-simulate'))['runSimulation'];
let simulator: Promise<Simulate> | undefined;
/**
 * The simulator is AGPL-3.0-or-later: a development dependency of this Apache-2.0 project, never
 * installed with the package. `--aws-policy` outside a checkout needs it installed beside the tool.
 */
const runSimulation = (): Promise<Simulate> =>
  (simulator ??= import('@cloud-copilot/iam-simulate').then(
    (m) => m.runSimulation,
    () => {
      simulator = undefined;
      throw new SandboxInputError(
        '--aws-policy needs the IAM policy simulator @cloud-copilot/iam-simulate (AGPL-3.0-or-later), which okta-aws-sso does not install: run `npm install @cloud-copilot/iam-simulate` where okta-aws-sso is installed, or start the sandbox without --aws-policy.',
      );
    },
  ));

function simulation(policy: Record<string, unknown>, action: string, principal: string, accountId: string): Parameters<Simulate>[0] {
  return {
    identityPolicies: [{ name: 'caller-policy', policy }],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: undefined,
    request: { action, principal, resource: { accountId, resource: '*' }, contextVariables: {} },
  } as Parameters<Simulate>[0];
}

/** Problems the simulator finds in a policy document (empty when it is a valid identity policy). */
export async function policyProblems(policy: unknown): Promise<string[]> {
  if (typeof policy !== 'object' || policy === null || Array.isArray(policy)) return ['the policy must be a JSON object with "Version" and "Statement"'];
  const r = (await (await runSimulation())(simulation(policy as Record<string, unknown>, 'sso:ListInstances', 'arn:aws:iam::111111111111:user/check', '111111111111'), {})) as {
    resultType: string;
    errors?: { identityPolicyErrors?: Record<string, { path: string; message: string }[]>; message?: string };
  };
  if (r.resultType !== 'error') return [];
  const list = Object.values(r.errors?.identityPolicyErrors ?? {}).flat();
  return list.length > 0 ? list.map((e) => `${e.path}: ${e.message}`) : [r.errors?.message ?? 'the policy is not valid'];
}

/** Evaluates actions against one caller policy; decisions are cached per action (the resource is always "*"). */
export class CallerPolicy {
  private readonly cache = new Map<string, Promise<Decision>>();

  constructor(
    private readonly policy: Record<string, unknown>,
    private readonly principal: () => { arn: string; accountId: string },
  ) {}

  decide(action: string): Promise<Decision> {
    let d = this.cache.get(action);
    if (!d) {
      const p = this.principal();
      d = runSimulation().then(async (run) => {
        const r = (await run(simulation(this.policy, action, p.arn, p.accountId), {})) as { resultType: string; overallResult?: string };
        if (r.resultType === 'error') return 'ImplicitlyDenied';
        return r.overallResult === 'Allowed' ? 'Allowed' : r.overallResult === 'ExplicitlyDenied' ? 'ExplicitlyDenied' : 'ImplicitlyDenied';
      });
      this.cache.set(action, d);
    }
    return d;
  }
}

/**
 * AWS's message for an identity-policy denial, e.g. "User: arn:aws:iam::111122223333:user/x is not
 * authorized to perform: identitystore:DescribeGroup on resource: arn:aws:identitystore::111122223333:identitystore/d-1234567890
 * because no identity-based policy allows the identitystore:DescribeGroup action".
 */
export function accessDeniedMessage(principalArn: string, action: string, resource: string, decision: Decision): string {
  const why = decision === 'ExplicitlyDenied' ? 'with an explicit deny in an identity-based policy' : `because no identity-based policy allows the ${action} action`;
  return `User: ${principalArn} is not authorized to perform: ${action} on resource: ${resource} ${why}`;
}
