/**
 * The rotations' pure parts: the plans (every phase, done or not, never a secret) and the refusal to
 * switch the SAML signing key before the upload of its metadata is confirmed (no Okta call at all).
 */
import { describe, expect, it } from 'vitest';
import { WaitingForConsoleError } from '../../src/errors.js';
import { planSamlRotation, switchSigningKey, validateValidityYears } from '../../src/steps/rotate-saml-cert.js';
import { planScimRotation } from '../../src/steps/rotate-scim-token.js';
import { openRecord, planLines, type RotationEnv } from '../../src/steps/rotation.js';
import type { StepOutputs } from '../../src/core/outputs.js';

const outputs = {
  preflight: { aws: { region: 'eu-west-1' } },
  'scim-endpoint': { endpoint: 'https://scim.eu-west-1.amazonaws.com/abc/scim/v2', tokenEnteredAt: '2025-12-01T10:00:00.000Z', probedAt: '2025-12-01T10:00:00.000Z' },
  'okta-provisioning': { appId: '0oa1', appName: 'amazon_aws_sso', appLabel: 'AWS IAM Identity Center', via: 'console', connectionStatus: 'UNKNOWN', features: { create: true, update: true, deactivate: true, passwordSync: false } },
  'okta-app': { appId: '0oa1', label: 'AWS IAM Identity Center', name: 'amazon_aws_sso', signingKid: 'old-kid', acsUrl: '', entityId: '', adopted: false },
  'idp-metadata': { path: '/x/idp-saml.xml', signingKid: 'old-kid' },
} as unknown as Partial<StepOutputs>;

describe('rotation plans', () => {
  it('scim-token: six phases, console actions named, continuing from a record', () => {
    const { record, continuing } = openRecord(undefined, new Date('2026-12-01T00:00:00Z'));
    expect(continuing).toBe(false);
    const plan = planScimRotation({ outputs }, record, continuing);
    expect(plan.phases.map((p) => p.id)).toEqual(['token-created', 'token-probed', 'okta-updated', 'push-proved', 'old-token-deleted', 'push-after-delete']);
    expect(plan.phases.filter((p) => p.kind === 'console').map((p) => p.id)).toEqual(['token-created', 'okta-updated', 'old-token-deleted']);
    expect(plan.warnings.join(' ')).toMatch(/no test user/);
    record.phases['token-created'] = '2026-12-01T01:00:00.000Z';
    const again = openRecord(record, new Date());
    expect(again.continuing).toBe(true);
    expect(planLines(planScimRotation({ outputs }, again.record, true))[0]).toMatch(/\[done 2026-12-01 01:00:00\]/);
    // A finished rotation is not continued: the next run starts a new one.
    expect(openRecord({ ...record, finishedAt: '2026-12-01T02:00:00.000Z' }, new Date()).continuing).toBe(false);
  });

  it('refuses to plan a rotation for a setup that has none', () => {
    expect(() => planScimRotation({ outputs: {} }, openRecord(undefined, new Date()).record, false)).toThrow(/no SCIM provisioning yet/);
    expect(() => planSamlRotation({ outputs: {} }, openRecord(undefined, new Date()).record, false, 5)).toThrow(/no SAML app/);
  });

  it('saml-cert: the order warning, and the validity range Okta accepts', () => {
    const plan = planSamlRotation({ outputs }, openRecord(undefined, new Date()).record, false, 5);
    expect(plan.phases.map((p) => p.id)).toEqual(['key-generated', 'metadata-written', 'uploaded', 'switched', 'sign-in-proved']);
    expect(plan.warnings[0]).toMatch(/Order matters/);
    expect(plan.phases[3]!.detail).toMatch(/refused until the upload is confirmed/);
    expect(validateValidityYears('5')).toBe(true);
    expect(validateValidityYears('1')).not.toBe(true);
    expect(validateValidityYears('11')).not.toBe(true);
    expect(validateValidityYears('2.5')).not.toBe(true);
  });
});

describe('switchSigningKey', () => {
  it('refuses (exit 3, the continuing command named) before the upload is confirmed, without calling Okta', async () => {
    let oktaCalled = false;
    const env = {
      record: { startedAt: '2026-12-01T00:00:00.000Z', phases: { 'key-generated': '2026-12-01T00:00:00.000Z' } },
      services: {
        okta: () => {
          oktaCalled = true;
          throw new Error('no Okta call expected');
        },
      },
    } as unknown as RotationEnv;
    const e = await switchSigningKey(env, '0oa1', 'new-kid').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(WaitingForConsoleError);
    expect((e as WaitingForConsoleError).exitCode).toBe(3);
    expect((e as WaitingForConsoleError).hint).toContain('okta-aws-sso rotate saml-cert --console-done upload-idp-metadata');
    expect(oktaCalled).toBe(false);
  });
});
