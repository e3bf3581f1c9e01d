/**
 * Step 3: the Okta "AWS IAM Identity Center" app (OIN name amazon_aws_sso) with the Identity Center
 * ACS URL and issuer in settings.app. Found by name and label and adopted; otherwise created with a
 * raw POST (the typed SDK drops settings.app).
 *
 * answers: the label (--okta-app-label), --okta-app-id when given.
 * observe: the amazon_aws_sso apps (each read in full: list answers may be trimmed).
 * choose:  which app when several share the label, or adopt/create when only others exist.
 * plan:    create | adopt; an INACTIVE app gets an explicit activation (lifecycle/activate); SAML
 *          values that differ from Identity Center's are a GET-modify-PUT of the whole object,
 *          planned with its before/after. A done step drifts when its app is gone, inactive,
 *          differs from Identity Center, or signs with another key.
 * apply:   exactly those changes.
 */
import type { Step, StepContext } from './contract.js';
import type { OktaAppOutput, SpMetadataOutput } from '../core/outputs.js';
import { UsageError, WizardError } from '../errors.js';
import type { OktaApp, OktaClient } from '../okta/client.js';
import { KNOWN_AFTER_APPLY, type Change, type PlannedWrite } from '../core/change.js';

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

/**
 * Which Identity Center instance an amazon_aws_sso app serves, from its SAML values: `this` (its ACS
 * URL is one of this instance's, same tenant id included, or its entity ID is this instance's issuer),
 * `other` (it points at another instance: another AWS organization's, never to be adopted or changed),
 * or `unset` (no ACS URL and no entity ID yet, e.g. added in the console and not configured).
 */
export type AppOwner = 'this' | 'other' | 'unset';

const ACS_TENANT = /\/platform\/saml\/acs\/([A-Za-z0-9-]+)\/?$/;
const trimSlash = (u: string): string => u.trim().replace(/\/+$/, '');

export function appOwner(app: OktaApp, sp: Pick<SpMetadataOutput, 'acsUrl' | 'issuerUrl' | 'acsUrls'>): AppOwner {
  const v = appSamlValues(app);
  const acs = v.acsUrl ? trimSlash(v.acsUrl) : '';
  const entity = v.entityId ? trimSlash(v.entityId) : '';
  if (!acs && !entity) return 'unset';
  const ours = [sp.acsUrl, ...(sp.acsUrls ?? [])].map(trimSlash);
  const tenants = new Set(ours.map((u) => ACS_TENANT.exec(u)?.[1]).filter((t): t is string => t !== undefined));
  const tenant = ACS_TENANT.exec(acs)?.[1];
  if (acs && (ours.includes(acs) || (tenant !== undefined && tenants.has(tenant)))) return 'this';
  if (entity && entity === trimSlash(sp.issuerUrl)) return 'this';
  return 'other';
}

function otherInstanceNote(app: OktaApp): string {
  const v = appSamlValues(app);
  return `The Okta app ${appRef(app)} serves another IAM Identity Center (ACS URL ${v.acsUrl ?? '(empty)'}, entity ID ${v.entityId ?? '(empty)'}); it is left alone.`;
}

/**
 * The apps this run may adopt, by the rule: an app of this instance first (whatever its label),
 * otherwise an unconfigured one; an app of another instance never.
 */
function adoptable(obs: ObservedOktaApp): { mine: OktaApp[]; unset: OktaApp[] } {
  return { mine: obs.apps.filter((a) => appOwner(a, obs.sp) === 'this'), unset: obs.apps.filter((a) => appOwner(a, obs.sp) === 'unset') };
}

/**
 * The rule without an --okta-app-id (one place for plan and choose): the one app of this instance,
 * else the one of the pool (this instance's apps, or else the unconfigured ones) with the label;
 * `several` when that is not one app (`byLabel`: they share the label; else several serve this instance).
 */
function byRule(obs: ObservedOktaApp, label: string): { app?: OktaApp; several?: { apps: OktaApp[]; byLabel: boolean }; unset: OktaApp[] } {
  const { mine, unset } = adoptable(obs);
  if (mine.length === 1) return { app: mine[0], unset };
  const same = (mine.length > 0 ? mine : unset).filter((a) => a.label === label);
  if (same.length === 1) return { app: same[0], unset };
  if (same.length > 1) return { several: { apps: same, byLabel: true }, unset };
  if (mine.length > 1) return { several: { apps: mine, byLabel: false }, unset };
  return { unset };
}

