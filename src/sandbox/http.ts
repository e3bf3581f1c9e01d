/**
 * Node HTTP plumbing shared by the sandbox harness and emulator tests: turns an incoming request
 * into a SandboxRequest and writes a SandboxResponse back.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SandboxRequest, SandboxResponse } from './types.js';

export async function readRequest(req: http.IncomingMessage): Promise<SandboxRequest> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const url = new URL(req.url ?? '/', 'http://sandbox.invalid');
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  return { method: (req.method ?? 'GET').toUpperCase(), path: url.pathname, query: url.searchParams, headers, body: Buffer.concat(chunks) };
}

export function writeResponse(res: http.ServerResponse, r: SandboxResponse): void {
  const body = r.body === undefined ? '' : r.body;
  const headers: Record<string, string | number> = { ...(r.headers ?? {}) };
  headers['content-length'] = Buffer.byteLength(body);
  res.writeHead(r.status, headers);
  res.end(body);
}

export interface Served {
  url: string;
  port: number;
  server: http.Server;
  close(): Promise<void>;
}

/** Listen on 127.0.0.1 (port 0 = a free port) and answer every request with `handle`. */
export async function serve(handle: (req: SandboxRequest) => Promise<SandboxResponse>, port = 0): Promise<Served> {
  const server = http.createServer((req, res) => {
    readRequest(req)
      .then(handle)
      .then((r) => writeResponse(res, r))
      .catch((e: unknown) => {
        writeResponse(res, { status: 500, headers: { 'content-type': 'text/plain' }, body: `sandbox internal error: ${String(e)}` });
      });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const addr = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${addr.port}`,
    port: addr.port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
