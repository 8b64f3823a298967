import { describe, expect, it } from 'vitest';
import { parsePaging } from '../../../src/mock-api/serving/paging.js';

describe('parsePaging (FastAPI/pydantic rules of the original)', () => {
  it('defaults to page 1, size 100', () => {
    expect(parsePaging({})).toEqual({ ok: true, page: 1, size: 100 });
    expect(parsePaging(undefined)).toEqual({ ok: true, page: 1, size: 100 });
  });

  it.each([
    [{ page: '3', size: '50' }, 3, 50],
    [{ page: ' 2 ', size: '+7' }, 2, 7],
    [{ page: '4.0', size: '100' }, 4, 100],
    [{ page: ['1', '5'], size: '1' }, 5, 1],
    [{ page: '99999999' }, 99999999, 100],
  ])('accepts %j', (query, page, size) => {
    expect(parsePaging(query)).toEqual({ ok: true, page, size });
  });

  it.each([
    [{ page: '0' }, 'page', 'greater_than_equal', { ge: 1 }],
    [{ size: '0' }, 'size', 'greater_than_equal', { ge: 1 }],
    [{ size: '101' }, 'size', 'less_than_equal', { le: 100 }],
    [{ page: 'abc' }, 'page', 'int_parsing', undefined],
    [{ page: '' }, 'page', 'int_parsing', undefined],
    [{ size: '1e2' }, 'size', 'int_parsing', undefined],
    [{ size: '1.5' }, 'size', 'int_parsing', undefined],
  ])('rejects %j naming %s', (query, param, type, ctx) => {
    const r = parsePaging(query);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.detail).toHaveLength(1);
    expect(r.detail[0]).toMatchObject({ type, loc: ['query', param], input: Object.values(query)[0] });
    expect(r.detail[0]!.ctx).toEqual(ctx);
    expect(r.detail[0]!.msg).toMatch(/^Input should be/);
  });
});
