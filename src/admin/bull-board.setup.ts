import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { AppConfig } from '../config/app-config.js';
import { JobQueue } from '../queues/job-queue.service.js';
import { addAdminAuthHook, ADMIN_PREFIX } from './admin-auth.hook.js';

/** Where Bull Board is served. */
export const BOARD_PATH = `${ADMIN_PREFIX}/queues`;

/** Bull Board's page links a web font stylesheet (IBM Plex, from a font CDN). */
const EXTERNAL_FONT_LINK = /<link\b[^>]*\bhref="https:\/\/fonts\.(?:googleapis|gstatic)\.com[^"]*"[^>]*>\s*/g;

/**
 * The board's HTML without its external font link: the page then never asks the internet, and a
 * network that drops packets cannot hold its rendering on a stylesheet that never comes. Its CSS
 * falls back to system-ui and ui-monospace.
 */
export function withoutExternalFonts(contentType: unknown, payload: unknown): unknown {
  if (typeof payload !== 'string' || !String(contentType ?? '').startsWith('text/html')) return payload;
  return payload.replace(EXTERNAL_FONT_LINK, '');
}

/** The admin credential hook on /admin/*, then Bull Board for every queue at /admin/queues. */
@Injectable()
export class AdminHttpSetup implements OnModuleInit {
  private readonly logger = new Logger('Admin');

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly jobs: JobQueue,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    // The hook first: the board's plugin context, created after, inherits it.
    addAdminAuthHook(fastify, this.config.ADMIN_TOKEN);
    const serverAdapter = new FastifyAdapter();
    serverAdapter.setBasePath(BOARD_PATH);
    createBullBoard({
      // bull-board is typed against its own bullmq copy; the runtime Queue is the same class shape.
      queues: this.jobs.all().map((q) => new BullMQAdapter(q as unknown as ConstructorParameters<typeof BullMQAdapter>[0])),
      // @bull-board/fastify carries its own copy of @bull-board/api's types; the runtime contract is the same.
      serverAdapter: serverAdapter as unknown as Parameters<typeof createBullBoard>[0]['serverAdapter'],
      options: { uiConfig: { boardTitle: 'MooVitamix queues' } },
    });
    // In a plugin of its own, so the font hook only runs on the board's routes.
    void fastify.register(async (board: FastifyInstance) => {
      board.addHook('onSend', async (_request, reply, payload) => withoutExternalFonts(reply.getHeader('content-type'), payload));
      await board.register(serverAdapter.registerPlugin() as Parameters<FastifyInstance['register']>[0], { prefix: BOARD_PATH });
    });
    this.logger.log(
      `Bull Board at ${BOARD_PATH} for queues ${this.jobs
        .all()
        .map((q) => q.name)
        .join(', ')}`,
    );
  }
}
