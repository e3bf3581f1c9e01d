/**
 * AWS CLI v2 profiles for Identity Center access, as `aws configure sso` writes them: one
 * `[sso-session NAME]` section and one `[profile NAME]` per account and permission set a user or a
 * group can use. Discovery reads Identity Center (clients only, no prompt); rendering and merging are
 * pure, so `--dry-run` shows exactly the text that would be written.
 *
 * The merge keeps every unrelated line of the file as it is (comments, blank lines, other sections,
 * their order). Sections this tool writes carry a marker comment as their first body line; only
 * those are ever replaced or removed. A same-named section without the marker is a conflict.
 */
import { DescribePermissionSetCommand, paginateListAccountAssignmentsForPrincipal, type PrincipalType } from '@aws-sdk/client-sso-admin';
import { paginateListGroupMembershipsForMember, type IdentitystoreClient } from '@aws-sdk/client-identitystore';
import { parse as parseIni } from 'ini';
import { UsageError } from '../errors.js';
import type { AwsClients } from './clients.js';
import { getGroupId, getUserId } from './identity-store.js';
import { listAllAccounts } from './organization.js';

export const MANAGED_MARKER = '# managed by okta-aws-sso (okta-aws-sso profiles): edits inside this section are replaced';
export const DEFAULT_PROFILE_TEMPLATE = '<account-name>-<permission-set>';
export const DEFAULT_SSO_SESSION = 'okta-aws-sso';
export const SSO_REGISTRATION_SCOPES = 'sso:account:access';
const TEMPLATE_TOKENS = ['<account-name>', '<account-id>', '<permission-set>'] as const;

export interface ProfileTarget {
  accountId: string;
  accountName: string;
  permissionSetName: string;
}

export interface ProfileSpec {
  name: string;
  accountId: string;
  accountName: string;
  roleName: string;
}

export interface SsoSessionSpec {
  name: string;
  startUrl: string;
  region: string;
}

export type Principal = { type: 'USER'; userName: string } | { type: 'GROUP'; displayName: string };

/** A session or profile name the AWS CLI reads back as written: no brackets, no spaces, no dots (INI nesting). */
export const SECTION_NAME_RE = /^[A-Za-z0-9_-]{1,64}$/;

export function validateSessionName(v: string): true | string {
  return SECTION_NAME_RE.test(v) ? true : 'Use 1 to 64 letters, digits, "-" or "_" for the sso-session name, e.g. okta-aws-sso.';
}

export function validateProfileTemplate(v: string): true | string {
  if (!TEMPLATE_TOKENS.some((t) => v.includes(t))) {
    return `The profile name template needs at least one of ${TEMPLATE_TOKENS.join(', ')}, e.g. ${DEFAULT_PROFILE_TEMPLATE}.`;
  }
  const rest = TEMPLATE_TOKENS.reduce((s, t) => s.split(t).join(''), v);
  if (rest.length > 0 && !/^[A-Za-z0-9_-]+$/.test(rest)) return 'Besides its placeholders the template may hold only letters, digits, "-" and "_".';
  return true;
}

