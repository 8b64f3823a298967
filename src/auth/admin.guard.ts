import { Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppConfig } from '../config/app-config.js';
import { ADMIN_CHALLENGE, isAdminAuthorization } from './admin-auth.js';

/** Operating endpoints: `@UseGuards(AdminGuard)`. Bull Board uses the same check as a Fastify hook. */
@Injectable()
export class AdminGuard implements CanActivate {
  constructor(private readonly config: AppConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const http = context.switchToHttp();
    const req = http.getRequest<FastifyRequest>();
    if (isAdminAuthorization(req.headers.authorization, this.config.ADMIN_TOKEN)) return true;
    http.getResponse<FastifyReply>().header('WWW-Authenticate', ADMIN_CHALLENGE);
    throw new UnauthorizedException('admin credential required: Authorization: Bearer <ADMIN_TOKEN>');
  }
}
