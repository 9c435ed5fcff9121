import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { startService, type QueueKit, type RunningService } from '@linkops/shared';

/** A BullMQ Queue on the same Redis and QUEUE_PREFIX (the kit's queue(): `new Queue(name, {connection, prefix})`). */
type Queue = ReturnType<QueueKit['queue']>;
import { service as dataInput } from '../../services/whis_data_input/src/service.js';
import { service as sanitize } from '../../services/whis_sanitize/src/service.js';
import { DisposableRedis, LogCapture, freePort, tempDir, testRedisUrl, uniquePrefix, waitFor } from '../helpers/redis.js';
import { makeFixtures, shuffleFrom, type Fixture, type Submission } from '../fixtures/intake/generate.js';

interface JourneyEvent {
  stage: string;
  service: string;
  reason?: string;
  detail?: Record<string, unknown>;
}
interface Journey {
  id: string;
  status: string;
  events: JourneyEvent[];
}
interface SubmitResult {
  id: string;
  duplicate: boolean;
  status: 'received' | 'review';
}
interface Page {
  items: Array<{ id: string; status: string; received_at: string }>;
  next_offset: number | null;
}

const SETTLED = new Set(['sanitized', 'rejected', 'variant', 'review']);

async function call<T>(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: T }> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    const ndjson = headers['content-type'] === 'application/x-ndjson';
    init.body = ndjson ? (body as string) : JSON.stringify(body);
    if (!ndjson) (init.headers as Record<string, string>)['content-type'] = 'application/json';
  }
  const res = await fetch(url, init);
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

async function allPages(base: string, query: string, limit: number): Promise<Page['items']> {
  const out: Page['items'] = [];
  let offset: number | null = 0;
  while (offset !== null) {
    const r: { status: number; body: Page } = await call<Page>('GET', `${base}/data?${query}&limit=${limit}&offset=${offset}`);
    expect(r.status).toBe(200);
    expect(r.body.items.length).toBeLessThanOrEqual(limit);
    out.push(...r.body.items);
    offset = r.body.next_offset;
  }
  return out;
}

/** Every value stored under `prefix`, whatever the key type, as one string per key. */
async function dumpRedis(redis: Redis, prefix: string): Promise<Map<string, string>> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  const out = new Map<string, string>();
  for (let i = 0; i < keys.length; i += 500) {
    const chunk = keys.slice(i, i + 500);
    const types = (await redis.pipeline(chunk.map((k) => ['type', k])).exec()) ?? [];
    const cmds = chunk.map((k, j): [string, ...string[]] => {
      const type = String(types[j]?.[1]);
      if (type === 'string') return ['get', k];
      if (type === 'list') return ['lrange', k, '0', '-1'];
      if (type === 'hash') return ['hgetall', k];
      if (type === 'set') return ['smembers', k];
      if (type === 'zset') return ['zrange', k, '0', '-1', 'WITHSCORES'];
      if (type === 'stream') return ['xrange', k, '-', '+'];
      throw new Error(`unexpected key type ${type} for ${k}`);
    });
    const values = (await redis.pipeline(cmds).exec()) ?? [];
    chunk.forEach((k, j) => out.set(k, JSON.stringify(values[j]?.[1])));
  }
  return out;
}

async function cleanPrefix(url: string, prefix: string): Promise<void> {
  const r = new Redis(url);
  let cursor = '0';
  do {
    const [next, batch] = await r.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (batch.length) await r.del(...batch);
  } while (cursor !== '0');
  await r.quit();
}

const baseEnv = (prefix: string, dir: string, extra: Record<string, string> = {}) => ({
  REDIS_URL: testRedisUrl(),
  QUEUE_PREFIX: prefix,
  DATA_DIR: dir,
  LOG_LEVEL: 'silent',
  RATE_LIMIT_MAX: '1000000',
  ...extra,
});

