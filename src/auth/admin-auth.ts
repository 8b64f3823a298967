import { timingSafeEqual } from 'node:crypto';

/**
 * True when an Authorization header carries the admin token, either as `Bearer <token>` (scripts,
 * operating endpoints) or, unless `allowBasic` is false, as HTTP Basic with the token as password
 * (browsers; any user name). A browser attaches a cached Basic credential to any request, even one
 * forged by another site, so Basic is only for the browser pages' GETs (see basicAllowedFor).
 */
export function isAdminAuthorization(header: string | undefined, token: string, allowBasic = true): boolean {
  if (!header) return false;
  const [scheme, value = ''] = header.split(' ', 2);
  if (/^bearer$/i.test(scheme ?? '')) return safeEqual(value.trim(), token);
  if (allowBasic && /^basic$/i.test(scheme ?? '')) {
    const decoded = Buffer.from(value.trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon >= 0 && safeEqual(decoded.slice(colon + 1), token);
  }
  return false;
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The WWW-Authenticate challenge that makes a browser prompt for the token. */
export const ADMIN_CHALLENGE = 'Basic realm="MooVitamix admin", charset="UTF-8"';

/** HTTP Basic is accepted for reading the browser pages under /admin only: GET or HEAD. */
export function basicAllowedFor(method: string, path: string): boolean {
  const m = method.toUpperCase();
  const p = (path.split('?', 1)[0] ?? '').toLowerCase();
  return (m === 'GET' || m === 'HEAD') && (p === '/admin' || p.startsWith('/admin/'));
}
