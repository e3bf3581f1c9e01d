/**
 * sp-metadata: the ACS URL and issuer that Okta's app needs. Identity Center has no API for them:
 * the person downloads the SP metadata file (or copies the two URLs) from the console.
 *
 * answers: --sp-metadata (a file path) or --acs-url / --issuer-url, when given.
 * observe: reads and checks the given metadata file (a local read; there is no API for these values).
 * choose:  IPv4 or dual-stack ACS URL when the file offers both (--acs-variant).
 * plan:    no change when the values are given; otherwise the console action `download-sp-metadata`.
 *          For a done step: recorded values that no longer fit the instance are drift.
 * apply:   the console action (then reads what it produced), or the given values; sends nothing.
 */
import path from 'node:path';
import { UsageError } from '../errors.js';
import { MAX_METADATA_BYTES } from '../saml/xml.js';
import { readBoundedSync } from '../safe/read.js';
import {
  acsChoicesForRegion,
  parseSpMetadata,
  proposedIssuer,
  validateAcsUrl,
  validateIssuerUrl,
} from '../saml/sp-metadata.js';
import { identityCenterSettings } from '../aws/console-links.js';
import type { ConsoleAction, Step, StepContext } from './contract.js';
import { stepInfo } from './catalog.js';
import type { Change } from '../core/change.js';
import type { PreflightOutput, SpMetadataOutput } from '../core/outputs.js';
import { loopbackRules, type LoopbackRules } from './loopback.js';

export function spMetadataAction(pf: PreflightOutput['aws']): ConsoleAction {
  const settings = identityCenterSettings(pf.region);
  return {
    id: 'download-sp-metadata',
    title: 'Download the Identity Center service-provider metadata',
    where: settings.where,
    instructions: [
      `Open ${settings.url} as the management or delegated administrator account.`,
      'On the "Identity source" tab choose Actions > "Change identity source" (or "Manage authentication" when Okta is already the identity source).',
      'Select "External identity provider" and choose Next.',
      'Under "Service provider metadata" choose "Download metadata file" and save it; keep this page open (the next console step uploads Okta\'s metadata here).',
      'Give the wizard the downloaded file\'s path (--sp-metadata), or instead copy "IAM Identity Center Assertion Consumer Service (ACS) URL" and "IAM Identity Center issuer URL" (--acs-url, --issuer-url).',
    ],
    values: [{ label: 'Issuer URL the console should show', value: proposedIssuer(pf.region, pf.identityStoreId) }],
    evidence: ['sp-metadata'],
  };
}

/** Loopback URLs: a --sandbox run, or an sso-admin endpoint pointed at this machine (another emulator). */
function rulesFor(ctx: StepContext): Promise<LoopbackRules> {
  return loopbackRules(ctx, 'sso-admin');
}

function readMetadataFile(ctx: StepContext, file: string): string {
  const full = path.resolve(ctx.workDir, file);
  return readBoundedSync(full, {
    maxBytes: MAX_METADATA_BYTES,
    what: 'The SP metadata file',
    code: 'SP_METADATA_UNREADABLE',
    hint: 'Check the path given to --sp-metadata (the file IAM Identity Center > Settings > Identity source downloaded), or pass --acs-url and --issuer-url instead.',
  });
}

/** A metadata file read and checked against the instance (no choice made yet). */
interface ParsedFile {
  file: string;
  /** The file's absolute path. */
  full: string;
  entityId: string;
  acsUrls: string[];
  ipv4?: string;
  dualStack?: string;
}

function parseFile(ctx: StepContext, rules: LoopbackRules, pf: PreflightOutput['aws'], file: string): ParsedFile {
  const md = parseSpMetadata(readMetadataFile(ctx, file), rules, `The SP metadata file "${file}"`);
  const issuerOk = validateIssuerUrl(md.entityId, rules, pf.region, pf.identityStoreId);
  if (issuerOk !== true) {
    throw new UsageError(`The SP metadata file "${file}" does not belong to this Identity Center instance: ${issuerOk}.`, {
      code: 'SP_METADATA_MISMATCH',
      hint: `Download the metadata of the instance ${pf.instanceArn} (home region ${pf.region}) and pass that file.`,
    });
  }
  const choices = acsChoicesForRegion(md, pf.region);
  if (!choices.ipv4 && !choices.dualStack) {
    throw new UsageError(`The SP metadata file "${file}" has no ACS URL for the home region ${pf.region} (it has: ${md.acs.map((a) => a.url).join(', ')}).`, {
      code: 'SP_METADATA_REGION',
      hint: `Download the metadata from the console in ${pf.region} (the Identity Center home region).`,
    });
  }
  return {
    file,
    full: path.resolve(ctx.workDir, file),
    entityId: md.entityId,
    acsUrls: md.acs.map((a) => a.url),
    ...(choices.ipv4 ? { ipv4: choices.ipv4.url } : {}),
    ...(choices.dualStack ? { dualStack: choices.dualStack.url } : {}),
  };
}

