import { describe, expect, it } from 'vitest';
import { isAdminAuthorization } from '../../src/auth/admin-auth.js';

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
