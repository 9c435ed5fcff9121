import { z } from 'zod';
import { ArtifactKindSchema, JourneyStore, type ServiceDefinition } from '@linkops/shared';
import { DEFAULT_ENHANCE_THRESHOLD, enhanceArtifact, enhanceContent } from '@linkops/forge';

const ConfigSchema = z.object({
  /** Artifacts scoring below this go to review instead of being published. */
  ENHANCE_THRESHOLD: z.coerce.number().min(0).max(100).default(DEFAULT_ENHANCE_THRESHOLD),
});

/** Lints, hardens and scores orbs and runes; publishes the good ones, holds the rest for review. */
export const service: ServiceDefinition<typeof ConfigSchema> = {
  name: 'whis_enhance',
  configSchema: ConfigSchema,
  routes(app, ctx) {
    app.post(
      '/enhance',
      { config: { scope: 'data:write' },
        schema: {
          tags: ['enhance'],
          summary: 'Lint, harden and score an orb (YAML) or rune (Python) now',
          body: z.object({ kind: ArtifactKindSchema, content: z.string().min(1).max(512 * 1024) }),
        },
      },
      async (req) => enhanceContent(req.body.kind, req.body.content, { threshold: ctx.config.ENHANCE_THRESHOLD }),
    );
    app.get(
      '/review',
      { config: { scope: 'review' }, schema: { tags: ['enhance'], summary: 'Artifacts held back for review, with the reasons', querystring: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }) } },
      async (req) => {
        const key = `${ctx.config.QUEUE_PREFIX}:enhance:review`;
        const items = (await ctx.redis.lrange(key, 0, req.query.limit - 1)).map((r) => JSON.parse(r) as unknown);
        return { total: await ctx.redis.llen(key), items };
      },
    );
  },
  workers(ctx) {
    const journeys = new JourneyStore(ctx.redis, ctx.config.QUEUE_PREFIX);
    ctx.queues.work(
      'whisEnhance',
      async ({ artifacts, record_ids }, job) => {
        const outcomes = [];
        const toPublish = [];
        for (const artifact of artifacts) {
          const r = await enhanceArtifact(artifact, { threshold: ctx.config.ENHANCE_THRESHOLD });
          outcomes.push({ id: r.artifact.meta.id, version: r.artifact.meta.version, score: r.score, decision: r.decision, findings: r.findings.length });
          if (r.decision === 'publish') {
            toPublish.push({ ...r.artifact, quality: { score: r.score, findings: r.findings } });
          } else {
            await ctx.redis.lpush(`${ctx.config.QUEUE_PREFIX}:enhance:review`, JSON.stringify({ artifact: r.artifact.meta, score: r.score, findings: r.findings, record_ids, at: new Date().toISOString() }));
            await ctx.redis.ltrim(`${ctx.config.QUEUE_PREFIX}:enhance:review`, 0, 999);
          }
        }
        // Journey first, then hand-off: a record's events stay in pipeline order.
        const held = outcomes.filter((o) => o.decision === 'review');
        for (const id of record_ids) {
          await journeys.record(id, {
            stage: held.length === outcomes.length ? 'review' : 'enhanced',
            service: 'whis_enhance',
            reason: held.length ? `held for review: ${held.map((h) => `${h.id}@${h.version} scored ${h.score}`).join(', ')}` : undefined,
            detail: { artifacts: outcomes },
          });
        }
        for (const artifact of toPublish) await job.enqueue('whisPublish', { artifact, record_ids });
        job.log.info({ outcomes }, 'enhanced');
        return { outcomes };
      },
      { concurrency: ctx.config.WORKER_CONCURRENCY },
    );
  },
};
