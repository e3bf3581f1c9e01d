/**
 * The pure plans of scim-endpoint, okta-provisioning, groups, group-push and verify: what each
 * plans from what it observed, the writes each change declares (what apply will send), and drift
 * (a done step planned again against a changed live state). The sandbox runs of these steps are in
 * okta-steps, okta-plan, provisioning-effect and aws-steps; these pin the decisions one by one.
 */
import { describe, expect, it } from 'vitest';
import { planScimEndpoint } from '../../src/steps/05-scim-endpoint.js';
import { planProvisioning, type ObservedProvisioning } from '../../src/steps/06-okta-provisioning.js';
import { planGroups, type ObservedGroups } from '../../src/steps/07-groups.js';
import { planGroupPush, type ObservedGroupPush } from '../../src/steps/08-group-push.js';
import { planVerify } from '../../src/steps/12-verify.js';
import { plannedWriteCounts, type Change } from '../../src/core/change.js';
import type { OktaProvisioningOutput } from '../../src/core/outputs.js';

const ops = (cs: readonly Change[]): string[] => cs.map((c) => c.op);
const writes = (cs: readonly Change[]): Record<string, number> => Object.fromEntries(plannedWriteCounts(cs));

describe('scim-endpoint', () => {
  it('a console change before the values exist, the given endpoint adopted, drift when the endpoint refuses the token', () => {
    expect(ops(planScimEndpoint({}, {}))).toEqual(['console']);
    const given = planScimEndpoint({ probedAt: '2026-01-01T00:00:00Z' }, { given: { endpoint: 'https://scim.example/abc/scim/v2', token: 'secret-token-value' } });
    expect(ops(given)).toEqual(['adopt']);
    expect(JSON.stringify(given)).not.toContain('secret-token-value');
    const recorded = { endpoint: 'https://scim.example/abc/scim/v2', tokenEnteredAt: '2026-01-01T00:00:00Z', probedAt: '2026-01-01T00:00:00Z' };
    expect(planScimEndpoint({}, {}, recorded)).toEqual([]);
    const drift = planScimEndpoint({ refused: 'The SCIM endpoint refused the access token (401 Unauthorized)' }, {}, recorded);
    expect(drift.map((c) => [c.op, c.drift])).toEqual([['console', expect.stringMatching(/no longer accepts the token: .*401/)]]);
  });
});

describe('okta-provisioning', () => {
  const base: ObservedProvisioning = {
    app: { id: '0oaIDC', name: 'amazon_aws_sso', label: 'AWS IAM Identity Center' },
    duplicates: 0,
    baseUrl: 'https://scim.example/abc/scim/v2',
    scimTokenEnteredAt: '2026-02-01T00:00:00Z',
    newToken: false,
    held: false,
    tokenInHand: true,
    worksByEffect: false,
  };
  const ON = { create: true, update: true, deactivate: true, passwordSync: false };
  const previous: OktaProvisioningOutput = { appId: '0oaIDC', appName: 'amazon_aws_sso', appLabel: 'AWS IAM Identity Center', via: 'console', connectionStatus: 'UNKNOWN', features: ON, featuresSource: 'person', scimTokenEnteredAt: '2026-02-01T00:00:00Z' };

  it('connection UNKNOWN (Okta does not serve the app): the console action, no write', () => {
    const cs = planProvisioning({ ...base, conn: { status: 'UNKNOWN' } });
    expect(ops(cs)).toEqual(['console']);
    expect(cs[0]!.detail).toMatch(/UNKNOWN/);
    expect(writes(cs)).toEqual({});
  });

  it('a connection the API serves: the TOKEN connection and the features, one write each', () => {
    const cs = planProvisioning({ ...base, conn: { status: 'DISABLED' } });
    expect(ops(cs)).toEqual(['create', 'update']);
    expect(writes(cs)).toEqual({ 'okta updateDefaultProvisioningConnectionForApplication': 1, 'okta updateFeatureForApplication': 1 });
    expect(JSON.stringify(cs)).toContain('<SCIM token>');
  });

  it('ENABLED with the features on: adopted; features off: one feature write, drift for a done step', () => {
    expect(ops(planProvisioning({ ...base, conn: { status: 'ENABLED' }, features: ON }))).toEqual(['adopt']);
    const off = { ...base, conn: { status: 'ENABLED' }, features: { ...ON, deactivate: false } };
    const recorded = { ...previous, via: 'api' as const, connectionStatus: 'ENABLED', featuresSource: 'api' as const };
    const cs = planProvisioning({ ...off, previous: recorded }, recorded);
    expect(ops(cs)).toEqual(['adopt', 'update']);
    expect(writes(cs)).toEqual({ 'okta updateFeatureForApplication': 1 });
    expect(cs[1]!.drift).toMatch(/Deactivate Users is off/);
  });

  it('configured in the console earlier, or working by its effect: adopted without a write; a newer token is drift', () => {
    expect(planProvisioning({ ...base, conn: { status: 'UNKNOWN' }, previous }, previous)).toEqual([expect.objectContaining({ op: 'adopt', summary: expect.stringMatching(/console earlier/) })]);
    expect(ops(planProvisioning({ ...base, conn: { status: 'UNKNOWN' }, worksByEffect: true }))).toEqual(['adopt']);
    const newer = planProvisioning({ ...base, scimTokenEnteredAt: '2026-03-01T00:00:00Z', conn: { status: 'UNKNOWN' }, previous, newToken: true, held: true }, previous);
    expect(newer.map((c) => [c.op, c.drift])).toEqual([['console', expect.stringMatching(/A new SCIM token was entered \(2026-03-01\); Okta still holds the one from 2026-02-01/)]]);
  });

  it('the separate SCIM app not found: created first (createApplication), then provisioned', () => {
    const cs = planProvisioning({ ...base, app: undefined, create: 'SCIM 2.0 TestApp' });
    expect(cs[0]).toMatchObject({ op: 'create', resource: { kind: 'okta-app', name: 'SCIM 2.0 TestApp' }, writes: [{ operation: 'createApplication', count: 1 }] });
    expect(writes(cs)).toEqual({ 'okta createApplication': 1, 'okta updateDefaultProvisioningConnectionForApplication': 1 });
  });
});

