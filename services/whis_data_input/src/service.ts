import { join } from 'node:path';
import { z } from 'zod';
import {
  JourneyStageSchema,
  JourneyStore,
  JsonlStore,
  Outbox,
  SubmissionSchema,
  AppError,
  notFound,
  unavailable,
  validationFailed,
  zodProblems,
  conflict,
  type ServiceDefinition,
  type TrainingRecord,
  type App,
  type ServiceContext,
  type BaseConfig,
  decodeUtf8,
  parseJsonStrict,
} from '@linkops/shared';
import { normalizeSubmission, needsReview } from '@linkops/whis';

const ConfigSchema = z.object({
  /** Submissions below this confidence wait for a human in the review queue. */
  WHIS_REVIEW_CONFIDENCE: z.coerce.number().min(0).max(1).default(0.5),
  BATCH_MAX_ITEMS: z.coerce.number().int().min(1).max(100_000).default(1000),
  BATCH_MAX_BYTES: z.coerce.number().int().min(1024).default(10 * 1024 * 1024),
});
type Config = z.infer<typeof ConfigSchema> & BaseConfig;

type StoredRecord = TrainingRecord & { idempotency_key?: string };
interface OutboxEntry {
  key: string;
  id: string;
  /** sanitize: new record to whis.sanitize; review: new record held for a human; approve: a held record released. */
  op: 'sanitize' | 'review' | 'approve';
  reason?: string;
  correlation_id: string;
  received_ms: number;
}

/** One parsed JSONL line, with its line number for error messages. */
class JsonlLine {
  constructor(
    readonly line: number,
    readonly value: unknown,
  ) {}
}

const IdParams = z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'not a record id') });
const IdempotencyKey = z.string().regex(/^[\x21-\x7e]{1,200}$/, 'must be 1-200 visible ASCII characters');

/** The intake: validates, stores durably (fsynced JSONL), then hands work to whis.sanitize or review. */
export const service: ServiceDefinition<typeof ConfigSchema> = {
  name: 'whis_data_input',
  configSchema: ConfigSchema,
  async routes(app, ctx) {
    const intake = await Intake.open(ctx);
    ctx.onClose(() => intake.close());
    registerRoutes(app, ctx, intake);
  },
};

class Intake {
  readonly byHash = new Map<string, string>();
  readonly byIdemKey = new Map<string, string>();
  private constructor(
    readonly ctx: ServiceContext<Config>,
    readonly store: JsonlStore<StoredRecord>,
    readonly journeys: JourneyStore,
    readonly outbox: Outbox<OutboxEntry>,
  ) {}

  static async open(ctx: ServiceContext<Config>): Promise<Intake> {
    const dir = join(ctx.dataDir, 'whis_data_input');
    const store = new JsonlStore<StoredRecord>(join(dir, 'dataset.jsonl'));
    const journeys = new JourneyStore(ctx.redis, ctx.config.QUEUE_PREFIX);
    const reviewKey = `${ctx.config.QUEUE_PREFIX}:review`;
    const outbox = new Outbox<OutboxEntry>(join(dir, 'outbox.json'), async (e) => {
      // While Redis is known to be down, go straight to the outbox instead of waiting out retries.
      if (ctx.redis.status !== 'ready') throw new Error(`redis connection is ${ctx.redis.status}`);
      if (e.op === 'approve') {
        if ((await journeys.status(e.id)) !== 'approved') await journeys.record(e.id, { stage: 'approved', service: 'whis_data_input' });
        const record = await store.get(e.id);
        if (!record) throw new Error(`record ${e.id} missing from the dataset`);
        const { idempotency_key: _k, ...rec } = record;
        await ctx.queues.enqueue('whisSanitize', { record: rec }, e.correlation_id);
        return;
      }
      if ((await journeys.status(e.id)) === null) {
        await journeys.record(e.id, { stage: 'received', service: 'whis_data_input' }, e.received_ms);
      }
      if (e.op === 'review') {
        await ctx.redis.zadd(reviewKey, e.received_ms, e.id);
        await journeys.record(e.id, { stage: 'review', service: 'whis_data_input', reason: e.reason ?? 'needs review' });
      } else {
        const record = await store.get(e.id);
        if (!record) throw new Error(`record ${e.id} missing from the dataset`);
        const { idempotency_key: _k, ...rec } = record;
        await ctx.queues.enqueue('whisSanitize', { record: rec }, e.correlation_id);
      }
    });
    const intake = new Intake(ctx, store, journeys, outbox);
    await store.open((r) => {
      intake.byHash.set(r.content_hash, r.id);
      if (r.idempotency_key) intake.byIdemKey.set(r.idempotency_key, r.id);
    });
    outbox.start(1000);
    return intake;
  }

  async close() {
    this.outbox.stop();
    await this.outbox.drain().catch(() => 0);
    await this.store.close();
  }