describe('whis intake: 1,000 labelled submissions through whis_data_input and whis_sanitize', () => {
  const prefix = uniquePrefix('intake');
  const tmp = tempDir('intake');
  const logsIn = new LogCapture();
  const logsSan = new LogCapture();
  let di: RunningService;
  let san: RunningService;
  let redis: Redis;
  let smith: Queue;
  const fixtures = makeFixtures({ seed: 1234, good: 400, near: 150, exact: 100, junk: 150, review: 100, secret: 100 });
  const byKey = new Map(fixtures.map((f) => [f.key, f]));
  const idOf = new Map<string, string>();
  let phase2Since = '';

  beforeAll(async () => {
    const env = baseEnv(prefix, tmp.dir, { LOG_LEVEL: 'debug' });
    di = await startService(dataInput, { port: 0, env, logDestination: logsIn.stream });
    san = await startService(sanitize, { port: 0, env, logDestination: logsSan.stream });
    redis = new Redis(testRedisUrl());
    smith = san.ctx.queues.queue('whis.smith');
  });
  afterAll(async () => {
    await di?.stop();
    await san?.stop();
    await redis?.quit();
    await cleanPrefix(testRedisUrl(), prefix);
    tmp.cleanup();
  });

  /** Sends fixtures: every 10th as a single POST (half with an Idempotency-Key), the rest in batches alternating JSON array / JSONL. */
  async function submit(items: Fixture[]): Promise<Map<string, { status: number; result: SubmitResult }>> {
    const out = new Map<string, { status: number; result: SubmitResult }>();
    const singles = items.filter((_, i) => i % 10 === 0);
    const batched = items.filter((_, i) => i % 10 !== 0);
    for (const [n, f] of singles.entries()) {
      const headers: Record<string, string> = n % 2 === 0 ? { 'idempotency-key': `k-${f.key}` } : {};
      const r = await call<SubmitResult>('POST', `${di.url}/data`, f.sub, headers);
      expect([200, 201], JSON.stringify(r.body)).toContain(r.status);
      out.set(f.key, { status: r.status, result: r.body });
    }
    for (let i = 0, n = 0; i < batched.length; i += 60, n++) {
      const chunk = batched.slice(i, i + 60);
      const jsonl = n % 2 === 1;
      const r = jsonl
        ? await call<{ accepted: number; duplicates: number; items: SubmitResult[] }>('POST', `${di.url}/data/batch`, chunk.map((f) => JSON.stringify(f.sub)).join('\n'), { 'content-type': 'application/x-ndjson' })
        : await call<{ accepted: number; duplicates: number; items: SubmitResult[] }>('POST', `${di.url}/data/batch`, chunk.map((f) => f.sub));
      expect(r.status, JSON.stringify(r.body).slice(0, 500)).toBe(201);
      expect(r.body.items).toHaveLength(chunk.length);
      expect(r.body.accepted + r.body.duplicates).toBe(chunk.length);
      chunk.forEach((f, j) => out.set(f.key, { status: r.body.items[j]!.duplicate ? 200 : 201, result: r.body.items[j]! }));
    }
    return out;
  }

  async function statusCounts(): Promise<Record<string, number>> {
    const items = await allPages(di.url, 'x=1', 1000);
    const counts: Record<string, number> = {};
    for (const it of items) counts[it.status] = (counts[it.status] ?? 0) + 1;
    return counts;
  }

  async function settled(expected: number): Promise<Record<string, number>> {
    return waitFor(async () => {
      const c = await statusCounts();
      const n = Object.entries(c).filter(([s]) => SETTLED.has(s)).reduce((a, [, v]) => a + v, 0);
      return n === expected ? c : undefined;
    }, 60_000, 250);
  }

  it('routes each submission as its label says: sanitized, rejected with reasons, variant_of, held for review, same id for duplicates', async () => {
    // Phase 1: originals, junk, review candidates and secret-bearing pairs, shuffled together.
    const phase1 = shuffleFrom(fixtures.filter((f) => !['near', 'exact'].includes(f.label)), 0, 11);
    for (const [key, r] of await submit(phase1)) {
      expect(r.status, key).toBe(201);
      expect(r.result.status).toBe(byKey.get(key)!.label === 'review' ? 'review' : 'received');
      idOf.set(key, r.result.id);
    }
    expect(new Set(idOf.values()).size).toBe(phase1.length);
    await settled(phase1.length);
    await new Promise((r) => setTimeout(r, 5));
    phase2Since = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 5));

    // Phase 2: near-duplicates and exact resubmissions of phase-1 originals.
    const phase2 = shuffleFrom(fixtures.filter((f) => ['near', 'exact'].includes(f.label)), 0, 13);
    for (const [key, r] of await submit(phase2)) {
      const f = byKey.get(key)!;
      if (f.label === 'exact') {
        expect(r.status, key).toBe(200);
        expect(r.result.duplicate).toBe(true);
        expect(r.result.id).toBe(idOf.get(f.of!));
      } else {
        expect(r.status, key).toBe(201);
        idOf.set(key, r.result.id);
      }
    }
    const stored = fixtures.filter((f) => f.label !== 'exact');
    const counts = await settled(stored.length);

    const expected = { sanitized: 0, rejected: 0, variant: 0, review: 0 };
    for (const f of stored) {
      if (f.label === 'good' || f.label === 'secret') expected.sanitized++;
      if (f.label === 'junk') expected.rejected++;
      if (f.label === 'near') expected.variant++;
      if (f.label === 'review') expected.review++;
    }
    expect(counts).toEqual(expected);

    // Accepted records are exactly the jobs waiting on whis.smith.
    const jobCounts = await smith.getJobCounts('waiting', 'active', 'completed', 'failed', 'delayed');
    expect(jobCounts.waiting).toBe(expected.sanitized);
    const jobs = await smith.getJobs(['waiting'], 0, -1);
    const smithIds = jobs.map((j) => (j.data as { record: { id: string } }).record.id).sort();
    const acceptedIds = stored.filter((f) => f.label === 'good' || f.label === 'secret').map((f) => idOf.get(f.key)!).sort();
    expect(smithIds).toEqual(acceptedIds);

    // Each record's journey, as GET /data/:id shows it.
    const junkCode = { too_short: 'too_short', no_action: 'no_action_verb', gibberish: 'gibberish' } as const;
    for (const f of stored) {
      const id = idOf.get(f.key)!;
      const r = await call<{ id: string; status: string; record: { id: string }; journey: JourneyEvent[] }>('GET', `${di.url}/data/${id}`);
      expect(r.status).toBe(200);
      expect(r.body.record.id).toBe(id);
      const stages = r.body.journey.map((e) => e.stage);
      const last = r.body.journey.at(-1)!;
      expect(stages[0], f.key).toBe('received');
      if (f.label === 'good' || f.label === 'secret') {
        expect(stages, f.key).toEqual(['received', 'sanitized']);
        expect(last.service).toBe('whis_sanitize');
      } else if (f.label === 'junk') {
        expect(stages, f.key).toEqual(['received', 'rejected']);
        expect(last.reason, f.key).toContain(junkCode[f.junkKind!]);
      } else if (f.label === 'near') {
        expect(stages, f.key).toEqual(['received', 'variant']);
        expect(last.detail?.variant_of, f.key).toBe(idOf.get(f.of!));
      } else if (f.label === 'review') {
        expect(stages, f.key).toEqual(['received', 'review']);
        expect(last.reason).toMatch(f.sub.source === 'webscraper' ? /webscraper/ : /confidence/);
      }
      expect(r.body.status).toBe(stages.at(-1));
    }
    const j = await call<Journey>('GET', `${di.url}/data/${idOf.get('n0')}/journey`);
    expect(j.body.status).toBe('variant');
    expect(j.body.events.map((e) => e.stage)).toEqual(['received', 'variant']);
  }, 150_000); // ~20 s on a quiet machine; the shared 2-core box can be several times slower

  it('lists records by status and time with paging', async () => {
    const want = (labels: string[]) => fixtures.filter((f) => labels.includes(f.label)).map((f) => idOf.get(f.key)!).sort();
    for (const [status, labels, limit] of [['sanitized', ['good', 'secret'], 77], ['rejected', ['junk'], 40], ['variant', ['near'], 1000], ['review', ['review'], 33]] as const) {
      const items = await allPages(di.url, `status=${status}`, limit);
      const ids = items.map((i) => i.id);
      expect(new Set(ids).size, status).toBe(ids.length);
      expect(ids.sort(), status).toEqual(want([...labels]));
      expect(items.every((i) => i.status === status)).toBe(true);
    }
    // Oldest first; `since` keeps only what arrived after it (phase 2: the near-duplicates).
    const all = await allPages(di.url, 'x=1', 250);
    expect(all.map((i) => i.received_at)).toEqual([...all.map((i) => i.received_at)].sort());
    const since = await allPages(di.url, `since=${encodeURIComponent(phase2Since)}`, 50);
    expect(since.map((i) => i.id).sort()).toEqual(want(['near']));
  });

  it('exports every stored record as JSONL', async () => {
    const res = await fetch(`${di.url}/data/export`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/x-ndjson/);
    const lines = (await res.text()).split('\n').filter(Boolean);
    const records = lines.map((l) => JSON.parse(l) as { id: string; task: string; answer: string; idempotency_key?: string });
    const stored = fixtures.filter((f) => f.label !== 'exact');
    expect(records).toHaveLength(stored.length);
    expect(records.map((r) => r.id).sort()).toEqual(stored.map((f) => idOf.get(f.key)!).sort());
    const byId = new Map(records.map((r) => [r.id, r]));
    for (const f of stored) {
      const rec = byId.get(idOf.get(f.key)!)!;
      expect(rec.task).toBe(f.sub.task.trim());
      expect(rec.answer).toBe((f.sub.answer ?? f.sub.solution)!.trim());
    }
  });

  it('review: approve sends a held record on to sanitize, reject records the reason', async () => {
    const held = await call<{ total: number; items: Array<{ id: string; reason: string }> }>('GET', `${di.url}/review?limit=500`);
    const reviewIds = fixtures.filter((f) => f.label === 'review').map((f) => idOf.get(f.key)!);
    expect(held.body.total).toBe(reviewIds.length);
    expect(held.body.items.map((i) => i.id).sort()).toEqual([...reviewIds].sort());
    const approve = reviewIds.slice(0, 4);
    const reject = reviewIds.slice(4, 7);
    const before = (await smith.getJobCounts('waiting')).waiting ?? 0;
    for (const id of approve) expect((await call('POST', `${di.url}/review/${id}/approve`)).status).toBe(200);
    for (const id of reject) expect((await call('POST', `${di.url}/review/${id}/reject`, { reason: 'outdated docs' })).status).toBe(200);
    await waitFor(async () => {
      for (const id of approve) if ((await call<Journey>('GET', `${di.url}/data/${id}/journey`)).body.status !== 'sanitized') return false;
      return true;
    }, 20_000, 100);
    for (const id of approve) {
      const j = await call<Journey>('GET', `${di.url}/data/${id}/journey`);
      expect(j.body.events.map((e) => e.stage)).toEqual(['received', 'review', 'approved', 'sanitized']);
    }
    for (const id of reject) {
      const j = await call<Journey>('GET', `${di.url}/data/${id}/journey`);
      expect(j.body.events.map((e) => e.stage)).toEqual(['received', 'review', 'rejected']);
      expect(j.body.events.at(-1)!.reason).toBe('outdated docs');
    }
    expect((await smith.getJobCounts('waiting')).waiting).toBe(before + approve.length);
    const after = await call<{ total: number }>('GET', `${di.url}/review`);
    expect(after.body.total).toBe(reviewIds.length - approve.length - reject.length);
    expect((await call('POST', `${di.url}/review/${approve[0]}/approve`)).status).toBe(409);
    expect((await call('POST', `${di.url}/review/${reject[0]}/reject`, { reason: 'again' })).status).toBe(409);
  });

  it('never leaks a planted secret or PII value into whis.smith jobs, service logs or Redis', async () => {
    const secrets = fixtures.filter((f) => f.label === 'secret');
    const probes = secrets.flatMap((f) => f.planted!.flatMap((p) => p.probes.map((probe) => ({ key: f.key, kind: p.kind, probe }))));
    expect(new Set(secrets.flatMap((f) => f.planted!.map((p) => p.kind))).size).toBe(8);
    const leaks = (where: string, text: string) => probes.filter((p) => text.includes(p.probe)).map((p) => `${where}: ${p.kind} of ${p.key}`);

    // Sanitized output: every secret record reached whis.smith, redacted.
    const jobs = await smith.getJobs(['waiting'], 0, -1);
    const found: string[] = [];
    const smithById = new Map(jobs.map((j) => [(j.data as { record: { id: string } }).record.id, j]));
    for (const f of secrets) {
      const job = smithById.get(idOf.get(f.key)!);
      expect(job, f.key).toBeDefined();
      const rec = (job!.data as { record: { redactions: unknown[]; answer: string } }).record;
      expect(rec.redactions.length, f.key).toBeGreaterThanOrEqual(f.planted!.length);
      expect(rec.answer).toContain('[REDACTED:');
      found.push(...leaks(`whis.smith job ${job!.id}`, JSON.stringify(job!.data)));
    }
    // Logs of both services (debug level: request lines, job lines, everything).
    expect(logsIn.lines.length).toBeGreaterThan(100);
    expect(logsSan.lines.some((l) => l.msg === 'sanitized')).toBe(true);
    found.push(...leaks('whis_data_input log', JSON.stringify(logsIn.lines)));
    found.push(...leaks('whis_sanitize log', JSON.stringify(logsSan.lines)));
    // Redis: the raw record rode in the whis.sanitize job, which is dropped on completion.
    for (const f of secrets) expect(await redis.exists(`${prefix}:whis.sanitize:${idOf.get(f.key)}`), f.key).toBe(0);
    const sanitizeCounts = await di.ctx.queues.queue('whis.sanitize').getJobCounts('completed', 'failed', 'waiting', 'active');
    expect(sanitizeCounts).toMatchObject({ completed: 0, failed: 0, waiting: 0, active: 0 });
    const dump = await dumpRedis(redis, prefix);
    expect(dump.size).toBeGreaterThan(1000);
    for (const [key, value] of dump) found.push(...leaks(`redis ${key}`, `${key} ${value}`));
    expect(found).toEqual([]);
  });
});

