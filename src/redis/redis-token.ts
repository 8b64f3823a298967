/** DI token of the shared ioredis client (cache, locks, counters; BullMQ has its own connections). */
export const REDIS = Symbol('REDIS');
