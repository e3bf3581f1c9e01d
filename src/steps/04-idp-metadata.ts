/**
 * Step 4: download the Okta IdP metadata for the app's signing key (raw GET, Accept application/xml),
 * check the certificate, save it as idp-saml.xml, and guide the upload in Identity Center.
 *
 * answers: where to save the file (--idp-metadata-file).
 * observe: the app's SAML metadata (a read), the certificate checked, the file already saved.
 * plan:    save the file (a local file: nothing in Okta or AWS changes) unless it already holds this
 *          metadata, and the console action `upload-idp-metadata` unless Identity Center already
 *          has it (same signing key and certificate). A done step drifts when the app signs with
 *          another key or certificate.
 * apply:   exactly those; sends nothing to Okta or AWS.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { ConsoleAction, Step } from './contract.js';
import type { IdpMetadataOutput, OktaAppOutput } from '../core/outputs.js';
import { isKnownAfterApply, KNOWN_AFTER_APPLY, type Change } from '../core/change.js';
import { checkCertValidity, parseIdpMetadata, type IdpMetadata } from '../saml/idp-metadata.js';
import type { OktaClient } from '../okta/client.js';
import { WizardError } from '../errors.js';

export const DEFAULT_IDP_METADATA_FILE = 'idp-saml.xml';

async function download(okta: OktaClient, app: OktaAppOutput): Promise<{ xml: string; md: IdpMetadata }> {
  const xml = await okta.getSamlMetadata(app.appId, app.signingKid);
  return { xml, md: parseIdpMetadata(xml) };
}

export function uploadAction(file: string, md: IdpMetadata, xml: string): ConsoleAction {
  return {
    id: 'upload-idp-metadata',
    title: 'Upload the Okta IdP metadata to IAM Identity Center',
    where: 'AWS console > IAM Identity Center > Settings > Identity source',
    instructions: [
      'Open the AWS console, IAM Identity Center, in the Identity Center home region.',
      'Choose Settings, then the Identity source tab.',
      'Choose Actions > Change identity source.',
      'Select External identity provider, then Next.',
      `Under Identity provider metadata, choose "IdP SAML metadata" > Choose file, and pick ${file}.`,
      'Leave the service provider values as they are (the Okta app already has them), then Next.',
      'Read the review page, type ACCEPT in the confirmation box, and choose Change identity source.',
      'Check the result: the identity source now shows "External identity provider" with the issuer below.',
    ],
    values: [
      { label: 'Metadata file', value: file },
      { label: 'IdP issuer (entityID)', value: md.entityId },
      { label: 'IdP sign-in URL', value: md.ssoUrl },
      { label: 'Signing certificate SHA-256', value: md.cert.sha256Fingerprint },
    ],
    sandboxPayload: { xml },
  };
}

export interface ObservedIdpMetadata {
  app: OktaAppOutput;
  /** The absolute path of the file to save. */
  file: string;
  /** The metadata (undefined in a dry run while the app is still to be created). */
  got?: { xml: string; md: IdpMetadata; warning?: string };
  /** The file already holds exactly this metadata. */
  fileCurrent: boolean;
  /** What an earlier run recorded (Identity Center has that upload). */
  earlier?: IdpMetadataOutput;
  now: string;
}

export type IdpMetadataPayload = { action: 'write-file'; path: string } | { action: 'upload'; consoleAction?: ConsoleAction };

function uploadedAlready(earlier: IdpMetadataOutput | undefined, obs: ObservedIdpMetadata): boolean {
  return earlier !== undefined && obs.got !== undefined && earlier.signingKid === obs.app.signingKid && earlier.certSha256Fingerprint === obs.got.md.cert.sha256Fingerprint;
}

/** Pure: save the file unless it is current, upload unless Identity Center already has it. */
export function planIdpMetadata(obs: ObservedIdpMetadata, recorded?: IdpMetadataOutput): Change<IdpMetadataPayload>[] {
  const earlier = recorded ?? obs.earlier;
  if (recorded && uploadedAlready(recorded, obs)) return [];
  let drift: string | undefined;
  if (recorded && obs.app.signingKid !== recorded.signingKid) drift = `The Okta app now signs with key ${obs.app.signingKid}, not ${recorded.signingKid}: Identity Center still has the old IdP metadata.`;
  else if (recorded && obs.got) drift = `The Okta signing certificate is now ${obs.got.md.cert.sha256Fingerprint}, not ${recorded.certSha256Fingerprint}: Identity Center still has the old IdP metadata.`;
  const md = obs.got?.md;
  const changes: Change<IdpMetadataPayload>[] = [];
  if (!obs.fileCurrent) {
    changes.push({
      op: 'create',
      resource: { kind: 'file', name: path.basename(obs.file) },
      summary: `Save the IdP metadata to ${obs.file}`,
      // A local file in the working folder: nothing in Okta or AWS changes, so no approval.
      risk: 'read-only',
      detail: md ? `issuer ${md.entityId}, certificate ${md.cert.sha256Fingerprint} until ${md.cert.notAfter}` : 'downloaded once the Okta app exists',
      payload: { action: 'write-file', path: obs.file },
      writes: [],
    });
  }
  if (!uploadedAlready(earlier, obs)) {
    changes.push({
      op: 'console',
      resource: { kind: 'console-action', id: 'upload-idp-metadata' },
      summary: 'Upload the IdP metadata in IAM Identity Center (Settings > Identity source)',
      risk: 'read-only',
      payload: { action: 'upload', ...(obs.got ? { consoleAction: uploadAction(obs.file, obs.got.md, obs.got.xml) } : {}) },
      writes: [],
      ...(drift ? { drift } : {}),
    });
  }
  return changes;
}

