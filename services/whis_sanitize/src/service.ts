import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import {
  JourneyStore,
  TrainingRecordSchema,
  validationFailed,
  zodProblems,
  SubmissionSchema,
  type App,
  type BaseConfig,
  type ServiceContext,
  type ServiceDefinition,
  type SanitizedRecord,
} from '@linkops/shared';
import {
  DEFAULT_QUALITY_THRESHOLD,
  estimateJaccard,
  lshBandKeys,
  minhashSignature,
  normalizeSubmission,
  sanitizeRecord,
} from '@linkops/whis';

const ConfigSchema = z.object({
  WHIS_QUALITY_THRESHOLD: z.coerce.number().min(0).max(1).default(DEFAULT_QUALITY_THRESHOLD),
  /** Jaccard similarity above which a record is a variant of an earlier one. */
  WHIS_NEAR_DUPLICATE_THRESHOLD: z.coerce.number().min(0.5).max(1).default(0.8),
});
type Config = z.infer<typeof ConfigSchema> & BaseConfig;

/**
 * Near-duplicate index in Redis: LSH band keys point at record ids, signatures are stored per id, so
 * every replica and every restart sees the same history.
 */
class DedupIndex {
  constructor(
    private readonly ctx: ServiceContext<Config>,
    private readonly prefix = `${ctx.config.QUEUE_PREFIX}:dedup`,
  ) {}

  private text(r: SanitizedRecord) {
    return `${r.task}\n${r.answer}`;
  }

  /** The earlier record this one duplicates, if any; `exact` when the sanitized content is identical. */
  async find(r: SanitizedRecord): Promise<{ id: string; similarity: number; exact: boolean } | null> {
    const exact = await this.ctx.redis.get(`${this.prefix}:hash:${r.content_hash}`);
    if (exact && exact !== r.id) return { id: exact, similarity: 1, exact: true };
    const sig = minhashSignature(this.text(r));
    const bands = lshBandKeys(sig);
    const members = await this.ctx.redis.pipeline(bands.map((b) => ['smembers', `${this.prefix}:lsh:${b}`])).exec();
    const candidates = new Set<string>();
    for (const [err, ids] of members ?? []) {
      if (err) throw err;
      for (const id of ids as string[]) if (id !== r.id) candidates.add(id);
    }
    if (candidates.size === 0) return null;
    const ids = [...candidates];
    const sigs = await this.ctx.redis.mget(ids.map((id) => `${this.prefix}:sig:${id}`));
    let best: { id: string; similarity: number; exact: boolean } | null = null;
    ids.forEach((id, i) => {
      const raw = sigs[i];
      if (!raw) return;
      const sim = estimateJaccard(sig, raw.split(',').map(Number));
      if (sim >= this.ctx.config.WHIS_NEAR_DUPLICATE_THRESHOLD && (!best || sim > best.similarity)) best = { id, similarity: sim, exact: false };
    });
    return best;
  }

  /**
   * Runs find-then-add under one Redis lock: without it two near-duplicates handled at the same time
   * (two workers, or two replicas) both miss each other and both go on as originals.
   */
  async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const key = `${this.prefix}:lock`;
    const token = randomUUID();
    const deadline = Date.now() + 30_000;
    while ((await this.ctx.redis.set(key, token, 'PX', 10_000, 'NX')) !== 'OK') {
      if (Date.now() > deadline) throw new Error('dedup lock not acquired within 30 s');
      await new Promise((r) => setTimeout(r, 5 + Math.random() * 10));
    }
    try {
      return await fn();
    } finally {
      await this.ctx.redis.eval("if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end", 1, key, token);
    }
  }

  async add(r: SanitizedRecord): Promise<void> {
    const sig = minhashSignature(this.text(r));
    const tx = this.ctx.redis.multi().set(`${this.prefix}:hash:${r.content_hash}`, r.id, 'NX').set(`${this.prefix}:sig:${r.id}`, sig.join(','));
    for (const b of lshBandKeys(sig)) tx.sadd(`${this.prefix}:lsh:${b}`, r.id);
    await tx.exec();
  }

  async linkVariant(original: string, variant: string): Promise<void> {
    await this.ctx.redis.sadd(`${this.prefix}:variants:${original}`, variant);
  }
}

