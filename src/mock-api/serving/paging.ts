/**
 * `page` and `size` checked as the original FastAPI app checks them (pydantic v2): an integer
 * (a numeric string, surrounding spaces and a zero fraction allowed), page >= 1, 1 <= size <= 100.
 * Every bad parameter is reported, each naming itself in `loc`.
 */

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 100;

export interface ValidationIssue {
  type: string;
  loc: ['query', string];
  msg: string;
  input: unknown;
  ctx?: Record<string, number>;
}

export type PagingResult = { ok: true; page: number; size: number } | { ok: false; detail: ValidationIssue[] };

const INTEGER = /^\s*[+-]?\d+(?:\.0*)?\s*$/;

export function parsePaging(query: Record<string, unknown> | undefined): PagingResult {
  const detail: ValidationIssue[] = [];
  const page = parseParam(query, 'page', 1, 1, undefined, detail);
  const size = parseParam(query, 'size', DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE, detail);
  return detail.length > 0 ? { ok: false, detail } : { ok: true, page: page!, size: size! };
}

function parseParam(
  query: Record<string, unknown> | undefined,
  name: string,
  fallback: number,
  min: number,
  max: number | undefined,
  detail: ValidationIssue[],
): number | undefined {
  let raw = query?.[name];
  // A repeated parameter: Starlette keeps the last value.
  if (Array.isArray(raw)) raw = raw[raw.length - 1];
  if (raw === undefined) return fallback;
  const text = String(raw);
  if (!INTEGER.test(text)) {
    detail.push({
      type: 'int_parsing',
      loc: ['query', name],
      msg: 'Input should be a valid integer, unable to parse string as an integer',
      input: text,
    });
    return undefined;
  }
  const value = Math.trunc(Number(text));
  if (value < min) {
    detail.push({
      type: 'greater_than_equal',
      loc: ['query', name],
      msg: `Input should be greater than or equal to ${min}`,
      input: text,
      ctx: { ge: min },
    });
    return undefined;
  }
  if (max !== undefined && value > max) {
    detail.push({
      type: 'less_than_equal',
      loc: ['query', name],
      msg: `Input should be less than or equal to ${max}`,
      input: text,
      ctx: { le: max },
    });
    return undefined;
  }
  return value;
}
