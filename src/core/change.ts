/**
 * The plan is data: a step's plan() returns Change records, the engine shows them, asks once per
 * step and risk class, and hands exactly those records to the step's apply(). `--dry-run` and
 * `--json` print the same records; tests compare the sandbox request log with their `writes`.
 *
 * Shared by the engine, the steps and the CLI; imports nothing.
 */

/** What a change does to its resource. `adopt`: take an existing resource as ours (no write). */
export type ChangeOp = 'create' | 'update' | 'delete' | 'adopt' | 'console';

/**
 * How much a change can hurt, lowest first. The engine asks once per step and class (except
 * read-only); org-wide and destructive changes name their scale.
 */
export type RiskClass = 'read-only' | 'additive' | 'modifies-existing' | 'org-wide' | 'destructive';

export const RISK_ORDER: readonly RiskClass[] = ['read-only', 'additive', 'modifies-existing', 'org-wide', 'destructive'];

export interface ResourceRef {
  /** "okta-app", "permission-set", "account-assignment", ... */
  kind: string;
  id?: string;
  name?: string;
}

/** One kind of mutating request apply sends, as the sandbox request log names it. */
export interface PlannedWrite {
  service: 'okta' | 'aws';
  /** Okta: the OpenAPI operationId ("createApplication"); AWS: the action ("CreateAccountAssignment"). */
  operation: string;
  count: number;
}

export interface Change<P = unknown> {
  op: ChangeOp;
  resource: ResourceRef;
  /** One line for a person: "Create the permission set \"AWSPowerUserAccess\"". */
  summary: string;
  risk: RiskClass;
  /** What changes, before and after (only the fields that change; never a secret). */
  before?: Record<string, unknown>;
  after?: Record<string, unknown>;
  /** How many things the change touches (org-wide and destructive changes always say). */
  scale?: { count: number; unit: string };
  /** Extra facts for a person (e.g. skipped accounts). */
  detail?: string;
  /** What apply sends (never a secret: a secret is named, e.g. "<SCIM token>"). */
  payload?: P;
  /**
   * The mutating requests apply sends for this change (successful ones; retries of refused
   * requests are not counted). Undefined: not declared (the plan-equals-requests check then fails).
   */
  writes?: PlannedWrite[];
  /** Set when this change exists because the live state no longer matches what was recorded. */
  drift?: string;
}

/** A value a plan cannot know before an earlier planned change is applied (Terraform's "known after apply"). */
export const KNOWN_AFTER_APPLY = '(known after apply)';

export function isKnownAfterApply(v: unknown): boolean {
  return v === KNOWN_AFTER_APPLY;
}

/** Does the change send anything (or need a person)? Adopts are bookkeeping. */
export function isWrite(c: Change): boolean {
  return c.op !== 'adopt';
}

/** "assign AWSPowerUserAccess on 412 accounts": the summary with its scale for risky classes. */
export function describeChange(c: Change): string {
  const scale = c.scale && !c.summary.includes(String(c.scale.count)) ? ` (${c.scale.count} ${c.scale.unit})` : '';
  return `${c.op}: ${c.summary}${scale}${c.detail ? ` — ${c.detail}` : ''}`;
}

/** The total of planned writes by "service operation", for comparing with a request log. */
export function plannedWriteCounts(changes: readonly Change[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const c of changes) for (const w of c.writes ?? []) if (w.count > 0) out.set(`${w.service} ${w.operation}`, (out.get(`${w.service} ${w.operation}`) ?? 0) + w.count);
  return out;
}