async function askVariant(ctx: StepContext, p: ParsedFile): Promise<'ipv4' | 'dual-stack' | undefined> {
  if (!p.ipv4 || !p.dualStack) return undefined;
  return ctx.io.select<'ipv4' | 'dual-stack'>({
    key: 'acs-variant',
    message: 'The metadata offers an IPv4 and a dual-stack (IPv4 + IPv6) ACS URL. Which one should Okta post to?',
    choices: [
      { value: 'ipv4', name: `IPv4: ${p.ipv4}`, description: 'works everywhere; the usual choice' },
      { value: 'dual-stack', name: `Dual-stack: ${p.dualStack}`, description: 'when your users reach AWS over IPv6' },
    ],
    default: 'ipv4',
  });
}

/** The output from a checked file and the variant chosen (pure). */
function fileOutput(p: ParsedFile, variant: 'ipv4' | 'dual-stack' | undefined): SpMetadataOutput {
  const acsUrl = variant === 'dual-stack' && p.dualStack ? p.dualStack : (p.ipv4 ?? p.dualStack)!;
  return { acsUrl, issuerUrl: p.entityId, source: 'metadata-file', acsUrls: p.acsUrls, metadataFile: p.full };
}

function noteFile(ctx: StepContext, rules: LoopbackRules, out: SpMetadataOutput): void {
  rules.note(out.issuerUrl, 'issuer URL');
  if (out.acsUrls.length > 1) ctx.io.info('SP_METADATA_ACS_CHOSEN', { count: out.acsUrls.length, acsUrl: out.acsUrl });
  rules.note(out.acsUrl, 'ACS URL');
}

async function fromFile(ctx: StepContext, pf: PreflightOutput['aws'], file: string): Promise<SpMetadataOutput> {
  const rules = await rulesFor(ctx);
  const parsed = parseFile(ctx, rules, pf, file);
  const out = fileOutput(parsed, await askVariant(ctx, parsed));
  noteFile(ctx, rules, out);
  return out;
}

async function fromPasted(ctx: StepContext, pf: PreflightOutput['aws']): Promise<SpMetadataOutput> {
  const rules = await rulesFor(ctx);
  const acsUrl = (
    await ctx.io.ask({
      key: 'acs-url',
      message: 'IAM Identity Center Assertion Consumer Service (ACS) URL',
      validate: (v) => validateAcsUrl(v, rules, pf.region),
    })
  ).trim();
  const issuerUrl = (
    await ctx.io.ask({
      key: 'issuer-url',
      message: 'IAM Identity Center issuer URL (proposed from the region and identity store ID; confirm it matches the console)',
      default: proposedIssuer(pf.region, pf.identityStoreId),
      validate: (v) => validateIssuerUrl(v, rules, pf.region, pf.identityStoreId),
    })
  ).trim();
  rules.note(acsUrl, 'ACS URL');
  rules.note(issuerUrl, 'issuer URL');
  return { acsUrl, issuerUrl, source: 'pasted', acsUrls: [acsUrl] };
}

async function metadataPath(ctx: StepContext): Promise<string> {
  return (await ctx.io.ask({ key: 'sp-metadata', message: 'Path of the downloaded SP metadata file' })).trim();
}

export interface SpMetadataAnswers {
  /** --sp-metadata: the downloaded file. */
  file?: string;
  /** --acs-url / --issuer-url (checked against the instance). */
  pasted?: { acsUrl: string; issuerUrl: string };
  /** --acs-variant, when the file offers both. */
  variant?: 'ipv4' | 'dual-stack';
}

export interface ObservedSpMetadata {
  pf: PreflightOutput['aws'];
  rules: LoopbackRules;
  /** The given file, read and checked. */
  parsed?: ParsedFile;
}

export type SpMetadataPayload = { action: 'console'; consoleAction: ConsoleAction } | { action: 'use-given' };

/** The values the answers give (pure), or undefined when the console action must produce them. */
function givenOutput(obs: ObservedSpMetadata, answers: SpMetadataAnswers): SpMetadataOutput | undefined {
  if (obs.parsed) return fileOutput(obs.parsed, answers.variant);
  if (answers.pasted) return { acsUrl: answers.pasted.acsUrl, issuerUrl: answers.pasted.issuerUrl, source: 'pasted', acsUrls: [answers.pasted.acsUrl] };
  return undefined;
}

