/**
 * The state file: what the wizard has done so far, so that a later run continues instead of
 * starting over. JSON, validated with zod on load, written atomically (temporary file, fsync,
 * rename) with mode 0600, guarded by a lock file (src/engine/lock.ts).
 *
 * It never holds a secret: inputs are the non-secret answers only, outputs are IDs/names/URLs,
 * and every write is checked against the secrets the run has seen (belt and braces).
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { UsageError, WizardError } from '../errors.js';
import { escapeControl } from '../safe/text.js';
import { STATE_INVALID_HINT, STATE_SCHEMA_VERSION, checkStateFileSafety, isWellFormedState, parseStateJson, readState } from './state-read.js';
import type { ConsoleAction } from '../steps/contract.js';
import type { StepId, StepOutputs } from '../core/outputs.js';

export { STATE_SCHEMA_VERSION };
export { DEFAULT_STATE_FILE } from './defaults.js';

export const STEP_STATUSES = ['pending', 'running', 'done', 'failed', 'waiting-for-console', 'skipped'] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

const isoDate = z.iso.datetime({ offset: true });

const errorSchema = z.object({
  message: z.string(),
  code: z.string(),
  hint: z.string().optional(),
  at: isoDate.optional(),
});

const consoleActionSchema = z.object({
  id: z.string(),
  title: z.string(),
  where: z.string(),
  instructions: z.array(z.string()),
  values: z.array(z.object({ label: z.string(), value: z.string() })).optional(),
  optional: z.boolean().optional(),
});

const changeRecordSchema = z.object({
  op: z.enum(['create', 'update', 'delete', 'adopt', 'console']),
  resource: z.object({ kind: z.string(), id: z.string().optional(), name: z.string().optional() }),
  summary: z.string(),
  risk: z.enum(['read-only', 'additive', 'modifies-existing', 'org-wide', 'destructive']),
  scale: z.object({ count: z.number(), unit: z.string() }).optional(),
  writes: z.array(z.object({ service: z.enum(['okta', 'aws']), operation: z.string(), count: z.number() })).optional(),
  /** A repair found needed while applying (src/engine/step-plan.ts, RunApprovals): why, and under which approval. */
  repair: z.object({ reason: z.string(), approval: z.enum(['covered', 'asked']), coveredBy: z.string().optional() }).optional(),
});

/**
 * One attempt at a step (observe -> plan -> approve -> apply) and how it ended. `applied`: the
 * changes that attempt was approved for and began to carry out (absent when it stopped before
 * apply): a step that writes and then stops at a console action (group push) keeps the writes of
 * that attempt on record, so the plan-equals-requests check sees every write.
 */
export const ATTEMPT_OUTCOMES = ['done', 'failed', 'waiting-for-console', 'interrupted'] as const;
const attemptSchema = z.object({
  startedAt: isoDate,
  finishedAt: isoDate,
  outcome: z.enum(ATTEMPT_OUTCOMES),
  applied: z.array(changeRecordSchema).optional(),
});
/** The attempts kept per step (the most recent). */
export const MAX_ATTEMPTS = 20;

const stepRecordSchema = z.object({
  status: z.enum(STEP_STATUSES),
  startedAt: isoDate.optional(),
  finishedAt: isoDate.optional(),
  outputs: z.record(z.string(), z.unknown()).optional(),
  error: errorSchema.optional(),
  /** Per-item progress of a long step (ctx.progress.save()). */
  progress: z.unknown().optional(),
  pendingConsoleAction: consoleActionSchema.optional(),
  /** Why the step was skipped, or what drifted before it was re-applied. */
  note: z.string().optional(),
  /** The changes the last apply was approved for and carried out (no payloads). */
  applied: z.array(changeRecordSchema).optional(),
  /** Every attempt at the step, oldest first (the last MAX_ATTEMPTS); absent in older files (still read). */
  attempts: z.array(attemptSchema).optional(),
});

const answerValueSchema = z.union([z.string(), z.array(z.string()), z.boolean(), z.number()]);

/**
 * How the run was started, so that `resume`, `verify` and `status` (and every hint that names them)
 * work exactly as printed without repeating the options: never a secret.
 */