function toOutputs(obs: ObservedIdpMetadata, uploadConfirmedAt: string): IdpMetadataOutput {
  const md = obs.got?.md;
  return {
    path: obs.file,
    entityId: md?.entityId ?? KNOWN_AFTER_APPLY,
    ssoUrl: md?.ssoUrl ?? KNOWN_AFTER_APPLY,
    certSubject: md?.cert.subject ?? KNOWN_AFTER_APPLY,
    certSha256Fingerprint: md?.cert.sha256Fingerprint ?? KNOWN_AFTER_APPLY,
    certNotAfter: md?.cert.notAfter ?? KNOWN_AFTER_APPLY,
    signingKid: obs.app.signingKid,
    uploadConfirmedAt,
  };
}

export const idpMetadataStep: Step<'idp-metadata', { file: string }, ObservedIdpMetadata> = {
  id: 'idp-metadata',
  title: 'Okta IdP metadata uploaded to Identity Center',
  kind: 'console',
  needs: ['okta-app'],

  async answers(ctx) {
    const name = (await ctx.io.ask({
      key: 'idp-metadata-file',
      message: 'Where to save the Okta IdP metadata',
      default: DEFAULT_IDP_METADATA_FILE,
      validate: (v) => (v.trim() === '' ? 'Give a file name, e.g. idp-saml.xml.' : true),
    })).trim();
    return { file: path.resolve(ctx.workDir, name) };
  },

  async observe(ctx, answers) {
    const app = ctx.need('okta-app');
    const base = { app, file: answers.file, now: ctx.now().toISOString(), ...(ctx.outputs['idp-metadata'] ? { earlier: ctx.outputs['idp-metadata'] } : {}) };
    if (isKnownAfterApply(app.appId)) return { ...base, fileCurrent: false };
    const okta = await ctx.services.okta();
    const p = ctx.io.progress('IDP_METADATA_DOWNLOADING', { appId: app.appId });
    let got: { xml: string; md: IdpMetadata };
    try {
      got = await download(okta, app);
    } catch (e) {
      p.fail();
      throw e;
    }
    p.succeed('IDP_METADATA_DOWNLOADED', { appId: app.appId });
    const { warning } = checkCertValidity(got.md, ctx.now());
    if (warning) ctx.io.notify(warning);
    let fileCurrent = false;
    try {
      fileCurrent = fs.readFileSync(answers.file, 'utf8') === got.xml;
    } catch {
      fileCurrent = false; // not saved yet
    }
    return { ...base, got, fileCurrent };
  },

  plan: (obs, _answers, recorded) => planIdpMetadata(obs, recorded),

  async apply(ctx, changes, obs) {
    const got = obs.got;
    if (!got) throw new WizardError('The IdP metadata was not downloaded before apply.', { code: 'PLAN_INVALID', hint: 'Run again; if it persists, please report it.' });
    const { xml, md } = got;
    ctx.io.info('IDP_METADATA_DETAILS', { entityId: md.entityId, ssoUrl: md.ssoUrl, subject: md.cert.subject, sha256: md.cert.sha256Fingerprint, notAfter: md.cert.notAfter });
    let uploadConfirmedAt: string | undefined;
    for (const c of changes) {
      const pl = c.payload as IdpMetadataPayload;
      if (pl.action === 'write-file') {
        await fsp.mkdir(path.dirname(pl.path), { recursive: true });
        await fsp.writeFile(pl.path, xml, { mode: 0o644 });
        ctx.io.info('IDP_METADATA_SAVED', { file: pl.path });
      } else if (pl.action === 'upload') {
        await ctx.io.consoleAction(pl.consoleAction ?? uploadAction(obs.file, md, xml));
        uploadConfirmedAt = ctx.now().toISOString();
      }
    }
    if (!uploadConfirmedAt) {
      const earlier = obs.earlier;
      ctx.io.info('IDP_METADATA_ALREADY_UPLOADED', { at: earlier?.uploadConfirmedAt ?? '' });
      uploadConfirmedAt = earlier?.uploadConfirmedAt ?? obs.now;
    }
    return toOutputs(obs, uploadConfirmedAt);
  },

  outputsAfter(obs, _answers, changes) {
    const upload = changes.some((c) => c.op === 'console');
    return toOutputs(obs, upload ? KNOWN_AFTER_APPLY : (obs.earlier?.uploadConfirmedAt ?? obs.now));
  },
};
