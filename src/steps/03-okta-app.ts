/**
 * Step 3: the Okta "AWS IAM Identity Center" app (OIN name amazon_aws_sso) with the Identity Center
 * ACS URL and issuer in settings.app. Found by name and label and adopted; otherwise created with a
 * raw POST (the typed SDK drops settings.app). Drift is shown and fixed with a GET-modify-PUT of the
 * whole object.
 */
import type { Drift, PlanAction, LegacyStep, StepContext } from './contract.js';
import type { OktaAppOutput, SpMetadataOutput } from '../core/outputs.js';
import { UsageError, WizardError } from '../errors.js';
import type { OktaApp, OktaClient } from '../okta/client.js';

export const OKTA_APP_NAME = 'amazon_aws_sso';
export const DEFAULT_APP_LABEL = 'AWS IAM Identity Center';
const CREATE = '__create__';

export function appSamlValues(app: OktaApp): { acsUrl: string | undefined; entityId: string | undefined } {
  const s = app.settings?.app ?? {};
  return {
    acsUrl: typeof s.acsURL === 'string' ? s.acsURL : undefined,
    entityId: typeof s.entityID === 'string' ? s.entityID : undefined,
  };
}

/** Differences between the app's SAML values and Identity Center's, one line each. */
export function samlDrift(app: OktaApp, sp: { acsUrl: string; issuerUrl: string }): string[] {
  const v = appSamlValues(app);
  const out: string[] = [];
  if (v.acsUrl !== sp.acsUrl) out.push(`acsURL is ${v.acsUrl ?? '(empty)'} but Identity Center's ACS URL is ${sp.acsUrl}`);
  if (v.entityId !== sp.issuerUrl) out.push(`entityID is ${v.entityId ?? '(empty)'} but Identity Center's issuer URL is ${sp.issuerUrl}`);
  return out;
}

import { validateLabel } from './validators.js';
export { validateLabel };

function appRef(app: OktaApp): string {
  return `"${app.label}" (${app.id}, ${app.status})`;
}

async function candidates(okta: OktaClient): Promise<OktaApp[]> {
  return (await okta.findAppsByName(OKTA_APP_NAME)).filter((a) => a.status !== 'DELETED');
}

async function askLabel(ctx: StepContext): Promise<string> {
  return (await ctx.io.ask({ key: 'okta-app-label', message: 'Label of the Okta app for Identity Center', default: DEFAULT_APP_LABEL, validate: validateLabel })).trim();
}

/** Which existing app to adopt (undefined = create). Asks when several match. */
async function chooseApp(ctx: StepContext, apps: OktaApp[], label: string): Promise<OktaApp | undefined> {
  if (ctx.io.hasAnswer('okta-app-id')) {
    const id = await ctx.io.ask({ key: 'okta-app-id', message: 'Okta app ID to adopt' });
    const app = apps.find((a) => a.id === id);
    if (!app) {
      throw new UsageError(`There is no ${OKTA_APP_NAME} app with the ID "${id}" in this Okta org.`, {
        code: 'OKTA_APP_NOT_FOUND',
        hint: apps.length > 0 ? `Use one of: ${apps.map((a) => `${a.id} (${a.label})`).join(', ')}; or drop --okta-app-id to create one.` : 'Drop --okta-app-id to create the app.',
      });
    }
    return app;
  }
  const sameLabel = apps.filter((a) => a.label === label);
  if (sameLabel.length === 1) return sameLabel[0];
  if (sameLabel.length > 1) {
    const id = await ctx.io.select({
      key: 'okta-app-id',
      message: `Several Okta apps are labelled "${label}"; which one connects to Identity Center?`,
      choices: sameLabel.map((a) => ({ value: a.id, name: `${a.label} (${a.id})`, description: `${a.status}, acsURL ${appSamlValues(a).acsUrl ?? '(empty)'}` })),
    });
    return sameLabel.find((a) => a.id === id);
  }
  if (apps.length > 0) {
    const id = await ctx.io.select({
      key: 'okta-app-id',
      message: `No ${OKTA_APP_NAME} app is labelled "${label}", but ${apps.length} other${apps.length === 1 ? ' is' : 's are'} there. Adopt one, or create a new app?`,
      choices: [
        { value: CREATE, name: `Create a new app labelled "${label}"` },
        ...apps.map((a) => ({ value: a.id, name: `Adopt ${a.label} (${a.id})`, description: a.status })),
      ],
      default: CREATE,
    });
    return id === CREATE ? undefined : apps.find((a) => a.id === id);
  }
  return undefined;
}

