import type { LoggerService, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';

/** A Nest application on Fastify, with the process's JSON logger. */
export async function createHttpApp(module: Type | import('@nestjs/common').DynamicModule, logger: LoggerService): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({ keepAliveTimeout: 65_000, bodyLimit: 1_048_576 });
  return NestFactory.create<NestFastifyApplication>(module, adapter, { logger, bufferLogs: false });
}
