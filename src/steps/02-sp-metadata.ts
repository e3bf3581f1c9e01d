/**
 * sp-metadata: the ACS URL and issuer that Okta's app needs. Identity Center has no API for them:
 * the person downloads the SP metadata file (or copies the two URLs) from the console.
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
import type { ConsoleAction, Drift, Step, StepContext } from './contract.js';
import type { PreflightOutput, SpMetadataOutput } from './outputs.js';
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

async function fromFile(ctx: StepContext, pf: PreflightOutput['aws'], file: string): Promise<SpMetadataOutput> {
  const rules = await rulesFor(ctx);
  const md = parseSpMetadata(readMetadataFile(ctx, file), rules, `The SP metadata file "${file}"`);
  rules.note(md.entityId, 'issuer URL');
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
  let acsUrl: string;
  if (choices.ipv4 && choices.dualStack) {
    const variant = await ctx.io.select({
      key: 'acs-variant',
      message: 'The metadata offers an IPv4 and a dual-stack (IPv4 + IPv6) ACS URL. Which one should Okta post to?',
      choices: [
        { value: 'ipv4', name: `IPv4: ${choices.ipv4.url}`, description: 'works everywhere; the usual choice' },
        { value: 'dual-stack', name: `Dual-stack: ${choices.dualStack.url}`, description: 'when your users reach AWS over IPv6' },
      ],
      default: 'ipv4',
    });
    acsUrl = variant === 'dual-stack' ? choices.dualStack.url : choices.ipv4.url;
  } else {
    acsUrl = (choices.ipv4 ?? choices.dualStack)!.url;
  }
  if (md.acs.length > 1) ctx.io.info(`The metadata lists ${md.acs.length} ACS URLs; using the home region's: ${acsUrl}.`);
  rules.note(acsUrl, 'ACS URL');
  return { acsUrl, issuerUrl: md.entityId, source: 'metadata-file', acsUrls: md.acs.map((a) => a.url), metadataFile: path.resolve(ctx.workDir, file) };
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

export const spMetadataStep: Step<'sp-metadata'> = {
  id: 'sp-metadata',
  title: 'Identity Center service-provider values (ACS URL, issuer)',
  kind: 'console',
  needs: ['preflight'],
  async plan(ctx) {
    const pf = ctx.outputs.preflight?.aws;
    if (ctx.io.hasAnswer('sp-metadata')) return [{ kind: 'check', target: 'SP metadata file', detail: 'read the ACS URL and issuer from --sp-metadata' }];
    if (ctx.io.hasAnswer('acs-url')) return [{ kind: 'check', target: 'ACS URL and issuer URL', detail: 'validate the pasted values' }];
    return [{ kind: 'console', target: 'Download the Identity Center SP metadata', detail: pf ? `IAM Identity Center > Settings > Identity source (${pf.region})` : 'after preflight' }];
  },
  async apply(ctx) {
    const pf = ctx.need('preflight').aws;
    if (ctx.io.hasAnswer('sp-metadata')) {
      const file = await metadataPath(ctx);
      if (file !== '') return fromFile(ctx, pf, file);
    }
    if (ctx.io.hasAnswer('acs-url')) return fromPasted(ctx, pf);
    await ctx.io.consoleAction(spMetadataAction(pf));
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
  async check(ctx, out) {
    const drifts: Drift[] = [];
    const pf = ctx.outputs.preflight?.aws;
    if (!pf) return drifts;
    const rules = await rulesFor(ctx);
    const a = validateAcsUrl(out.acsUrl, rules, pf.region);
    if (a !== true) drifts.push({ message: `ACS URL ${out.acsUrl}: ${a}` });
    const i = validateIssuerUrl(out.issuerUrl, rules, pf.region, pf.identityStoreId);
    if (i !== true) drifts.push({ message: `issuer URL ${out.issuerUrl}: ${i}` });
    return drifts;
  },
};
