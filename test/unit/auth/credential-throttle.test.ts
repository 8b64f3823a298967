import { describe, expect, it } from 'vitest';
import { DOCUMENT_HEADERS, FailureWindow, NOSNIFF } from '../../../src/auth/credential-throttle.js';

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
    expect(NOSNIFF['x-content-type-options']).toBe('nosniff');
    expect(DOCUMENT_HEADERS['x-frame-options']).toBe('DENY');
    expect(DOCUMENT_HEADERS['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(DOCUMENT_HEADERS['content-security-policy']).toContain("script-src 'self'");
  });
});
