/**
 * Where answers come from, first match wins: flag > environment > --config file > sandbox >
 * earlier run (state file) > rehearsal suggestion (sandbox runs only). Secrets: environment, or the file named by their file flag; never a
 * flag value, never the state file.
 */
import { ioMessage, type IoMessage } from '../../messages.js';
import { existsSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { escapeControl } from '../../safe/text.js';
import { READ_LIMITS, readBoundedSync } from '../../safe/read.js';
import { ANSWERS, howToAnswer, type AnswerKey, type AnswerSpec, type SecretKey } from '../../core/answers.js';
import { UsageError } from '../../errors.js';

/** `~` and `~/x` expanded; a relative path resolved against `cwd`. */
export function expandPath(raw: string, cwd: string, home: string = os.homedir()): string {
  const t = raw.trim();
  const expanded = t === '~' ? home : t.startsWith('~/') ? path.join(home, t.slice(2)) : t;
  return path.resolve(cwd, expanded);
}

/** The check of a path answer: an existing file to read, or a new file whose folder exists. */
export function checkPath(kind: 'existing-file' | 'new-file', full: string): true | string {
  if (kind === 'existing-file') {
    if (!existsSync(full)) return `there is no file ${full}`;
    if (statSync(full).isDirectory()) return `${full} is a folder, not a file`;
    return true;
  }
  const dir = path.dirname(full);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return `the folder ${dir} does not exist (no folder is created for you: check the path)`;
  if (existsSync(full) && statSync(full).isDirectory()) return `${full} is a folder, not a file`;
  return true;
}

/** Every problem found in the given answers, reported together. */
export interface AnswerProblem {
  key: AnswerKey;
  source: string;
  message: string;
  hint: string;
}

/** Answers that must not both be given: the first group wins over the second when one is remembered. */
const EXCLUSIVE: readonly [readonly AnswerKey[], readonly AnswerKey[]][] = [
  [['sp-metadata'], ['acs-url', 'issuer-url']],
  [['accounts'], ['ou']],
];

export type AnswerValue = string | string[] | boolean | number;
export type AnswerOrigin = 'flag' | 'env' | 'config' | 'sandbox' | 'prompt' | 'state';

export interface ResolvedAnswer {
  value: AnswerValue;
  origin: AnswerOrigin;
  /** "--okta-org-url", "OKTA_ORG_URL", "config file", ... */
  source: string;
}

export interface AnswerSourceInit {
  /** Parsed command-line values by answer key (commander's camelCase already mapped back to keys). */
  flags?: Partial<Record<AnswerKey, AnswerValue>>;
  /** File paths given with the secrets' file flags, by secret key. */
  secretFiles?: Partial<Record<SecretKey, string>>;
  env?: NodeJS.ProcessEnv;
  /** Answers from --config (same names as the answer keys or their flags without "--"). */
  config?: Record<string, unknown>;
  /** Non-secret answers saved by an earlier run. */
  saved?: Record<string, unknown>;
  /** Folder a relative path answer resolves against (default: process.cwd()). */
  cwd?: string;
}

function normalise(spec: AnswerSpec, raw: unknown, where: string): AnswerValue {
  switch (spec.kind) {
    case 'list': {
      if (Array.isArray(raw)) return raw.map(String).map((s) => s.trim()).filter(Boolean);
      // Commas only: a group name keeps its spaces ("awssso Data Team" is one group).
      return String(raw)
        .split(spec.spaceSeparated ? /[,\s]+/ : /,/)
        .map((s) => s.trim())
        .filter(Boolean);
    }
    case 'boolean': {
      if (typeof raw === 'boolean') return raw;
      const s = String(raw).trim().toLowerCase();
      if (['1', 'true', 'yes', 'on', ''].includes(s)) return true;
      if (['0', 'false', 'no', 'off'].includes(s)) return false;
      throw new UsageError(`${where} must be true or false, not "${String(raw)}".`, { code: 'ANSWER_NOT_BOOLEAN', hint: 'Use true/false, yes/no or 1/0.' });
    }
    case 'number': {
      const n = typeof raw === 'number' ? raw : Number(String(raw).trim());
      if (!Number.isFinite(n)) throw new UsageError(`${where} must be a number, not "${String(raw)}".`, { code: 'ANSWER_NOT_NUMBER', hint: 'Give a whole number.' });
      return n;
    }
    default:
      return typeof raw === 'string' ? raw.trim() : String(raw);
  }
}

export class AnswerSource {
  private readonly flags: Partial<Record<AnswerKey, AnswerValue>>;
  private readonly secretFiles: Partial<Record<SecretKey, string>>;
  private readonly env: NodeJS.ProcessEnv;
  private readonly config: Record<string, unknown>;
  private readonly saved: Record<string, unknown>;
  readonly cwd: string;
  private readonly injected = new Map<AnswerKey, AnswerValue>();
  private readonly injectedSecrets = new Map<SecretKey, string>();
  private readonly suggested = new Map<AnswerKey, AnswerValue>();
  /** Answers typed at a prompt in this run: asked once, reused by every later step. */
  private readonly prompted = new Map<AnswerKey, AnswerValue>();
  /** Non-secret answers used in this run, to save in the state file. */
  private readonly used = new Map<AnswerKey, AnswerValue>();

  constructor(init: AnswerSourceInit = {}) {
    this.flags = init.flags ?? {};
    this.cwd = init.cwd ?? process.cwd();
    this.secretFiles = {};
    for (const [k, f] of Object.entries(init.secretFiles ?? {})) if (f !== undefined) this.secretFiles[k as SecretKey] = expandPath(f, this.cwd, init.env?.['HOME'] ?? os.homedir());
    this.env = init.env ?? {};
    this.config = init.config ?? {};
    this.saved = { ...(init.saved ?? {}) };
    for (const key of Object.keys(this.config)) {
      const k = key.replace(/^--/, '');
      const known = (Object.entries(ANSWERS) as [AnswerKey, AnswerSpec][]).some(([a, s]) => a === k || s.flag === `--${k}` || s.fileFlag === `--${k}`);
      if (!known) {
        throw new UsageError(`The config file has an unknown answer "${key}".`, {
          code: 'CONFIG_UNKNOWN_KEY',
          hint: 'Use the names of the command-line flags without "--" (see okta-aws-sso init --help).',
        });
      }
      const spec = (Object.entries(ANSWERS) as [AnswerKey, AnswerSpec][]).find(([a, s]) => a === k || s.flag === `--${k}`);
      if (spec && spec[1].kind === 'secret') {
        throw new UsageError(`The config file holds the secret "${key}"; secrets never go in config files.`, {
          code: 'CONFIG_SECRET',
          hint: `Remove it and supply it through ${spec[1].env?.[0] ?? 'its environment variable'} or ${spec[1].fileFlag ?? 'a hidden prompt'}.`,
        });
      }
    }
  }

  private fromConfig(key: AnswerKey): unknown {
    const spec: AnswerSpec = ANSWERS[key];
    if (key in this.config) return this.config[key];
    const flagName = spec.flag?.replace(/^--/, '');
    if (flagName && flagName in this.config) return this.config[flagName];
    const fileName = spec.fileFlag?.replace(/^--/, '');
    if (fileName && fileName in this.config) return this.config[fileName];
    return undefined;
  }

  get(key: AnswerKey): ResolvedAnswer | undefined {
    const spec: AnswerSpec = ANSWERS[key];
    if (spec.kind === 'secret') return undefined;
    const found = this.lookup(key, spec);
    if (found) this.used.set(key, found.value);
    return found;
  }

  /** A path given by a flag, the environment or --config: `~` expanded, relative to the current folder. */
  private given(spec: AnswerSpec, raw: unknown, where: string): AnswerValue {
    const v = normalise(spec, raw, where);
    return spec.path && typeof v === 'string' && v !== '' ? expandPath(v, this.cwd, this.home()) : v;
  }

  private home(): string {
    return this.env['HOME'] ?? os.homedir();
  }

  private lookup(key: AnswerKey, spec: AnswerSpec): ResolvedAnswer | undefined {
    const flagVal = this.flags[key];
    if (flagVal !== undefined) return { value: this.given(spec, flagVal, spec.flag ?? key), origin: 'flag', source: spec.flag ?? key };
    for (const name of spec.env ?? []) {
      const v = this.env[name];
      if (v !== undefined && v !== '') return { value: this.given(spec, v, name), origin: 'env', source: name };
    }
    const c = this.fromConfig(key);
    if (c !== undefined && c !== null) return { value: this.given(spec, c, `"${key}" in the config file`), origin: 'config', source: 'config file' };
    const inj = this.injected.get(key);
    if (inj !== undefined) return { value: inj, origin: 'sandbox', source: 'sandbox' };
    const typed = this.prompted.get(key);
    if (typed !== undefined) return { value: typed, origin: 'prompt', source: 'your answer earlier in this run' };
    const s = this.saved[key];
    if (s !== undefined && s !== null) return { value: normalise(spec, s, `"${key}" in the state file`), origin: 'state', source: 'state file (earlier run)' };
    const sug = this.suggested.get(key);
    if (sug !== undefined) return { value: sug, origin: 'sandbox', source: 'sandbox rehearsal default' };
    return undefined;
  }

  /** A secret from its environment variable or its file flag (read now), or a sandbox injection. */
  getSecret(key: SecretKey): { value: string; source: string } | undefined {
    const spec: AnswerSpec = ANSWERS[key];
    for (const name of spec.env ?? []) {
      const v = this.env[name];
      if (v !== undefined && v.trim() !== '') return { value: v.trim(), source: name };
    }
    const file = this.secretFiles[key] ?? (this.fromConfig(key) as string | undefined);
    if (file !== undefined) {
      const content = readBoundedSync(file, {
        maxBytes: READ_LIMITS.secret,
        what: `The ${spec.fileFlag} file`,
        code: 'SECRET_FILE_UNREADABLE',
        hint: `Check the path and its permissions, or supply the value through ${spec.env?.[0] ?? 'a hidden prompt'}.`,
      });
      const value = content.trim();
      if (value === '') {
        throw new UsageError(`The ${spec.fileFlag} file "${escapeControl(file)}" is empty.`, { code: 'SECRET_FILE_EMPTY', hint: 'Put the value in the file, on one line.' });
      }
      return { value, source: spec.fileFlag ?? 'file' };
    }
    const inj = this.injectedSecrets.get(key);
    if (inj !== undefined) return { value: inj, source: 'sandbox' };
    return undefined;
  }

  /** Where the answer comes from (flag, variable or file flag name, ...), without reading a secret file. */
  sourceOf(key: AnswerKey): string | undefined {
    const spec: AnswerSpec = ANSWERS[key];
    if (spec.kind !== 'secret') return this.lookup(key, spec)?.source;
    for (const name of spec.env ?? []) {
      const v = this.env[name];
      if (v !== undefined && v.trim() !== '') return name;
    }
    if (this.secretFiles[key as SecretKey] !== undefined || this.fromConfig(key) !== undefined) return spec.fileFlag ?? 'file';
    if (this.injectedSecrets.has(key as SecretKey)) return 'sandbox';
    return undefined;
  }

  has(key: AnswerKey): boolean {
    const spec: AnswerSpec = ANSWERS[key];
    if (spec.kind === 'secret') return this.getSecretQuiet(key as SecretKey);
    return this.lookup(key, spec) !== undefined;
  }

  private getSecretQuiet(key: SecretKey): boolean {
    try {
      return this.getSecret(key) !== undefined;
    } catch {
      return true; // a file flag was given: reading it will report the problem
    }
  }

  /** Answers a person copied from a console, performed by the sandbox. */
  inject(key: AnswerKey, value: AnswerValue): void {
    this.injected.set(key, value);
  }

  /**
   * The weakest answer, below the state file: a value a sandbox rehearsal uses when nobody gave one
   * (e.g. the test user's name), so `init --sandbox --yes` runs end to end with no other flag.
   */
  suggest(key: AnswerKey, value: AnswerValue): void {
    this.suggested.set(key, value);
  }

  injectSecret(key: SecretKey, value: string): void {
    this.injectedSecrets.set(key, value);
  }

  /** Where an answer comes from, without marking it used. */
  peek(key: AnswerKey): ResolvedAnswer | undefined {
    return this.lookup(key, ANSWERS[key]);
  }

  /** Expand and resolve a path typed at a prompt. */
  resolvePath(raw: string): string {
    return expandPath(raw, this.cwd, this.home());
  }

  /**
   * The catalog's check of one value (each item of a list; a path must exist, or its folder must),
   * or true.
   */
  checkValue(key: AnswerKey, value: AnswerValue): true | string {
    const spec: AnswerSpec = ANSWERS[key];
    if (spec.path && typeof value === 'string' && value !== '') {
      const ok = checkPath(spec.path, value);
      if (ok !== true) return ok;
    }
    if (!spec.check) return true;
    const items = Array.isArray(value) ? value : [String(value)];
    for (const item of items) {
      const ok = spec.check(item);
      if (ok !== true) return ok;
    }
    return true;
  }

  /**
   * Start-up check, before any step runs: every value given by a flag, the environment or --config
   * is checked with the catalog's check; two answers that exclude each other are an error; a value
   * remembered in the state file that no longer passes is forgotten (so a terminal asks again) or,
   * when nobody can be asked, reported naming the flag that overrides it. Returns every problem.
   */
  checkAll(opts: { interactive: boolean; warn?: (m: IoMessage) => void }): AnswerProblem[] {
    const problems: AnswerProblem[] = [];
    for (const key of Object.keys(ANSWERS) as AnswerKey[]) {
      const spec: AnswerSpec = ANSWERS[key];
      if (spec.kind === 'secret') {
        const file = this.secretFiles[key as SecretKey];
        if (file !== undefined && !existsSync(file)) {
          problems.push({ key, source: spec.fileFlag ?? key, message: `${spec.fileFlag} names ${file}, which does not exist`, hint: `Check the path given to ${spec.fileFlag}.` });
        }
        continue;
      }
      let found: ResolvedAnswer | undefined;
      try {
        found = this.lookup(key, spec);
      } catch (e) {
        problems.push({ key, source: spec.flag ?? key, message: (e as Error).message.replace(/\.$/, ''), hint: `Correct ${howToAnswer(key)}.` });
        continue;
      }
      if (!found || found.origin === 'sandbox' || found.origin === 'prompt') continue;
      const ok = this.checkValue(key, found.value);
      if (ok === true) continue;
      if (found.origin === 'state') {
        delete this.saved[key];
        if (opts.interactive) {
          opts.warn?.(ioMessage('SAVED_ANSWER_INVALID', { value: String(found.value), flag: spec.flag ?? key, reason: ok }));
          continue;
        }
        problems.push({ key, source: found.source, message: `the answer "${String(found.value)}" saved in the state file for ${spec.flag ?? key} is no longer valid: ${ok}`, hint: `Give it again with ${howToAnswer(key)}.` });
        continue;
      }
      problems.push({ key, source: found.source, message: `${found.source} "${Array.isArray(found.value) ? found.value.join(',') : String(found.value)}": ${ok}`, hint: `Correct ${found.source}.` });
    }
    for (const [first, second] of EXCLUSIVE) {
      const a = first.map((k) => ({ k, r: this.lookup(k, ANSWERS[k]) })).filter((x) => x.r);
      const b = second.map((k) => ({ k, r: this.lookup(k, ANSWERS[k]) })).filter((x) => x.r);
      if (a.length === 0 || b.length === 0) continue;
      const explicit = (x: { r: ResolvedAnswer | undefined }): boolean => x.r !== undefined && ['flag', 'env', 'config'].includes(x.r.origin);
      const aGiven = a.some(explicit);
      const bGiven = b.some(explicit);
      if (aGiven && bGiven) {
        const names = [...a, ...b].filter(explicit).map((x) => x.r!.source);
        problems.push({ key: first[0]!, source: names.join(' and '), message: `${names.join(' and ')} exclude each other`, hint: `Give only one of ${names.join(' or ')}.` });
      } else if (aGiven) {
        for (const x of b) if (x.r?.origin === 'state') delete this.saved[x.k];
      } else if (bGiven) {
        for (const x of a) if (x.r?.origin === 'state') delete this.saved[x.k];
      }
    }
    return problems;
  }

  /** Record an answer given at a prompt so the state file keeps it for the next run. */
  remember(key: AnswerKey, value: AnswerValue): void {
    if (ANSWERS[key].kind === 'secret') return;
    this.used.set(key, value);
    this.prompted.set(key, value);
  }

  /** Non-secret answers to save in the state file (never a secret: those are never remembered). */
  toSaved(): Record<string, AnswerValue> {
    const out: Record<string, AnswerValue> = {};
    for (const [k, v] of this.used) if (ANSWERS[k].kind !== 'secret') out[k] = v;
    return out;
  }
}
