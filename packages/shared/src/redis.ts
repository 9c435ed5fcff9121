import { Redis, type RedisOptions } from 'ioredis';

/**
 * BullMQ workers need `maxRetriesPerRequest: null` (blocking commands must wait through outages);
 * reconnects back off up to 2 s so a restarted Redis is picked up quickly.
 */
export function createRedis(url: string, opts: RedisOptions = {}): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    retryStrategy: (times) => Math.min(200 * times, 2000),
    lazyConnect: false,
    ...opts,
  });
}

/** A connection for health probes and request-path reads: fails fast instead of queueing while Redis is down. */
export function createProbeRedis(url: string): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    connectTimeout: 2000,
    retryStrategy: (times) => Math.min(200 * times, 2000),
  });
}

export async function pingRedis(redis: Redis, timeoutMs = 1000): Promise<{ ok: true } | { ok: false; reason: string }> {
  if (redis.status !== 'ready') return { ok: false, reason: `redis connection is ${redis.status}` };
  try {
    const pong = await Promise.race([
      redis.ping(),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs)),
    ]);
    return pong === 'PONG' ? { ok: true } : { ok: false, reason: `unexpected ping reply ${String(pong)}` };
  } catch (err) {
    return { ok: false, reason: `redis: ${(err as Error).message}` };
  }
}