function createBody(label: string, sp: SpMetadataOutput): Record<string, unknown> {
  return {
    name: OKTA_APP_NAME,
    label,
    signOnMode: 'SAML_2_0',
    visibility: { autoSubmitToolbar: false, hide: { iOS: false, web: false } },
    settings: { app: { acsURL: sp.acsUrl, entityID: sp.issuerUrl } },
  };
}

function toOutput(app: OktaApp, adopted: boolean): OktaAppOutput {
  const kid = app.credentials?.signing?.kid;
  if (!kid) {
    throw new WizardError(`The Okta app ${appRef(app)} has no active SAML signing key.`, {
      code: 'OKTA_APP_NO_SIGNING_KEY',
      hint: 'In the Okta Admin Console open the app > Sign On > SAML Signing Certificates, generate a certificate and activate it, then run again.',
    });
  }
  const v = appSamlValues(app);
  return { appId: app.id, label: app.label, name: app.name, signingKid: kid, acsUrl: v.acsUrl ?? '', entityId: v.entityId ?? '', adopted };
}

async function readBack(okta: OktaClient, id: string, sp: SpMetadataOutput, what: string): Promise<OktaApp> {
  const app = await okta.getApp(id);
  if (!app) throw new WizardError(`The Okta app ${id} disappeared right after it was ${what}.`, { code: 'OKTA_APP_VANISHED', hint: 'Someone may have deleted it; run again to create it.' });
  const drift = samlDrift(app, sp);
  if (drift.length > 0) {
    throw new WizardError(`Okta did not keep the SAML settings of the app after it was ${what}: ${drift.join('; ')}.`, {
      code: 'OKTA_APP_SETTINGS_NOT_KEPT',
      hint: 'Set them in the Okta Admin Console (app > Sign On > Edit > Advanced Sign-on Settings: "IAM Identity Center ACS URL" and "IAM Identity Center issuer URL"), then run again.',
    });
  }
  return app;
}