import { validateLabel } from './validators.js';
export { validateLabel };

function appRef(app: OktaApp): string {
  return `"${app.label}" (${app.id}, ${app.status})`;
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

export function toOutput(app: OktaApp, adopted: boolean): OktaAppOutput {
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

export interface OktaAppAnswers {
  label: string;
  /** --okta-app-id, or the app chosen among several; CREATE: a new app was chosen. */
  appId?: string;
}

export interface ObservedOktaApp {
  sp: SpMetadataOutput;
  /** Every amazon_aws_sso app that is not DELETED, read in full. */
  apps: OktaApp[];
}

export type OktaAppPayload =
  | { action: 'create'; body: Record<string, unknown> }
  | { action: 'adopt'; appId: string }
  | { action: 'activate'; appId: string }
  /** GET-modify-PUT: the whole object as read, with the new SAML values. */
  | { action: 'update-saml'; app: OktaApp };

const okta = (operation: string): PlannedWrite => ({ service: 'okta', operation, count: 1 });

async function askLabel(ctx: StepContext): Promise<string> {
  return (await ctx.io.ask({ key: 'okta-app-label', message: 'Label of the Okta app for Identity Center', default: DEFAULT_APP_LABEL, validate: validateLabel })).trim();
}

async function candidates(client: OktaClient): Promise<OktaApp[]> {
  const listed = (await client.findAppsByName(OKTA_APP_NAME)).filter((a) => a.status !== 'DELETED');
  // The full object of each (list answers may be trimmed): what a PUT would send back.
  const full: OktaApp[] = [];
  for (const a of listed) full.push((await client.getApp(a.id)) ?? a);
  return full.filter((a) => a.status !== 'DELETED');
}

/** The app the answers point at (pure): undefined = create. Throws when the answers do not fit. */
function targetApp(obs: ObservedOktaApp, answers: OktaAppAnswers, recorded?: OktaAppOutput): OktaApp | undefined {
  if (recorded) return obs.apps.find((a) => a.id === recorded.appId);
  const { mine, unset } = adoptable(obs);
  if (answers.appId !== undefined && answers.appId !== CREATE) {
    const app = obs.apps.find((a) => a.id === answers.appId);
    const usable = [...mine, ...unset];
    if (!app) {
      throw new UsageError(`There is no ${OKTA_APP_NAME} app with the ID "${answers.appId}" in this Okta org.`, {
        code: 'OKTA_APP_NOT_FOUND',
        hint: usable.length > 0 ? `Use one of: ${usable.map((a) => `${a.id} (${a.label})`).join(', ')}; or drop --okta-app-id to create one.` : 'Drop --okta-app-id to create the app.',
      });
    }
    if (appOwner(app, obs.sp) === 'other') {
      const v = appSamlValues(app);
      throw new UsageError(`The Okta app ${appRef(app)} serves another IAM Identity Center (ACS URL ${v.acsUrl ?? '(empty)'}, entity ID ${v.entityId ?? '(empty)'}), not this one (ACS URL ${obs.sp.acsUrl}); adopting it would take sign-in away from that organization.`, {
        code: 'OKTA_APP_OTHER_INSTANCE',
        hint: usable.length > 0 ? `Pass --okta-app-id with an app of this instance: ${usable.map((a) => `${a.id} (${a.label})`).join(', ')}; or drop --okta-app-id to create one.` : 'Drop --okta-app-id: the wizard creates an app for this instance.',
      });
    }
    return app;
  }
  // An app of this instance first, whatever its label; otherwise an unconfigured one with the label.
  const rule = byRule(obs, answers.label);
  if (rule.several) {
    throw new UsageError(
      rule.several.byLabel ? `Several Okta apps are labelled "${answers.label}"; which one connects to Identity Center is not known.` : `Several Okta apps are set up for this Identity Center; which one to keep is not known.`,
      {
        code: 'OKTA_APP_NOT_FOUND',
        hint: `Pass --okta-app-id with one of: ${rule.several.apps.map((a) => a.id).join(', ')}.`,
      },
    );
  }
  if (rule.app) return rule.app;
  return undefined;
}

/**
 * Pure. Create, or adopt (then activate an INACTIVE app, and PUT back the whole object with
 * Identity Center's SAML values when they differ). `recorded`: the outputs of an earlier run.
 */
export function planOktaApp(obs: ObservedOktaApp, answers: OktaAppAnswers, recorded?: OktaAppOutput): Change<OktaAppPayload>[] {
  const sp = obs.sp;
  const app = targetApp(obs, answers, recorded);
  if (!app) {
    const label = recorded?.label ?? answers.label;
    return [
      {
        op: 'create',
        resource: { kind: 'okta-app', name: label },
        summary: `Create the Okta app "${label}" (${OKTA_APP_NAME}) with ACS URL ${sp.acsUrl}`,
        risk: 'additive',
        after: { label, acsURL: sp.acsUrl, entityID: sp.issuerUrl },
        detail: `acsURL ${sp.acsUrl}, entityID ${sp.issuerUrl}`,
        payload: { action: 'create', body: createBody(label, sp) },
        writes: [okta('createApplication')],
        ...(recorded ? { drift: `The Okta app ${recorded.appId} ("${recorded.label}") no longer exists.` } : {}),
      },
    ];
  }
  const ref = { kind: 'okta-app', id: app.id, name: app.label };
  const kid = app.credentials?.signing?.kid;
  const changes: Change<OktaAppPayload>[] = [
    {
      op: 'adopt',
      resource: ref,
      summary: `Adopt the Okta app ${appRef(app)}`,
      risk: 'read-only',
      payload: { action: 'adopt', appId: app.id },
      writes: [],
      ...(recorded && kid !== recorded.signingKid ? { drift: `The Okta app's signing key changed (${kid ?? 'none'} instead of ${recorded.signingKid}); Identity Center needs the new IdP metadata.` } : {}),
    },
  ];
  const differs = samlDrift(app, sp);
  if (differs.length > 0) {
    const v = appSamlValues(app);
    const updated: OktaApp = structuredClone(app);
    updated.settings = { ...(updated.settings ?? {}), app: { ...(updated.settings?.app ?? {}), acsURL: sp.acsUrl, entityID: sp.issuerUrl } };
    changes.push({
      op: 'update',
      resource: ref,
      summary: `Update the SAML settings of the Okta app ${appRef(app)}`,
      risk: 'modifies-existing',
      before: { acsURL: v.acsUrl ?? null, entityID: v.entityId ?? null },
      after: { acsURL: sp.acsUrl, entityID: sp.issuerUrl },
      detail: differs.join('; '),
      payload: { action: 'update-saml', app: updated },
      writes: [okta('replaceApplication')],
      ...(recorded ? { drift: `The Okta app ${app.id}: ${differs.join('; ')}.` } : {}),
    });
  }
  if (app.status === 'INACTIVE') {
    changes.push({
      op: 'update',
      resource: ref,
      summary: `Activate the Okta app ${appRef(app)}`,
      risk: 'modifies-existing',
      before: { status: 'INACTIVE' },
      after: { status: 'ACTIVE' },
      detail: 'it is INACTIVE (POST /api/v1/apps/{id}/lifecycle/activate)',
      payload: { action: 'activate', appId: app.id },
      writes: [okta('activateApplication')],
      ...(recorded ? { drift: `The Okta app ${app.id} is INACTIVE, not ACTIVE.` } : {}),
    });
  }
  return changes;
}

export const oktaAppStep: Step<'okta-app', OktaAppAnswers, ObservedOktaApp> = {
  id: 'okta-app',
  title: 'Okta "AWS IAM Identity Center" app with SAML settings',
  kind: 'api',
  needs: ['preflight', 'sp-metadata'],

  async answers(ctx) {
    const label = await askLabel(ctx);
    const appId = ctx.io.hasAnswer('okta-app-id') ? await ctx.io.ask({ key: 'okta-app-id', message: 'Okta app ID to adopt' }) : undefined;
    return { label, ...(appId !== undefined ? { appId } : {}) };
  },

  async observe(ctx) {
    const sp = ctx.need('sp-metadata');
    return { sp, apps: await candidates(await ctx.services.okta()) };
  },

  async choose(ctx, obs, answers) {
    if (answers.appId !== undefined) return answers;
    // Only apps of this instance, or unconfigured ones, are ever offered: another instance's app is not.
    const { app, several, unset } = byRule(obs, answers.label);
    if (app) return answers;
    if (several) {
      const appId = await ctx.io.select({
        key: 'okta-app-id',
        message: several.byLabel ? `Several Okta apps are labelled "${answers.label}"; which one connects to Identity Center?` : 'Several Okta apps are set up for this Identity Center; which one to keep?',
        choices: several.apps.map((a) => ({ value: a.id, name: `${a.label} (${a.id})`, description: `${a.status}, acsURL ${appSamlValues(a).acsUrl ?? '(empty)'}` })),
      });
      return { ...answers, appId };
    }
    if (unset.length > 0) {
      const appId = await ctx.io.select({
        key: 'okta-app-id',
        message: `No ${OKTA_APP_NAME} app is labelled "${answers.label}", but ${unset.length} unconfigured other${unset.length === 1 ? ' is' : 's are'} there. Adopt one, or create a new app?`,
        choices: [{ value: CREATE, name: `Create a new app labelled "${answers.label}"` }, ...unset.map((a) => ({ value: a.id, name: `Adopt ${a.label} (${a.id})`, description: a.status }))],
        default: CREATE,
      });
      return { ...answers, appId };
    }
    return answers;
  },

  notes: (obs) => obs.apps.filter((a) => appOwner(a, obs.sp) === 'other').map(otherInstanceNote),

  plan: (obs, answers, recorded) => planOktaApp(obs, answers, recorded),

  async apply(ctx, changes, obs) {
    const client = await ctx.services.okta();
    let app: OktaApp | undefined;
    let adopted = true;
    for (const c of changes) {
      const pl = c.payload as OktaAppPayload;
      switch (pl.action) {
        case 'create': {
          const label = String(pl.body.label);
          const p = ctx.io.progress('OKTA_APP_CREATING', { label });
          try {
            const created = await client.createApp(pl.body);
            app = await readBack(client, created.id, obs.sp, 'created');
          } catch (e) {
            p.fail();
            throw e;
          }
          p.succeed('OKTA_APP_CREATED', { label, id: app.id });
          adopted = false;
          break;
        }
        case 'adopt':
          app = obs.apps.find((a) => a.id === pl.appId);
          if (app) ctx.io.info('OKTA_APP_ADOPTED', { app: appRef(app) });
          break;
        case 'update-saml':
          ctx.io.warn('OKTA_APP_SAML_DIFFERS', { app: appRef(pl.app), differences: c.detail ?? '' });
          await client.replaceApp(pl.app);
          app = await readBack(client, pl.app.id, obs.sp, 'updated');
          ctx.io.info('OKTA_APP_SAML_UPDATED', { appId: pl.app.id });
          break;
        case 'activate':
          await client.postJson(`/api/v1/apps/${encodeURIComponent(pl.appId)}/lifecycle/activate`, undefined);
          if (app) app = { ...app, status: 'ACTIVE' };
          ctx.io.info('OKTA_APP_ACTIVATED', { appId: pl.appId });
          break;
      }
    }
    if (!app) throw new WizardError('The okta-app plan had neither a create nor an adopt change.', { code: 'PLAN_INVALID', hint: 'Run again; if it persists, please report it.' });
    // An app an earlier run created stays "not adopted" (destroy removes it).
    const prev = ctx.outputs['okta-app'];
    return toOutput(app, adopted && !(prev?.appId === app.id && prev.adopted === false));
  },

  outputsAfter(obs, answers, changes) {
    const create = changes.find((c) => c.op === 'create');
    const sp = obs.sp;
    if (create) {
      const label = String((create.payload as { body: { label: string } }).body.label);
      return { appId: KNOWN_AFTER_APPLY, label, name: OKTA_APP_NAME, signingKid: KNOWN_AFTER_APPLY, acsUrl: sp.acsUrl, entityId: sp.issuerUrl, adopted: false };
    }
    const id = (changes.find((c) => c.op === 'adopt')?.payload as { appId?: string } | undefined)?.appId;
    const app = obs.apps.find((a) => a.id === id);
    if (!app) return undefined;
    return { appId: app.id, label: app.label, name: app.name, signingKid: app.credentials?.signing?.kid ?? KNOWN_AFTER_APPLY, acsUrl: sp.acsUrl, entityId: sp.issuerUrl, adopted: true };
  },
};
