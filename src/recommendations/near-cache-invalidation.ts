import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { Redis } from 'ioredis';
import { REDIS } from '../redis/redis.module.js';
import { RecommendationCache } from './recommendation-cache.js';
import { RecommendationServing } from './recommendation-serving.service.js';

/**
 * API role: listens to the users each batch recomputed (Redis pub/sub) and drops them from this
 * process's near cache, so a new playlist is served as soon as its batch has stored it.
 */
@Injectable()
export class NearCacheInvalidation implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('NearCacheInvalidation');
  private subscriber?: Redis;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly cache: RecommendationCache,
    private readonly serving: RecommendationServing,
  ) {}

  async onModuleInit(): Promise<void> {
    if (!this.serving.local.enabled) return;
    const sub = this.redis.duplicate();
    this.subscriber = sub;
    sub.on('message', (channel: string, message: string) => {
      if (channel !== this.cache.recomputedChannel) return;
      this.serving.local.forget(message.split(',').map(Number));
    });
    sub.on('error', (err: Error) => this.logger.warn(`recomputed-users subscription: ${err.message}`));
    await sub.subscribe(this.cache.recomputedChannel);
  }

  async onModuleDestroy(): Promise<void> {
    await this.subscriber?.quit().catch(() => this.subscriber?.disconnect());
  }
}
