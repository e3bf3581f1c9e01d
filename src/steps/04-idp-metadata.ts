/**
 * Step 4: download the Okta IdP metadata for the app's signing key (raw GET, Accept application/xml),
 * check the certificate, save it as idp-saml.xml, and guide the upload in Identity Center.
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { ConsoleAction, Drift, LegacyStep } from './contract.js';
import type { OktaAppOutput } from '../core/outputs.js';
import { checkCertValidity, parseIdpMetadata, type IdpMetadata } from '../saml/idp-metadata.js';
import type { OktaClient } from '../okta/client.js';

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

export const idpMetadataStep: LegacyStep<'idp-metadata'> = {
  id: 'idp-metadata',
  title: 'Okta IdP metadata uploaded to Identity Center',
  kind: 'console',
  needs: ['okta-app'],

  async plan(ctx) {
    const app = ctx.outputs['okta-app'];
    if (!app) return [{ kind: 'pending', target: 'IdP metadata', detail: 'needs the Okta app from the okta-app step' }];
    const okta = await ctx.services.okta();
    const { md } = await download(okta, app);
    return [
      { kind: 'create', target: DEFAULT_IDP_METADATA_FILE, detail: `issuer ${md.entityId}, certificate ${md.cert.sha256Fingerprint} until ${md.cert.notAfter}` },
      { kind: 'console', target: 'Upload the IdP metadata in IAM Identity Center (Settings > Identity source)' },
    ];
  },

  async apply(ctx) {
    const app = ctx.need('okta-app');
    const okta = await ctx.services.okta();
    const p = ctx.io.progress(`Downloading the SAML metadata of the Okta app ${app.appId}`);
    let got: { xml: string; md: IdpMetadata };
    try {
      got = await download(okta, app);
    } catch (e) {
      p.fail();
      throw e;
    }
    p.succeed(`Downloaded the SAML metadata of the Okta app ${app.appId}`);
    const { xml, md } = got;
    const { warning } = checkCertValidity(md, ctx.now());
    if (warning) ctx.io.warn(warning);
    ctx.io.info(`IdP issuer ${md.entityId}; sign-in URL ${md.ssoUrl}; certificate "${md.cert.subject}", SHA-256 ${md.cert.sha256Fingerprint}, valid until ${md.cert.notAfter}.`);

    const name = (await ctx.io.ask({
      key: 'idp-metadata-file',
      message: 'Where to save the Okta IdP metadata',
      default: DEFAULT_IDP_METADATA_FILE,
      validate: (v) => (v.trim() === '' ? 'Give a file name, e.g. idp-saml.xml.' : true),
    })).trim();
    const file = path.resolve(ctx.workDir, name);
    await fsp.mkdir(path.dirname(file), { recursive: true });
    await fsp.writeFile(file, xml, { mode: 0o644 });
    ctx.io.info(`Saved the IdP metadata to ${file}.`);

    const earlier = ctx.outputs['idp-metadata'];
    const alreadyUploaded = earlier !== undefined && earlier.signingKid === app.signingKid && earlier.certSha256Fingerprint === md.cert.sha256Fingerprint;
    if (alreadyUploaded) {
      ctx.io.info(`Identity Center already has this IdP metadata (upload confirmed ${earlier.uploadConfirmedAt}); nothing to upload again.`);
    } else {
      await ctx.io.consoleAction(uploadAction(file, md, xml));
    }
    return {
      path: file,
      entityId: md.entityId,
      ssoUrl: md.ssoUrl,
      certSubject: md.cert.subject,
      certSha256Fingerprint: md.cert.sha256Fingerprint,
      certNotAfter: md.cert.notAfter,
      signingKid: app.signingKid,
      uploadConfirmedAt: alreadyUploaded ? earlier.uploadConfirmedAt : ctx.now().toISOString(),
    };
  },

  async check(ctx, out) {
    const drift: Drift[] = [];
    const okta = await ctx.services.okta();
    const app = ctx.outputs['okta-app'];
    const live = app ? await okta.getApp(app.appId) : undefined;
    const kid = live?.credentials?.signing?.kid;
    if (live && kid !== out.signingKid) {
      drift.push({ message: `The Okta app now signs with key ${kid ?? '(none)'}, not ${out.signingKid}: Identity Center still has the old IdP metadata.` });
    }
    if (new Date(out.certNotAfter).getTime() <= ctx.now().getTime()) {
      drift.push({ message: `The Okta signing certificate ${out.certSha256Fingerprint} expired on ${out.certNotAfter}.` });
    }
    return drift;
  },
};