/** Why recorded values no longer fit the instance (empty: they do). */
function recordedDrift(obs: ObservedSpMetadata, recorded: SpMetadataOutput): string[] {
  const out: string[] = [];
  const a = validateAcsUrl(recorded.acsUrl, obs.rules, obs.pf.region);
  if (a !== true) out.push(`ACS URL ${recorded.acsUrl}: ${a}`);
  const i = validateIssuerUrl(recorded.issuerUrl, obs.rules, obs.pf.region, obs.pf.identityStoreId);
  if (i !== true) out.push(`issuer URL ${recorded.issuerUrl}: ${i}`);
  return out;
}

/**
 * Pure. Values given (file or pasted): nothing to change. Otherwise the console action. A done
 * step whose recorded values no longer fit the instance (another region or identity store) drifts.
 */
export function planSpMetadata(obs: ObservedSpMetadata, answers: SpMetadataAnswers, recorded?: SpMetadataOutput): Change<SpMetadataPayload>[] {
  const drift = recorded ? recordedDrift(obs, recorded) : [];
  if (recorded && drift.length === 0) return [];
  const given = obs.parsed !== undefined || answers.pasted !== undefined;
  const driftOf = drift.length > 0 ? { drift: drift.join('; ') } : {};
  if (given) {
    if (!recorded) return [];
    return [{ op: 'adopt', resource: { kind: 'sp-values', name: 'ACS URL and issuer URL' }, summary: 'Take the ACS URL and issuer URL from the answers again', risk: 'read-only', payload: { action: 'use-given' }, writes: [], ...driftOf }];
  }
  return [
    {
      op: 'console',
      resource: { kind: 'console-action', id: 'download-sp-metadata' },
      summary: 'Download the Identity Center SP metadata',
      detail: `IAM Identity Center > Settings > Identity source (${obs.pf.region})`,
      risk: 'read-only',
      payload: { action: 'console', consoleAction: spMetadataAction(obs.pf) },
      writes: [],
      ...driftOf,
    },
  ];
}

export const spMetadataStep: Step<'sp-metadata', SpMetadataAnswers, ObservedSpMetadata> = {
  ...stepInfo('sp-metadata'),
  needs: ['preflight'],

  async answers(ctx) {
    if (ctx.io.hasAnswer('sp-metadata')) {
      const file = await metadataPath(ctx);
      if (file !== '') return { file };
    }
    if (ctx.io.hasAnswer('acs-url')) {
      const out = await fromPasted(ctx, ctx.need('preflight').aws);
      return { pasted: { acsUrl: out.acsUrl, issuerUrl: out.issuerUrl } };
    }
    return {};
  },

  async observe(ctx, answers, recorded) {
    const pf = ctx.need('preflight').aws;
    const rules = await rulesFor(ctx);
    if (!answers.file) return { pf, rules };
    if (!recorded) return { pf, rules, parsed: parseFile(ctx, rules, pf, answers.file) };
    // A done step: the recorded values are what is checked; the downloaded file may be gone since.
    try {
      return { pf, rules, parsed: parseFile(ctx, rules, pf, answers.file) };
    } catch {
      return { pf, rules };
    }
  },

  async choose(ctx, obs, answers) {
    const variant = obs.parsed ? await askVariant(ctx, obs.parsed) : undefined;
    return variant ? { ...answers, variant } : answers;
  },

  plan: (obs, answers, recorded) => planSpMetadata(obs, answers, recorded),

  async apply(ctx, changes, obs, answers) {
    const action = changes.map((c) => c.payload as SpMetadataPayload | undefined).find((p) => p?.action === 'console');
    if (!action || action.action !== 'console') {
      const out = givenOutput(obs, answers);
      if (!out) throw new UsageError('The SP values were neither given nor planned as a console action.', { code: 'PLAN_INVALID', hint: 'Run again; if it persists, please report it.' });
      if (obs.parsed) noteFile(ctx, obs.rules, out);
      return out;
    }
    // The console action produces the file (or the two URLs): read what it gave.
    await ctx.io.consoleAction(action.consoleAction);
    const pf = obs.pf;
    if (ctx.io.hasAnswer('sp-metadata')) return fromFile(ctx, pf, await metadataPath(ctx));
    if (ctx.io.hasAnswer('acs-url')) return fromPasted(ctx, pf);
    if (ctx.io.interactive) {
      const file = (
        await ctx.io.ask({ key: 'sp-metadata', message: 'Path of the downloaded SP metadata file (leave empty to paste the ACS URL and issuer URL instead)', default: '' })
      ).trim();
      if (file !== '') return fromFile(ctx, pf, file);
    }
    return fromPasted(ctx, pf);
  },

  outputsAfter(obs, answers) {
    return givenOutput(obs, answers);
  },

  notes(obs, answers) {
    if (obs.parsed) return ['check: SP metadata file (read the ACS URL and issuer from --sp-metadata)'];
    if (answers.pasted) return ['check: ACS URL and issuer URL (validate the pasted values)'];
    return [];
  },
};