export const oktaAppStep: LegacyStep<'okta-app'> = {
  id: 'okta-app',
  title: 'Okta "AWS IAM Identity Center" app with SAML settings',
  kind: 'api',
  needs: ['preflight', 'sp-metadata'],

  async plan(ctx) {
    const sp = ctx.outputs['sp-metadata'];
    const target = `Okta app ${OKTA_APP_NAME}`;
    if (!sp) return [{ kind: 'pending', target, detail: 'needs the ACS URL and issuer from the sp-metadata step' }];
    const okta = await ctx.services.okta();
    const apps = await candidates(okta);
    const label = ctx.io.hasAnswer('okta-app-label') ? await askLabel(ctx) : DEFAULT_APP_LABEL;
    const pinnedId = ctx.io.hasAnswer('okta-app-id') ? await ctx.io.ask({ key: 'okta-app-id', message: 'Okta app ID' }) : undefined;
    const pinned = pinnedId ? apps.find((a) => a.id === pinnedId) : undefined;
    const same = pinned ? [pinned] : apps.filter((a) => a.label === label);
    if (same.length === 0) return [{ kind: 'create', target: `Okta app "${label}" (${OKTA_APP_NAME})`, detail: `acsURL ${sp.acsUrl}, entityID ${sp.issuerUrl}` }];
    const actions: PlanAction[] = [];
    for (const app of same.slice(0, 1)) {
      const drift = samlDrift(app, sp);
      actions.push(drift.length > 0 ? { kind: 'update', target: `Okta app ${appRef(app)}`, detail: drift.join('; ') } : { kind: 'adopt', target: `Okta app ${appRef(app)}` });
      // apply activates an INACTIVE app: the plan says so.
      if (app.status === 'INACTIVE') actions.push({ kind: 'update', target: `Activate the Okta app ${appRef(app)}`, detail: 'it is INACTIVE (POST /api/v1/apps/{id}/lifecycle/activate)' });
    }
    if (same.length > 1) actions.push({ kind: 'check', target: `${same.length} apps labelled "${label}"`, detail: 'you will be asked which one to adopt (or pass --okta-app-id)' });
    return actions;
  },

  async apply(ctx) {
    const sp = ctx.need('sp-metadata');
    const okta = await ctx.services.okta();
    const label = await askLabel(ctx);
    const apps = await candidates(okta);
    const existing = await chooseApp(ctx, apps, label);

    if (!existing) {
      const ok = await ctx.io.confirm({ message: `Create the Okta app "${label}" (${OKTA_APP_NAME}) with ACS URL ${sp.acsUrl}?`, default: true });
      if (!ok) throw new UsageError('Stopped: the Okta app was not created.', { code: 'DECLINED', hint: 'Run again and approve, or pass --okta-app-id to adopt an existing app.' });
      const p = ctx.io.progress(`Creating the Okta app "${label}"`);
      const created = await okta.createApp(createBody(label, sp));
      const app = await readBack(okta, created.id, sp, 'created');
      p.succeed(`Created the Okta app "${label}" (${app.id})`);
      return toOutput(app, false);
    }

    let app = existing;
    ctx.io.info(`Adopting the existing Okta app ${appRef(app)}.`);
    if (app.status === 'INACTIVE') {
      await okta.postJson(`/api/v1/apps/${encodeURIComponent(app.id)}/lifecycle/activate`, undefined);
      ctx.io.info(`Activated the Okta app ${app.id}.`);
    }
    // Read the full object (list answers may be trimmed) before comparing and PUTting it back.
    app = (await okta.getApp(app.id)) ?? app;
    const drift = samlDrift(app, sp);
    if (drift.length > 0) {
      ctx.io.warn(`The Okta app ${appRef(app)} differs from Identity Center:\n  - ${drift.join('\n  - ')}`);
      const ok = await ctx.io.confirm({ message: `Update the SAML settings of the Okta app "${app.label}"?`, default: true });
      if (!ok) throw new UsageError('Stopped: the Okta app keeps SAML values that do not match Identity Center.', { code: 'DECLINED', hint: 'Run again and approve the update.' });
      const updated: OktaApp = structuredClone(app);
      updated.settings = { ...(updated.settings ?? {}), app: { ...(updated.settings?.app ?? {}), acsURL: sp.acsUrl, entityID: sp.issuerUrl } };
      await okta.replaceApp(updated);
      app = await readBack(okta, app.id, sp, 'updated');
      ctx.io.info(`Updated the SAML settings of the Okta app ${app.id}.`);
    }
    // An app an earlier run created stays "not adopted" (destroy removes it).
    const prev = ctx.outputs['okta-app'];
    return toOutput(app, !(prev?.appId === app.id && prev.adopted === false));
  },

  async check(ctx, out) {
    const okta = await ctx.services.okta();
    const app = await okta.getApp(out.appId);
    if (!app) return [{ message: `The Okta app ${out.appId} ("${out.label}") no longer exists.` }];
    const drift: Drift[] = [];
    if (app.status !== 'ACTIVE') drift.push({ message: `The Okta app ${out.appId} is ${app.status}, not ACTIVE.` });
    const v = appSamlValues(app);
    if (v.acsUrl !== out.acsUrl) drift.push({ message: `The Okta app's acsURL is ${v.acsUrl ?? '(empty)'} but the state says ${out.acsUrl}.` });
    if (v.entityId !== out.entityId) drift.push({ message: `The Okta app's entityID is ${v.entityId ?? '(empty)'} but the state says ${out.entityId}.` });
    const kid = app.credentials?.signing?.kid;
    if (kid !== out.signingKid) drift.push({ message: `The Okta app's signing key changed (${kid ?? 'none'} instead of ${out.signingKid}); Identity Center needs the new IdP metadata.` });
    return drift;
  },
};
