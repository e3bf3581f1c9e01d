/**
 * <dir>/sandbox.json: the SandboxInfo of the sandbox process running in that folder, mode 0600
 * (it holds the sandbox's Okta API token). Written by main.ts when the sandbox is ready, removed
 * when it stops. A file whose pid is dead (or no longer a sandbox) is stale: nothing is running.
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import type { SandboxInfo } from './types.js';

export const INFO_FILE = 'sandbox.json';

export async function readInfoFile(dir: string): Promise<SandboxInfo | undefined> {
  try {
    const parsed = JSON.parse(await fsp.readFile(path.join(dir, INFO_FILE), 'utf8')) as SandboxInfo;
    if (typeof parsed?.pid !== 'number' || typeof parsed.adminUrl !== 'string') return undefined;
    return parsed;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || e instanceof SyntaxError) return undefined;
    throw e;
  }
}

export async function writeInfoFile(dir: string, info: SandboxInfo): Promise<void> {
  await writeFileAtomic(path.join(dir, INFO_FILE), `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
}

/** Removes sandbox.json; with `pid`, only when the file still names that pid. */
export async function removeInfoFile(dir: string, pid?: number): Promise<void> {
  if (pid !== undefined) {
    const current = await readInfoFile(dir);
    if (current && current.pid !== pid) return;
  }
  await fsp.rm(path.join(dir, INFO_FILE), { force: true });
}

export function isPidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
