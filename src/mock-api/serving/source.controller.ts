import { Controller, Get, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { MockSourceService } from './mock-source.service.js';
import { sendAnswer } from './respond.js';

/** The three endpoints of the source contract (docs/source-api.md); documented by the hand-kept /openapi.json. */
@Controller()
export class SourceController {
  constructor(private readonly source: MockSourceService) {}

  @Get('tracks')
  tracks(@Query() query: Record<string, unknown>, @Res() reply: FastifyReply): Promise<void> {
    return sendAnswer(reply, this.source.answer('tracks', query));
  }

  @Get('users')
  users(@Query() query: Record<string, unknown>, @Res() reply: FastifyReply): Promise<void> {
    return sendAnswer(reply, this.source.answer('users', query));
  }

  @Get('listen_history')
  listenHistory(@Query() query: Record<string, unknown>, @Res() reply: FastifyReply): Promise<void> {
    return sendAnswer(reply, this.source.answer('listen_history', query));
  }
}
