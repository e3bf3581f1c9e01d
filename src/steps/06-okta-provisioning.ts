/**
 * Step 6: Okta provisions users to the Identity Center SCIM endpoint. Okta documents the Connections
 * and Application Features APIs for a few apps only; for amazon_aws_sso and the SCIM test apps a
 * real org answers the connection with status UNKNOWN and the features with 400. So both APIs are
 * best effort: used where they answer meaningfully (TOKEN connection, then Create Users, Update User
 * Attributes, Deactivate Users with password sync off); otherwise the person does the console action
 * and confirms it, the output records that the features were confirmed by the person (not read), and
 * provisioning is verified by its effect in the later steps (push mapping ACTIVE, pushed group and
 * test user arriving in Identity Center).
 *
 * `--provisioning-app scim-test-app` provisions through a second app, "SCIM 2.0 Test App (Header
 * Auth)" (scim2headerauth) labelled "SCIM 2.0 TestApp" with its icons hidden, as the published console
 * walk-through does.
 */
import type { ConsoleAction, Drift, LegacyStep, StepContext } from './contract.js';
import type { OktaAppOutput, OktaProvisioningOutput } from '../core/outputs.js';
import { UsageError, WizardError } from '../errors.js';
import { OktaAuthError, type AppFeature, type OktaApp, type OktaClient, type ProvisioningConnection, type UserProvisioningCapabilities } from '../okta/client.js';
import { validateLabel } from './03-okta-app.js';

export const SCIM_APP_NAME = 'scim2headerauth';
export const DEFAULT_SCIM_APP_LABEL = 'SCIM 2.0 TestApp';

export const WANTED_CAPABILITIES: UserProvisioningCapabilities = {
  create: { lifecycleCreate: { status: 'ENABLED' } },
  update: {
    profile: { status: 'ENABLED' },
    lifecycleDeactivate: { status: 'ENABLED' },
    password: { status: 'DISABLED', seed: 'RANDOM', change: 'KEEP_EXISTING' },
  },
};

export function featureFlags(f: AppFeature | undefined): OktaProvisioningOutput['features'] {
  const c = f?.capabilities;
  return {
    create: c?.create?.lifecycleCreate?.status === 'ENABLED',
    update: c?.update?.profile?.status === 'ENABLED',
    deactivate: c?.update?.lifecycleDeactivate?.status === 'ENABLED',
    passwordSync: c?.update?.password?.status === 'ENABLED',
  };
}

function featuresOk(f: OktaProvisioningOutput['features']): boolean {
  return f.create && f.update && f.deactivate && !f.passwordSync;
}

function missingFeatures(f: OktaProvisioningOutput['features']): string[] {
  const out: string[] = [];
  if (!f.create) out.push('Create Users is off');
  if (!f.update) out.push('Update User Attributes is off');
  if (!f.deactivate) out.push('Deactivate Users is off');
  if (f.passwordSync) out.push('Sync Password is on (Identity Center does not accept passwords)');
  return out;
}

/** The SCIM base URL as Okta needs it: no trailing slash (Okta's connection test fails with one). */
export function scimBaseUrl(endpoint: string): string {
  return endpoint.trim().replace(/\/+$/, '');
}

export function isEnabled(c: ProvisioningConnection | undefined): boolean {
  return c?.status === 'ENABLED';
}

export function isUnknown(c: ProvisioningConnection | undefined): boolean {
  return c?.status === 'UNKNOWN' || c?.authScheme === 'UNKNOWN' || c?.profile?.authScheme === 'UNKNOWN';
}

export async function readConnection(okta: OktaClient, appId: string): Promise<ProvisioningConnection | undefined> {
  try {
    return await okta.getConnection(appId);
  } catch (e) {
    if (e instanceof OktaAuthError) throw e;
    return undefined;
  }
}

/** Likely console mistakes when provisioning shows no effect (named by the waits of later steps). */
export const CONSOLE_MISTAKES =
  'in the Okta app > Provisioning: "Enable API Integration" not ticked or not saved, a wrong SCIM base URL (it must be the Identity Center SCIM endpoint without a trailing slash), ' +
  'the access token not pasted or not saved (or an expired / replaced one), or To App > "Create Users" off';

