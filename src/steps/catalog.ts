/**
 * The steps' id, title and kind, in order, without their code: what `status` (and the help) need.
 * Loading src/steps/index.ts pulls in every client (the AWS SDK, the Okta client, the XML parser);
 * this list lets `okta-aws-sso status` start in a fraction of that time. It is where a step's title
 * and kind are written: each step module spreads `stepInfo(id)`.
 * test/steps/catalog.test.ts checks that it matches STEPS exactly (order, titles, kinds).
 */
import type { Step } from './contract.js';
import type { StepId } from './outputs.js';

/** What the status table and the JSON documents show of a step. */
export type StepInfo = Pick<Step<StepId>, 'id' | 'title' | 'kind'>;

export const STEP_CATALOG: readonly StepInfo[] = [
  { id: 'preflight', title: 'Preflight: AWS and Okta credentials, organization, Identity Center instance', kind: 'api' },
  { id: 'sp-metadata', title: 'Identity Center service-provider values (ACS URL, issuer)', kind: 'console' },
  { id: 'okta-app', title: 'Okta "AWS IAM Identity Center" app with SAML settings', kind: 'api' },
  { id: 'app-sign-on-policy', title: 'Optional (--require-mfa): app sign-in policy requiring two factors', kind: 'api' },
  { id: 'idp-metadata', title: 'Okta IdP metadata uploaded to Identity Center', kind: 'console' },
  { id: 'scim-endpoint', title: 'Identity Center SCIM endpoint and token (console), then a probe', kind: 'console' },
  { id: 'okta-provisioning', title: 'Okta provisioning to the Identity Center SCIM endpoint', kind: 'api' },
  { id: 'groups', title: 'Okta groups: assignment group and push groups', kind: 'api' },
  { id: 'group-push', title: 'Okta Group Push to Identity Center', kind: 'api' },
  { id: 'permission-set', title: 'Permission set with the managed policy', kind: 'api' },
  { id: 'account-assignments', title: 'Assign the pushed group to the AWS accounts with the permission set', kind: 'api' },
  { id: 'test-user', title: 'Okta test user in the assignment and push groups', kind: 'api' },
  { id: 'verify', title: 'Verify end to end, then the sign-in check', kind: 'api' },
];

/** A step's id, title and kind from the catalog, for the step module to spread (written once, here). */
export function stepInfo<K extends StepId>(id: K): { id: K; title: string; kind: StepInfo['kind'] } {
  const info = STEP_CATALOG.find((s) => s.id === id);
  if (!info) throw new Error(`The step "${id}" is not in STEP_CATALOG (src/steps/catalog.ts).`);
  return { id, title: info.title, kind: info.kind };
}
