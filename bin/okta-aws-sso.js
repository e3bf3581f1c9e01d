#!/usr/bin/env node
// A lone --version or --help is answered here without loading the CLI: the version from
// package.json, the help from dist/cli/help.json, which the build made by running the real CLI
// (scripts/bundle-cli.mjs; test/cli/startup.test.ts checks both against the full CLI). Anything else,
// or a help wider or narrower than the one saved (a terminal not 80 columns wide), runs the CLI.
import { existsSync, readFileSync } from 'node:fs';

function quickAnswer(args) {
  if (args.length !== 1) return undefined;
  try {
    if (args[0] === '--version' || args[0] === '-V') {
      const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
      return typeof version === 'string' ? `${version}\n` : undefined;
    }
    if (args[0] === '--help' || args[0] === '-h') {
      const saved = JSON.parse(readFileSync(new URL('../dist/cli/help.json', import.meta.url), 'utf8'));
      // commander wraps the help to the terminal's width, or to 80 columns when stdout is not a terminal.
      const width = (process.stdout.isTTY ? process.stdout.columns : undefined) ?? 80;
      return width === saved.width && typeof saved.help === 'string' ? saved.help : undefined;
    }
  } catch {
    // no saved help (dist/ compiled without scripts/build.mjs): the CLI answers
  }
  return undefined;
}

const answer = quickAnswer(process.argv.slice(2));
if (answer === undefined) {
  // dist/cli/main.bundle.js is dist/cli/main.js with its start-up modules in one file; without it
  // (dist/ compiled by tsc alone), the same CLI unbundled.
  const bundle = new URL('../dist/cli/main.bundle.js', import.meta.url);
  await import(existsSync(bundle) ? bundle.href : '../dist/cli/main.js');
} else {
  // Writing into a closed pipe (`--help | head -1`) ends quietly, as in the CLI.
  process.stdout.on('error', (e) => process.exit(e?.code === 'EPIPE' ? 0 : 1));
  process.stdout.write(answer);
}