const runModeSchema = z.object({
  /** Run against the local sandbox, in this folder (absolute). */
  sandbox: z.object({ dir: z.string() }).optional(),
  /** --yes was given: confirmations take their proposed answer. */
  yes: z.boolean().optional(),
});

/**
 * `okta-aws-sso destroy`: what it removed (by key, e.g. "okta-group:00g1"), when, and the console
 * actions the person confirmed (no API can read those back), so a re-run skips them.
 */
const destroySchema = z.object({
  startedAt: isoDate,
  finishedAt: isoDate.optional(),
  removed: z.record(z.string(), isoDate),
  consoleDone: z.array(z.string()),
});

/**
 * Access as code (`okta-aws-sso access apply`): what okta-aws-sso created, so that --prune removes
 * only that. Assignments are kept per group and permission set, saved as each account finishes.
 */
const accessStateSchema = z.object({
  permissionSets: z.array(z.object({ name: z.string(), arn: z.string() })),
  assignments: z.array(z.object({ group: z.string(), permissionSet: z.string(), accounts: z.array(z.string()) })),
  lastApply: z.object({ at: isoDate, file: z.string(), summary: z.string() }).optional(),
});

/**
 * A day-two rotation in progress or done (`rotate scim-token`, `rotate saml-cert`): when it started,
 * which of its phases are done (phase -> when), and non-secret facts (key IDs, file paths, dates).
 * Never a token or a key.
 */
const rotationSchema = z.object({
  startedAt: isoDate,
  finishedAt: isoDate.optional(),
  phases: z.record(z.string(), isoDate),
  facts: z.record(z.string(), z.string()).optional(),
});

export const stateSchema = z.object({
  schemaVersion: z.literal(STATE_SCHEMA_VERSION),
  toolVersion: z.string(),
  createdAt: isoDate,
  updatedAt: isoDate,
  run: runModeSchema.optional(),
  inputs: z.record(z.string(), answerValueSchema),
  steps: z.record(z.string(), stepRecordSchema),
  destroy: destroySchema.optional(),
  access: accessStateSchema.optional(),
  /** Day-two rotations, by kind ("scim-token", "saml-cert"). */
  rotations: z.record(z.string(), rotationSchema).optional(),
});

export type WizardState = z.infer<typeof stateSchema>;
export type RunMode = z.infer<typeof runModeSchema>;
export type DestroyRecord = z.infer<typeof destroySchema>;
export type AccessStateRecord = z.infer<typeof accessStateSchema>;
export type StepRecord = z.infer<typeof stepRecordSchema>;
export type AttemptRecord = z.infer<typeof attemptSchema>;
export type StepErrorRecord = z.infer<typeof errorSchema>;
export type PendingConsoleAction = z.infer<typeof consoleActionSchema>;
export type RotationRecord = z.infer<typeof rotationSchema>;

export function newState(toolVersion: string, now: Date = new Date()): WizardState {
  const t = now.toISOString();
  return { schemaVersion: STATE_SCHEMA_VERSION, toolVersion, createdAt: t, updatedAt: t, inputs: {}, steps: {} };
}

/** The console action as it is kept in the state file (never the sandbox payload, never evidence keys). */
export function toPendingAction(a: ConsoleAction): PendingConsoleAction {
  const out: PendingConsoleAction = { id: a.id, title: a.title, where: a.where, instructions: [...a.instructions] };
  if (a.values && a.values.length > 0) out.values = a.values.map((v) => ({ label: v.label, value: v.value }));
  if (a.optional) out.optional = true;
  return out;
}

function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .slice(0, 3)
    .map((i) => `${i.path.length > 0 ? i.path.join('.') : '(top level)'}: ${i.message}`)
    .join('; ');
}

/**
 * Parse state file text. Every problem is a UsageError (exit 2) naming the file and what to do;
 * the file itself is never touched.
 */
export function parseState(text: string, file: string): WizardState {
  const raw = parseStateJson(text, file);
  return isWellFormedState(raw) ? raw : validateState(raw, file);
}

/** The schema's verdict on parsed JSON (a file that is not exactly as the wizard writes it). */
export function validateState(raw: unknown, file: string): WizardState {
  const parsed = stateSchema.safeParse(raw);
  if (!parsed.success) {
    throw new UsageError(`The state file ${file} has unexpected content: ${describeIssues(parsed.error.issues)}.`, { code: 'STATE_INVALID', hint: STATE_INVALID_HINT });
  }
  return parsed.data;
}

