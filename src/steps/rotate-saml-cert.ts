/**
 * `rotate saml-cert`: a new SAML signing key for the Okta app, in the only order that keeps sign-in
 * working: Identity Center must have the new certificate before Okta signs with the new key.
 *
 *   1. key-generated     POST /api/v1/apps/{appId}/credentials/keys/generate?validityYears=N
 *   2. metadata-written  GET /api/v1/apps/{appId}/sso/saml/metadata?kid=<new kid>, checked, saved to a file
 *   3. uploaded          console: upload that file in Identity Center (Settings > Identity source)
 *   4. switched          GET the app, set credentials.signing.kid, PUT it whole; read back
 *   5. sign-in-proved    the SAML part of `verify --sign-in` (Okta signs, Identity Center's ACS accepts)
 *
 * Switching before the upload is confirmed is refused: Identity Center would reject every sign-in
 * (AWS has no API that reads the IdP certificate back, so the confirmation is the person's, or the
 * sandbox's when it performed the upload).
 */
import { messageText } from '../messages.js';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { WaitingForConsoleError, WizardError, UsageError } from '../errors.js';
import { checkCertValidity, parseIdpMetadata } from '../saml/idp-metadata.js';
import { identityCenterSettings } from '../aws/console-links.js';
import type { ConsoleAction } from './contract.js';
import type { OktaAppOutput } from '../core/outputs.js';
import type { OktaApp } from '../okta/client.js';
import { markDone, type RotationEnv, type RotationPlan, type RotationRecord } from './rotation.js';

export const SAML_PHASES = ['key-generated', 'metadata-written', 'uploaded', 'switched', 'sign-in-proved'] as const;
export type SamlPhase = (typeof SAML_PHASES)[number];

export const DEFAULT_VALIDITY_YEARS = 5;

export const ORDER_WARNING = messageText('ROTATE_ORDER');

export function validateValidityYears(v: string): true | string {
  const n = Number(v);
  return Number.isInteger(n) && n >= 2 && n <= 10 ? true : 'Okta generates keys valid for 2 to 10 years: give a whole number from 2 to 10';
}

function setup(env: Pick<RotationEnv, 'outputs'>): { app: OktaAppOutput } {
  const app = env.outputs['okta-app'];
  if (!app || !env.outputs['idp-metadata']) {
    throw new UsageError('This setup has no SAML app with uploaded IdP metadata yet (the okta-app and idp-metadata steps are not done).', {
      code: 'ROTATE_NOT_SET_UP',
      hint: 'Finish the setup first: `okta-aws-sso resume` (or `okta-aws-sso init`).',
    });
  }
  return { app };
}

export function uploadNewMetadataAction(region: string | undefined, file: string, facts: Record<string, string>, xml: string): ConsoleAction {
  const settings = identityCenterSettings(region ?? 'us-east-1');
  return {
    id: 'upload-idp-metadata',
    title: 'Upload the new Okta IdP metadata to IAM Identity Center',
    where: settings.where,
    instructions: [
      `Open ${settings.url}, tab "Identity source".`,
      'Choose Actions > "Manage authentication", then under "SAML 2.0 authentication" choose "Manage" (older consoles: Actions > Change identity source > External identity provider, keeping the same settings).',
      `Under "Identity provider metadata" choose "IdP SAML metadata" > Choose file, and pick ${file}.`,
      'Leave the service provider values as they are, then Save (or Next, review, type ACCEPT and confirm).',
      'Come back at once: Okta still signs with the old key until this command switches it.',
    ],
    values: [
      { label: 'Metadata file', value: file },
      { label: 'New signing certificate SHA-256', value: facts['certSha256'] ?? '' },
      { label: 'Valid until', value: facts['certNotAfter'] ?? '' },
    ],
    sandboxPayload: { xml },
  };
}

