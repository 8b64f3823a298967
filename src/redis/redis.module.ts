import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { AppConfig } from '../config/app-config.js';
import { RedisLock } from './redis-lock.js';
import { REDIS } from './redis-token.js';

export { REDIS };

/** ioredis options for a REDIS_URL, shared with BullMQ so both reach the same server the same way. */
export function redisOptions(url: string) {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 6379),
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0,
    tls: u.protocol === 'rediss:' ? {} : undefined,
    // BullMQ requires null here for its blocking connections; harmless for the cache client.
    maxRetriesPerRequest: null,
  };
}

@Global()
@Module({
  providers: [
    {
      provide: REDIS,
      inject: [AppConfig],
      // commandTimeout: a stalled Redis fails a command in bounded time (serving then degrades to MongoDB).
      useFactory: (config: AppConfig) =>
        new Redis({
          ...redisOptions(config.REDIS_URL),
          maxRetriesPerRequest: 2,
          lazyConnect: false,
          commandTimeout: config.REDIS_COMMAND_TIMEOUT_MS,
        }),
    },
    RedisLock,
  ],
  exports: [REDIS, RedisLock],
})
export class RedisModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
