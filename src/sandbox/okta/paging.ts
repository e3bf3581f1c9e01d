/** List answers: `limit` / `after` cursor paging with a Link header, and `filter` / `search` expressions. */
import type { Answer, Ctx, Json, Org } from './context.js';
import { OktaHttpError } from './errors.js';
import { SearchSyntaxError, compileExpression } from './search.js';

/** `view` (optional) renders only the page's slice, so a page of a 100,000-item list stays cheap. */
export function page<T>(org: Org, ctx: Ctx, items: T[], idOf: (t: T) => string, defaultLimit: number, view?: (t: T) => unknown): Answer {
  const limitRaw = ctx.query.limit;
  const limit = typeof limitRaw === 'number' && limitRaw > 0 ? limitRaw : defaultLimit;
  const after = typeof ctx.query.after === 'string' ? ctx.query.after : undefined;
  let start = 0;
  if (after !== undefined) {
    const idx = items.findIndex((i) => idOf(i) === after);
    start = idx >= 0 ? idx + 1 : items.length;
  }
  const slice = items.slice(start, start + limit);
  const selfQs = new URLSearchParams(ctx.req.query);
  const links = [`<${org.orgUrl}${ctx.req.path}${selfQs.size > 0 ? `?${selfQs.toString()}` : ''}>; rel="self"`];
  const last = slice[slice.length - 1];
  if (start + limit < items.length && last !== undefined) {
    const nextQs = new URLSearchParams(ctx.req.query);
    nextQs.set('after', idOf(last));
    nextQs.set('limit', String(limit));
    links.push(`<${org.orgUrl}${ctx.req.path}?${nextQs.toString()}>; rel="next"`);
  }
  return { status: 200, json: view ? slice.map(view) : slice, headers: { link: links.join(', ') } };
}

export function filterBy<T>(items: T[], view: (t: T) => unknown, expr: unknown, allowed?: string[]): T[] {
  if (typeof expr !== 'string' || expr.trim() === '') return items;
  let pred;
  try {
    pred = compileExpression(expr, allowed);
  } catch (e) {
    if (e instanceof SearchSyntaxError) throw new OktaHttpError(400, 'E0000031', 'Invalid search criteria.', [e.message]);
    throw e;
  }
  return items.filter((i) => pred(view(i)));
}

/** How a top-level collection (apps, groups, users) answers its list call. */
export interface Listing<T> {
  view: (t: T) => Json;
  /** `q`: whether the record matches the lower-cased prefix. */
  q: (t: T, prefix: string) => boolean;
  /** Whether the collection takes a `search` expression (apps do not). */
  search: boolean;
  /** The fields a `filter` expression may name. */
  filterFields: string[];
  defaultLimit: number;
}

/** `q` prefix matching, then `search` and `filter` over the records' views, then a page. */
export function listCollection<T>(org: Org, ctx: Ctx, items: T[], l: Listing<T>): Answer {
  let found = items;
  if (typeof ctx.query.q === 'string') {
    const prefix = ctx.query.q.toLowerCase();
    found = found.filter((x) => l.q(x, prefix));
  }
  if (l.search) found = filterBy(found, l.view, ctx.query.search);
  found = filterBy(found, l.view, ctx.query.filter, l.filterFields);
  return page(org, ctx, found.map(l.view), (v) => String(v.id), l.defaultLimit);
}
