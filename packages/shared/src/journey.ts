import type { Redis } from 'ioredis';
import { JourneyEventSchema, type JourneyEvent, type JourneyStage } from './contracts/whis.js';

/**
 * Where each Whis record stands and how it got there. Every stage appends an event; the record's
 * current status is the last event's stage. Kept in Redis so every service (and replica) can write it.
 */
export class JourneyStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'linkops',
  ) {}

  private key(id: string) {
    return `${this.prefix}:journey:${id}`;
  }
  private get statusKey() {
    return `${this.prefix}:journey-status`;
  }
  private get timeline() {
    return `${this.prefix}:journey-timeline`;
  }

  async record(id: string, event: Omit<JourneyEvent, 'at'> & { at?: string }, receivedAtMs?: number): Promise<void> {
    const e = JourneyEventSchema.parse({ ...event, at: event.at ?? new Date().toISOString() });
    const tx = this.redis.multi().rpush(this.key(id), JSON.stringify(e)).hset(this.statusKey, id, e.stage);
    if (receivedAtMs !== undefined) tx.zadd(this.timeline, 'NX', receivedAtMs, id);
    await tx.exec();
  }

  async events(id: string): Promise<JourneyEvent[]> {
    const raw = await this.redis.lrange(this.key(id), 0, -1);
    return raw.map((r) => JourneyEventSchema.parse(JSON.parse(r)));
  }

  async status(id: string): Promise<JourneyStage | null> {
    return (await this.redis.hget(this.statusKey, id)) as JourneyStage | null;
  }

  /** Records received since `sinceMs`, oldest first, optionally only those whose status is `status`. */
  async list(opts: { status?: JourneyStage; sinceMs?: number; offset: number; limit: number }): Promise<{ items: Array<{ id: string; status: JourneyStage; received_at: string }>; next_offset: number | null }> {
    const items: Array<{ id: string; status: JourneyStage; received_at: string }> = [];
    let cursor = opts.offset;
    const page = 500;
    for (;;) {
      const ids = await this.redis.zrangebyscore(this.timeline, opts.sinceMs ?? '-inf', '+inf', 'WITHSCORES', 'LIMIT', cursor, page);
      if (ids.length === 0) return { items, next_offset: null };
      const pairs: Array<[string, number]> = [];
      for (let i = 0; i < ids.length; i += 2) pairs.push([ids[i]!, Number(ids[i + 1])]);
      const statuses = await this.redis.hmget(this.statusKey, ...pairs.map((p) => p[0]));
      for (let i = 0; i < pairs.length; i++) {
        cursor++;
        const status = statuses[i] as JourneyStage | null;
        if (!status || (opts.status && status !== opts.status)) continue;
        items.push({ id: pairs[i]![0], status, received_at: new Date(pairs[i]![1]).toISOString() });
        if (items.length >= opts.limit) return { items, next_offset: cursor };
      }
    }
  }
}
