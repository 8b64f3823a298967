import { describe, expect, it } from 'vitest';
import { stateChangeRefusal } from '../../../src/auth/state-change-guard.js';

const req = (method: string, headers: Record<string, string> = {}) => ({ method, headers: { host: 'api.example:3000', ...headers } });
const basic = `Basic ${Buffer.from('admin:token').toString('base64')}`;

describe('the state-change guard', () => {
  it('lets safe methods through whatever they carry', () => {
    expect(
      stateChangeRefusal(req('GET', { authorization: basic, origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' })),
    ).toBeNull();
    expect(stateChangeRefusal(req('HEAD', { authorization: basic }))).toBeNull();
  });
  it('refuses HTTP Basic on POST, PUT, PATCH and DELETE', () => {
    for (const m of ['POST', 'PUT', 'PATCH', 'DELETE']) expect(stateChangeRefusal(req(m, { authorization: basic }))?.status, m).toBe(403);
    expect(stateChangeRefusal(req('POST', { authorization: 'basic abc' }))?.status).toBe(403);
  });
  it('refuses bodies that are not JSON, and a body without a type', () => {
    expect(stateChangeRefusal(req('POST', { 'content-type': 'application/x-www-form-urlencoded', 'content-length': '3' }))?.status).toBe(
      415,
    );
    expect(stateChangeRefusal(req('POST', { 'content-type': 'text/plain' }))?.status).toBe(415);
    expect(stateChangeRefusal(req('POST', { 'content-length': '2' }))?.status).toBe(415);
    expect(stateChangeRefusal(req('POST', { 'content-type': 'application/json; charset=utf-8', 'content-length': '2' }))).toBeNull();
    expect(stateChangeRefusal(req('POST', { 'content-type': 'application/merge-patch+json' }))).toBeNull();
    expect(stateChangeRefusal(req('POST'))).toBeNull();
  });
  it('refuses other sites and origins, and accepts the same origin', () => {
    expect(stateChangeRefusal(req('POST', { 'sec-fetch-site': 'cross-site' }))?.status).toBe(403);
    expect(stateChangeRefusal(req('POST', { 'sec-fetch-site': 'same-site' }))?.status).toBe(403);
    expect(stateChangeRefusal(req('POST', { origin: 'https://evil.example' }))?.status).toBe(403);
    expect(stateChangeRefusal(req('POST', { origin: 'null' }))?.status).toBe(403);
    expect(stateChangeRefusal(req('POST', { origin: 'http://api.example:3000', 'sec-fetch-site': 'same-origin' }))).toBeNull();
    expect(stateChangeRefusal(req('POST', { origin: 'https://public.example', 'x-forwarded-host': 'public.example' }))).toBeNull();
    expect(stateChangeRefusal(req('POST', { 'sec-fetch-site': 'none' }))).toBeNull();
  });
});
