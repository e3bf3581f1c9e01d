/**
 * How the harness builds the two emulators it hosts (src/sandbox/okta, src/sandbox/aws). The
 * emulators own their state and behaviour; they are imported on first use (never for --help).
 */
import type { JWK } from 'jose';
import type { AwsEmulator } from './aws/index.js';
import type { OktaEmulator } from './okta/index.js';
import type { AwsEmulatorOptions, OktaEmulatorOptions } from './types.js';

type MaybePromise<T> = T | Promise<T>;

/** The Okta emulator as the harness uses it (src/sandbox/okta/index.ts). */
export type OktaEmulatorLike = OktaEmulator;

/** The AWS emulator as the harness uses it (src/sandbox/aws/index.ts). */
export type AwsEmulatorLike = AwsEmulator;
export type AwsInfo = ReturnType<AwsEmulator['info']>;

export interface EmulatorFactoryInput {
  oktaApiToken: string;
  oauthClient: { clientId: string; jwks: JWK[]; scopes: string[] };
  awsSeed: number;
  okta?: OktaEmulatorOptions;
  aws?: AwsEmulatorOptions;
}

export interface EmulatorFactory {
  /** Loads what the emulators need (modules, specs) ahead of time, in parallel with other start work. */
  preload?(): Promise<void>;
  okta(input: EmulatorFactoryInput): MaybePromise<OktaEmulatorLike>;
  aws(input: EmulatorFactoryInput): MaybePromise<AwsEmulatorLike>;
}

// The emulators are loaded on first use: `okta-aws-sso --help` never pays for them.

export const realEmulators: EmulatorFactory = {
  async preload() {
    await Promise.all([import('./okta/index.js'), import('./aws/index.js')]);
  },
  async okta(input) {
    const [m, seed] = await Promise.all([import('./okta/index.js'), import('./okta/seed.js')]);
    const emu = m.createOktaEmulator({ apiToken: input.oktaApiToken, oauthClients: [input.oauthClient], options: input.okta ?? {} });
    // A fresh org has a directory of people and groups spanning several pages (a saved state replaces it).
    const dir = { users: input.okta?.directory?.users ?? seed.DEFAULT_DIRECTORY.users, groups: input.okta?.directory?.groups ?? seed.DEFAULT_DIRECTORY.groups };
    if (dir.users > 0 || dir.groups > 0) emu.seedDirectory(dir);
    // ...and apps of every kind over several pages, two of them other AWS organizations' amazon_aws_sso apps.
    const apps = { apps: input.okta?.directory?.apps ?? seed.DEFAULT_APPS.apps, awsApps: input.okta?.directory?.awsApps ?? seed.DEFAULT_APPS.awsApps };
    if (apps.apps > 0 || apps.awsApps > 0) emu.seedApps(apps);
    return emu;
  },
  async aws(input) {
    const m = await import('./aws/index.js');
    return m.createAwsEmulator({ options: input.aws ?? {}, seed: String(input.awsSeed) });
  },
};
