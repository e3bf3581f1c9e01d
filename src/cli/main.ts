/**
 * The binary's entry (bin/okta-aws-sso.js imports it bundled with the command definitions, as
 * dist/cli/main.bundle.js made by scripts/bundle-cli.mjs, or as is when there is no bundle): filters
 * the AWS SDK's Node-version notice, runs the CLI and exits with its code. A stack trace reaching the
 * user is a bug: runCli() catches everything, and the handlers below catch what escapes it.
 */
import { ExitCode } from '../errors.js';
import { runCli } from './run.js';
import { filterNodeVersionWarning } from './warnings.js';

filterNodeVersionWarning();

/** Writing into a closed pipe (`status | head -1`) ends quietly: the reader has all it wanted. */
const isEpipe = (e: unknown): boolean => (e as NodeJS.ErrnoException | null)?.code === 'EPIPE';
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e) => {
    if (isEpipe(e)) process.exit(process.exitCode ?? 0);
  });
}

const fatal = (e: unknown): void => {
  if (isEpipe(e)) process.exit(process.exitCode ?? 0);
  const msg = e instanceof Error ? e.message : String(e);
  process.stderr.write(`Error: unexpected failure: ${msg}\nWhat to do: run again with --verbose; if it keeps failing, please report it.\n`);
  process.exit(ExitCode.StepFailed);
};
process.on('uncaughtException', fatal);
process.on('unhandledRejection', fatal);

const code = await runCli(process.argv.slice(2), { handleSignals: true });
process.exitCode = code;
// Exit even if something (a stuck request after Ctrl-C) still holds the event loop.
setTimeout(() => process.exit(code), 100).unref();
