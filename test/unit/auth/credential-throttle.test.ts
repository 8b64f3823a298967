import { describe, expect, it } from 'vitest';
import { FailureWindow, SECURITY_HEADERS } from '../../../src/auth/credential-throttle.js';

describe('the failed-credential window', () => {
  it('blocks a client after its limit until the window ends, each client on its own', () => {
    let t = 0;
    const w = new FailureWindow(3, 60_000, () => t);
    w.fail('a');
    w.fail('a');
    expect(w.blockedFor('a')).toBe(0);
    w.fail('a');
    expect(w.blockedFor('a')).toBe(60_000);
    expect(w.blockedFor('b')).toBe(0);
    t = 59_000;
    expect(w.blockedFor('a')).toBe(1_000);
    t = 60_000;
    expect(w.blockedFor('a')).toBe(0);
    w.fail('a');
    expect(w.blockedFor('a')).toBe(0);
  });
});

describe('security headers', () => {
  it('forbid framing and sniffing, and scripts from elsewhere', () => {
    expect(SECURITY_HEADERS['x-content-type-options']).toBe('nosniff');
    expect(SECURITY_HEADERS['x-frame-options']).toBe('DENY');
    expect(SECURITY_HEADERS['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(SECURITY_HEADERS['content-security-policy']).toContain("script-src 'self'");
  });
});