describe('idempotency', () => {
  const prefix = uniquePrefix('idem');
  const tmp = tempDir('idem');
  let di: RunningService;
  const pair: Submission = { task: 'Rotate the registry credentials', answer: 'Run `vault kv put secret/registry token=$NEW` then restart the puller deployment.' };

  beforeAll(async () => {
    di = await startService(dataInput, { port: 0, env: baseEnv(prefix, tmp.dir) });
  });
  afterAll(async () => {
    await di?.stop();
    await cleanPrefix(testRedisUrl(), prefix);
    tmp.cleanup();
  });

  it('an Idempotency-Key or normalized-equal content returns the same id: 201 first, 200 after', async () => {
    const first = await call<SubmitResult>('POST', `${di.url}/data`, pair, { 'idempotency-key': 'req-1' });
    expect(first.status).toBe(201);
    expect(first.body.duplicate).toBe(false);
    const again = await call<SubmitResult>('POST', `${di.url}/data`, pair, { 'idempotency-key': 'req-1' });
    expect([again.status, again.body.id, again.body.duplicate]).toEqual([200, first.body.id, true]);
    // The key wins even when the retried body differs (a client retry must never create a second record).
    const changed = await call<SubmitResult>('POST', `${di.url}/data`, { ...pair, task: 'Something else entirely' }, { 'idempotency-key': 'req-1' });
    expect([changed.status, changed.body.id]).toEqual([200, first.body.id]);
    // Same content after normalization (case, whitespace, solution for answer), no key or another key.
    const normalized = await call<SubmitResult>('POST', `${di.url}/data`, { task: `  ${pair.task.toUpperCase()} `, solution: pair.answer!.replace(/ /g, '   ') }, { 'idempotency-key': 'req-2' });
    expect([normalized.status, normalized.body.id]).toEqual([200, first.body.id]);
    const batch = await call<{ accepted: number; duplicates: number; items: SubmitResult[] }>('POST', `${di.url}/data/batch`, [pair, { ...pair, task: 'Rotate the registry credentials twice' }]);
    expect(batch.body.accepted).toBe(1);
    expect(batch.body.duplicates).toBe(1);
    expect(batch.body.items[0]!.id).toBe(first.body.id);
    // Identical submissions racing each other: one record.
    const race = await Promise.all(Array.from({ length: 10 }, () => call<SubmitResult>('POST', `${di.url}/data`, { ...pair, task: 'A racing task for the registry' })));
    expect(race.filter((r) => r.status === 201)).toHaveLength(1);
    expect(new Set(race.map((r) => r.body.id)).size).toBe(1);
  });

  it('survives a restart: keys and content hashes are rebuilt from the dataset', async () => {
    const first = await call<SubmitResult>('POST', `${di.url}/data`, { ...pair, task: 'Before the restart' }, { 'idempotency-key': 'req-restart' });
    expect(first.status).toBe(201);
    await di.stop();
    di = await startService(dataInput, { port: 0, env: baseEnv(prefix, tmp.dir) });
    const byKey = await call<SubmitResult>('POST', `${di.url}/data`, { task: 'different', answer: 'different answer text' }, { 'idempotency-key': 'req-restart' });
    expect([byKey.status, byKey.body.id]).toEqual([200, first.body.id]);
    const byContent = await call<SubmitResult>('POST', `${di.url}/data`, { ...pair, task: 'before the restart' });
    expect([byContent.status, byContent.body.id]).toEqual([200, first.body.id]);
  });
});

