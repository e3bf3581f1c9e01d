/**
 * Reading the state file without loading zod when the file is well-formed: `status` (and every
 * command that only reads) starts faster. The checks here are the state schema's (src/engine/state.ts),
 * only stricter: the exact shape the wizard writes (every key known, dates as toISOString() writes
 * them). A file they do not accept as is goes through the zod schema (loaded then), which decides and
 * words the error; so a file is never accepted here that the schema would refuse, and the schema's
 * messages stay the only ones (test/engine/state-read.test.ts compares the two).
 */
import type { Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import { UsageError } from '../errors.js';
import { READ_LIMITS, readBoundedSync } from '../safe/read.js';
import { escapeControl } from '../safe/text.js';
import type { WizardState } from './state.js';

export const STATE_SCHEMA_VERSION = 1;

type Check = (v: unknown) => boolean;

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const str: Check = (v) => typeof v === 'string';
const bool: Check = (v) => typeof v === 'boolean';
const num: Check = (v) => typeof v === 'number' && Number.isFinite(v);
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
/** As `new Date().toISOString()` writes it (a real calendar date): a subset of z.iso.datetime({ offset: true }). */
const iso: Check = (v) => typeof v === 'string' && ISO.test(v) && !Number.isNaN(Date.parse(v)) && new Date(v).toISOString() === v;
const oneOf = (values: readonly string[]): Check => (v) => typeof v === 'string' && values.includes(v);
const arrayOf = (item: Check): Check => (v) => Array.isArray(v) && v.every(item);
const recordOf = (value: Check): Check => (v) => isObject(v) && Object.values(v).every(value);
/** An object with exactly these keys at most (an absent key is fine when optional). */
function object(required: Record<string, Check>, optional: Record<string, Check> = {}): Check {
  return (v) => {
    if (!isObject(v)) return false;
    for (const [k, check] of Object.entries(required)) if (!(k in v) || !check(v[k])) return false;
    for (const [k, value] of Object.entries(v)) {
      if (k in required) continue;
      const check = optional[k];
      if (!check || !check(value)) return false;
    }
    return true;
  };
}

const STEP_STATUSES = ['pending', 'running', 'done', 'failed', 'waiting-for-console', 'skipped'];
const changeRecord = object(
  {
    op: oneOf(['create', 'update', 'delete', 'adopt', 'console']),
    resource: object({ kind: str }, { id: str, name: str }),
    summary: str,
    risk: oneOf(['read-only', 'additive', 'modifies-existing', 'org-wide', 'destructive']),
  },
  {
    scale: object({ count: num, unit: str }),
    writes: arrayOf(object({ service: oneOf(['okta', 'aws']), operation: str, count: num })),
    repair: object({ reason: str, approval: oneOf(['covered', 'asked']) }, { coveredBy: str }),
  },
);
const stepRecord = object(
  { status: oneOf(STEP_STATUSES) },
  {
    startedAt: iso,
    finishedAt: iso,
    outputs: isObject,
    error: object({ message: str, code: str }, { hint: str, at: iso }),
    progress: (v) => v !== undefined,
    pendingConsoleAction: object({ id: str, title: str, where: str, instructions: arrayOf(str) }, { values: arrayOf(object({ label: str, value: str })), optional: bool }),
    note: str,
    applied: arrayOf(changeRecord),
    attempts: arrayOf(object({ startedAt: iso, finishedAt: iso, outcome: oneOf(['done', 'failed', 'waiting-for-console', 'interrupted']) }, { applied: arrayOf(changeRecord) })),
  },
);
const answerValue: Check = (v) => str(v) || bool(v) || num(v) || arrayOf(str)(v);
const wellFormedState = object(
  {
    schemaVersion: (v) => v === STATE_SCHEMA_VERSION,
    toolVersion: str,
    createdAt: iso,
    updatedAt: iso,
    inputs: recordOf(answerValue),
    steps: recordOf(stepRecord),
  },
  {
    run: object({}, { sandbox: object({ dir: str }), yes: bool }),
    destroy: object({ startedAt: iso, removed: recordOf(iso), consoleDone: arrayOf(str) }, { finishedAt: iso }),
    access: object(
      {
        permissionSets: arrayOf(object({ name: str, arn: str })),
        assignments: arrayOf(object({ group: str, permissionSet: str, accounts: arrayOf(str) })),
      },
      { lastApply: object({ at: iso, file: str, summary: str }) },
    ),
    rotations: recordOf(object({ startedAt: iso, phases: recordOf(iso) }, { finishedAt: iso, facts: recordOf(str) })),
  },
);

/** True when `raw` is a state exactly as the wizard writes it (then the zod schema accepts it unchanged). */
export function isWellFormedState(raw: unknown): raw is WizardState {
  return wellFormedState(raw);
}

const KEEP = `The file was left as it is. Move it aside (or pass --state <another file>) to start a new setup, or restore it from a backup.`;

/** The checks before the schema: empty, not JSON, not an object, a newer version. Returns the parsed JSON. */
export function parseStateJson(text: string, file: string): unknown {
  if (text.trim() === '') {
    throw new UsageError(`The state file ${file} is empty (probably truncated).`, { code: 'STATE_TRUNCATED', hint: KEEP });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    const looksTruncated = text.trimStart().startsWith('{') && !text.trimEnd().endsWith('}');
    throw new UsageError(
      looksTruncated
        ? `The state file ${file} is truncated: it is not complete JSON (${(e as Error).message}).`
        : `The state file ${file} is not JSON (${(e as Error).message}).`,
      { code: looksTruncated ? 'STATE_TRUNCATED' : 'STATE_NOT_JSON', hint: KEEP },
    );
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new UsageError(`The state file ${file} is not an okta-aws-sso state file (expected a JSON object).`, { code: 'STATE_INVALID', hint: KEEP });
  }
  const version = (raw as Record<string, unknown>)['schemaVersion'];
  if (typeof version === 'number' && version > STATE_SCHEMA_VERSION) {
    throw new UsageError(
      `The state file ${file} has schema version ${version}, written by a newer okta-aws-sso; this version reads version ${STATE_SCHEMA_VERSION}.`,
      { code: 'STATE_NEWER_VERSION', hint: 'Upgrade okta-aws-sso (npm install -g okta-aws-sso@latest) and run it again. The file was left as it is.' },
    );
  }
  return raw;
}

/** The schema's refusal, worded by zod (loaded only for a file that is not well-formed). */
export const STATE_INVALID_HINT = KEEP;

/**
 * The state file is input too: like ssh with its keys, refuse one that another user owns or that
 * group or others may write (they could point the next run, and its Okta token, at another host).
 */
export function checkStateFileSafety(file: string, st: { uid: number; mode: number }, uid: number | undefined = process.getuid?.()): void {
  const shown = escapeControl(file);
  if (uid !== undefined && st.uid !== uid) {
    throw new UsageError(`The state file ${shown} belongs to another user (uid ${st.uid}, you are uid ${uid}); it could have been changed to send your credentials elsewhere, so it is not used.`, {
      code: 'STATE_INSECURE',
      hint: `Check its content, then make it yours: \`sudo chown $(id -u) '${shown}' && chmod 600 '${shown}'\` (or pass --state <your own file>).`,
    });
  }
  if ((st.mode & 0o022) !== 0) {
    const who = (st.mode & 0o020) !== 0 && (st.mode & 0o002) !== 0 ? 'group and others' : (st.mode & 0o002) !== 0 ? 'others' : 'its group';
    throw new UsageError(`The state file ${shown} can be changed by ${who} (mode ${(st.mode & 0o777).toString(8).padStart(4, '0')}); it could have been changed to send your credentials elsewhere, so it is not used.`, {
      code: 'STATE_INSECURE',
      hint: `Check its content, then run \`chmod 600 '${shown}'\` and run again.`,
    });
  }
}

/** Read and validate a state file; undefined when it does not exist. */
export async function readState(file: string): Promise<WizardState | undefined> {
  let st: Stats;
  try {
    st = await stat(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new UsageError(`Cannot read the state file ${escapeControl(file)} (${code ?? String(e)}).`, {
      code: 'STATE_UNREADABLE',
      hint: 'Check the path and its permissions (it should be readable by you, mode 0600).',
    });
  }
  if (st.isDirectory()) {
    throw new UsageError(`The state file ${escapeControl(file)} is a directory.`, { code: 'STATE_UNREADABLE', hint: 'Pass --state with the path of a file.' });
  }
  const text = readBoundedSync(file, {
    inspect: (opened) => checkStateFileSafety(file, opened),
    maxBytes: READ_LIMITS.state,
    what: 'The state file',
    code: 'STATE_UNREADABLE',
    hint: 'Check the path and its permissions (it should be readable by you, mode 0600), or pass --state with the path of your state file.',
  });
  const raw = parseStateJson(text, file);
  if (isWellFormedState(raw)) return raw;
  const { validateState } = await import('./state.js');
  return validateState(raw, file);
}