/** Lower-case, runs of anything but letters, digits, "-" and "_" become one "-". */
export function slug(v: string): string {
  return v
    .normalize('NFKD')
    .replace(/[^\w-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-|-$/g, '')
    .toLowerCase();
}

export function profileName(template: string, t: ProfileTarget): string {
  const name = template
    .split('<account-name>').join(slug(t.accountName) || t.accountId)
    .split('<account-id>').join(t.accountId)
    .split('<permission-set>').join(slug(t.permissionSetName));
  return name.slice(0, 64);
}

/** Profiles for the targets, sorted by name; two targets rendering the same name is a usage error naming the fix. */
export function buildProfiles(targets: readonly ProfileTarget[], template: string): ProfileSpec[] {
  const byName = new Map<string, ProfileSpec>();
  for (const t of targets) {
    const name = profileName(template, t);
    const prev = byName.get(name);
    if (prev && (prev.accountId !== t.accountId || prev.roleName !== t.permissionSetName)) {
      throw new UsageError(`Two profiles would both be called "${name}" (account ${prev.accountId} ${prev.roleName}, account ${t.accountId} ${t.permissionSetName}).`, {
        code: 'PROFILE_NAME_CLASH',
        hint: 'Use a template that tells them apart, e.g. --profile-template "<account-id>-<permission-set>".',
      });
    }
    byName.set(name, { name, accountId: t.accountId, accountName: t.accountName, roleName: t.permissionSetName });
  }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}

// ------------------------------------------------------------------------------------------------
// Discovery
// ------------------------------------------------------------------------------------------------

export interface DiscoverInit {
  instanceArn: string;
  identityStoreId: string;
  principal: Principal;
}

/** The principal's id in the identity store, or exit 2 naming it. */
async function findPrincipal(ids: IdentitystoreClient, identityStoreId: string, p: Principal): Promise<string> {
  const id = p.type === 'USER' ? await getUserId(ids, identityStoreId, p.userName) : await getGroupId(ids, identityStoreId, p.displayName);
  if (id) return id;
  const [what, name, hint] =
    p.type === 'USER'
      ? ['user', p.userName, 'Give the Identity Center user name (the Okta login provisioned through SCIM) with --user, or a group with --group.']
      : ['group', p.displayName, 'Give the name of a group pushed from Okta with --group (e.g. awsssoPowerUsers), or a user with --user.'];
  throw new UsageError(`No ${what} "${name}" in the Identity Center identity store.`, { code: 'PROFILE_PRINCIPAL_NOT_FOUND', hint });
}

/** Every (account, permission set) the principal can use: its own assignments and, for a user, its groups'. */
export async function discoverProfileTargets(aws: AwsClients, init: DiscoverInit): Promise<ProfileTarget[]> {
  const ids = aws.identityStore();
  const principalId = await findPrincipal(ids, init.identityStoreId, init.principal);
  const principals: { id: string; type: PrincipalType }[] = [{ id: principalId, type: init.principal.type }];
  if (init.principal.type === 'USER') {
    for await (const page of paginateListGroupMembershipsForMember({ client: ids }, { IdentityStoreId: init.identityStoreId, MemberId: { UserId: principalId } })) {
      for (const m of page.GroupMemberships ?? []) if (m.GroupId) principals.push({ id: m.GroupId, type: 'GROUP' });
    }
  }

  const sso = aws.ssoAdmin();
  const pairs = new Map<string, { accountId: string; permissionSetArn: string }>();
  for (const p of principals) {
    for await (const page of paginateListAccountAssignmentsForPrincipal({ client: sso }, { InstanceArn: init.instanceArn, PrincipalId: p.id, PrincipalType: p.type })) {
      for (const a of page.AccountAssignments ?? []) {
        if (a.AccountId && a.PermissionSetArn) pairs.set(`${a.AccountId} ${a.PermissionSetArn}`, { accountId: a.AccountId, permissionSetArn: a.PermissionSetArn });
      }
    }
  }
  if (pairs.size === 0) return [];

  const setNames = new Map<string, string>();
  for (const arn of new Set([...pairs.values()].map((p) => p.permissionSetArn))) {
    const r = await sso.send(new DescribePermissionSetCommand({ InstanceArn: init.instanceArn, PermissionSetArn: arn }));
    setNames.set(arn, r.PermissionSet?.Name ?? arn.split('/').pop() ?? arn);
  }
  const accountNames = new Map((await listAllAccounts(aws)).map((a) => [a.id, a.name ?? a.id] as const));
  return [...pairs.values()].map((p) => ({
    accountId: p.accountId,
    accountName: accountNames.get(p.accountId) ?? p.accountId,
    permissionSetName: setNames.get(p.permissionSetArn) ?? p.permissionSetArn,
  }));
}

// ------------------------------------------------------------------------------------------------
// Rendering and merging (pure)
// ------------------------------------------------------------------------------------------------

interface Block {
  /** The section name inside the brackets, or undefined for the lines before the first section. */
  name: string | undefined;
  lines: string[];
}

const HEADER_RE = /^\s*\[([^\]]+)\]\s*(?:[#;].*)?$/;

function splitBlocks(text: string): Block[] {
  const blocks: Block[] = [{ name: undefined, lines: [] }];
  for (const line of text.split(/\r?\n/)) {
    const m = HEADER_RE.exec(line);
    if (m) blocks.push({ name: m[1]!.trim(), lines: [line] });
    else blocks[blocks.length - 1]!.lines.push(line);
  }
  return blocks;
}

function isManaged(b: Block): boolean {
  return b.lines.slice(1).some((l) => l.trim() === MANAGED_MARKER);
}

function sessionOf(b: Block): string | undefined {
  for (const l of b.lines.slice(1)) {
    const m = /^\s*sso_session\s*=\s*(.+?)\s*$/.exec(l);
    if (m) return m[1];
  }
  return undefined;
}

function section(name: string, values: Record<string, string>): string[] {
  return [`[${name}]`, MANAGED_MARKER, ...Object.entries(values).map(([k, v]) => `${k} = ${v}`)];
}

export function renderSections(session: SsoSessionSpec, profiles: readonly ProfileSpec[], region: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  out.set(`sso-session ${session.name}`, section(`sso-session ${session.name}`, {
    sso_start_url: session.startUrl,
    sso_region: session.region,
    sso_registration_scopes: SSO_REGISTRATION_SCOPES,
  }));
  for (const p of profiles) {
    out.set(`profile ${p.name}`, section(`profile ${p.name}`, {
      sso_session: session.name,
      sso_account_id: p.accountId,
      sso_role_name: p.roleName,
      region,
      output: 'json',
    }));
  }
  return out;
}

export interface MergeResult {
  text: string;
  added: string[];
  updated: string[];
  removed: string[];
  unchanged: string[];
}

function trimTrailingBlank(lines: string[]): string[] {
  const out = [...lines];
  while (out.length > 0 && out[out.length - 1]!.trim() === '') out.pop();
  return out;
}

/**
 * Merges the wanted sections into an existing config text. Unrelated lines stay byte for byte;
 * managed sections of this sso-session that are no longer wanted are removed; an unmanaged section
 * with a wanted name is a conflict (UsageError naming the fix) unless `takeOver` is set.
 */
export function mergeConfig(existing: string, wanted: Map<string, string[]>, sessionName: string, takeOver = false): MergeResult {
  const blocks = splitBlocks(existing);
  const result: MergeResult = { text: '', added: [], updated: [], removed: [], unchanged: [] };
  const seen = new Set<string>();
  const kept: Block[] = [];
  for (const b of blocks) {
    if (b.name === undefined) {
      kept.push(b);
      continue;
    }
    const want = wanted.get(b.name);
    if (want) {
      if (seen.has(b.name)) {
        result.removed.push(b.name);
        continue;
      }
      seen.add(b.name);
      if (!isManaged(b) && !takeOver) {
        throw new UsageError(`~/.aws/config already has a section [${b.name}] that okta-aws-sso did not write.`, {
          code: 'PROFILE_CONFLICT',
          hint: 'Choose other names with --profile-template or --sso-session, or take the section over with --take-over.',
        });
      }
      const body = trimTrailingBlank(b.lines);
      const tail = b.lines.slice(body.length);
      if (body.join('\n') === want.join('\n')) result.unchanged.push(b.name);
      else result.updated.push(b.name);
      kept.push({ name: b.name, lines: [...want, ...tail] });
      continue;
    }
    const stale = isManaged(b) && ((b.name === `sso-session ${sessionName}`) || (b.name.startsWith('profile ') && sessionOf(b) === sessionName));
    if (stale) {
      result.removed.push(b.name);
      continue;
    }
    kept.push(b);
  }
  const additions: string[] = [];
  for (const [name, lines] of wanted) {
    if (seen.has(name)) continue;
    result.added.push(name);
    additions.push('', ...lines);
  }
  let lines = kept.flatMap((b) => b.lines);
  if (additions.length > 0) {
    lines = trimTrailingBlank(lines);
    if (lines.length === 0) additions.shift();
    lines.push(...additions);
  }
  let text = lines.join('\n');
  if (!text.endsWith('\n')) text += '\n';
  if (text.trim() === '') text = '';
  result.text = text;
  return result;
}

/** Reads the merged text back the way an INI reader does and checks every wanted value is there. */
export function checkReadBack(text: string, wanted: Map<string, string[]>): void {
  const parsed = parseIni(text) as Record<string, Record<string, string> | string>;
  for (const [name, lines] of wanted) {
    const sectionValues = parsed[name];
    for (const line of lines.slice(2)) {
      const [k, ...v] = line.split(' = ');
      if (typeof sectionValues !== 'object' || sectionValues[k!] !== v.join(' = ')) {
        throw new UsageError(`The merged AWS config does not read back [${name}] ${k} as written.`, {
          code: 'PROFILE_READ_BACK',
          hint: 'Nothing was written. Check the file for a broken line near that section, or write to another file with --file.',
        });
      }
    }
  }
}
