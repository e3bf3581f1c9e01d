/**
 * The health table of `okta-aws-sso verify`: one row per check, passed / warning / failed (or
 * skipped, with the reason), each with its fix in one line. See docs/verify.md.
 */
import { wrapWords } from '../safe/text.js';

export type RowStatus = 'passed' | 'warning' | 'failed' | 'skipped';

export interface HealthRow {
  /** Stable id, e.g. "saml-audience" (docs/verify.md lists them all). */
  id: string;
  /** What is checked, e.g. "Audience is Identity Center's issuer URL". */
  check: string;
  status: RowStatus;
  /** What was found (never a secret). */
  detail: string;
  /** One line: what to do (failed and warning rows). */
  fix?: string;
}

export type FailOn = 'failed' | 'warning';

export function parseFailOn(v: unknown): FailOn | undefined {
  if (v === undefined) return undefined;
  if (v === 'failed' || v === 'failure' || v === 'error') return 'failed';
  if (v === 'warning' || v === 'warn') return 'warning';
  return undefined;
}

/** 0 when nothing at or above the threshold, else 1 (a step failed). */
export function healthExitCode(rows: readonly HealthRow[], failOn: FailOn = 'failed'): 0 | 1 {
  return rows.some((r) => r.status === 'failed' || (failOn === 'warning' && r.status === 'warning')) ? 1 : 0;
}

const MARK: Record<RowStatus, string> = { passed: 'PASS', warning: 'WARN', failed: 'FAIL', skipped: 'SKIP' };

/**
 * Plain-text lines of the table (the terminal colours the marks). With `width` (the terminal's
 * columns, less any indent) the details and fixes wrap between words under their column; when the
 * column would be narrower than 24 characters they go on lines of their own below the row.
 */
export function healthLines(rows: readonly HealthRow[], width?: number): string[] {
  const w = Math.min(56, Math.max(5, ...rows.map((r) => r.check.length)));
  const out: string[] = [];
  const detailCol = 6 + w + 2;
  for (const r of rows) {
    const head = `${MARK[r.status]}  ${r.check.padEnd(w)}  `;
    const fix = r.fix && r.status !== 'passed' ? `-> ${r.fix}` : undefined;
    if (width === undefined) {
      out.push(`${head}${r.detail}`);
      if (fix) out.push(`${' '.repeat(detailCol)}${fix}`);
    } else if (width - detailCol >= 24) {
      wrapWords(r.detail, width - detailCol).forEach((l, i) => out.push(i === 0 ? `${head}${l}` : `${' '.repeat(detailCol)}${l}`));
      if (fix) wrapWords(fix, width - detailCol - 3).forEach((l, i) => out.push(`${' '.repeat(detailCol)}${i === 0 ? '' : '   '}${l}`));
    } else {
      wrapWords(r.check, Math.max(20, width - 6)).forEach((l, i) => out.push(`${i === 0 ? `${MARK[r.status]}  ` : '      '}${l}`));
      for (const l of wrapWords(r.detail, Math.max(20, width - 6))) out.push(`      ${l}`);
      if (fix) wrapWords(fix, Math.max(20, width - 9)).forEach((l, i) => out.push(`      ${i === 0 ? '' : '   '}${l}`));
    }
  }
  const count = (s: RowStatus) => rows.filter((r) => r.status === s).length;
  out.push(`${count('passed')} passed, ${count('warning')} warning(s), ${count('failed')} failed, ${count('skipped')} skipped.`);
  return out;
}

/** Rows from problem/note strings (the read-back of the verify step). */
export function rowOf(id: string, check: string, status: RowStatus, detail: string, fix?: string): HealthRow {
  return { id, check, status, detail, ...(fix && status !== 'passed' ? { fix } : {}) };
}