export function planSamlRotation(env: Pick<RotationEnv, 'outputs'>, record: RotationRecord, continuing: boolean, validityYears: number): RotationPlan {
  const { app } = setup(env);
  const f = record.facts ?? {};
  const titles: Record<SamlPhase, { title: string; kind: 'api' | 'console' | 'check'; detail: string }> = {
    'key-generated': { title: `Generate a new signing key for the Okta app "${app.label}"`, kind: 'api', detail: `POST /api/v1/apps/${app.appId}/credentials/keys/generate?validityYears=${validityYears}` },
    'metadata-written': { title: 'Download the IdP metadata of the new key and save it', kind: 'api', detail: `GET /api/v1/apps/${app.appId}/sso/saml/metadata?kid=${f['newKid'] ?? '<new kid>'}` },
    uploaded: { title: 'Upload the new metadata in Identity Center', kind: 'console', detail: 'Settings > Identity source > Manage authentication' },
    switched: { title: 'Switch the Okta app to the new key', kind: 'api', detail: `PUT /api/v1/apps/${app.appId} with credentials.signing.kid = ${f['newKid'] ?? '<new kid>'} (was ${f['oldKid'] ?? app.signingKid}); refused until the upload is confirmed` },
    'sign-in-proved': { title: 'Prove a sign-in (the SAML part of verify --sign-in)', kind: 'check', detail: 'Okta signs with the new key; Identity Center accepts it' },
  };
  return {
    rotation: 'saml-cert',
    continuing,
    phases: SAML_PHASES.map((id) => ({ id, ...titles[id], ...(record.phases[id] ? { doneAt: record.phases[id] } : {}) })),
    warnings: [ORDER_WARNING],
  };
}

/**
 * GET-modify-PUT of the app with the new kid, every other field kept. Refused (exit 3) while the
 * upload of the new metadata is not confirmed.
 */
export async function switchSigningKey(env: RotationEnv, appId: string, newKid: string): Promise<OktaApp> {
  if (!env.record.phases['uploaded']) {
    throw new WaitingForConsoleError(
      'upload-idp-metadata',
      'Not switching the Okta app to the new signing key: the upload of the new IdP metadata to Identity Center is not confirmed, and switching first would make every sign-in to AWS fail.',
      'Upload the new metadata as shown, then run `okta-aws-sso rotate saml-cert --console-done upload-idp-metadata`.',
    );
  }
  const okta = await env.services.okta();
  const app = await okta.getApp(appId);
  if (!app) throw new WizardError(`The Okta app ${appId} no longer exists.`, { code: 'OKTA_APP_GONE', hint: 'Run `okta-aws-sso resume` so the setup re-creates it.' });
  if (app.credentials?.signing?.kid !== newKid) {
    const body = structuredClone(app);
    body.credentials = { ...(body.credentials ?? {}), signing: { ...(body.credentials?.signing ?? {}), kid: newKid } };
    await okta.replaceApp(body);
  }
  const after = await okta.getApp(appId);
  if (after?.credentials?.signing?.kid !== newKid) {
    throw new WizardError(`Okta still signs with ${after?.credentials?.signing?.kid ?? '(no key)'} after the switch to ${newKid}.`, {
      code: 'ROTATE_SWITCH_FAILED',
      hint: 'In the Okta Admin Console open the app > Sign On > SAML Signing Certificates and activate the new certificate, then run the rotation again.',
    });
  }
  return after;
}

