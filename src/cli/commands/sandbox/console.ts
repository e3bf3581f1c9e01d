/** `okta-aws-sso sandbox console <action-id>`: the sandbox performs a console action as a person would. */
import { chmodSync, writeFileSync } from 'node:fs';
import { ANSWERS, type AnswerSpec } from '../../../steps/answers.js';
import path from 'node:path';
import { UsageError, isWizardError } from '../../../errors.js';
import { loadSandboxApi } from '../../sandbox.js';
import { line, view, type CommandResult, type TextBlock } from '../../render.js';
import type { CliCommand } from '../command.js';
import { chosenDir, dirOptions } from './shared.js';
import { READ_LIMITS, readBoundedSync } from '../../../safe/read.js';
import { escapeControl, excerpt } from '../../../safe/text.js';

export const sandboxConsoleCommand: CliCommand = {
  name: 'sandbox console',
  define(parent) {
    const c = parent
      .command('console <action-id>')
      .description('perform a console action in the sandbox, as a person would in the browser')
      .option('--payload-file <file>', 'JSON payload for the action');
    for (const o of dirOptions()) c.addOption(o);
    return c;
  },
  async run(ctx, _g, o, args): Promise<CommandResult> {
    const api = await loadSandboxApi();
    const dir = await chosenDir(ctx, o);
    const arg = args[0] ?? '';
    const s = await api.sandboxStatus(dir);
    if (!s.running || !s.info) throw new UsageError(`No sandbox is running in ${dir}.`, { code: 'SANDBOX_NOT_RUNNING', hint: 'Start one with `okta-aws-sso sandbox start`.' });
    let payload: Record<string, unknown> | undefined;
    if (o['payloadFile'] !== undefined) {
      const f = path.resolve(ctx.cwd, String(o['payloadFile']));
      try {
        payload = JSON.parse(readBoundedSync(f, { maxBytes: READ_LIMITS.payload, what: 'The --payload-file', hint: 'Give a file with a JSON object.' })) as Record<string, unknown>;
      } catch (e) {
        if (isWizardError(e)) throw e;
        throw new UsageError(`Cannot read the --payload-file ${escapeControl(f)}: ${excerpt((e as Error).message, 200)}`, { code: 'PAYLOAD_INVALID', hint: 'Give a file with a JSON object.' });
      }
    }
    const r = await api.performConsoleAction(s.info, arg, payload);
    for (const v of Object.values(r.secrets ?? {})) {
      const prev = ctx.redact;
      ctx.redact = (t) => prev(t).split(v).join('****');
    }
    const text: TextBlock[] = [line('SANDBOX_CONSOLE_PERFORMED', { action: arg, result: r.message ? `: ${ctx.redact(r.message).replace(/\.+$/, '')}` : '' })];
    // Files a person would have downloaded land in the current folder.
    const files: string[] = [];
    for (const [name, content] of Object.entries(r.files ?? {})) {
      if (name === '' || path.basename(name) !== name || name === '.' || name === '..') {
        throw new UsageError(`The sandbox returned a file with an unsafe name ("${name}").`, { code: 'SANDBOX_FILE_NAME', hint: 'This is a sandbox bug; nothing was written.' });
      }
      const f = path.resolve(ctx.cwd, name);
      writeFileSync(f, content);
      files.push(f);
      text.push(line('SANDBOX_FILE_SAVED', { file: f }));
    }
    text.push(view('sandbox-values', Object.entries(r.answers ?? {}).map(([k, v]) => `  ${k}: ${v}`)));
    // A secret a person would copy (the SCIM token) goes to a 0600 file named after its answer, for
    // the answer's file flag (e.g. --scim-token-file scim-token.txt); never to the terminal.
    const secretFiles: Record<string, string> = {};
    for (const [k, v] of Object.entries(r.secrets ?? {})) {
      const f = path.resolve(ctx.cwd, `${k}.txt`);
      writeFileSync(f, `${v}\n`, { mode: 0o600 });
      chmodSync(f, 0o600);
      secretFiles[k] = f;
      const spec = (ANSWERS as Record<string, AnswerSpec>)[k];
      text.push(line('SANDBOX_SECRET_SAVED', { key: k, file: f, passWith: spec?.fileFlag ? `: pass it with ${spec.fileFlag} ${f}` : '' }));
    }
    return { result: 'ok', exitCode: 0, stateFile: null, data: { action: arg, answers: r.answers ?? {}, files, secrets: Object.keys(r.secrets ?? {}), secretFiles }, text };
  },
};
