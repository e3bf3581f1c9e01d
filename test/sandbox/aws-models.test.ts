import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
// The generator is a plain .mjs script; it exports its functions for this test.
// @ts-expect-error -- no type declarations for the script
import { generateAll, OUT_DIR, OPERATIONS } from '../../scripts/gen-aws-model-subset.mjs';
import { loadModel, validateInput } from '../../src/sandbox/aws/models.js';

describe('AWS model subsets', () => {
  it('data/aws-models matches a regeneration from vendor/specs/aws (run scripts/gen-aws-model-subset.mjs on drift)', () => {
    const files = (generateAll as () => Record<string, string>)();
    expect(Object.keys(files).sort()).toEqual(['identitystore.json', 'organizations.json', 'sso-admin.json']);
    for (const [name, content] of Object.entries(files)) {
      expect(fs.readFileSync(path.join(OUT_DIR as string, name), 'utf8'), name).toBe(content);
    }
  });

  it('holds every served operation with its input shapes and paginators', () => {
    for (const [svc, ops] of Object.entries(OPERATIONS as Record<string, string[]>)) {
      const m = loadModel(svc as 'sso-admin');
      for (const op of ops) {
        expect(m.operations[op], `${svc} ${op}`).toBeDefined();
        const input = m.operations[op]!.input?.shape;
        if (input) expect(m.shapes[input], `${svc} ${input}`).toBeDefined();
      }
    }
    expect(loadModel('organizations').paginators.ListAccounts?.result_key).toBe('Accounts');
  });

  it('the walker checks required, length, anchored pattern, enum, integer range, list size and unions', () => {
    const sso = loadModel('sso-admin');
    const ids = loadModel('identitystore');
    const ins = 'arn:aws:sso:::instance/ssoins-0123456789abcdef';
    expect(validateInput(sso, 'CreatePermissionSet', { InstanceArn: ins, Name: 'Fine' })).toBeUndefined();
    expect(validateInput(sso, 'CreatePermissionSet', { InstanceArn: ins })).toMatch(/'Name'.*must not be null/);
    expect(validateInput(sso, 'CreatePermissionSet', { InstanceArn: ins, Name: 'has space' })).toMatch(/regular expression/);
    expect(validateInput(sso, 'CreatePermissionSet', { InstanceArn: `${ins}x`, Name: 'a' })).toMatch(/InstanceArn/);
    expect(validateInput(sso, 'ListInstances', { MaxResults: 0 })).toMatch(/greater than or equal to 1/);
    expect(validateInput(sso, 'ListInstances', { MaxResults: 101 })).toMatch(/less than or equal to 100/);
    expect(validateInput(sso, 'ListInstances', { MaxResults: 'ten' })).toMatch(/integer/);
    expect(validateInput(sso, 'ListInstances', { Unknown: 1 })).toBeUndefined();
    expect(validateInput(ids, 'IsMemberInGroups', { IdentityStoreId: 'd-0123456789', MemberId: { UserId: 'x' }, GroupIds: [] })).toMatch(/GroupIds/);
    expect(validateInput(ids, 'GetGroupId', { IdentityStoreId: 'd-0123456789', AlternateIdentifier: {} })).toMatch(/exactly one/);
    expect(
      validateInput(ids, 'GetGroupId', { IdentityStoreId: 'd-0123456789', AlternateIdentifier: { UniqueAttribute: { AttributePath: 'displayName', AttributeValue: 'G' } } }),
    ).toBeUndefined();
  });
});
