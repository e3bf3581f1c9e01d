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
 *
 * answers: which app provisions (and the SCIM app's label); chooseProvisioningApp() finds it, once,
 *          for both plan and apply.
 * observe: the app, its connection and features (where Okta's APIs answer), the earlier outputs for
 *          the same app, whether this run holds a SCIM token, and (only when it decides) whether
 *          provisioning already works by its effect.
 * plan:    create the SCIM app (createApplication); adopt provisioning that is ENABLED, configured in
 *          the console earlier or working by its effect; else turn it on through the API
 *          (updateDefaultProvisioningConnectionForApplication; the console action if Okta refuses)
 *          or with the console action (connection UNKNOWN); set the features where they are off
 *          (updateFeatureForApplication). A newer SCIM token, a connection read as off, or features
 *          off make a done step's plan non-empty: drift.
 */
import type { ConsoleAction, Step, StepContext } from './contract.js';
import { stepInfo } from './catalog.js';
import { KNOWN_AFTER_APPLY, isKnownAfterApply, type Change, type PlannedWrite } from '../core/change.js';
import type { OktaAppOutput, OktaProvisioningOutput } from '../core/outputs.js';
import { UsageError, WizardError } from '../errors.js';
import { OktaAuthError, type AppFeature, type OktaApp, type OktaClient, type ProvisioningConnection, type UserProvisioningCapabilities } from '../okta/client.js';

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

async function findScimApps(okta: OktaClient, label: string): Promise<OktaApp[]> {
  return (await okta.findAppsByName(SCIM_APP_NAME)).filter((a) => a.status !== 'DELETED' && a.label === label);
}

/**
 * The features: read and set through the Application Features API where it answers; where it
 * answers 400 (apps it does not serve), the console action the person confirmed set them.
 * `mayUpdate`: the plan has the features change (else features found off are an error, not a write).
 */
async function ensureFeatures(ctx: StepContext, okta: OktaClient, app: { id: string; label: string }, mayUpdate: boolean): Promise<{ features: OktaProvisioningOutput['features']; source: 'api' | 'person' }> {
  const read = await okta.getUserProvisioning(app.id);
  if (read === undefined) {
    ctx.io.info('PROVISIONING_FEATURES_BY_PERSON', { label: app.label });
    return { features: { ...ALL_ON }, source: 'person' };
  }
  let features = featureFlags(read);
  if (featuresOk(features)) return { features, source: 'api' };
  if (mayUpdate) {
    try {
      features = featureFlags(await okta.updateUserProvisioning(app.id, WANTED_CAPABILITIES));
    } catch (e) {
      if (e instanceof OktaAuthError) throw e;
      ctx.io.debug('PROVISIONING_FEATURE_UPDATE_FAILED', { reason: e instanceof Error ? e.message : String(e) });
    }
    if (!featuresOk(features)) features = featureFlags(await okta.getUserProvisioning(app.id));
  }
  if (!featuresOk(features)) {
    throw new WizardError(`Provisioning of "${app.label}" is on, but ${missingFeatures(features).join('; ')}.`, {
      code: 'OKTA_PROVISIONING_FEATURES',
      hint: `In the Okta Admin Console open "${app.label}" > Provisioning > To App > Edit: enable Create Users, Update User Attributes and Deactivate Users, keep Sync Password off, Save; then run again.`,
    });
  }
  ctx.io.info('PROVISIONING_FEATURES_ENABLED', { label: app.label });
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

/** The step's answers: which app provisions, and the label of the separate SCIM app. */
export interface ProvisioningAnswers {
  which: 'identity-center' | 'scim-test-app';
  /** The separate SCIM app's label (scim-test-app only). */
  label?: string;
}

async function provisioningAnswers(ctx: StepContext): Promise<ProvisioningAnswers> {
  const which = await ctx.io.select<'identity-center' | 'scim-test-app'>({
    key: 'provisioning-app',
    message: 'Which Okta app provisions users to Identity Center?',
    choices: [
      { value: 'identity-center', name: 'The AWS IAM Identity Center app itself (recommended)' },
      { value: 'scim-test-app', name: 'A separate "SCIM 2.0 Test App (Header Auth)", as in the console walk-through' },
    ],
    default: 'identity-center',
  });
  if (which === 'identity-center') return { which };
  const label = (await ctx.io.ask({ key: 'scim-app-label', message: 'Label of the separate SCIM app', default: DEFAULT_SCIM_APP_LABEL })).trim();
  return { which, label };
}

type AppRef = { id: string; name: string; label: string };

/**
 * The one choice of the provisioning app (plan and apply both use what it found): the Identity
 * Center app, or the separate SCIM app found by its label (the first of several), or one to create.
 */
export async function chooseProvisioningApp(okta: OktaClient, idc: OktaAppOutput, ans: ProvisioningAnswers): Promise<{ app?: AppRef; create?: string; duplicates: number }> {
  if (ans.which === 'identity-center') {
    if (isKnownAfterApply(idc.appId)) return { app: { id: idc.appId, name: idc.name, label: idc.label }, duplicates: 0 };
    const app = await okta.getApp(idc.appId);
    if (!app) throw new WizardError(`The Okta app ${idc.appId} from the okta-app step no longer exists.`, { code: 'OKTA_APP_GONE', hint: 'Run `okta-aws-sso init` again so the okta-app step re-creates it.' });
    return { app: { id: app.id, name: app.name, label: app.label }, duplicates: 0 };
  }
  const label = ans.label ?? DEFAULT_SCIM_APP_LABEL;
  const found = await findScimApps(okta, label);
  if (found.length === 0) return { create: label, duplicates: 0 };
  return { app: { id: found[0]!.id, name: found[0]!.name, label: found[0]!.label }, duplicates: found.length };
}

/** The live provisioning of the chosen app, as observed. */
export interface ObservedProvisioning {
  /** Undefined: the separate SCIM app is to be created (`create` is its label). */
  app?: AppRef;
  create?: string;
  /** Apps sharing the SCIM app's label (the first is adopted). */
  duplicates: number;
  baseUrl: string;
  scimTokenEnteredAt: string;
  /** Undefined: not read (no app yet, or Okta did not answer). */
  conn?: ProvisioningConnection;
  /** Undefined: the Application Features API does not answer for this app (now). */
  features?: OktaProvisioningOutput['features'];
  /** The outputs of an earlier run for this same app. */
  previous?: OktaProvisioningOutput;
  /** A token was entered after the one Okta was given (scim-endpoint re-run). */
  newToken: boolean;
  /** This run holds a SCIM token (just entered or given again): where the API allows it, Okta gets it. */
  held: boolean;
  /** A token can be had for an API call (held, given, or asked for: not only a sandbox's own). */
  tokenInHand: boolean;
  /** A push mapping of the app is ACTIVE and has pushed (read only when it decides the plan). */
  worksByEffect: boolean;
}

export type ProvisioningPayload =
  | { action: 'create-app'; name: typeof SCIM_APP_NAME; label: string }
  | { action: 'adopt'; how: 'enabled' | 'console-earlier' | 'by-effect'; appId: string }
  | { action: 'configure-api'; appId: string; baseUrl: string; token: '<SCIM token>'; newToken: boolean; held: boolean }
  | { action: 'console'; appId: string; baseUrl: string; newToken: boolean; reason: string }
  | { action: 'features'; appId: string; capabilities: UserProvisioningCapabilities };

const oktaWrite = (operation: string): PlannedWrite[] => [{ service: 'okta', operation, count: 1 }];

export function planProvisioning(obs: ObservedProvisioning, recorded?: OktaProvisioningOutput): Change<ProvisioningPayload>[] {
  const changes: Change<ProvisioningPayload>[] = [];
  const appId = obs.app?.id ?? KNOWN_AFTER_APPLY;
  const label = obs.app?.label ?? obs.create ?? '';
  const resource = { kind: 'okta-provisioning', name: label, ...(obs.app ? { id: obs.app.id } : {}) };
  const previous = obs.previous;
  const conn = obs.conn;
  const enabled = isEnabled(conn);
  const sameUrl = conn?.baseUrl === undefined || conn.baseUrl === '' || scimBaseUrl(conn.baseUrl) === obs.baseUrl;
  // A held token is given to Okta by a run, not by a re-check of a done step.
  const held = obs.held && !recorded;
  const tokenDrift = obs.newToken && previous?.scimTokenEnteredAt ? `A new SCIM token was entered (${obs.scimTokenEnteredAt.slice(0, 10)}); Okta still holds the one from ${previous.scimTokenEnteredAt.slice(0, 10)}.` : undefined;

  if (obs.create) {
    changes.push({
      op: 'create',
      resource: { kind: 'okta-app', name: obs.create },
      summary: `Create the Okta app "${obs.create}" (SCIM 2.0 Test App, Header Auth) with its icons hidden`,
      risk: 'additive',
      payload: { action: 'create-app', name: SCIM_APP_NAME, label: obs.create },
      writes: oktaWrite('createApplication'),
      ...(recorded ? { drift: `The provisioning app ${recorded.appId} ("${recorded.appLabel}") no longer exists.` } : {}),
    });
  }
  let route: 'enabled' | 'console-earlier' | 'by-effect' | 'api' | 'console';
  if (obs.app && enabled && sameUrl && !obs.newToken && !held) route = 'enabled';
  else if (obs.app && !enabled && (conn === undefined || isUnknown(conn)) && !obs.newToken && previous?.via === 'console') route = 'console-earlier';
  else if (obs.app && !enabled && previous === undefined && !obs.held && obs.worksByEffect) route = 'by-effect';
  else route = obs.tokenInHand && !isUnknown(conn) ? 'api' : 'console';

  if (route === 'enabled' || route === 'console-earlier' || route === 'by-effect') {
    const why = {
      enabled: `Provisioning of "${label}" is ENABLED`,
      'console-earlier': `Provisioning of "${label}" was configured in the console earlier (verified by its effect)`,
      'by-effect': `Provisioning of "${label}" already works (a push mapping is ACTIVE and has pushed)`,
    }[route];
    changes.push({ op: 'adopt', resource, summary: why, risk: 'read-only', payload: { action: 'adopt', how: route, appId }, writes: [] });
  } else {
    const scale = obs.create ? 'additive' : 'modifies-existing';
    const drift = tokenDrift ?? (recorded && conn !== undefined && !isUnknown(conn) && !enabled ? `The provisioning connection of "${recorded.appLabel}" is ${conn.status ?? 'not set'}, not ENABLED.` : undefined);
    if (route === 'api') {
      changes.push({
        op: enabled ? 'update' : 'create',
        resource,
        summary: enabled ? `Give Okta the SCIM token this run holds for "${label}" (${obs.baseUrl})` : `Turn on provisioning of "${label}" to ${obs.baseUrl} through the API`,
        risk: scale,
        before: { connection: conn?.status ?? 'none' },
        after: { connection: 'ENABLED', baseUrl: obs.baseUrl },
        detail: 'a TOKEN connection, activated; if Okta refuses it through the API, a console action instead',
        payload: { action: 'configure-api', appId, baseUrl: obs.baseUrl, token: '<SCIM token>', newToken: obs.newToken, held },
        writes: oktaWrite('updateDefaultProvisioningConnectionForApplication'),
        ...(drift ? { drift } : {}),
      });
    } else {
      const reason = isUnknown(conn) ? 'Okta reads the connection as UNKNOWN (its Connections API does not serve this app)' : 'no SCIM token in hand (the sandbox supplies its own in the console action)';
      changes.push({
        op: 'console',
        resource: { kind: 'console-action', id: 'configure-okta-provisioning', name: label },
        summary: `Turn on provisioning in the Okta app "${label}" (console): ${obs.baseUrl}`,
        risk: 'read-only',
        detail: reason,
        payload: { action: 'console', appId, baseUrl: obs.baseUrl, newToken: obs.newToken, reason },
        writes: [],
        ...(drift ? { drift } : {}),
      });
    }
  }
  // Features: read where the Application Features API answers; set where they are off. Before a
  // connection exists the API cannot answer: a connection the Connections API serves (it read the
  // connection, not UNKNOWN) and that is made through the API is expected to start with them off.
  if (route === 'enabled' || route === 'api' || route === 'console') {
    const off = obs.features ? missingFeatures(obs.features) : [];
    const expected = route === 'api' && !enabled && obs.features === undefined && conn !== undefined;
    if (off.length > 0 || expected) {
      changes.push({
        op: 'update',
        resource,
        summary: `Enable Create Users, Update User Attributes and Deactivate Users on "${label}" (password sync off)`,
        risk: obs.create ? 'additive' : 'modifies-existing',
        ...(off.length > 0 ? { detail: off.join('; ') } : { detail: 'through the Application Features API once the connection is on' }),
        payload: { action: 'features', appId, capabilities: WANTED_CAPABILITIES },
        writes: oktaWrite('updateFeatureForApplication'),
        ...(recorded && off.length > 0 ? { drift: off.map((m) => `"${recorded.appLabel}" provisioning: ${m}.`).join(' ') } : {}),
      });
    }
  }
  return changes;
}

export const oktaProvisioningStep: Step<'okta-provisioning', ProvisioningAnswers, ObservedProvisioning> = {
  ...stepInfo('okta-provisioning'),
  needs: ['okta-app', 'scim-endpoint'],
  answers: provisioningAnswers,

  async observe(ctx, ans, recorded) {
    const idc = ctx.need('okta-app');
    const scim = ctx.need('scim-endpoint');
    const okta = await ctx.services.okta();
    const chosen = await chooseProvisioningApp(okta, idc, ans);
    const app = chosen.app;
    const known = app !== undefined && !isKnownAfterApply(app.id);
    const earlier = recorded ?? ctx.outputs['okta-provisioning'];
    const previous = app && earlier?.appId === app.id ? earlier : undefined;
    const held = ctx.secrets.get('scim-token') !== undefined;
    const conn = known ? await readConnection(okta, app.id) : undefined;
    const features = known ? await okta.getUserProvisioning(app.id) : undefined;
    const works = known && !isEnabled(conn) && previous === undefined && !held ? await worksByEffect(okta, app.id) : false;
    return {
      ...(app ? { app } : {}),
      ...(chosen.create !== undefined ? { create: chosen.create } : {}),
      duplicates: chosen.duplicates,
      baseUrl: scimBaseUrl(scim.endpoint),
      scimTokenEnteredAt: scim.tokenEnteredAt,
      ...(conn ? { conn } : {}),
      ...(features ? { features: featureFlags(features) } : {}),
      ...(previous ? { previous } : {}),
      newToken: previous?.scimTokenEnteredAt !== undefined && previous.scimTokenEnteredAt !== scim.tokenEnteredAt,
      held,
      tokenInHand: held || ctx.io.hasAnswer('scim-token') || !ctx.services.sandbox,
      worksByEffect: works,
    };
  },

  plan: (obs, _ans, recorded) => planProvisioning(obs, recorded),

  async apply(ctx, changes, obs) {
    const okta = await ctx.services.okta();
    // Features found off are set when the plan says so, or when this apply made the connection
    // through the API (a new app's connection could not be read before it existed).
    let mayUpdate = changes.some((c) => (c.payload as ProvisioningPayload).action === 'features');
    let app: AppRef | undefined = obs.app;
    let conn = obs.conn;
    let via: 'api' | 'console' = obs.previous?.via ?? 'api';
    // The separate SCIM app: created by this run, or by an earlier one (the marker survives; destroy reads it).
    let appCreated = obs.app !== undefined && obs.previous?.appId === obs.app.id && obs.previous.appCreated === true;
    const done = (f: { features: OktaProvisioningOutput['features']; source: 'api' | 'person' }): OktaProvisioningOutput => ({
      appId: app!.id,
      appName: app!.name,
      appLabel: app!.label,
      via,
      connectionStatus: conn?.status ?? 'UNKNOWN',
      features: f.features,
      featuresSource: f.source,
      scimTokenEnteredAt: obs.scimTokenEnteredAt,
      ...(appCreated ? { appCreated } : {}),
    });
    if (app && obs.duplicates > 1) ctx.io.warn('PROVISIONING_APP_DUPLICATES', { count: obs.duplicates, name: SCIM_APP_NAME, label: app.label, id: app.id });
    if (app && obs.duplicates > 0) ctx.io.info('PROVISIONING_APP_ADOPTED', { label: app.label, id: app.id });

    for (const c of changes) {
      const pl = c.payload as ProvisioningPayload;
      switch (pl.action) {
        case 'create-app': {
          const created = await okta.createApp({ name: SCIM_APP_NAME, label: pl.label, signOnMode: 'AUTO_LOGIN', visibility: { autoSubmitToolbar: false, hide: { iOS: true, web: true } } });
          app = { id: created.id, name: created.name, label: created.label };
          appCreated = true;
          ctx.io.info('PROVISIONING_APP_CREATED', { label: pl.label, id: created.id });
          break;
        }
        case 'adopt':
          if (pl.how === 'enabled') {
            ctx.io.info('PROVISIONING_ENABLED', { label: app!.label });
          } else if (pl.how === 'console-earlier') {
            ctx.io.info('PROVISIONING_CONSOLE_EARLIER', { label: app!.label });
            return { ...obs.previous!, connectionStatus: conn?.status ?? obs.previous!.connectionStatus, scimTokenEnteredAt: obs.scimTokenEnteredAt, ...(appCreated ? { appCreated } : {}) };
          } else {
            ctx.io.info('PROVISIONING_WORKS_BY_EFFECT', { label: app!.label });
            via = 'console';
            return done({ features: { ...ALL_ON }, source: 'person' });
          }
          break;
        case 'configure-api':
        case 'console': {
          const target = app!;
          // The token (for the API call, or for the person to paste). A sandbox run may get it from the sandbox.
          const raw = ctx.secrets.get('scim-token') ?? (ctx.services.sandbox ? await ctx.io.secret({ key: 'scim-token', message: 'Identity Center SCIM access token (for Okta provisioning)', optional: true }) : await scimToken(ctx));
          const token = raw === undefined ? undefined : withScheme(target, raw);
          if (token !== undefined) ctx.io.registerSecret(token);
          let refused: string | undefined = pl.action === 'console' ? pl.reason : undefined;
          if (pl.action === 'configure-api') {
            if (pl.held && isEnabled(conn) && !pl.newToken) ctx.io.info('PROVISIONING_GIVE_HELD_TOKEN', { label: target.label });
            if (token === undefined) refused = 'no SCIM token in hand (the sandbox supplies its own in the console action)';
            else {
              const r = await configureThroughApi(okta, target.id, pl.baseUrl, token);
              conn = r.conn;
              refused = r.refused;
            }
          }
          if (refused === undefined) {
            via = 'api';
            mayUpdate = true;
            ctx.io.info('PROVISIONING_CONFIGURED_API', { label: target.label, baseUrl: pl.baseUrl });
            break;
          }
          via = 'console';
          ctx.io.info('PROVISIONING_NEEDS_CONSOLE', { reason: refused });
          await ctx.io.consoleAction(provisioningAction(target, pl.baseUrl, token, pl.newToken));
          conn = await readConnection(okta, target.id);
          if (conn !== undefined && !isUnknown(conn) && !isEnabled(conn)) {
            // The API does answer for this app, and says provisioning is off: the console action was not completed.
            throw new WizardError(`The provisioning connection of "${target.label}" is ${conn.status ?? 'not set'}, not ENABLED.`, {
              code: 'OKTA_PROVISIONING_NOT_ENABLED',
              hint: 'Repeat the console action (Provisioning > Configure API Integration > Enable API Integration, Test API Credentials, Save), then run `okta-aws-sso resume`.',
            });
          }
          break;
        }
        case 'features':
          // Carried out by ensureFeatures below (only where they are off).
          break;
      }
    }
    if (!app) throw new WizardError('The okta-provisioning plan had no app to provision through.', { code: 'PLAN_INVALID', hint: 'Run again; if it persists, please report it.' });
    return done(await ensureFeatures(ctx, okta, app, mayUpdate));
  },

  outputsAfter(obs, _ans, changes) {
    const viaConsole = changes.some((c) => c.op === 'console');
    return {
      appId: obs.app?.id ?? KNOWN_AFTER_APPLY,
      appName: obs.app?.name ?? SCIM_APP_NAME,
      appLabel: obs.app?.label ?? obs.create ?? '',
      via: obs.previous?.via ?? (viaConsole ? 'console' : 'api'),
      connectionStatus: obs.conn?.status ?? KNOWN_AFTER_APPLY,
      features: { ...ALL_ON },
      featuresSource: obs.features ? 'api' : 'person',
      scimTokenEnteredAt: obs.scimTokenEnteredAt,
    };
  },
};
