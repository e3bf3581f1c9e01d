/**
 * The sandbox's own credentials, generated at first start and kept across restarts and resets:
 * an SSWS API token and an OAuth service app (RSA key pair; the private key PEM in
 * <dir>/okta-service-app.pem, mode 0600). AWS credentials are the fixed non-secret "sandbox".
 */
import crypto from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { exportJWK, exportPKCS8, generateKeyPair, type JWK } from 'jose';
import { OKTA_POLICY_SCOPES, OKTA_SCOPES } from '../okta/scopes.js';

export const CREDENTIALS_FILE = 'credentials.json';
export const PRIVATE_KEY_FILE = 'okta-service-app.pem';

/** Every Okta management scope the sandbox grants its service app: the wizard's, and the reads it serves besides. */
export const SANDBOX_OKTA_SCOPES: readonly string[] = [
  ...OKTA_SCOPES,
  ...OKTA_POLICY_SCOPES,
  'okta.orgs.read',
  'okta.schemas.manage',
  'okta.schemas.read',
  'okta.roles.read',
  'okta.logs.read',
];

export const SANDBOX_AWS_CREDENTIALS = { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' } as const;

export interface SandboxCredentials {
  oktaApiToken: string;
  oauth: { clientId: string; keyId: string; publicJwk: JWK; scopes: string[] };
  /** Seed for the AWS emulator's generated IDs, so a reset keeps the same account IDs. */
  awsSeed: number;
}

function randomId(prefix: string, length: number): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  const bytes = crypto.randomBytes(length);
  let out = prefix;
  for (const b of bytes) out += alphabet[b % alphabet.length];
  return out;
}

type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>;
let sharedKeyPair: Promise<KeyPair> | undefined;

/**
 * A new RSA key pair; with `shared`, one per process (in-memory sandboxes in tests: generating a
 * 2048-bit key costs a few hundred ms on a busy machine, and nothing outlives those sandboxes).
 */
function keyPair(shared: boolean): Promise<KeyPair> {
  const make = (): Promise<KeyPair> => generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
  if (!shared) return make();
  sharedKeyPair ??= make();
  return sharedKeyPair;
}

async function generate(keyFile: string, sharedKey: boolean): Promise<SandboxCredentials> {
  const { publicKey, privateKey } = await keyPair(sharedKey);
  const keyId = randomId('sbx-', 16);
  const publicJwk = { ...(await exportJWK(publicKey)), kid: keyId, alg: 'RS256', use: 'sig' };
  await writeFileAtomic(keyFile, await exportPKCS8(privateKey), { mode: 0o600 });
  return {
    oktaApiToken: randomId('00', 40),
    oauth: { clientId: randomId('0oa', 17), keyId, publicJwk, scopes: [...SANDBOX_OKTA_SCOPES] },
    awsSeed: crypto.randomInt(1, 2 ** 31),
  };
}

function valid(c: unknown): c is SandboxCredentials {
  const x = c as SandboxCredentials;
  return (
    typeof x?.oktaApiToken === 'string' &&
    typeof x.oauth?.clientId === 'string' &&
    typeof x.oauth.keyId === 'string' &&
    typeof x.oauth.publicJwk === 'object' &&
    Array.isArray(x.oauth.scopes) &&
    typeof x.awsSeed === 'number'
  );
}

/**
 * Loads <dir>/credentials.json and the key file, or generates both (first start, or either one
 * missing or unreadable). Both files are mode 0600.
 */
export async function loadOrCreateCredentials(dir: string, opts: { sharedKey?: boolean } = {}): Promise<{ credentials: SandboxCredentials; privateKeyPath: string; created: boolean }> {
  const file = path.join(dir, CREDENTIALS_FILE);
  const privateKeyPath = path.join(dir, PRIVATE_KEY_FILE);
  try {
    const parsed: unknown = JSON.parse(await fsp.readFile(file, 'utf8'));
    await fsp.access(privateKeyPath);
    // The grants follow this version's list (a sandbox made by an older version gains new scopes).
    if (valid(parsed)) return { credentials: { ...parsed, oauth: { ...parsed.oauth, scopes: [...new Set([...parsed.oauth.scopes, ...SANDBOX_OKTA_SCOPES])] } }, privateKeyPath, created: false };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT' && !(e instanceof SyntaxError)) throw e;
  }
  const credentials = await generate(privateKeyPath, opts.sharedKey ?? false);
  await writeFileAtomic(file, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  return { credentials, privateKeyPath, created: true };
}