export { checkStateFileSafety, readState };

/**
 * Saved step outputs are input too: each `done` step's outputs must match its schema
 * (src/steps/output-schemas.ts), or the run stops with exit 2 naming the step and the field, before
 * a step reads a malformed value (which would otherwise surface as a TypeError deep in a step).
 */
export function validateSavedOutputs(state: WizardState, file: string, schemas: Partial<Record<string, z.ZodType>>): void {
  for (const [stepId, rec] of Object.entries(state.steps)) {
    const schema = schemas[stepId];
    if (!schema || rec.status !== 'done') continue;
    const r = schema.safeParse(rec.outputs ?? {});
    if (!r.success) {
      throw new UsageError(`The state file ${escapeControl(file)} holds malformed outputs for the step "${escapeControl(stepId)}": ${escapeControl(describeIssues(r.error.issues))}.`, {
        code: 'STATE_INVALID',
        hint: `The file was left as it is. Restore it from a backup, or move it aside (or pass --state <another file>) and run \`okta-aws-sso init\` again: every step adopts what already exists.`,
      });
    }
  }
}

export interface StateStoreOptions {
  /** Returns the text with every secret the run has seen masked: used to refuse writing a secret. */
  redact?: (text: string) => string;
  /** Non-secret answers to keep in `inputs` (merged at each save). */
  inputs?: () => Record<string, string | string[] | boolean | number>;
  now?: () => Date;
}

/** The loaded (or new) state and its file. save() is atomic and refuses to write a secret. */
export class StateStore {
  readonly file: string;
  state: WizardState;
  private readonly redact: (text: string) => string;
  private readonly inputs: (() => Record<string, string | string[] | boolean | number>) | undefined;
  private readonly now: () => Date;
  private saving: Promise<void> = Promise.resolve();

  constructor(file: string, state: WizardState, opts: StateStoreOptions = {}) {
    this.file = path.resolve(file);
    this.state = state;
    this.redact = opts.redact ?? ((t) => t);
    this.inputs = opts.inputs;
    this.now = opts.now ?? (() => new Date());
  }

  step(id: StepId | string): StepRecord {
    let rec = this.state.steps[id];
    if (!rec) {
      rec = { status: 'pending' };
      this.state.steps[id] = rec;
    }
    return rec;
  }

  outputsOf<K extends StepId>(id: K): StepOutputs[K] | undefined {
    const rec = this.state.steps[id];
    return rec?.status === 'done' ? (rec.outputs as StepOutputs[K] | undefined) : undefined;
  }

  /** Serialize, check for secrets, write atomically (temp file + fsync + rename), mode 0600. Saves are serialized. */
  save(): Promise<void> {
    const next = this.saving.then(() => this.write());
    this.saving = next.catch(() => undefined);
    return next;
  }

  private async write(): Promise<void> {
    if (this.inputs) this.state.inputs = { ...this.state.inputs, ...this.inputs() };
    this.state.updatedAt = this.now().toISOString();
    const text = `${JSON.stringify(this.state, null, 2)}\n`;
    if (this.redact(text) !== text) {
      throw new WizardError(`Refused to write the state file ${this.file}: it would contain a secret.`, {
        code: 'STATE_SECRET',
        hint: 'This is a bug in okta-aws-sso; please report it (without the secret). The state file was left as it was.',
      });
    }
    // A state file must never be replaced by something we did not load (e.g. a directory or a symlink target).
    try {
      const s = await stat(this.file);
      if (!s.isFile()) throw new UsageError(`The state file ${this.file} is not a regular file.`, { code: 'STATE_UNREADABLE', hint: 'Pass --state with the path of a file.' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    try {
      const { default: writeFileAtomic } = await import('write-file-atomic'); // loaded on the first save only (status never writes)
      await writeFileAtomic(this.file, text, { mode: 0o600, fsync: true });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new UsageError(`Cannot write the state file ${this.file} (${code ?? String(e)}).`, {
        code: 'STATE_UNWRITABLE',
        hint: 'Check that its folder exists and is writable, or pass --state <path>.',
      });
    }
  }
}
