/**
 * Start-up files for bin/okta-aws-sso.js, made from the compiled dist/ by scripts/build.mjs:
 *
 * - dist/cli/main.bundle.js: dist/cli/main.js with the modules that only the command line's start
 *   uses (the commander program and the command definitions, about 25 modules) bundled into one file
 *   by esbuild. Node then reads and links one file where it read 25: each ES module costs about a
 *   millisecond of loading before any of our code runs. A module that is also reached from a lazily
 *   loaded one (errors.js, messages.js, the state reader, ...) stays its own file, imported by the
 *   bundle, so that no module ever runs twice in a process (one WizardError class, one message table).
 *   Packages stay in node_modules (chalk, the SDKs, ...), except commander, which only the bundled
 *   modules use (the build checks it).
 * - dist/cli/help.json: the exact output of the real `okta-aws-sso --help` (commander's,
 *   made by running dist/cli/main.js, at commander's width for a pipe or file: 80 columns), which the
 *   binary prints for a lone `--help`/`-h` without loading the CLI. test/cli/startup.test.ts checks
 *   that both paths print the same.
 *
 *   node scripts/bundle-cli.mjs      # after `tsc -p tsconfig.build.json` (scripts/build.mjs runs it)
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DIST = path.join(ROOT, 'dist');
const ENTRY = path.join(DIST, 'cli/main.js');
export const BUNDLE = path.join(DIST, 'cli/main.bundle.js');
export const HELP_CACHE = path.join(DIST, 'cli/help.json');
/** commander's help width when stdout is not a terminal. */
const PIPE_WIDTH = 80;

/**
 * Packages bundled too, when only bundled modules import them (checked: else the build fails). commander
 * is CommonJS: in node_modules it costs eight files and Node's CommonJS-to-ESM lexer.
 */
const BUNDLED_PACKAGES = ['commander'];

/** The CLI's module graph as esbuild sees it: absolute path -> { static, dynamic, packages } imports. */
async function moduleGraph(esbuild) {
  const r = await esbuild.build({
    entryPoints: [ENTRY], bundle: true, write: false, metafile: true, format: 'esm', platform: 'node',
    packages: 'external', outfile: BUNDLE, logLevel: 'error', absWorkingDir: ROOT,
  });
  const graph = new Map();
  for (const [file, input] of Object.entries(r.metafile.inputs)) {
    const abs = path.resolve(ROOT, file);
    const deps = { static: [], dynamic: [], packages: [] };
    for (const i of input.imports) {
      if (i.external) {
        if (!i.path.startsWith('node:')) deps.packages.push(i.path);
        continue;
      }
      (i.kind === 'dynamic-import' ? deps.dynamic : deps.static).push(path.resolve(ROOT, i.path));
    }
    graph.set(abs, deps);
  }
  return graph;
}

function staticClosure(graph, starts) {
  const seen = new Set();
  const todo = [...starts];
  while (todo.length) {
    const f = todo.pop();
    if (seen.has(f)) continue;
    seen.add(f);
    todo.push(...(graph.get(f)?.static ?? []));
  }
  return seen;
}

/** The modules to bundle: reached statically from the entry, and from no lazily loaded module (however deep). */
export async function bundledModules(esbuild) {
  const graph = await moduleGraph(esbuild);
  const start = staticClosure(graph, [ENTRY]);
  const lazy = new Set();
  // A dynamic import of a module the start loads anyway is no lazy load (esbuild inlines it).
  const todo = [...start].flatMap((f) => graph.get(f).dynamic).filter((f) => !start.has(f));
  while (todo.length) {
    const f = todo.pop();
    if (lazy.has(f)) continue;
    lazy.add(f);
    const deps = graph.get(f);
    todo.push(...deps.static, ...deps.dynamic);
  }
  const inBundle = new Set([...start].filter((f) => !lazy.has(f)));
  for (const pkg of BUNDLED_PACKAGES) {
    const outside = [...graph].filter(([f, d]) => !inBundle.has(f) && d.packages.some((p) => p === pkg || p.startsWith(`${pkg}/`)));
    if (outside.length) throw new Error(`${pkg} is imported by ${outside.map(([f]) => path.relative(ROOT, f)).join(', ')}, which the start-up bundle does not hold: import it only from the command definitions (scripts/bundle-cli.mjs)`);
  }
  return inBundle;
}

/** A bundled module must not depend on where its own file is (its path changes when bundled). */
function checkMovable(file) {
  const src = fs.readFileSync(file, 'utf8');
  const bad = [/\bimport\.meta\b/, /\b__dirname\b|\b__filename\b/, /\bcreateRequire\b/, /\bimport\(\s*[^'"\s]/];
  for (const re of bad) {
    if (re.test(src)) throw new Error(`${path.relative(ROOT, file)} cannot be bundled (${re}): keep it out of the start-up bundle (scripts/bundle-cli.mjs)`);
  }
}

export async function bundleCli() {
  const esbuild = await import('esbuild');
  const inBundle = await bundledModules(esbuild);
  for (const f of inBundle) checkMovable(f);
  const outDir = path.dirname(BUNDLE);
  const keepFiles = {
    name: 'keep-shared-modules-as-files',
    setup(b) {
      b.onResolve({ filter: /^\./ }, (args) => {
        if (args.resolveDir.includes(`${path.sep}node_modules${path.sep}`)) return undefined; // inside a bundled package
        const abs = path.resolve(args.resolveDir, args.path);
        if (inBundle.has(abs)) return { path: abs };
        let rel = path.relative(outDir, abs).split(path.sep).join('/');
        if (!rel.startsWith('.')) rel = `./${rel}`;
        return { path: rel, external: true };
      });
      // packages stay in node_modules, except those bundled
      b.onResolve({ filter: /^[^./#]/ }, (args) => {
        if (args.path.startsWith('node:') || args.resolveDir.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
        const name = args.path.startsWith('@') ? args.path.split('/').slice(0, 2).join('/') : args.path.split('/')[0];
        return BUNDLED_PACKAGES.includes(name) ? undefined : { path: args.path, external: true };
      });
    },
  };
  await esbuild.build({
    entryPoints: [ENTRY], bundle: true, format: 'esm', platform: 'node', target: 'node20',
    keepNames: true, outfile: BUNDLE, absWorkingDir: ROOT, plugins: [keepFiles], logLevel: 'error', legalComments: 'none',
    // commander is CommonJS: its require() of Node's modules needs a require in an ES module.
    banner: { js: "// Generated by scripts/bundle-cli.mjs from dist/cli/main.js: the start-up modules in one file.\nimport { createRequire as __bundleCreateRequire } from 'node:module';\nconst require = __bundleCreateRequire(import.meta.url);" },
  });
  return inBundle.size;
}

/** The real commander help, as the full CLI prints it to a pipe. */
export function writeHelpCache() {
  const env = { ...process.env };
  delete env.FORCE_COLOR;
  const help = execFileSync(process.execPath, [ENTRY, '--help'], { cwd: ROOT, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  fs.writeFileSync(HELP_CACHE, `${JSON.stringify({ width: PIPE_WIDTH, help })}\n`);
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const n = await bundleCli();
  writeHelpCache();
  console.log(`dist/cli/main.bundle.js: ${n} modules in one file; dist/cli/help.json written`);
}
