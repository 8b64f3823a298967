import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ADMIN_CHALLENGE, isAdminAuthorization } from '../auth/admin-auth.js';

/** Everything under this prefix needs the admin credential: the dashboard, Bull Board and its API. */
export const ADMIN_PREFIX = '/admin';

const underAdmin = (path: string) => path === ADMIN_PREFIX || path.startsWith(`${ADMIN_PREFIX}/`);

/**
 * True for /admin and anything below it. A request that matched a route is judged by that route's
 * template alone, whatever the spelling of its URL (`/%61dmin/queues` matches the admin template and
 * is refused): the handler that would answer is what the check protects, and no route outside
 * /admin serves admin pages. That keeps the check to one string comparison on every API request.
 * A request that matched nothing is judged on its decoded, slash-collapsed, lower-cased path, so
 * probing /admin/anything answers 401 rather than telling which admin paths exist.
 */
export function isAdminPath(rawUrl: string, routeTemplate?: string): boolean {
  if (routeTemplate) return underAdmin(routeTemplate);
  const path = rawUrl.split('?', 1)[0] ?? '';
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    // An undecodable path is not served by any route; refusing it under doubt costs nothing.
    return true;
  }
  return underAdmin(decoded.replace(/\/{2,}/g, '/').toLowerCase());
}

/**
 * One Fastify onRequest hook on the root instance, ahead of every route and plugin, so Bull Board's
 * page, its /admin/queues/api/* (queue data, retry, clean) and the dashboard are all behind the
 * same check as AdminGuard; the challenge makes a browser prompt for the token.
 */
export function addAdminAuthHook(fastify: FastifyInstance, token: string): void {
  fastify.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void) => {
    if (!isAdminPath(request.url, request.routeOptions?.url) || isAdminAuthorization(request.headers.authorization, token)) {
      done();
      return;
    }
    void reply.code(401).header('WWW-Authenticate', ADMIN_CHALLENGE).send({
      statusCode: 401,
      error: 'Unauthorized',
      message: 'admin credential required: Authorization: Bearer <ADMIN_TOKEN>, or HTTP Basic with the token as password',
    });
  });
}