describe('groups', () => {
  const want = { assignment: 'AWS Users', push: ['awsssoPowerUsers'], prefix: 'awssso' };
  it('creates what is missing and assigns the new assignment group to each app; adopts the rest', () => {
    const obs: ObservedGroups = { groups: [{ name: 'AWS Users', role: 'assignment' }, { name: 'awsssoPowerUsers', role: 'push', found: { id: '00gP', name: 'awsssoPowerUsers' } }], apps: [{ appId: '0oaA', assigned: false }] };
    const cs = planGroups(obs, want);
    expect(ops(cs)).toEqual(['create', 'adopt', 'create']);
    expect(writes(cs)).toEqual({ 'okta createGroup': 1, 'okta assignGroupToApplication': 1 });
  });

  it('a done step whose group was replaced or unassigned: drift, with the repair planned', () => {
    const recorded = { assignmentGroup: { id: '00gA', name: 'AWS Users' }, pushGroups: [{ id: '00gP', name: 'awsssoPowerUsers' }], assignedAppIds: ['0oaA'] };
    const same: ObservedGroups = { groups: [{ name: 'AWS Users', role: 'assignment', found: { id: '00gA', name: 'AWS Users' } }, { name: 'awsssoPowerUsers', role: 'push', found: { id: '00gP', name: 'awsssoPowerUsers' } }], apps: [{ appId: '0oaA', assigned: true }] };
    expect(planGroups(same, want, recorded).filter((c) => c.op !== 'adopt' || c.drift)).toEqual([]);
    const moved = { groups: [{ ...same.groups[0]!, found: { id: '00gNEW', name: 'AWS Users' } }, same.groups[1]!], apps: [{ appId: '0oaA', assigned: false }] };
    const drift = planGroups(moved, want, recorded).map((c) => c.drift).filter(Boolean);
    expect(drift).toEqual([expect.stringMatching(/now 00gNEW, not 00gA/), expect.stringMatching(/no longer assigned to the app 0oaA/)]);
  });
});

describe('group-push', () => {
  const obs = (status?: string): ObservedGroupPush => ({
    appId: '0oaA',
    appLabel: 'AWS IAM Identity Center',
    targets: [{ id: '00gP', name: 'awsssoPowerUsers', ...(status ? { mapping: { id: 'gpm1', sourceGroupId: '00gP', status, errorSummary: 'Unauthorized' } as never } : {}) }],
  });
  it('create, push an ERROR mapping again, offer the rule once', () => {
    const fresh = planGroupPush(obs(), { prefix: 'awssso', offerRule: true });
    expect(ops(fresh)).toEqual(['create', 'console']);
    expect(writes(fresh)).toEqual({ 'okta createGroupPushMapping': 1 });
    const err = planGroupPush(obs('ERROR'), { prefix: 'awssso', offerRule: false });
    expect(err.map((c) => [c.op, c.detail])).toEqual([['update', 'push again, was ERROR: Unauthorized']]);
    expect(writes(err)).toEqual({ 'okta updateGroupPushMapping': 1 });
  });
  it('a done step: an ACTIVE mapping holds (no rule offered again); an ERROR one is drift naming the likely cause', () => {
    const recorded = { appId: '0oaA', prefix: 'awssso', mappings: [{ mappingId: 'gpm1', sourceGroupId: '00gP', groupName: 'awsssoPowerUsers', status: 'ACTIVE' }], ruleConfirmed: false };
    expect(ops(planGroupPush(obs('ACTIVE'), { prefix: 'awssso', offerRule: true }, recorded))).toEqual(['adopt']);
    const [c] = planGroupPush(obs('ERROR'), { prefix: 'awssso', offerRule: true }, recorded);
    expect(c!.drift).toMatch(/in ERROR: Unauthorized \(likely cause: the SCIM access token is invalid or expired/);
  });
});

describe('verify', () => {
  it('read-only: no change writes; a problem found by a done step\'s re-check is drift', () => {
    const out = { groupId: 'g', accountsVerified: 1, portalUrl: 'https://d-1.awsapps.com/start', verifiedAt: '2026-01-01T00:00:00Z' };
    const fresh = planVerify({ planned: true }, { waitTimeoutS: 300, signIn: 'console' });
    expect(ops(fresh)).toEqual(['adopt', 'console']);
    expect(writes(fresh)).toEqual({});
    expect(planVerify({ findings: { problems: [], notes: [], out } }, { waitTimeoutS: 300, signIn: 'prove' }, out)).toEqual([]);
    const drift = planVerify({ findings: { problems: ['Account 1: "g" no longer holds "PS"'], notes: [], out } }, { waitTimeoutS: 300, signIn: 'prove' }, out);
    expect(drift.map((c) => [c.op, c.drift])).toEqual([['adopt', 'Account 1: "g" no longer holds "PS"']]);
  });
});
