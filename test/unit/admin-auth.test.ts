import { describe, expect, it } from 'vitest';
import { basicAllowedFor, isAdminAuthorization } from '../../src/auth/admin-auth.js';

const token = 'the-admin-token-123456';
const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;

describe('admin credential', () => {
  it('accepts the token as a bearer token', () => {
    expect(isAdminAuthorization(`Bearer ${token}`, token)).toBe(true);
    expect(isAdminAuthorization(`bearer ${token}`, token)).toBe(true);
  });
  it('accepts HTTP Basic with the token as password, whatever the user name', () => {
    expect(isAdminAuthorization(basic('admin', token), token)).toBe(true);
    expect(isAdminAuthorization(basic('', token), token)).toBe(true);
  });
  it('refuses a missing, wrong or malformed credential', () => {
    expect(isAdminAuthorization(undefined, token)).toBe(false);
    expect(isAdminAuthorization('Bearer nope', token)).toBe(false);
    expect(isAdminAuthorization(basic('admin', 'nope'), token)).toBe(false);
    expect(isAdminAuthorization(`Basic ${Buffer.from(token).toString('base64')}`, token)).toBe(false);
    expect(isAdminAuthorization(`Token ${token}`, token)).toBe(false);
  });
});

describe('HTTP Basic only for reading the browser pages', () => {
  it('is refused when the route does not allow it; Bearer still works', () => {
    expect(isAdminAuthorization(basic('admin', token), token, false)).toBe(false);
    expect(isAdminAuthorization(`Bearer ${token}`, token, false)).toBe(true);
  });
  it('is allowed for GET and HEAD under /admin only', () => {
    expect(basicAllowedFor('GET', '/admin')).toBe(true);
    expect(basicAllowedFor('GET', '/admin/queues/api/queues?x=1')).toBe(true);
    expect(basicAllowedFor('HEAD', '/admin/summary')).toBe(true);
    expect(basicAllowedFor('POST', '/admin/queues/api/queues/x/retry/failed')).toBe(false);
    expect(basicAllowedFor('GET', '/ingestion/runs')).toBe(false);
    expect(basicAllowedFor('GET', '/administrator')).toBe(false);
    expect(basicAllowedFor('POST', '/models/rollback')).toBe(false);
  });
});