export function provisioningAction(app: { id: string; label: string; name: string }, baseUrl: string, token: string | undefined, newToken = false): ConsoleAction {
  const headerAuth = app.name === SCIM_APP_NAME;
  return {
    id: 'configure-okta-provisioning',
    title: `Turn on provisioning in the Okta app "${app.label}"`,
    where: `Okta Admin Console > Applications > Applications > ${app.label} > Provisioning`,
    instructions: [
      ...(newToken ? ['A new Identity Center access token was entered: Okta still holds the old one, so paste the new one (step 4 below).'] : []),
      `Open the Okta Admin Console, Applications > Applications, and open "${app.label}".`,
      'Open the Provisioning tab and choose Configure API Integration.',
      'Tick Enable API Integration.',
      headerAuth
        ? 'In "SCIM 2.0 Base Url" paste the SCIM endpoint below; in "OAuth Bearer Token" paste "Bearer " followed by the access token you copied from Identity Center (this app sends it as is).'
        : 'In "Base URL" paste the SCIM endpoint below; in "API Token" paste the access token you copied from Identity Center.',
      'Choose Test API Credentials and wait for the success message, then Save.',
      'Still on the Provisioning tab, under Settings > To App, choose Edit.',
      'Enable Create Users, Update User Attributes and Deactivate Users; leave Sync Password off. Save.',
    ],
    values: [
      { label: 'SCIM endpoint (no trailing slash)', value: baseUrl },
      { label: 'Access token', value: 'the Identity Center access token (shown once in Identity Center; not printed here)' },
    ],
    // Without a token (a resumed sandbox run), the sandbox uses the token its Identity Center issued last.
    sandboxPayload: token === undefined ? { appId: app.id, baseUrl } : { appId: app.id, baseUrl, token },
  };
}

/** The token as this app sends it: the Header Auth test app sends the header value as is, so it carries "Bearer ". */
export function withScheme(app: { name: string }, raw: string): string {
  return app.name === SCIM_APP_NAME && !raw.startsWith('Bearer ') ? `Bearer ${raw}` : raw;
}

const ALL_ON: OktaProvisioningOutput['features'] = { create: true, update: true, deactivate: true, passwordSync: false };

/** Provisioning shows its effect: a push mapping of the app is ACTIVE and has pushed. */
async function worksByEffect(okta: OktaClient, appId: string): Promise<boolean> {
  try {
    return (await okta.listPushMappings(appId)).some((m) => m.status === 'ACTIVE' && typeof m.lastPush === 'string' && m.lastPush !== '');
  } catch (e) {
    if (e instanceof OktaAuthError) throw e;
    return false;
  }
}

/** POST the TOKEN connection and activate it; the reason when Okta cannot be configured through the API. */
export async function configureThroughApi(okta: OktaClient, appId: string, baseUrl: string, token: string): Promise<{ conn: ProvisioningConnection | undefined; refused?: string }> {
  let conn: ProvisioningConnection | undefined;
  try {
    conn = await okta.setTokenConnection(appId, baseUrl, token);
    if (conn && !isUnknown(conn) && conn.status === 'DISABLED') {
      // Okta answers with the connection as saved before ?activate=true took effect: read it again.
      conn = await readConnection(okta, appId);
      if (conn?.status === 'DISABLED') {
        await okta.activateConnection(appId);
        conn = await readConnection(okta, appId);
      }
    }
  } catch (e) {
    if (e instanceof OktaAuthError) throw e;
    return { conn, refused: e instanceof Error ? e.message : String(e) };
  }
  if (isUnknown(conn)) return { conn, refused: 'Okta answered UNKNOWN (its Connections API does not serve this app)' };
  if (!isEnabled(conn)) return { conn, refused: `the connection is ${conn?.status ?? 'missing'} after the API call` };
  return { conn };
}

/**
 * The features: read and set through the Application Features API where it answers; where it
 * answers 400 (apps it does not serve), the console action the person confirmed set them.
 */