describe('near-duplicates sanitized at the same moment', () => {
  it('exactly one of each pair goes on; the other is its variant (two workers, one dedup lock)', async () => {
    const prefix = uniquePrefix('race');
    const tmp = tempDir('race');
    const env = { ...baseEnv(prefix, tmp.dir), WORKER_CONCURRENCY: '4' };
    const di = await startService(dataInput, { port: 0, env });
    const san = await startService(sanitize, { port: 0, env });
    try {
      const fx = makeFixtures({ seed: 5, good: 20, near: 20, exact: 0, junk: 0, review: 0, secret: 0 });
      const goods = fx.filter((f) => f.label === 'good');
      // Each original directly followed by its near-duplicate, in one batch: they reach the workers together.
      const ordered = goods.flatMap((g) => [g, fx.find((f) => f.label === 'near' && f.of === g.key)!]);
      const r = await call<{ items: SubmitResult[] }>('POST', `${di.url}/data/batch`, ordered.map((f) => f.sub));
      expect(r.status).toBe(201);
      const ids = r.body.items.map((i) => i.id);
      const journeys = await waitFor(async () => {
        const js = await Promise.all(ids.map(async (id) => (await call<Journey>('GET', `${di.url}/data/${id}/journey`)).body));
        return js.every((j) => SETTLED.has(j.status)) ? js : undefined;
      }, 60_000, 200);
      for (let i = 0; i < ids.length; i += 2) {
        const pair = [journeys[i]!, journeys[i + 1]!];
        expect(pair.map((j) => j.status).sort(), `pair ${i / 2}`).toEqual(['sanitized', 'variant']);
        const original = pair.find((j) => j.status === 'sanitized')!;
        const variant = pair.find((j) => j.status === 'variant')!;
        expect(variant.events.at(-1)!.detail?.variant_of).toBe(original.id);
      }
      expect((await san.ctx.queues.queue('whis.smith').getJobCounts('waiting')).waiting).toBe(goods.length);
    } finally {
      await di.stop();
      await san.stop();
      await cleanPrefix(testRedisUrl(), prefix);
      tmp.cleanup();
    }
  }, 90_000);
});

