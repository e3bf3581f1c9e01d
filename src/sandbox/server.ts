/**
 * The sandbox server, in process: two loopback listeners (Okta; AWS incl. the SCIM endpoint), the
 * admin endpoint on both, fault injection, the request log and persistence. main.ts runs it as its
 * own process; tests run it in process (test/helpers/sandbox.ts).
 */
import fsp from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import writeFileAtomic from 'write-file-atomic';
import type { AwsEmulator } from './aws/index.js';
import type { OktaEmulator } from './okta/index.js';
import { ADMIN_PREFIX, handleAdmin, type AdminContext } from './admin.js';
import { loadOrCreateCredentials, SANDBOX_AWS_CREDENTIALS, type SandboxCredentials } from './credentials.js';
import { realEmulators, type AwsEmulatorLike, type EmulatorFactory, type EmulatorFactoryInput, type OktaEmulatorLike } from './emulators.js';
import { FaultController } from './faults.js';
import { readRequest, writeResponse } from './http.js';
import { isMutating } from './mutating.js';
import { readState, STATE_FILE, StateFileError, StateWriter } from './persistence.js';
import { REQUEST_LOG_FILE, RequestLog } from './request-log.js';
import type { HandledResponse, SandboxInfo, SandboxOptions, SandboxRequest, ServiceName } from './types.js';

export type { AwsEmulator, OktaEmulator };

export interface RunningSandbox {
  info: SandboxInfo;
  /** The current emulators (a reset replaces them). */
  readonly okta: OktaEmulator;
  readonly aws: AwsEmulator;
  /** The request log (also at <dir>/requests.jsonl when persisted). */
  log: RequestLog;
  faults: FaultController;
  close(): Promise<void>;
}

export interface StartSandboxServerOptions {
  /** Persistence folder; undefined = in memory (a temporary folder holds only the OAuth key). */
  dir?: string;
  /** Okta listens on port, AWS on port + 1; default: free ports. */
  port?: number;
  options?: SandboxOptions;
  /** Internal seam for harness plumbing tests; default: the real emulators. */
  emulators?: EmulatorFactory;
}

/** The error a start fails with, said plainly (main.ts prints it). */
export class SandboxStartError extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
    this.name = 'SandboxStartError';
  }
}

