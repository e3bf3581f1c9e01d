/** The access file parser: valid files normalise; every bad input names line:column and the fix. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AccessFileError, parseAccessText } from '../../src/access/file.js';
import { ACCESS_FILE_SCHEMA } from '../../src/access/schema.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oas-access-file-'));

function problems(text: string): { line: number; column: number; message: string; fix: string }[] {
  try {
    parseAccessText(text, 'access.yaml', dir);
  } catch (e) {
    expect(e).toBeInstanceOf(AccessFileError);
    expect((e as AccessFileError).exitCode).toBe(2);
    expect((e as AccessFileError).message).toMatch(/access\.yaml:\d+:\d+: /);
    return (e as AccessFileError).problems;
  }
  throw new Error('the file was accepted');
}

describe('access file', () => {
  it('docs/schemas/access-file.schema.json is the schema the parser uses', () => {
    const doc = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../docs/schemas/access-file.schema.json'), 'utf8')) as unknown;
    expect(doc).toEqual(JSON.parse(JSON.stringify(ACCESS_FILE_SCHEMA)));
  });

  it('parses every field and normalises lists, paths and the inline policy', () => {
    fs.writeFileSync(path.join(dir, 'dev.json'), '{ "Version": "2012-10-17", "Statement": [{ "Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*" }] }');
    const f = parseAccessText(
      [
        'version: 1',
        'permissionSets:',
        '  - name: Dev',
        '    description: developers',
        '    sessionDuration: PT4H',
        '    relayState: https://console.aws.amazon.com/',
        '    managedPolicies: [arn:aws:iam::aws:policy/ViewOnlyAccess, arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess]',
        '    customerManagedPolicies: [{ name: team-dev }, { name: extra, path: /x/ }]',
        '    inlinePolicy: ./dev.json',
        '    permissionsBoundary: { managedPolicyArn: arn:aws:iam::aws:policy/PowerUserAccess }',
        '    tags: { team: dev }',
        '  - name: Inline',
        '    inlinePolicy: { Statement: [{ Effect: Allow, Action: "ec2:Describe*", Resource: "*" }], Version: "2012-10-17" }',
        'assignments:',
        '  - group: awsssoDevs',
        '    permissionSets: [Dev, Inline]',
        '    targets: { ous: [ou-ab12-cdef3456], exclude: ["111111111111"] }',
      ].join('\n'),
      'access.yaml',
      dir,
    );
    expect(f.permissionSets[0]).toEqual({
      name: 'Dev',
      description: 'developers',
      sessionDuration: 'PT4H',
      relayState: 'https://console.aws.amazon.com/',
      managedPolicies: ['arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess', 'arn:aws:iam::aws:policy/ViewOnlyAccess'],
      customerManagedPolicies: [{ name: 'team-dev', path: '/' }, { name: 'extra', path: '/x/' }],
      inlinePolicy: '{"Statement":[{"Action":"s3:ListBucket","Effect":"Allow","Resource":"*"}],"Version":"2012-10-17"}',
      permissionsBoundary: { managedPolicyArn: 'arn:aws:iam::aws:policy/PowerUserAccess' },
      tags: { team: 'dev' },
    });
    expect(f.permissionSets[1]).toMatchObject({ name: 'Inline', sessionDuration: 'PT1H', inlinePolicy: '{"Statement":[{"Action":"ec2:Describe*","Effect":"Allow","Resource":"*"}],"Version":"2012-10-17"}' });
    expect(f.assignments).toEqual([{ group: 'awsssoDevs', permissionSets: ['Dev', 'Inline'], targets: { all: false, accounts: [], ous: ['ou-ab12-cdef3456'], exclude: ['111111111111'] }, at: 'access.yaml:15:5' }]);
  });

  it('a YAML syntax error names its line and column', () => {
    const p = problems('version: 1\npermissionSets:\n  - name: a: b\n');
    expect(p[0]).toMatchObject({ line: 3 });
    expect(p[0]!.message).toMatch(/^YAML: /);
    expect(p[0]!.fix).toMatch(/YAML syntax/);
  });

  it('schema errors point at the offending key or value, with the fix', () => {
    const p = problems(
      [
        'version: 1', // 1
        'permissionSets:', // 2
        '  - name: Admin', // 3
        '    sessionDuraton: PT2H', // 4: unknown key
        '    managedPolicies: [not-an-arn]', // 5
        '  - name: Dev', // 6
        '    sessionDuration: PT13H', // 7
        'assignments:', // 8
        '  - group: admins', // 9
        '    permissionSets: [Admin]', // 10
        '    targets: { accounts: ["12345"] }', // 11
      ].join('\n'),
    );
    const at = (line: number) => p.find((x) => x.line === line);
    expect(at(4)).toMatchObject({ column: 5, message: expect.stringMatching(/unknown key "sessionDuraton"/), fix: expect.stringMatching(/spelling/) });
    expect(at(5)).toMatchObject({ message: expect.stringMatching(/managedPolicies\[0\]/), fix: expect.stringMatching(/arn:aws:iam::aws:policy\/ReadOnlyAccess/) });
    expect(at(7)).toMatchObject({ column: 22, fix: expect.stringMatching(/PT1H to PT12H/) });
    expect(at(11)).toMatchObject({ fix: expect.stringMatching(/12 digits/) });
  });

  it('a missing key names the entry; an undeclared permission set suggests the near name', () => {
    const p = problems(['version: 1', 'permissionSets:', '  - name: ReadOnly', 'assignments:', '  - group: g', '    permissionSets: [readonly]', '    targets: { all: true }', '  - group: h', '    targets: { all: true }'].join('\n'));
    expect(p).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ line: 8, column: 5, message: expect.stringMatching(/lacks "permissionSets"/) }),
      ]),
    );
    const q = problems(['version: 1', 'permissionSets:', '  - name: ReadOnly', 'assignments:', '  - group: g', '    permissionSets: [readonly]', '    targets: { all: true }'].join('\n'));
    expect(q[0]).toMatchObject({ line: 6, column: 22, message: expect.stringMatching(/"readonly" is not declared/), fix: 'Did you mean "ReadOnly"?' });
  });

  it('refuses duplicates, a missing inline policy file, empty targets and a wrong version', () => {
    const p = problems(
      [
        'version: 1', // 1
        'permissionSets:', // 2
        '  - name: A', // 3
        '    inlinePolicy: ./missing.json', // 4
        '  - name: a', // 5
        'assignments:', // 6
        '  - group: g', // 7
        '    permissionSets: [A]', // 8
        '    targets: { exclude: ["111111111111"] }', // 9
      ].join('\n'),
    );
    expect(p.find((x) => x.line === 4)?.message).toMatch(/missing\.json cannot be used/);
    expect(p.find((x) => x.line === 5)?.message).toMatch(/declared twice/);
    expect(p.find((x) => x.line === 9)?.message).toMatch(/names no account/);
    expect(problems('version: 2\n')[0]).toMatchObject({ line: 1, column: 10, fix: 'Write version: 1.' });
    expect(problems('')[0]!.message).toMatch(/empty/);
  });
});