async function ensureFeatures(ctx: StepContext, okta: OktaClient, app: { id: string; label: string }): Promise<{ features: OktaProvisioningOutput['features']; source: 'api' | 'person' }> {
  const read = await okta.getUserProvisioning(app.id);
  if (read === undefined) {
    ctx.io.info(
      `Okta's Application Features API does not serve "${app.label}" (it answered 400), so Create Users, Update User Attributes and Deactivate Users are taken as set in the console action you confirmed; ` +
        'the group push and the test user verify them by their effect.',
    );
    return { features: { ...ALL_ON }, source: 'person' };
  }
  let features = featureFlags(read);
  if (featuresOk(features)) return { features, source: 'api' };
  try {
    features = featureFlags(await okta.updateUserProvisioning(app.id, WANTED_CAPABILITIES));
  } catch (e) {
    if (e instanceof OktaAuthError) throw e;
    ctx.io.debug(`Updating USER_PROVISIONING failed: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!featuresOk(features)) features = featureFlags(await okta.getUserProvisioning(app.id));
  if (!featuresOk(features)) {
    throw new WizardError(`Provisioning of "${app.label}" is on, but ${missingFeatures(features).join('; ')}.`, {
      code: 'OKTA_PROVISIONING_FEATURES',
      hint: `In the Okta Admin Console open "${app.label}" > Provisioning > To App > Edit: enable Create Users, Update User Attributes and Deactivate Users, keep Sync Password off, Save; then run again.`,
    });
  }
  ctx.io.info(`Enabled Create Users, Update User Attributes and Deactivate Users on "${app.label}" (password sync off).`);
  return { features, source: 'api' };
}

async function scimToken(ctx: StepContext): Promise<string> {
  const kept = ctx.secrets.get('scim-token');
  if (kept) return kept;
  const t = await ctx.io.secret({ key: 'scim-token', message: 'Identity Center SCIM access token (for Okta provisioning)' });
  if (!t) throw new UsageError('The Identity Center SCIM access token is needed to configure Okta provisioning.', { code: 'SCIM_TOKEN_MISSING', hint: 'Set SCIM_TOKEN or pass --scim-token-file <file>.' });
  ctx.secrets.set('scim-token', t);
  return t;
}

async function whichApp(ctx: StepContext): Promise<'identity-center' | 'scim-test-app'> {
  return ctx.io.select<'identity-center' | 'scim-test-app'>({
    key: 'provisioning-app',
    message: 'Which Okta app provisions users to Identity Center?',
    choices: [
      { value: 'identity-center', name: 'The AWS IAM Identity Center app itself (recommended)' },
      { value: 'scim-test-app', name: 'A separate "SCIM 2.0 Test App (Header Auth)", as in the console walk-through' },
    ],
    default: 'identity-center',
  });
}

async function findScimApps(okta: OktaClient, label: string): Promise<OktaApp[]> {
  return (await okta.findAppsByName(SCIM_APP_NAME)).filter((a) => a.status !== 'DELETED' && a.label === label);
}

/** The app that provisions: the Identity Center app, or the separate SCIM app (found or created). */
async function provisioningApp(ctx: StepContext, okta: OktaClient, idc: OktaAppOutput): Promise<OktaApp> {
  const which = await whichApp(ctx);
  if (which === 'identity-center') {
    const app = await okta.getApp(idc.appId);
    if (!app) throw new WizardError(`The Okta app ${idc.appId} from the okta-app step no longer exists.`, { code: 'OKTA_APP_GONE', hint: 'Run `okta-aws-sso init` again so the okta-app step re-creates it.' });
    return app;
  }
  const label = (await ctx.io.ask({ key: 'scim-app-label', message: 'Label of the separate SCIM app', default: DEFAULT_SCIM_APP_LABEL, validate: validateLabel })).trim();
  const found = await findScimApps(okta, label);
  if (found.length > 0) {
    if (found.length > 1) ctx.io.warn(`${found.length} ${SCIM_APP_NAME} apps are labelled "${label}"; adopting the first (${found[0]!.id}).`);
    ctx.io.info(`Adopting the existing SCIM app "${label}" (${found[0]!.id}).`);
    return found[0]!;
  }
  const ok = await ctx.io.confirm({ message: `Create the Okta app "${label}" (SCIM 2.0 Test App, Header Auth) with its icons hidden?`, default: true });
  if (!ok) throw new UsageError('Stopped: the SCIM app was not created.', { code: 'DECLINED', hint: 'Run again and approve, or use --provisioning-app identity-center.' });
  const created = await okta.createApp({
    name: SCIM_APP_NAME,
    label,
    signOnMode: 'AUTO_LOGIN',
    visibility: { autoSubmitToolbar: false, hide: { iOS: true, web: true } },
  });
  ctx.io.info(`Created the Okta app "${label}" (${created.id}) with its icons hidden.`);
  return created;
}

export const oktaProvisioningStep: LegacyStep<'okta-provisioning'> = {
  id: 'okta-provisioning',
  title: 'Okta provisioning to the Identity Center SCIM endpoint',
  kind: 'api',
  needs: ['okta-app', 'scim-endpoint'],

  async plan(ctx) {
    const idc = ctx.outputs['okta-app'];
    const scim = ctx.outputs['scim-endpoint'];
    if (!idc || !scim) return [{ kind: 'pending', target: 'Okta provisioning', detail: 'needs the Okta app and the SCIM endpoint' }];
    const okta = await ctx.services.okta();
    let appId = idc.appId;
    if (ctx.io.hasAnswer('provisioning-app') && (await whichApp(ctx)) === 'scim-test-app') {
      const label = ctx.io.hasAnswer('scim-app-label') ? await ctx.io.ask({ key: 'scim-app-label', message: 'SCIM app label' }) : DEFAULT_SCIM_APP_LABEL;
      const found = await findScimApps(okta, label);
      if (found.length === 0) return [{ kind: 'create', target: `Okta app "${label}" (${SCIM_APP_NAME})` }, { kind: 'create', target: `provisioning to ${scimBaseUrl(scim.endpoint)}` }];
      appId = found[0]!.id;
    }
    const previous = ctx.outputs['okta-provisioning'];
    const newToken = previous?.appId === appId && previous.scimTokenEnteredAt !== undefined && previous.scimTokenEnteredAt !== scim.tokenEnteredAt;
    if (newToken) return [{ kind: 'update', target: `provisioning of app ${appId}`, detail: 'give Okta the new SCIM token (API where Okta allows it, else a console action)' }];
    const conn = await readConnection(okta, appId);
    if (isEnabled(conn)) {
      const read = await okta.getUserProvisioning(appId);
      if (read === undefined) return [{ kind: 'noop', target: `provisioning of app ${appId}`, detail: 'connection ENABLED; features not readable through the API' }];
      const f = featureFlags(read);
      return featuresOk(f) ? [{ kind: 'noop', target: `provisioning of app ${appId}`, detail: 'connection ENABLED, features on' }] : [{ kind: 'update', target: `provisioning features of app ${appId}`, detail: missingFeatures(f).join('; ') }];
    }
    if (previous?.appId === appId && previous.via === 'console') return [{ kind: 'noop', target: `provisioning of app ${appId}`, detail: 'configured in the console earlier; verified by its effect' }];
    return [{ kind: 'create', target: `provisioning of app ${appId} to ${scimBaseUrl(scim.endpoint)}`, detail: 'through the API when Okta allows it, else a console action' }];
  },

  async apply(ctx) {
    const idc = ctx.need('okta-app');
    const scim = ctx.need('scim-endpoint');
    const okta = await ctx.services.okta();
    const app = await provisioningApp(ctx, okta, idc);
    const baseUrl = scimBaseUrl(scim.endpoint);
    const previous = ctx.outputs['okta-provisioning']?.appId === app.id ? ctx.outputs['okta-provisioning'] : undefined;
    // A token entered after the one Okta was given (scim-endpoint re-run): Okta must get it too.
    const newToken = previous?.scimTokenEnteredAt !== undefined && previous.scimTokenEnteredAt !== scim.tokenEnteredAt;
    // A token in hand in this run (just entered or given again): where the API allows it, Okta gets it.
    const held = ctx.secrets.get('scim-token');

    let conn = await readConnection(okta, app.id);
    const sameUrl = conn?.baseUrl === undefined || conn.baseUrl === '' || scimBaseUrl(conn.baseUrl) === baseUrl;
    let via: 'api' | 'console' = previous?.via ?? 'api';
    const done = (features: { features: OktaProvisioningOutput['features']; source: 'api' | 'person' }): OktaProvisioningOutput => ({
      appId: app.id,
      appName: app.name,
      appLabel: app.label,
      via,
      connectionStatus: conn?.status ?? 'UNKNOWN',
      features: features.features,
      featuresSource: features.source,
      scimTokenEnteredAt: scim.tokenEnteredAt,
    });

    if (isEnabled(conn) && sameUrl && !newToken && held === undefined) {
      ctx.io.info(`Provisioning of "${app.label}" is already ENABLED.`);
      return done(await ensureFeatures(ctx, okta, app));
    }
    if (!isEnabled(conn) && !newToken && previous?.via === 'console') {
      ctx.io.info(`Provisioning of "${app.label}" was configured in the console earlier (Okta's API cannot read it back); the later steps verify it by its effect.`);
      return { ...previous, connectionStatus: conn?.status ?? previous.connectionStatus, scimTokenEnteredAt: scim.tokenEnteredAt };
    }
    if (!isEnabled(conn) && previous === undefined && held === undefined && (await worksByEffect(okta, app.id))) {
      ctx.io.info(`Provisioning of "${app.label}" already works: a push mapping of the app is ACTIVE and has pushed. Adopting it.`);
      via = 'console';
      return done({ features: { ...ALL_ON }, source: 'person' });
    }

    // The token is needed (for the API call, or for the person to paste). A sandbox run may get it from the sandbox.
    const raw = held ?? (ctx.services.sandbox ? await ctx.io.secret({ key: 'scim-token', message: 'Identity Center SCIM access token (for Okta provisioning)', optional: true }) : await scimToken(ctx));
    const token = raw === undefined ? undefined : withScheme(app, raw);
    if (token !== undefined) ctx.io.registerSecret(token);
    if (isEnabled(conn) && !newToken && sameUrl) ctx.io.info(`Giving Okta the SCIM token this run holds (provisioning of "${app.label}" reads ENABLED, but Okta may hold an older token).`);
    // A connection that reads UNKNOWN: Okta's Connections API does not serve this app, so no POST is tried.
    const r =
      token === undefined
        ? { conn, refused: 'no SCIM token in hand (the sandbox supplies its own in the console action)' }
        : isUnknown(conn)
          ? { conn, refused: 'Okta reads the connection as UNKNOWN (its Connections API does not serve this app)' }
          : await configureThroughApi(okta, app.id, baseUrl, token);
    conn = r.conn;
    if (r.refused === undefined) {
      via = 'api';
      ctx.io.info(`Configured provisioning of "${app.label}" through the API (${baseUrl}).`);
      return done(await ensureFeatures(ctx, okta, app));
    }
    via = 'console';
    ctx.io.info(`Provisioning cannot be set through the API: ${r.refused}. It takes a console action.`);
    await ctx.io.consoleAction(provisioningAction(app, baseUrl, token, newToken));
    conn = await readConnection(okta, app.id);
    if (conn !== undefined && !isUnknown(conn) && !isEnabled(conn)) {
      // The API does answer for this app, and says provisioning is off: the console action was not completed.
      throw new WizardError(`The provisioning connection of "${app.label}" is ${conn.status ?? 'not set'}, not ENABLED.`, {
        code: 'OKTA_PROVISIONING_NOT_ENABLED',
        hint: 'Repeat the console action (Provisioning > Configure API Integration > Enable API Integration, Test API Credentials, Save), then run `okta-aws-sso resume`.',
      });
    }
    return done(await ensureFeatures(ctx, okta, app));
  },

  async check(ctx, out) {
    const okta = await ctx.services.okta();
    const drift: Drift[] = [];
    const app = await okta.getApp(out.appId);
    if (!app) return [{ message: `The provisioning app ${out.appId} ("${out.appLabel}") no longer exists.` }];
    const scim = ctx.outputs['scim-endpoint'];
    if (scim && out.scimTokenEnteredAt !== undefined && scim.tokenEnteredAt !== out.scimTokenEnteredAt) {
      drift.push({ message: `A new SCIM token was entered (${scim.tokenEnteredAt.slice(0, 10)}); Okta still holds the one from ${out.scimTokenEnteredAt.slice(0, 10)}.` });
    }
    const conn = await readConnection(okta, out.appId);
    // UNKNOWN: Okta's Connections API does not serve this app; the later steps verify provisioning by its effect.
    if (conn !== undefined && !isUnknown(conn) && !isEnabled(conn)) drift.push({ message: `The provisioning connection of "${out.appLabel}" is ${conn.status ?? 'not set'}, not ENABLED.` });
    const read = await okta.getUserProvisioning(out.appId);
    if (read !== undefined) for (const m of missingFeatures(featureFlags(read))) drift.push({ message: `"${out.appLabel}" provisioning: ${m}.` });
    return drift;
  },
};
