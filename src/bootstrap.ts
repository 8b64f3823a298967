import type { INestApplication, LoggerService } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { AppModule } from './app.module.js';
import { ERROR_BODY_OPENAPI } from './common/request-validation.js';
import type { Settings } from './config/settings.js';
import { createHttpApp } from './http.js';
import { MockApiModule } from './mock-api/mock-api.module.js';
import { recommendationsOpenApi } from './recommendations/recommendations.route.js';
import type { RoleParts } from './roles.js';

/** Builds the pipeline application for a role, without listening (tests call this too). */
export async function createPipelineApp(settings: Settings, parts: RoleParts, logger: LoggerService) {
  const app = await createHttpApp(AppModule.forRoot(settings, parts), logger, {
    requestTimeoutMs: settings.HTTP_REQUEST_TIMEOUT_MS,
    publicRateLimit: settings.PUBLIC_RATE_LIMIT,
    publicRateBurst: settings.PUBLIC_RATE_BURST || undefined,
    ...throttleOf(settings),
  });
  if (parts.api) {
    const doc = new DocumentBuilder()
      .setTitle('MooVitamix pipeline API')
      .setDescription(
        'Recommendations, playlists, and the operating endpoints of ingestion, recommendation runs, training and models (admin: Authorization: Bearer <ADMIN_TOKEN>).',
      )
      .addBearerAuth()
      .build();
    SwaggerModule.setup('docs', app, () => withHandWrittenRoutes(SwaggerModule.createDocument(app, doc)), {
      jsonDocumentUrl: 'docs/openapi.json',
    });
  }
  return app;
}

/** The one place routes outside Nest's controllers join the document: the hot route (registered straight on Fastify). */
function withHandWrittenRoutes(document: OpenAPIObject): OpenAPIObject {
  const hot = recommendationsOpenApi();
  document.paths[hot.path] = hot.item as OpenAPIObject['paths'][string];
  document.components = { ...document.components, schemas: { ...document.components?.schemas, ErrorBody: ERROR_BODY_OPENAPI as never } };
  return document;
}

export async function createMockApiApp(settings: Settings, logger: LoggerService) {
  // No request deadline here: the mock's latency faults (MOCK_FAULT_LATENCY_MS) may be longer on purpose.
  return createHttpApp(MockApiModule.forRoot(settings), logger, throttleOf(settings));
}

function throttleOf(settings: Settings) {
  return { authFailureLimit: settings.AUTH_FAILURE_LIMIT, authFailureWindowMs: settings.AUTH_FAILURE_WINDOW * 1000 };
}

/**
 * SIGTERM/SIGINT: closes the apps one after the other, last started first (the pipeline's jobs may
 * still read the in-process mock API); each stops its workers, then HTTP, then its connections. Bounded.
 */
export function installShutdown(apps: INestApplication[], timeoutMs: number, logger: LoggerService): void {
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    logger.log(`${signal} received: shutting down (at most ${timeoutMs} ms)`, 'Main');
    const timer = setTimeout(() => {
      logger.error(`shutdown took longer than ${timeoutMs} ms: exiting; unfinished jobs will be retried`, undefined, 'Main');
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    [...apps]
      .reverse()
      .reduce((previous, a) => previous.then(() => a.close()), Promise.resolve())
      .then(() => {
        logger.log('shut down cleanly', 'Main');
        process.exit(0);
      })
      .catch((err: unknown) => {
        logger.error(`shutdown failed: ${(err as Error).message}`, (err as Error).stack, 'Main');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}
