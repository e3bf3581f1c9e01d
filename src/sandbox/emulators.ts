/**
 * How the harness builds the two emulators it hosts (src/sandbox/okta, src/sandbox/aws). The
 * harness depends only on the members listed here; the emulators own their state and behaviour.
 */
import type { JWK } from 'jose';
import type { AwsEmulatorOptions, ConsoleActionResult, Emulator, OktaEmulatorOptions } from './types.js';

type MaybePromise<T> = T | Promise<T>;

export interface OktaEmulatorLike extends Emulator {
  setBaseUrl(url: string): void;
  setOptions(options: OktaEmulatorOptions): void;
  idle(): Promise<void>;
  console: {
    configureProvisioning(p: { appId: string; baseUrl: string; token: string }): MaybePromise<ConsoleActionResult | void>;
    createPushRule(p: { appId: string; name: string; prefix: string }): MaybePromise<ConsoleActionResult | void>;
  };
}

export interface AwsInfo {
  region: string;
  instanceArn: string;
  identityStoreId: string;
  managementAccountId: string;
  scimEndpoint: string;
  portalUrl: string;
}

export interface AwsEmulatorLike extends Emulator {
  setBaseUrl(url: string): void;
  setOptions(options: AwsEmulatorOptions): void;
  info(): AwsInfo;
  console: {
    downloadSpMetadata(): MaybePromise<ConsoleActionResult | void>;
    uploadIdpMetadata(p: { xml: string }): MaybePromise<ConsoleActionResult | void>;
    enableAutomaticProvisioning(): MaybePromise<ConsoleActionResult | void>;
  };
}

export interface EmulatorFactoryInput {
  oktaApiToken: string;
  oauthClient: { clientId: string; jwks: JWK[]; scopes: string[] };
  awsSeed: number;
  okta?: OktaEmulatorOptions;
  aws?: AwsEmulatorOptions;
}

export interface EmulatorFactory {
  okta(input: EmulatorFactoryInput): MaybePromise<OktaEmulatorLike>;
  aws(input: EmulatorFactoryInput): MaybePromise<AwsEmulatorLike>;
}

interface OktaModule {
  createOktaEmulator(opts: { apiToken: string; oauthClients: { clientId: string; jwks: JWK[]; scopes: string[] }[]; options?: OktaEmulatorOptions }): OktaEmulatorLike;
}
interface AwsModule {
  createAwsEmulator(opts: { options?: AwsEmulatorOptions; seed?: number }): AwsEmulatorLike;
}

// The emulators are loaded on first use: `okta-aws-sso --help` never pays for them.
const OKTA_MODULE = './okta/index.js';
const AWS_MODULE = './aws/index.js';

export const realEmulators: EmulatorFactory = {
  async okta(input) {
    const m = (await import(OKTA_MODULE)) as OktaModule;
    return m.createOktaEmulator({ apiToken: input.oktaApiToken, oauthClients: [input.oauthClient], options: input.okta ?? {} });
  },
  async aws(input) {
    const m = (await import(AWS_MODULE)) as AwsModule;
    return m.createAwsEmulator({ options: input.aws ?? {}, seed: input.awsSeed });
  },
};
