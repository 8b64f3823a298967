import { Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppConfig } from '../config/app-config.js';
import { ADMIN_CHALLENGE, basicAllowedFor, isAdminAuthorization } from './admin-auth.js';

/**
 * Operating endpoints: `@UseGuards(AdminGuard)`. Bearer everywhere; HTTP Basic only for GETs of the
 * browser pages under /admin. Bull Board uses the same check as a Fastify hook.
 */
@Injectable()
export class AdminGuard implements CanActivate {
  constructor(private readonly config: AppConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const http = context.switchToHttp();
    const req = http.getRequest<FastifyRequest>();
    const allowBasic = basicAllowedFor(req.method, req.routeOptions?.url ?? req.url);
    if (isAdminAuthorization(req.headers.authorization, this.config.ADMIN_TOKEN, allowBasic)) return true;
    // The browser prompt only where Basic is accepted; elsewhere it would offer a credential that is refused.
    if (allowBasic) http.getResponse<FastifyReply>().header('WWW-Authenticate', ADMIN_CHALLENGE);
    throw new UnauthorizedException('admin credential required: Authorization: Bearer <ADMIN_TOKEN>');
  }
}
