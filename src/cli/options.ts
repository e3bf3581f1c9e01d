/**
 * Command-line options built from the answer catalog (src/steps/answers.ts), and the --config file.
 * boolean -> a flag without a value; secret -> only its file flag (`<file>`); list -> comma separated.
 */
import { READ_LIMITS, readBoundedSync } from '../safe/read.js';
import path from 'node:path';
import { ANSWERS, type AnswerKey, type AnswerSpec, type SecretKey } from '../core/answers.js';
import { UsageError } from '../errors.js';
import type { AnswerSourceInit, AnswerValue } from './io/answer-source.js';

export interface AnswerOption {
  key: AnswerKey;
  spec: AnswerSpec;
  /** commander's flags, e.g. `--okta-org-url <value>`. */
  flags: string;
  description: string;
  /** commander's attribute name (camelCase; test/cli/startup.test.ts checks it against commander's). */
  attr: string;
  secretFile: boolean;
}

/**
 * commander's Option#attributeName() for a long flag: `--okta-org-url` -> `oktaOrgUrl`, `--no-x` -> `x`.
 * This module does not load commander, so that the lazily loaded modules reading answers do not load a
 * second copy of it beside the one in dist/cli/main.bundle.js (scripts/bundle-cli.mjs).
 */
export function attributeName(flag: string): string {
  const name = flag.replace(/^--/, '').replace(/^no-/, '');
  return name.split('-').reduce((s, word) => s + word[0]!.toUpperCase() + word.slice(1));
}

function describe(spec: AnswerSpec): string {
  const env = spec.env && spec.env.length > 0 ? ` [env: ${spec.env.join(', ')}]` : '';
  const def = spec.defaultText ? ` (default: ${spec.defaultText})` : '';
  return `${spec.description}${def}${env}`;
}

export function answerOptions(): AnswerOption[] {
  const out: AnswerOption[] = [];
  for (const [key, spec] of Object.entries(ANSWERS) as [AnswerKey, AnswerSpec][]) {
    if (spec.kind === 'secret') {
      if (!spec.fileFlag) continue;
      out.push({ key, spec, flags: `${spec.fileFlag} <file>`, description: `File holding: ${describe(spec)}`, attr: attributeName(spec.fileFlag), secretFile: true });
      continue;
    }
    if (!spec.flag) continue;
    const arg = spec.kind === 'boolean' ? '' : spec.kind === 'list' ? ' <list>' : spec.kind === 'number' ? ' <n>' : ' <value>';
    out.push({ key, spec, flags: `${spec.flag}${arg}`, description: describe(spec), attr: attributeName(spec.flag), secretFile: false });
  }
  return out;
}

/** Map commander's parsed options back to answer keys. */
export function answersFromOptions(opts: Record<string, unknown>): Pick<AnswerSourceInit, 'flags' | 'secretFiles'> {
  const flags: Partial<Record<AnswerKey, AnswerValue>> = {};
  const secretFiles: Partial<Record<SecretKey, string>> = {};
  for (const a of answerOptions()) {
    const v = opts[a.attr];
    if (v === undefined) continue;
    if (a.secretFile) secretFiles[a.key as SecretKey] = String(v);
    else flags[a.key] = v as AnswerValue;
  }
  return { flags, secretFiles };
}

/** Read a --config file (JSON or YAML). Keys are checked by AnswerSource (unknown key / secret -> exit 2). */
export async function loadConfigFile(file: string): Promise<Record<string, unknown>> {
  const text = readBoundedSync(file, { maxBytes: READ_LIMITS.config, what: 'The --config file', code: 'CONFIG_UNREADABLE', hint: 'Check the path given to --config.' });
  let data: unknown;
  const ext = path.extname(file).toLowerCase();
  try {
    if (ext === '.json') {
      data = JSON.parse(text);
    } else {
      const YAML = await import('yaml');
      data = YAML.parse(text); // YAML is a superset of JSON: also reads .json-like content
    }
  } catch (e) {
    throw new UsageError(`The --config file ${file} is not valid ${ext === '.json' ? 'JSON' : 'YAML or JSON'}: ${(e as Error).message.split('\n')[0]}`, {
      code: 'CONFIG_INVALID',
      hint: 'Fix the syntax; keys are the answer names or flag names without "--", e.g. okta-org-url: https://example.okta.com',
    });
  }
  if (data === null || data === undefined) return {};
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new UsageError(`The --config file ${file} must hold a mapping of answer names to values.`, {
      code: 'CONFIG_INVALID',
      hint: 'Write one "name: value" per line (YAML) or a JSON object.',
    });
  }
  // zod is loaded here only: --help, --version and status start without it.
  const { z } = await import('zod');
  const configSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.array(z.union([z.string(), z.number()]))]));
  const parsed = configSchema.safeParse(data);
  if (!parsed.success) {
    const where = parsed.error.issues[0]?.path.join('.') ?? '';
    throw new UsageError(`The --config file ${file} has a value of the wrong type${where ? ` for "${where}"` : ''}.`, {
      code: 'CONFIG_INVALID',
      hint: 'Values are strings, numbers, booleans, or lists of strings.',
    });
  }
  return parsed.data;
}