export async function runSamlRotation(env: RotationEnv, opts: { validityYears: number; file?: string }): Promise<void> {
  const { app } = setup(env);
  const done = (p: SamlPhase): boolean => env.record.phases[p] !== undefined;
  const okta = await env.services.okta();
  const facts = (): Record<string, string> => env.record.facts ?? {};

  if (!done('key-generated')) {
    const live = await okta.getApp(app.appId);
    if (!live) throw new WizardError(`The Okta app ${app.appId} no longer exists.`, { code: 'OKTA_APP_GONE', hint: 'Run `okta-aws-sso resume` so the setup re-creates it.' });
    const oldKid = live.credentials?.signing?.kid ?? app.signingKid;
    const known = facts()['newKid'];
    const keys = known ? await okta.listAppKeys(app.appId) : [];
    const key = known && keys.some((k) => k.kid === known) ? { kid: known } : await okta.generateAppKey(app.appId, opts.validityYears);
    env.io.info(known ? 'ROTATE_KEY_CONTINUING' : 'ROTATE_KEY_GENERATED', { kid: key.kid, app: app.label, oldKid });
    await markDone(env, 'key-generated', { newKid: key.kid, oldKid });
  }
  const newKid = facts()['newKid']!;
  let xml: string | undefined;
  if (!done('metadata-written')) {
    xml = await okta.getSamlMetadata(app.appId, newKid);
    const md = parseIdpMetadata(xml);
    const { warning } = checkCertValidity(md, env.now());
    if (warning) env.io.notify(warning);
    const file = path.resolve(env.workDir, opts.file ?? `idp-saml-${newKid.slice(0, 8).replace(/[^A-Za-z0-9_-]/g, '_')}.xml`);
    await fsp.mkdir(path.dirname(file), { recursive: true });
    await fsp.writeFile(file, xml, { mode: 0o644 });
    env.io.info('ROTATE_METADATA_SAVED', { file, sha256: md.cert.sha256Fingerprint, notAfter: md.cert.notAfter });
    await markDone(env, 'metadata-written', {
      metadataFile: file,
      certSha256: md.cert.sha256Fingerprint,
      certNotAfter: md.cert.notAfter,
      certSubject: md.cert.subject,
      entityId: md.entityId,
      ssoUrl: md.ssoUrl,
    });
  }
  const file = facts()['metadataFile']!;
  if (!done('uploaded')) {
    // The file of an earlier run may be gone: the same metadata is downloaded again and rewritten.
    if (xml === undefined) {
      xml = await fsp.readFile(file, 'utf8').catch(async () => {
        const again = await okta.getSamlMetadata(app.appId, newKid);
        await fsp.writeFile(file, again, { mode: 0o644 });
        return again;
      });
    }
    env.io.warn('ROTATE_ORDER');
    await env.io.consoleAction(uploadNewMetadataAction(env.outputs.preflight?.aws.region, file, facts(), xml));
    await markDone(env, 'uploaded');
  }
  if (!done('switched')) {
    await switchSigningKey(env, app.appId, newKid);
    const f = facts();
    const prev = env.outputs['idp-metadata']!;
    env.setOutput('okta-app', { ...app, signingKid: newKid });
    env.setOutput('idp-metadata', {
      ...prev,
      path: file,
      entityId: f['entityId'] ?? prev.entityId,
      ssoUrl: f['ssoUrl'] ?? prev.ssoUrl,
      certSubject: f['certSubject'] ?? prev.certSubject,
      certSha256Fingerprint: f['certSha256'] ?? prev.certSha256Fingerprint,
      certNotAfter: f['certNotAfter'] ?? prev.certNotAfter,
      signingKid: newKid,
      uploadConfirmedAt: env.record.phases['uploaded']!,
    });
    env.io.info('ROTATE_SWITCHED', { app: app.label, kid: newKid, oldKid: f['oldKid'] ?? '' });
    await markDone(env, 'switched');
  }
  if (!done('sign-in-proved')) {
    const { proveSamlSignIn } = await import('../verify/sign-in.js');
    const rows = await proveSamlSignIn({
      io: env.io,
      services: env.services,
      outputs: env.outputs,
      signal: env.signal,
      now: env.now,
      ...(env.acsBaseUrl ? { acsBaseUrl: env.acsBaseUrl } : {}),
    });
    const failed = rows.filter((r) => r.status === 'failed');
    if (failed.length > 0) {
      throw new WizardError(`The sign-in with the new key failed: ${failed.map((r) => `${r.check}: ${r.detail}`).join('; ')}.`, {
        code: 'ROTATE_SIGN_IN_FAILED',
        hint:
          `If Identity Center does not have the new metadata (${file}), upload it now (Settings > Identity source > Manage authentication) and run \`okta-aws-sso rotate saml-cert\` again; ` +
          `to go back, activate the old certificate in Okta (app > Sign On > SAML Signing Certificates, key ${facts()['oldKid'] ?? ''}).`,
      });
    }
    const proved = rows.some((r) => r.id === 'acs' && r.status === 'passed');
    if (proved) env.io.info('ROTATE_SIGN_IN_PROVED');
    else env.io.warn('ROTATE_SIGN_IN_NOT_PROVEN', { rows: rows.map((r) => `${r.check}: ${r.detail}`).join('; ') });
    await markDone(env, 'sign-in-proved', { signIn: proved ? 'passed' : 'skipped' });
  }
  env.record.finishedAt = env.now().toISOString();
  await env.save();
}