/** How long close() waits for the Okta emulator's background work before closing the listeners. */
const CLOSE_IDLE_WAIT_MS = 2000;
const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function listen(server: http.Server, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    const onError = (e: Error): void => reject(e);
    server.once('error', onError);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', onError);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

export async function startSandboxServer(opts: StartSandboxServerOptions = {}): Promise<RunningSandbox> {
  const persistent = opts.dir !== undefined;
  const dir = persistent ? path.resolve(opts.dir as string) : await fsp.mkdtemp(path.join(os.tmpdir(), 'okta-aws-sso-sandbox-'));
  try {
    return await start(opts, dir, persistent);
  } catch (e) {
    if (!persistent) await fsp.rm(dir, { recursive: true, force: true });
    throw e;
  }
}

async function start(opts: StartSandboxServerOptions, dir: string, persistent: boolean): Promise<RunningSandbox> {
  const factory = opts.emulators ?? realEmulators;
  await fsp.mkdir(dir, { recursive: true, mode: 0o700 });

  if (opts.port !== undefined) await assertPortsFree(opts.port); // fail fast, before loading anything

  // Key generation (first start), reading the saved state and loading the emulators overlap.
  const preloading = factory.preload?.();
  const [{ credentials, privateKeyPath }, persisted] = await Promise.all([
    loadOrCreateCredentials(dir, { sharedKey: !persistent }),
    (persistent ? readState(dir) : Promise.resolve(undefined)).catch((e: unknown) => {
      if (e instanceof StateFileError) throw new SandboxStartError(e.message, 'Run `okta-aws-sso sandbox reset` to start from a fresh sandbox (its credentials are kept).');
      throw e;
    }),
    preloading,
  ]);
  const startOptions = opts.options ?? {};
  const options: SandboxOptions = {
    okta: { ...(persisted?.options.okta ?? {}), ...(startOptions.okta ?? {}) },
    aws: { ...(persisted?.options.aws ?? {}), ...(startOptions.aws ?? {}) },
  };
  const faults = new FaultController(startOptions.faults);

  const factoryInput = (): EmulatorFactoryInput => emulatorInput(credentials, options);
  let okta = await factory.okta(factoryInput());
  let aws = await factory.aws(factoryInput());
  if (persisted) {
    try {
      okta.restore(persisted.okta);
      aws.restore(persisted.aws);
    } catch (e) {
      throw new SandboxStartError(
        `The saved sandbox state in ${path.join(dir, STATE_FILE)} cannot be restored: ${(e as Error).message}`,
        'Run `okta-aws-sso sandbox reset` to start from a fresh sandbox (its credentials are kept).',
      );
    }
  }

  const log = new RequestLog(persistent ? path.join(dir, REQUEST_LOG_FILE) : undefined);
  const writer = persistent
    ? new StateWriter(path.join(dir, STATE_FILE), () => ({ options: { okta: options.okta, aws: options.aws }, okta: okta.snapshot(), aws: aws.snapshot() }))
    : undefined;

  let scimPath = '';
  const refreshScimPath = (): void => {
    try {
      scimPath = new URL(aws.info().scimEndpoint).pathname.replace(/\/+$/, '');
    } catch {
      scimPath = '';
    }
  };
  const serviceOf = (listener: 'okta' | 'aws', p: string): ServiceName => {
    if (listener === 'okta') return 'okta';
    if (scimPath && (p === scimPath || p.startsWith(`${scimPath}/`))) return 'scim';
    return /\/scim\/v2(\/|$)/.test(p) ? 'scim' : 'aws';
  };

  let info: SandboxInfo;
  const adminCtx: AdminContext = {
    info: () => info,
    okta: () => okta,
    aws: () => aws,
    log,
    faults,
    options: () => ({ okta: { ...options.okta }, aws: { ...options.aws } }),
    setOptions(o) {
      if (o.okta) {
        options.okta = { ...options.okta, ...o.okta };
        okta.setOptions(options.okta);
      }
      if (o.aws) {
        options.aws = { ...options.aws, ...o.aws };
        aws.setOptions(options.aws);
      }
      writer?.schedule();
    },
    async reset() {
      const nextOkta = await factory.okta(factoryInput());
      const nextAws = await factory.aws(factoryInput());
      nextOkta.setBaseUrl(info.oktaUrl);
      nextAws.setBaseUrl(info.awsUrl);
      okta = nextOkta;
      aws = nextAws;
      refreshScimPath();
      faults.clear();
      if (startOptions.faults) faults.apply(startOptions.faults);
      await writer?.saveNow();
    },
    changed: () => writer?.schedule(),
  };

  const onRequest = async (listener: 'okta' | 'aws', req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const t0 = performance.now();
    const ts = new Date().toISOString();
    const sreq = await readRequest(req);
    if (sreq.path === ADMIN_PREFIX || sreq.path.startsWith(`${ADMIN_PREFIX}/`)) {
      if (!LOOPBACK.has(req.socket.remoteAddress ?? '')) {
        writeResponse(res, { status: 403, headers: { 'content-type': 'application/json' }, body: '{"error":"the sandbox admin endpoint answers loopback callers only"}' });
        return;
      }
      writeResponse(res, await handleAdmin(adminCtx, sreq));
      return;
    }
    writer?.touch();
    const emulator = listener === 'okta' ? okta : aws;
    const service = serviceOf(listener, sreq.path);
    const decision = faults.decide(service, () => safeFault(emulator, 'error', sreq, service).operation);
    if (decision.latencyMs > 0) await sleep(decision.latencyMs);
    const record = (r: Pick<HandledResponse, 'service' | 'operation' | 'mutating'>, status: number, fault?: 'drop' | 'throttle' | 'error' | 'lost'): void => {
      log.append({ ts, service: r.service, operation: r.operation, mutating: r.mutating, status, ms: Math.round(performance.now() - t0), ...(fault ? { fault } : {}) });
    };
    if (decision.action === 'drop') {
      // Classify it the way the emulator would, without running it.
      record(safeFault(emulator, 'error', sreq, service), 0, 'drop');
      req.socket.destroy();
      return;
    }
    if (decision.action && decision.action !== 'lost') {
      const r = safeFault(emulator, decision.action, sreq, service);
      // Logged before the answer goes out: a caller that reads the log once it has its answer sees the line.
      record(r, r.status, decision.action);
      writeResponse(res, r);
      return;
    }
    let r: HandledResponse;
    try {
      r = await emulator.handle(sreq);
    } catch (e) {
      console.error(`sandbox: the ${service} emulator failed on ${sreq.method} ${sreq.path}: ${(e as Error).stack ?? String(e)}`);
      r = { service, operation: `${sreq.method} ${sreq.path}`, mutating: isMutating(service, sreq.method, `${sreq.method} ${sreq.path}`), status: 500, headers: { 'content-type': 'text/plain' }, body: 'sandbox internal error (see the sandbox log)' };
    }
    if (r.mutating) writer?.schedule();
    if (decision.action === 'lost') {
      // Carried out, but the answer never arrives: the connection drops before it is sent.
      record(r, 0, 'lost');
      req.socket.destroy();
      return;
    }
    record(r, r.status);
    writeResponse(res, r);
  };

  const makeServer = (listener: 'okta' | 'aws'): http.Server => {
    const server = http.createServer((req, res) => {
      onRequest(listener, req, res).catch((e: unknown) => {
        console.error(`sandbox: ${(e as Error).stack ?? String(e)}`);
        if (!res.headersSent) writeResponse(res, { status: 500, headers: { 'content-type': 'text/plain' }, body: 'sandbox internal error' });
      });
    });
    server.keepAliveTimeout = 1000;
    return server;
  };
  const oktaServer = makeServer('okta');
  const awsServer = makeServer('aws');
  try {
    // Without --port, a persistent sandbox takes the ports it had last time when they are free: the
    // SCIM endpoint Okta provisions to, and the URLs in the wizard's state, then stay valid across a
    // restart, as a real service's would.
    const previous = opts.port === undefined && persistent ? await readPorts(dir) : undefined;
    const oktaPort = opts.port !== undefined ? await listen(oktaServer, opts.port) : await listenPreferred(oktaServer, previous?.okta);
    const awsPort = opts.port !== undefined ? await listen(awsServer, opts.port + 1) : await listenPreferred(awsServer, previous?.aws);
    if (persistent) await writeFileAtomic(path.join(dir, PORTS_FILE), `${JSON.stringify({ okta: oktaPort, aws: awsPort })}\n`, { mode: 0o600 });
    const oktaUrl = `http://127.0.0.1:${oktaPort}`;
    const awsUrl = `http://127.0.0.1:${awsPort}`;
    okta.setBaseUrl(oktaUrl);
    aws.setBaseUrl(awsUrl);
    refreshScimPath();
    info = {
      pid: process.pid,
      dir,
      startedAt: new Date().toISOString(),
      oktaUrl,
      awsUrl,
      adminUrl: `${oktaUrl}${ADMIN_PREFIX}`,
      region: aws.info().region,
      oktaApiToken: credentials.oktaApiToken,
      oauth: { clientId: credentials.oauth.clientId, keyId: credentials.oauth.keyId, privateKeyPath, scopes: [...credentials.oauth.scopes] },
      aws: { ...SANDBOX_AWS_CREDENTIALS },
    };
  } catch (e) {
    await Promise.all([closeServer(oktaServer), closeServer(awsServer)]);
    if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE' && opts.port !== undefined) throw portInUse(opts.port);
    throw e;
  }
  if (writer) {
    await writer.saveNow();
    writer.startTimer();
  }

  let closing: Promise<void> | undefined;
  return {
    info,
    get okta() {
      return okta;
    },
    get aws() {
      return aws;
    },
    log,
    faults,
    close() {
      closing ??= (async () => {
        // Let background work started by requests (Okta pushing to SCIM) finish, briefly.
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([okta.idle().catch(() => undefined), new Promise<void>((r) => (timer = setTimeout(r, CLOSE_IDLE_WAIT_MS)))]);
        clearTimeout(timer);
        await Promise.all([closeServer(oktaServer), closeServer(awsServer)]);
        await writer?.close();
        if (!persistent) await fsp.rm(dir, { recursive: true, force: true });
      })();
      return closing;
    },
  };
}

function emulatorInput(credentials: SandboxCredentials, options: SandboxOptions): EmulatorFactoryInput {
  return {
    oktaApiToken: credentials.oktaApiToken,
    oauthClient: { clientId: credentials.oauth.clientId, jwks: [credentials.oauth.publicJwk], scopes: [...credentials.oauth.scopes] },
    awsSeed: credentials.awsSeed,
    okta: { ...options.okta },
    aws: { ...options.aws },
  };
}

function safeFault(emulator: OktaEmulatorLike | AwsEmulatorLike, kind: 'throttle' | 'error', req: SandboxRequest, service: ServiceName): HandledResponse {
  try {
    return emulator.faultResponse(kind, req);
  } catch (e) {
    console.error(`sandbox: faultResponse failed: ${(e as Error).message}`);
    return { service, operation: `${req.method} ${req.path}`, mutating: isMutating(service, req.method, `${req.method} ${req.path}`), status: kind === 'throttle' ? 429 : 500, body: '' };
  }
}

/** Ports of the last start (okta, aws), kept in the sandbox folder. */
export const PORTS_FILE = 'ports.json';

async function readPorts(dir: string): Promise<{ okta: number; aws: number } | undefined> {
  try {
    const v = JSON.parse(await fsp.readFile(path.join(dir, PORTS_FILE), 'utf8')) as { okta?: unknown; aws?: unknown };
    const ok = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n > 0 && n < 65536;
    return ok(v.okta) && ok(v.aws) ? { okta: v.okta, aws: v.aws } : undefined;
  } catch {
    return undefined;
  }
}

/** Listen on `preferred` when it is free, else on a free port. */
async function listenPreferred(server: http.Server, preferred: number | undefined): Promise<number> {
  if (preferred !== undefined) {
    try {
      return await listen(server, preferred);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
      console.warn(`sandbox: port ${preferred} is taken now; using a free port (URLs saved by earlier runs change).`);
    }
  }
  return listen(server, 0);
}

function portInUse(port: number): SandboxStartError {
  return new SandboxStartError(
    `Port ${port} or ${port + 1} on 127.0.0.1 is already in use (the sandbox needs both: Okta, then AWS).`,
    'Choose other ports with --port, or leave --port out to use free ones.',
  );
}

async function assertPortsFree(port: number): Promise<void> {
  for (const p of [port, port + 1]) {
    const probe = http.createServer();
    try {
      await listen(probe, p);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') throw portInUse(port);
      throw e;
    } finally {
      await closeServer(probe);
    }
  }
}