  /** Stores new records durably and routes them; duplicates return the existing id. */
  async accept(items: Array<{ sub: z.infer<typeof SubmissionSchema>; idemKey?: string }>, correlationId: string) {
    const results: Array<{ id: string; duplicate: boolean; status: 'received' | 'review' }> = [];
    const fresh: Array<{ rec: StoredRecord; review: string | null }> = [];
    for (const { sub, idemKey } of items) {
      const rec: StoredRecord = normalizeSubmission(sub, new Date());
      const existing = (idemKey && this.byIdemKey.get(idemKey)) || this.byHash.get(rec.content_hash);
      if (existing) {
        results.push({ id: existing, duplicate: true, status: 'received' });
        continue;
      }
      if (idemKey) rec.idempotency_key = idemKey;
      // Claim the keys before the first await so concurrent identical submissions see each other.
      this.byHash.set(rec.content_hash, rec.id);
      if (idemKey) this.byIdemKey.set(idemKey, rec.id);
      const review = needsReview(rec, { confidenceThreshold: this.ctx.config.WHIS_REVIEW_CONFIDENCE });
      fresh.push({ rec, review });
      results.push({ id: rec.id, duplicate: false, status: review ? 'review' : 'received' });
    }
    if (fresh.length > 0) {
      try {
        await this.store.append(fresh.map((f) => f.rec));
      } catch (err) {
        for (const f of fresh) {
          this.byHash.delete(f.rec.content_hash);
          if (f.rec.idempotency_key) this.byIdemKey.delete(f.rec.idempotency_key);
        }
        throw err;
      }
      for (const { rec, review } of fresh) {
        await this.outbox.submit(
          { key: rec.id, id: rec.id, op: review ? 'review' : 'sanitize', reason: review ?? undefined, correlation_id: correlationId, received_ms: Date.parse(rec.received_at) },
          2000,
        );
      }
    }
    return results;
  }
}

