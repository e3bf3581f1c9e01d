/**
 * Okta's filter / search expression language, the part the wizard uses:
 * `attr op "value"` clauses (ops eq, sw, co, pr, ne) joined by `and` / `or` (no parentheses).
 */

export type Predicate = (obj: unknown) => boolean;

export class SearchSyntaxError extends Error {}

function get(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

const TOKEN = /\s*(?:"((?:[^"\\]|\\.)*)"|([A-Za-z0-9_.$#-]+))/y;

/** Compiles an expression; `allowed` limits the attributes (undefined = any). */
export function compileExpression(expr: string, allowed?: string[]): Predicate {
  const tokens: { value: string; quoted: boolean }[] = [];
  TOKEN.lastIndex = 0;
  let pos = 0;
  const src = expr.trim();
  while (pos < src.length) {
    TOKEN.lastIndex = pos;
    const m = TOKEN.exec(src);
    if (!m) throw new SearchSyntaxError(`Invalid search criteria near "${src.slice(pos, pos + 20)}"`);
    tokens.push(m[1] !== undefined ? { value: m[1].replace(/\\(.)/g, '$1'), quoted: true } : { value: m[2] ?? '', quoted: false });
    pos = TOKEN.lastIndex;
    while (pos < src.length && src[pos] === ' ') pos++;
  }
  const clauses: { join: 'and' | 'or'; pred: Predicate }[] = [];
  let i = 0;
  let join: 'and' | 'or' = 'and';
  while (i < tokens.length) {
    const attr = tokens[i];
    const op = tokens[i + 1];
    if (!attr || attr.quoted || !op || op.quoted) throw new SearchSyntaxError(`Invalid search criteria: ${expr}`);
    if (allowed && !allowed.includes(attr.value)) throw new SearchSyntaxError(`Invalid filter: unsupported attribute ${attr.value}`);
    const operator = op.value.toLowerCase();
    let pred: Predicate;
    if (operator === 'pr') {
      pred = (o) => get(o, attr.value) !== undefined && get(o, attr.value) !== null;
      i += 2;
    } else {
      const val = tokens[i + 2];
      if (!val) throw new SearchSyntaxError(`Invalid search criteria: ${expr}`);
      const want = val.value;
      const norm = (v: unknown): string => (typeof v === 'string' ? v.toLowerCase() : String(v));
      switch (operator) {
        case 'eq':
          pred = (o) => {
            const v = get(o, attr.value);
            return v !== undefined && (val.quoted ? norm(v) === want.toLowerCase() : String(v) === want);
          };
          break;
        case 'ne':
          pred = (o) => norm(get(o, attr.value)) !== want.toLowerCase();
          break;
        case 'sw':
          pred = (o) => {
            const v = get(o, attr.value);
            return typeof v === 'string' && v.toLowerCase().startsWith(want.toLowerCase());
          };
          break;
        case 'co':
          pred = (o) => {
            const v = get(o, attr.value);
            return typeof v === 'string' && v.toLowerCase().includes(want.toLowerCase());
          };
          break;
        default:
          throw new SearchSyntaxError(`Invalid search criteria: unsupported operator ${op.value}`);
      }
      i += 3;
    }
    clauses.push({ join, pred });
    const next = tokens[i];
    if (next) {
      const j = next.value.toLowerCase();
      if (next.quoted || (j !== 'and' && j !== 'or')) throw new SearchSyntaxError(`Invalid search criteria: ${expr}`);
      join = j;
      i++;
      if (i >= tokens.length) throw new SearchSyntaxError(`Invalid search criteria: ${expr}`);
    }
  }
  if (clauses.length === 0) throw new SearchSyntaxError('Invalid search criteria: empty expression');
  // `and` binds tighter than `or`.
  return (o) => {
    let result = false;
    let acc = true;
    clauses.forEach((c, idx) => {
      if (idx > 0 && c.join === 'or') {
        result = result || acc;
        acc = true;
      }
      acc = acc && c.pred(o);
    });
    return result || acc;
  };
}
