import { HttpException, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { openApiParameter, userIdParam, validateParameter } from '../common/request-validation.js';
import type { EdgeRouteConfig } from '../http.js';
import { RecommendationServing, type Served } from './recommendation-serving.service.js';
import { recommendationsLimitParam } from './request-params.js';

export const RECOMMENDATIONS_ROUTE = '/users/:userId/recommendations';

const USER_ID = { type: 'param', data: 'userId' } as const;
const LIMIT = { type: 'query', data: 'limit' } as const;

/**
 * The route's entry in the OpenAPI document: Nest's scanner sees only controllers, so the document
 * factory (src/bootstrap.ts) adds this by hand, built from the schemas the route checks.
 */
export function recommendationsOpenApi() {
  const error = (description: string) => ({
    description,
    content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorBody' } } },
  });
  return {
    path: '/users/{userId}/recommendations',
    item: {
      get: {
        operationId: 'RecommendationsRoute_recommendations',
        summary:
          "The user's playlist (served from Redis, then MongoDB, then the cold-start list; header X-Recommendation-Source says which)",
        tags: ['recommendations'],
        parameters: [openApiParameter('userId', 'path', userIdParam), openApiParameter('limit', 'query', recommendationsLimitParam)],
        responses: {
          200: {
            description: 'Playlist id, generated_at, model_version, variant, tracks with name, artist, genres, score',
            headers: {
              'X-Recommendation-Source': {
                description: 'cache, store or cold_start',
                schema: { type: 'string', enum: ['cache', 'store', 'cold_start'] },
              },
            },
            content: { 'application/json': { schema: { type: 'object' } } },
          },
          400: error('A bad parameter, named in the body'),
          404: error('No user with this id'),
          503: error('The store did not answer in time'),
        },
      },
    },
  };
}

type RecommendationsRequest = FastifyRequest<{ Params: { userId: string }; Querystring: { limit?: string } }>;

/**
 * GET /users/:userId/recommendations, the hot path, as a plain Fastify route of the Nest
 * application: the same service and the same global hooks (admin check, HTTP metrics), without
 * Nest's router per request, which costs about a tenth of the throughput on this route.
 * Answers: the pre-rendered JSON, header X-Recommendation-Source (cache, store or cold_start);
 * 400 naming the bad parameter; 404 for an unknown user.
 */
@Injectable()
export class RecommendationsRoute implements OnModuleInit {
  private readonly logger = new Logger('RecommendationsRoute');

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly serving: RecommendationServing,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    // No request deadline hooks on the hot route: each of its reads is bounded already.
    const config: EdgeRouteConfig = { requestDeadline: false };
    fastify.get(RECOMMENDATIONS_ROUTE, { config }, (request, reply) => this.handle(request as RecommendationsRequest, reply));
  }

  /** Synchronous when the near cache answers (the common case under load), else the async fallback chain. */
  handle(request: RecommendationsRequest, reply: FastifyReply): undefined | Promise<void> {
    let userId: number;
    let limit: number;
    try {
      userId = validateParameter(userIdParam, request.params.userId, USER_ID);
      limit = validateParameter(recommendationsLimitParam, request.query.limit, LIMIT);
    } catch (err) {
      this.fail(request, reply, err);
      return undefined;
    }
    const near = this.serving.fromNearCache(userId, limit);
    if (near) {
      // Sent synchronously: Fastify takes an undefined return as "the handler replied".
      this.send(reply, near);
      return undefined;
    }
    return this.serving.recommendations(userId, limit).then(
      (served) => void this.send(reply, served),
      (err: unknown) => void this.fail(request, reply, err),
    );
  }

  private send(reply: FastifyReply, served: Served): FastifyReply {
    return reply.headers({ 'content-type': 'application/json; charset=utf-8', 'x-recommendation-source': served.source }).send(served.json);
  }

  private fail(request: RecommendationsRequest, reply: FastifyReply, err: unknown): FastifyReply {
    if (err instanceof HttpException) {
      const body = err.getResponse();
      return reply.code(err.getStatus()).send(typeof body === 'string' ? { statusCode: err.getStatus(), message: body } : body);
    }
    this.logger.error(`recommendations of ${request.params.userId} failed: ${(err as Error).message}`, { userId: request.params.userId });
    return reply.code(500).send({ statusCode: 500, error: 'Internal Server Error', message: 'recommendations could not be read' });
  }
}