function registerRoutes(app: App, ctx: ServiceContext<Config>, intake: Intake) {
  /**
   * Redis-backed reads and writes answer 503 (not 500) while Redis is unreachable: at once when the
   * connection is known to be down, instead of after the client's reconnect attempts.
   */
  const viaRedis = async <T>(fn: () => Promise<T>): Promise<T> => {
    if (ctx.redis.status !== 'ready') throw unavailable(`redis unavailable: connection is ${ctx.redis.status}`);
    try {
      return await fn();
    } catch (err) {
      if (err instanceof AppError) throw err;
      throw unavailable(`redis unavailable: ${(err as Error).message}`);
    }
  };
  const reviewKey = `${ctx.config.QUEUE_PREFIX}:review`;
  const tags = ['data'];

  app.post(
    '/data',
    { config: { scope: 'data:write' },
      schema: {
        tags,
        summary: 'Submit one task/answer pair',
        body: SubmissionSchema,
        headers: z.object({ 'idempotency-key': IdempotencyKey.optional() }).passthrough(),
      },
    },
    async (req, reply) => {
      const [r] = await intake.accept([{ sub: req.body, idemKey: req.headers['idempotency-key'] as string | undefined }], req.id);
      return reply.status(r!.duplicate ? 200 : 201).send({ ...r!, journey_url: `/data/${r!.id}` });
    },
  );

  // JSONL batches arrive as text, one JSON object a line; errors name the line.
  app.addContentTypeParser(['application/x-ndjson', 'application/jsonl', 'text/plain'], { parseAs: 'buffer', bodyLimit: ctx.config.BATCH_MAX_BYTES }, (_req, body, done) => {
    try {
      const lines = (body as Buffer).toString('latin1').split('\n');
      const out: unknown[] = [];
      let offset = 0;
      for (let i = 0; i < lines.length; i++) {
        const raw = (body as Buffer).subarray(offset, offset + lines[i]!.length);
        offset += lines[i]!.length + 1;
        const where = `line ${i + 1}`;
        const text = decodeUtf8(raw, where).trim();
        if (text === '') continue;
        out.push(new JsonlLine(i + 1, parseJsonStrict(text, where)));
      }
      done(null, out);
    } catch (err) {
      done(err as Error, undefined);
    }
  });

  app.post(
    '/data/batch',
    { config: { scope: 'data:write' }, bodyLimit: ctx.config.BATCH_MAX_BYTES, schema: { tags, summary: 'Submit a JSON array or JSONL of pairs (all or nothing)', body: z.array(z.unknown()) } },
    async (req, reply) => {
      const items = req.body;
      if (items.length === 0) throw validationFailed([{ field: 'body', reason: 'batch is empty' }]);
      if (items.length > ctx.config.BATCH_MAX_ITEMS) {
        throw validationFailed([{ field: 'body', reason: `batch has ${items.length} items; the limit is ${ctx.config.BATCH_MAX_ITEMS}` }]);
      }
      const parsed: Array<{ sub: z.infer<typeof SubmissionSchema> }> = [];
      const problems: Array<{ field: string; reason: string }> = [];
      items.forEach((item, i) => {
        // JSONL items carry their line number, so problems name the line the client wrote.
        const where = item instanceof JsonlLine ? `line ${item.line}` : `[${i}]`;
        const r = SubmissionSchema.safeParse(item instanceof JsonlLine ? item.value : item);
        if (r.success) parsed.push({ sub: r.data });
        else problems.push(...zodProblems(r.error.issues, where));
      });
      if (problems.length) throw validationFailed(problems.slice(0, 100));
      const results = await intake.accept(parsed, req.id);
      return reply.status(201).send({
        accepted: results.filter((r) => !r.duplicate).length,
        duplicates: results.filter((r) => r.duplicate).length,
        review: results.filter((r) => r.status === 'review' && !r.duplicate).length,
        items: results,
      });
    },
  );

  app.get(
    '/data',
    { config: { scope: 'review' },
      schema: {
        tags,
        summary: 'List records by status, oldest first',
        querystring: z.object({
          status: JourneyStageSchema.optional(),
          since: z.iso.datetime({ offset: true }).optional(),
          offset: z.coerce.number().int().min(0).default(0),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
        }),
      },
    },
    async (req) => {
      const q = req.query;
      const page = await viaRedis(() => intake.journeys.list({ status: q.status, sinceMs: q.since ? Date.parse(q.since) : undefined, offset: q.offset, limit: q.limit }));
      return { ...page, total_stored: intake.store.count };
    },
  );

  app.get('/data/export', { config: { scope: 'review' }, schema: { tags, summary: 'The whole dataset as JSONL' } }, async (_req, reply) => {
    reply.header('content-type', 'application/x-ndjson; charset=utf-8');
    return reply.send(intake.store.stream());
  });

  app.get('/data/:id', { config: { scope: 'data:write' }, schema: { tags, summary: "A record and its journey through the pipeline", params: IdParams } }, async (req) => {
    const rec = await intake.store.get(req.params.id);
    if (!rec) throw notFound(`record ${req.params.id}`);
    const { idempotency_key: _k, ...record } = rec;
    let journey: unknown[] = [];
    let status: string | null = null;
    try {
      [journey, status] = await viaRedis(() => Promise.all([intake.journeys.events(rec.id), intake.journeys.status(rec.id)]));
    } catch {
      status = 'unknown (redis unavailable)';
    }
    return { id: rec.id, status: status ?? 'received', record, journey };
  });

  app.get('/data/:id/journey', { config: { scope: 'data:write' }, schema: { tags, summary: "A record's journey events, oldest first", params: IdParams } }, async (req) => {
    if (!intake.store.has(req.params.id)) throw notFound(`record ${req.params.id}`);
    const [status, events] = await viaRedis(() => Promise.all([intake.journeys.status(req.params.id), intake.journeys.events(req.params.id)]));
    return { id: req.params.id, status: status ?? 'received', events };
  });

  app.get(
    '/review',
    { config: { scope: 'review' }, schema: { tags: ['review'], summary: 'Records waiting for a human', querystring: z.object({ offset: z.coerce.number().int().min(0).default(0), limit: z.coerce.number().int().min(1).max(500).default(50) }) } },
    async (req) =>
      viaRedis(async () => {
        const ids = await ctx.redis.zrange(reviewKey, req.query.offset, req.query.offset + req.query.limit - 1);
        const total = await ctx.redis.zcard(reviewKey);
        const items = [];
        for (const id of ids) {
          const rec = await intake.store.get(id);
          const events = await intake.journeys.events(id);
          if (rec) items.push({ id, task: rec.task, answer: rec.answer, source: rec.source, confidence: rec.confidence, source_url: rec.source_url, reason: events.findLast((e) => e.stage === 'review')?.reason });
        }
        return { total, items };
      }),
  );

  const takeFromReview = async (id: string) => {
    if (!intake.store.has(id)) throw notFound(`record ${id}`);
    const removed = await viaRedis(() => ctx.redis.zrem(reviewKey, id));
    if (!removed) {
      throw conflict(`record ${id} is not waiting for review (status: ${await viaRedis(() => intake.journeys.status(id))})`);
    }
  };

  app.post('/review/:id/approve', { config: { scope: 'review' }, schema: { tags: ['review'], summary: 'Approve a held record: it continues to sanitize', params: IdParams } }, async (req) => {
    await takeFromReview(req.params.id);
    // Out of the review set now: the outbox makes sure the release reaches whis.sanitize even if Redis drops out here.
    await intake.outbox.submit({ key: `${req.params.id}:approve`, id: req.params.id, op: 'approve', correlation_id: req.id, received_ms: Date.now() }, 2000);
    return { id: req.params.id, status: 'approved' };
  });

  app.post(
    '/review/:id/reject',
    { config: { scope: 'review' }, schema: { tags: ['review'], summary: 'Reject a held record with a reason', params: IdParams, body: z.object({ reason: z.string().trim().min(1).max(2000) }) } },
    async (req) => {
      await takeFromReview(req.params.id);
      await viaRedis(() => intake.journeys.record(req.params.id, { stage: 'rejected', service: 'whis_data_input', reason: req.body.reason }));
      return { id: req.params.id, status: 'rejected' };
    },
  );
}
