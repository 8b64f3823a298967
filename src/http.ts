import type { LoggerService, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { addStateChangeGuard } from './auth/state-change-guard.js';

/**
 * A Nest application on Fastify, with the process's JSON logger; every state-changing request goes
 * through the CSRF guard (Bearer only, JSON bodies only, same origin) before any route or plugin.
 */
export async function createHttpApp(module: Type | import('@nestjs/common').DynamicModule, logger: LoggerService): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({ keepAliveTimeout: 65_000, bodyLimit: 1_048_576 });
  addStateChangeGuard(adapter.getInstance());
  return NestFactory.create<NestFastifyApplication>(module, adapter, { logger, bufferLogs: false });
}
