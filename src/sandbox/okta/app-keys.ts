/** SAML metadata of an app and its signing keys (credentials/keys). */
import type { Handlers, Org } from './context.js';
import { OktaHttpError, apiValidation, notFound } from './errors.js';
import { app } from './org.js';
import { idpMetadataXml, newSigningKey, toJwk } from './saml.js';
import type { AppRec } from './state.js';

/**
 * A seeded app (seed.ts) is listed with its kid but gets its key only when a call needs the key
 * itself (metadata, keys, a sign-in): the certificate is made then, under the kid already served.
 */
export async function ensureKeys(a: AppRec): Promise<AppRec> {
  if (a.keys.length === 0) {
    const key = await newSigningKey(10, `sandbox-${a.id}`);
    if (a.keys.length === 0) a.keys.push({ ...key, kid: a.activeKid });
  }
  return a;
}

export function appKeyHandlers(org: Org): Handlers {
  return {
    previewSAMLmetadataForApplication: async (ctx) => {
      const a = await ensureKeys(app(org, ctx.params.appId ?? ''));
      const kid = String(ctx.query.kid ?? '');
      const key = a.keys.find((k) => k.kid === kid);
      if (!key) throw notFound('AppKey', kid);
      if (a.signOnMode !== 'SAML_2_0') throw apiValidation('signOnMode', ['SAML metadata is only available for SAML 2.0 apps']);
      const accept = ctx.req.headers.accept ?? '';
      // The metadata is XML only: asking for JSON alone is refused, as Okta does.
      if (/application\/json/.test(accept) && !/xml|\*\/\*/.test(accept)) {
        throw new OktaHttpError(400, 'E0000019', 'Bad request. Accept and/or Content-Type headers likely do not match supported values.');
      }
      const type = /application\/xml/.test(accept) ? 'application/xml;charset=ISO-8859-1' : 'text/xml;charset=ISO-8859-1';
      return { status: 200, text: idpMetadataXml({ orgUrl: org.orgUrl, appName: a.name, externalKey: a.externalKey, key }), headers: { 'content-type': type } };
    },
    listApplicationKeys: async (ctx) => ({ status: 200, json: (await ensureKeys(app(org, ctx.params.appId ?? ''))).keys.map(toJwk) }),
    getApplicationKey: async (ctx) => {
      const a = await ensureKeys(app(org, ctx.params.appId ?? ''));
      const key = a.keys.find((k) => k.kid === ctx.params.keyId);
      if (!key) throw notFound('AppKey', ctx.params.keyId ?? '');
      return { status: 200, json: toJwk(key) };
    },
    generateApplicationKey: async (ctx) => {
      const a = await ensureKeys(app(org, ctx.params.appId ?? ''));
      const years = Number(ctx.query.validityYears);
      if (!Number.isInteger(years) || years < 2 || years > 10) throw apiValidation('validityYears', ['validityYears: Validity years out of range. It should be 2 - 10 years']);
      const key = await newSigningKey(years, `sandbox-${a.id}`, new Date(), true);
      a.keys.push(key);
      return { status: 201, json: toJwk(key) };
    },
  };
}
