/**
 * Finds a working AWS CLI (v1 or v2): /usr/bin/aws (Debian's awscli, which .ci/run installs) first,
 * then every `aws` on PATH, the first that answers `aws --version` (a pyenv shim without an installed
 * aws does not).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Candidates in order: /usr/bin/aws, then each `aws` on PATH (deduplicated). */
function candidates(): string[] {
  const dirs = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean);
  const all = ['/usr/bin/aws', ...dirs.map((d) => path.join(d, 'aws'))];
  return [...new Set(all)].filter((p) => {
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return fs.statSync(p).isFile();
    } catch {
      return false;
    }
  });
}

/** The first candidate whose `--version` succeeds (v1 prints it on stderr, v2 on stdout). */
export function locateAwsCli(): { bin: string; version: string } | { reason: string } {
  const tried = candidates();
  for (const bin of tried) {
    const r = spawnSync(bin, ['--version'], { encoding: 'utf8', timeout: 30_000, env: { PATH: process.env.PATH, HOME: os.tmpdir() } });
    const version = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n')[0] ?? '';
    if (r.status === 0 && /^aws-cli\/\d/.test(version)) return { bin, version };
  }
  return { reason: tried.length ? `no working AWS CLI (\`aws --version\` failed for ${tried.join(', ')})` : 'no AWS CLI found (/usr/bin/aws or aws on PATH)' };
}


/** The path of a working AWS CLI, or undefined. */
export function findAwsCli(): string | undefined {
  const c = locateAwsCli();
  return 'bin' in c ? c.bin : undefined;
}
