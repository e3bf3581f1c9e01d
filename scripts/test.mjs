#!/usr/bin/env node
/**
 * `npm test`: the build of dist/ first (scripts/build.mjs, skipped when dist/ is fresh: the tests run
 * the compiled CLI), then Vitest, with the typecheck (tsc --noEmit over src/ and test/) and the lint
 * (eslint .) running alongside it at a lower CPU priority. Vitest leaves a core idle much of the time
 * (its end-to-end tests wait for the sandbox's asynchronous work), and the two checks fill that time
 * instead of running before it (docs/testing.md). Vitest's output streams as it runs; each check's
 * result and output is printed when Vitest has ended. The exit code is 1 if anything failed.
 *
 *   node scripts/test.mjs [vitest arguments, e.g. a test file]
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { ROOT, build } from './build.mjs';

const node = process.execPath;
const checks = [
  { name: 'typecheck', args: [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json', '--noEmit'] },
  { name: 'lint', args: [path.join(ROOT, 'node_modules/eslint/bin/eslint.js'), '.'] },
];

try {
  if (!build()) process.stdout.write('dist/ is up to date with src/ (build skipped)\n');
} catch {
  process.stdout.write('FAIL build\n');
  process.exit(1);
}

function run(args, { capture, nice }) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(node, args, { cwd: ROOT, stdio: capture ? ['ignore', 'pipe', 'pipe'] : 'inherit' });
    if (nice) {
      try {
        os.setPriority(child.pid, 10);
      } catch {
        // not allowed here: it runs at the normal priority
      }
    }
    let out = '';
    if (capture) {
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
    }
    child.on('error', (e) => resolve({ code: 1, out: `${out}${e.message}\n`, secs: 0 }));
    child.on('close', (code) => resolve({ code, out, secs: ((Date.now() - started) / 1000).toFixed(1) }));
  });
}

const pending = checks.map((c) => run(c.args, { capture: true, nice: true }).then((r) => ({ ...r, name: c.name })));
const vitest = await run([path.join(ROOT, 'node_modules/vitest/vitest.mjs'), 'run', ...process.argv.slice(2)], { capture: false, nice: false });
let ok = vitest.code === 0;
for (const r of await Promise.all(pending)) {
  ok &&= r.code === 0;
  process.stdout.write(`${r.code === 0 ? 'ok  ' : 'FAIL'} ${r.name} (${r.secs} s)\n${r.out.trim() ? `${r.out.trimEnd()}\n` : ''}`);
}
process.exit(ok ? 0 : 1);