export const service: ServiceDefinition<typeof ConfigSchema> = {
  name: 'whis_sanitize',
  configSchema: ConfigSchema,
  routes(app, ctx) {
    registerPreview(app, ctx, new DedupIndex(ctx));
  },
  workers(ctx) {
    const journeys = new JourneyStore(ctx.redis, ctx.config.QUEUE_PREFIX);
    const dedup = new DedupIndex(ctx);
    ctx.queues.work(
      'whisSanitize',
      async ({ record }, job) => {
        const result = sanitizeRecord(record, { qualityThreshold: ctx.config.WHIS_QUALITY_THRESHOLD });
        const s = result.sanitized;
        // Log what happened, never the text: it may still hold what we were asked to keep out of logs.
        job.log.info({ record: record.id, status: result.status, domain: s.classification.domain, redactions: s.redactions.length }, 'sanitized');
        if (result.status === 'rejected') {
          await journeys.record(record.id, { stage: 'rejected', service: 'whis_sanitize', reason: result.reasons.join('; '), detail: { quality: s.quality.score } });
          return { status: 'rejected' };
        }
        const dup = await dedup.exclusive(async () => {
          const found = await dedup.find(s);
          if (!found) await dedup.add(s);
          return found;
        });
        if (dup) {
          await dedup.linkVariant(dup.id, record.id);
          await journeys.record(record.id, {
            stage: 'variant',
            service: 'whis_sanitize',
            reason: `${dup.exact ? 'duplicate' : 'near-duplicate'} of ${dup.id} (similarity ${dup.similarity.toFixed(2)})`,
            detail: { variant_of: dup.id, similarity: dup.similarity },
          });
          return { status: 'variant', variant_of: dup.id };
        }
        await journeys.record(record.id, {
          stage: 'sanitized',
          service: 'whis_sanitize',
          detail: { domain: s.classification.domain, platform: s.classification.platform, topic: s.classification.topic, quality: s.quality.score, redactions: s.redactions.map((r) => r.type) },
        });
        await job.enqueue('whisSmith', { record: s });
        return { status: 'accepted' };
      },
      { concurrency: ctx.config.WORKER_CONCURRENCY },
    );
  },
};

function registerPreview(app: App, ctx: ServiceContext<Config>, dedup: DedupIndex) {
  app.post(
    '/sanitize',
    { config: { scope: 'data:write' },
      schema: {
        tags: ['sanitize'],
        summary: 'Preview what sanitizing would do to a pair (nothing is stored)',
        // Either a submission ({task, answer|solution, ...}) or {record: TrainingRecord}. Validated in the
        // handler against the one the body is meant to be, so errors name the field (a union says only "Invalid input").
        body: z.record(z.string(), z.unknown()).describe('A submission ({task, answer|solution, ...}) or {record: TrainingRecord}'),
      },
    },
    async (req) => {
      const record = previewRecord(req.body);
      const result = sanitizeRecord(record, { qualityThreshold: ctx.config.WHIS_QUALITY_THRESHOLD });
      let duplicate_of: unknown = null;
      try {
        duplicate_of = await dedup.find(result.sanitized);
      } catch {
        duplicate_of = 'unknown (redis unavailable)';
      }
      return { status: result.status, reasons: result.reasons, sanitized: result.sanitized, duplicate_of };
    },
  );
}

/** The record a preview body describes: {record} is checked as a stored record, anything else as a submission. */
function previewRecord(body: Record<string, unknown>): z.infer<typeof TrainingRecordSchema> {
  if ('record' in body) {
    const r = z.object({ record: TrainingRecordSchema }).strict().safeParse(body);
    if (!r.success) throw validationFailed(zodProblems(r.error.issues, 'body'));
    return r.data.record;
  }
  const r = SubmissionSchema.safeParse(body);
  if (!r.success) throw validationFailed(zodProblems(r.error.issues, 'body'));
  return normalizeSubmission(r.data, new Date());
}