describe('a Redis restart during intake loses no acknowledged record', () => {
  it('every 2xx id reaches a settled status and the export after Redis (AOF) comes back', async () => {
    const redisServer = new DisposableRedis(await freePort(), true);
    await redisServer.start();
    const prefix = uniquePrefix('outage');
    const tmp = tempDir('outage');
    const env = { ...baseEnv(prefix, tmp.dir), REDIS_URL: redisServer.url };
    const di = await startService(dataInput, { port: 0, env });
    const san = await startService(sanitize, { port: 0, env });
    const fixtures = makeFixtures({ seed: 99, good: 120, near: 0, exact: 0, junk: 20, review: 10, secret: 0 });
    const acked = new Map<string, string>();
    const refused: number[] = [];
    let next = 0;
    const loop = async (until: () => boolean) => {
      while (!until() && next < fixtures.length) {
        const f = fixtures[next++]!;
        const r = await call<SubmitResult>('POST', `${di.url}/data`, f.sub);
        if (r.status === 201 || r.status === 200) acked.set(f.key, r.body.id);
        else if (r.status === 503) refused.push(r.status);
        else throw new Error(`unexpected ${r.status}: ${JSON.stringify(r.body)}`);
      }
    };
    try {
      await Promise.all([0, 1, 2].map(() => loop(() => next >= 60)));
      await redisServer.stop();
      const down = Date.now();
      await Promise.all([0, 1, 2].map(() => loop(() => next >= 75 || Date.now() - down > 10_000)));
      const duringOutage = acked.size;
      // While Redis is down: the record is served from disk, Redis-backed views answer 503 in the envelope.
      const someId = acked.values().next().value!;
      const rec = await call<{ record: { id: string } }>('GET', `${di.url}/data/${someId}`);
      expect([rec.status, rec.body.record.id]).toEqual([200, someId]);
      const journey = await call<{ error: { code: string } }>('GET', `${di.url}/data/${someId}/journey`);
      expect([journey.status, journey.body.error.code]).toEqual([503, 'unavailable']);
      expect((await call<{ error: { code: string } }>('GET', `${di.url}/data?status=review`)).status).toBe(503);
      expect((await fetch(`${di.url}/ready`)).status).toBe(503);
      await redisServer.start();
      await Promise.all([0, 1, 2].map(() => loop(() => false)));

      expect(duringOutage).toBeGreaterThan(60);
      expect(acked.size + refused.length).toBe(fixtures.length);
      const want = fixtures.filter((f) => acked.has(f.key));
      const lastStatus = new Map<string, string | null>();
      await waitFor(async () => {
        for (const f of want) {
          const id = acked.get(f.key)!;
          if (SETTLED.has(lastStatus.get(id) ?? '')) continue;
          const r = await call<Journey>('GET', `${di.url}/data/${id}/journey`);
          lastStatus.set(id, r.status === 200 ? r.body.status : null);
        }
        return want.every((f) => SETTLED.has(lastStatus.get(acked.get(f.key)!) ?? ''));
      }, 60_000, 500).catch(() => undefined);
      const stuck = want.filter((f) => !SETTLED.has(lastStatus.get(acked.get(f.key)!) ?? '')).map((f) => `${f.key}=${lastStatus.get(acked.get(f.key)!)}`);
      expect(stuck).toEqual([]);
      for (const f of want) {
        const status = lastStatus.get(acked.get(f.key)!);
        expect(status, f.key).toBe(f.label === 'junk' ? 'rejected' : f.label === 'review' ? 'review' : 'sanitized');
      }
      const exported = (await (await fetch(`${di.url}/data/export`)).text()).split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { id: string }).id);
      expect(exported.sort()).toEqual([...acked.values()].sort());
    } finally {
      await di.stop();
      await san.stop();
      await redisServer.dispose();
      tmp.cleanup();
    }
  }, 150_000);
});
