/**
 * `access export`: an access file from what exists in Identity Center (permission sets with every
 * policy and tag, group assignments), so that an organization that clicked its way there can start
 * managing access as code. Targets are written as `all` (+ `exclude`) when that is shorter.
 */
import { stringify } from 'yaml';
import { MANAGED_TAG_KEY } from './file.js';
import type { LivePermissionSet } from './observe.js';

export interface ExportAssignment {
  group: string;
  permissionSet: string;
  accounts: string[];
}

function targets(accounts: string[], active: string[]): Record<string, unknown> {
  const set = new Set(accounts);
  const activeSet = new Set(active);
  const sorted = [...accounts].sort();
  if (accounts.every((a) => activeSet.has(a))) {
    const missing = active.filter((a) => !set.has(a)).sort();
    if (missing.length === 0) return { all: true };
    if (missing.length < accounts.length) return { all: true, exclude: missing };
  }
  return { accounts: sorted };
}

export function exportAccessFile(sets: readonly LivePermissionSet[], assignments: readonly ExportAssignment[], activeAccounts: readonly string[], header?: string): string {
  const permissionSets = [...sets]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((s) => {
      const tags = Object.fromEntries(Object.entries(s.tags).filter(([k]) => k !== MANAGED_TAG_KEY).sort(([a], [b]) => a.localeCompare(b)));
      return {
        name: s.name,
        ...(s.description ? { description: s.description } : {}),
        sessionDuration: s.sessionDuration,
        ...(s.relayState ? { relayState: s.relayState } : {}),
        ...(s.managedPolicies.length ? { managedPolicies: [...s.managedPolicies].sort() } : {}),
        ...(s.customerManagedPolicies.length ? { customerManagedPolicies: s.customerManagedPolicies.map((r) => (r.path === '/' ? { name: r.name } : { name: r.name, path: r.path })) } : {}),
        ...(s.inlinePolicy ? { inlinePolicy: JSON.parse(s.inlinePolicy) as unknown } : {}),
        ...(s.permissionsBoundary
          ? { permissionsBoundary: 'managedPolicyArn' in s.permissionsBoundary ? { managedPolicyArn: s.permissionsBoundary.managedPolicyArn } : { customerManagedPolicy: s.permissionsBoundary.customerManagedPolicy } }
          : {}),
        ...(Object.keys(tags).length ? { tags } : {}),
      };
    });
  // One entry per group and target list, with every permission set that group has there.
  const entries = new Map<string, { group: string; permissionSets: string[]; accounts: string[] }>();
  for (const a of [...assignments].sort((x, y) => `${x.group}\u0000${x.permissionSet}`.localeCompare(`${y.group}\u0000${y.permissionSet}`))) {
    const accounts = [...new Set(a.accounts)].sort();
    const k = `${a.group}\u0000${accounts.join(',')}`;
    const e = entries.get(k) ?? { group: a.group, permissionSets: [], accounts };
    e.permissionSets.push(a.permissionSet);
    entries.set(k, e);
  }
  const active = [...activeAccounts];
  const doc = {
    version: 1,
    permissionSets,
    assignments: [...entries.values()].map((e) => ({ group: e.group, permissionSets: e.permissionSets, targets: targets(e.accounts, active) })),
  };
  const body = stringify(doc, { lineWidth: 0 });
  return `${header ? `${header.split('\n').map((l) => `# ${l}`).join('\n')}\n` : ''}${body}`;
}
