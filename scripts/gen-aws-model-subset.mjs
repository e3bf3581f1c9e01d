#!/usr/bin/env node
/**
 * Generates data/aws-models/<service>.json: the subset of the botocore service models
 * (vendor/specs/aws/<service>.service-2.json + .paginators-1.json, copies of botocore's data) that the sandbox's AWS emulator
 * serves: the operations it implements, every shape they reach (inputs, outputs, errors) without
 * documentation, and their paginators. Output is deterministic (sorted keys, 2-space JSON, final newline).
 *
 *   node scripts/gen-aws-model-subset.mjs          # write the files
 *   node scripts/gen-aws-model-subset.mjs --check  # exit 1 when the committed files differ
 *
 * test/sandbox/aws-models.test.ts regenerates in memory with generateAll() and fails on drift.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const SPEC_DIR = path.join(ROOT, 'vendor/specs/aws');
export const OUT_DIR = path.join(ROOT, 'data/aws-models');

/** The operations the emulator serves, per service. */
export const OPERATIONS = {
  'sso-admin': [
    'AttachCustomerManagedPolicyReferenceToPermissionSet',
    'AttachManagedPolicyToPermissionSet',
    'CreateAccountAssignment',
    'CreatePermissionSet',
    'DeleteAccountAssignment',
    'DeleteInlinePolicyFromPermissionSet',
    'DeletePermissionSet',
    'DeletePermissionsBoundaryFromPermissionSet',
    'DescribeAccountAssignmentCreationStatus',
    'DescribeAccountAssignmentDeletionStatus',
    'DescribeInstance',
    'DescribePermissionSet',
    'DescribePermissionSetProvisioningStatus',
    'DetachCustomerManagedPolicyReferenceFromPermissionSet',
    'DetachManagedPolicyFromPermissionSet',
    'GetInlinePolicyForPermissionSet',
    'GetPermissionsBoundaryForPermissionSet',
    'ListAccountAssignmentCreationStatus',
    'ListAccountAssignmentDeletionStatus',
    'ListAccountAssignments',
    'ListAccountAssignmentsForPrincipal',
    'ListAccountsForProvisionedPermissionSet',
    'ListCustomerManagedPolicyReferencesInPermissionSet',
    'ListInstances',
    'ListManagedPoliciesInPermissionSet',
    'ListPermissionSetProvisioningStatus',
    'ListPermissionSets',
    'ListPermissionSetsProvisionedToAccount',
    'ListTagsForResource',
    'ProvisionPermissionSet',
    'PutInlinePolicyToPermissionSet',
    'PutPermissionsBoundaryToPermissionSet',
    'TagResource',
    'UntagResource',
    'UpdatePermissionSet',
  ],
  identitystore: [
    'DeleteUser',
    'DescribeGroup',
    'DescribeUser',
    'GetGroupId',
    'GetGroupMembershipId',
    'GetUserId',
    'IsMemberInGroups',
    'ListGroupMemberships',
    'ListGroupMembershipsForMember',
    'ListGroups',
    'ListUsers',
  ],
  organizations: [
    'DescribeAccount',
    'DescribeOrganization',
    'ListAWSServiceAccessForOrganization',
    'ListAccounts',
    'ListAccountsForParent',
    'ListChildren',
    'ListDelegatedAdministrators',
    'ListOrganizationalUnitsForParent',
    'ListRoots',
  ],
};

const METADATA_KEYS = ['apiVersion', 'jsonVersion', 'protocol', 'serviceId', 'signingName', 'targetPrefix', 'uid'];
const DROP_KEYS = new Set(['documentation', 'documentationUrl', 'deprecatedMessage', 'examples']);

function sortKeys(v) {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    const out = {};
    for (const k of Object.keys(v).sort()) {
      if (DROP_KEYS.has(k)) continue;
      out[k] = sortKeys(v[k]);
    }
    return out;
  }
  return v;
}

/** The subset model of one service as a string (what the file holds). */
export function generate(service, specDir = SPEC_DIR) {
  const model = JSON.parse(fs.readFileSync(path.join(specDir, `${service}.service-2.json`), 'utf8'));
  const pag = JSON.parse(fs.readFileSync(path.join(specDir, `${service}.paginators-1.json`), 'utf8'));
  const ops = OPERATIONS[service];
  if (!ops) throw new Error(`unknown service ${service}`);
  const shapes = {};
  const visit = (name) => {
    if (shapes[name]) return;
    const s = model.shapes[name];
    if (!s) throw new Error(`${service}: shape ${name} is missing from the model`);
    shapes[name] = s;
    if (s.type === 'structure') for (const m of Object.values(s.members ?? {})) visit(m.shape);
    if (s.type === 'list') visit(s.member.shape);
    if (s.type === 'map') {
      visit(s.key.shape);
      visit(s.value.shape);
    }
    if (s.type === 'union') for (const m of Object.values(s.members ?? {})) visit(m.shape);
  };
  const operations = {};
  const paginators = {};
  for (const op of ops) {
    const o = model.operations[op];
    if (!o) throw new Error(`${service}: operation ${op} is missing from the model`);
    operations[op] = { name: o.name, input: o.input, output: o.output, errors: o.errors ?? [] };
    if (o.input) visit(o.input.shape);
    if (o.output) visit(o.output.shape);
    for (const e of o.errors ?? []) visit(e.shape);
    if (pag.pagination?.[op]) paginators[op] = pag.pagination[op];
  }
  const metadata = {};
  for (const k of METADATA_KEYS) if (model.metadata[k] !== undefined) metadata[k] = model.metadata[k];
  const out = sortKeys({ metadata, operations, paginators, shapes, source: `${service}.service-2.json + ${service}.paginators-1.json` });
  return `${JSON.stringify(out, null, 2)}\n`;
}

/** Every service's subset: file name -> content. */
export function generateAll(specDir = SPEC_DIR) {
  const files = {};
  for (const svc of Object.keys(OPERATIONS)) files[`${svc}.json`] = generate(svc, specDir);
  return files;
}

function main() {
  const check = process.argv.includes('--check');
  const files = generateAll();
  let drift = false;
  fs.mkdirSync(OUT_DIR, { recursive: true });
  for (const [name, content] of Object.entries(files)) {
    const p = path.join(OUT_DIR, name);
    const old = fs.existsSync(p) ? fs.readFileSync(p, 'utf8') : undefined;
    if (check) {
      if (old !== content) {
        console.error(`${path.relative(ROOT, p)} is out of date: run node scripts/gen-aws-model-subset.mjs`);
        drift = true;
      }
    } else if (old !== content) {
      fs.writeFileSync(p, content);
      console.log(`wrote ${path.relative(ROOT, p)} (${content.length} bytes)`);
    }
  }
  if (drift) process.exit(1);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
