import { z } from 'zod';
import { ArtifactSchema, JourneyStore, SanitizedRecordSchema, type Artifact, type SanitizedRecord, type BaseConfig, type ServiceDefinition } from '@linkops/shared';
import { previewSmith, smithWithChanges, toPlatform, toTopic } from '@linkops/forge';

const ConfigSchema = z.object({
  /** How many recent records of one (platform, topic) group feed its artifacts. */
  SMITH_GROUP_WINDOW: z.coerce.number().int().min(1).max(500).default(25),
});

const PreviousSchema = z.object({ orb: ArtifactSchema.optional(), rune: ArtifactSchema.optional() });

/** Turns sanitized records into Orbs and Runes, one pair per (platform, topic) group, versioned by content. */
export const service: ServiceDefinition<typeof ConfigSchema> = {
  name: 'whis_smithing',
  configSchema: ConfigSchema,
  routes(app) {
    app.post(
      '/smith',
      { config: { scope: 'data:write' }, schema: { tags: ['smith'], summary: 'Preview the orb and rune a sanitized record would produce (nothing is published)', body: SanitizedRecordSchema } },
      async (req) => previewSmith(req.body),
    );
  },
  workers(ctx) {
    const p = `${ctx.config.QUEUE_PREFIX}:smith`;
    const journeys = new JourneyStore(ctx.redis, ctx.config.QUEUE_PREFIX);
    ctx.queues.work(
      'whisSmith',
      async ({ record }, job) => {
        const group = `${toPlatform(record.classification.platform)}.${toTopic(record.classification.topic)}`;
        const listKey = `${p}:group:${group}`;
        // Keep the group's recent records (by id) so re-smithing a group sees all of its knowledge.
        const existing = (await ctx.redis.lrange(listKey, 0, -1)).map((r) => SanitizedRecordSchema.parse(JSON.parse(r)));
        const records = groupWith(existing, record, ctx.config.SMITH_GROUP_WINDOW);
        const prevRaw = await ctx.redis.get(`${p}:prev:${group}`);
        const previous = prevRaw ? PreviousSchema.parse(JSON.parse(prevRaw)) : undefined;
        const result = smithWithChanges(records, previous ? { orb: previous.orb, rune: previous.rune } : undefined);
        const changed = result.artifacts.filter((a: Artifact) => {
          const prev = a.meta.kind === 'orb' ? previous?.orb : previous?.rune;
          return !prev || prev.meta.digest !== a.meta.digest || prev.meta.version !== a.meta.version;
        });
        const tx = ctx.redis.multi().del(listKey);
        for (const r of records) tx.rpush(listKey, JSON.stringify(r));
        tx.set(`${p}:prev:${group}`, JSON.stringify({ orb: result.artifacts.find((a) => a.meta.kind === 'orb'), rune: result.artifacts.find((a) => a.meta.kind === 'rune') }));
        await tx.exec();
        const summary = result.artifacts.map((a) => `${a.meta.id}@${a.meta.version}`);
        await journeys.record(record.id, {
          stage: 'smithed',
          service: 'whis_smithing',
          reason: changed.length ? undefined : 'no change to the group artifacts',
          detail: { artifacts: summary, group },
        });
        job.log.info({ record: record.id, group, artifacts: summary, changed: changed.length }, 'smithed');
        if (changed.length) await job.enqueue('whisEnhance', { record_ids: [record.id], artifacts: changed });
        return { artifacts: summary };
      },
      // One at a time: records of the same group must see each other's versions.
      { concurrency: 1 },
    );
  },
};
/**
 * The group's records after `record` arrives. A re-smith request from whis_logic (agent failures:
 * feedback_context, no steps of its own) adds its notes to the group's knowledge instead of joining
 * as a record: its text is the artifact's own description, and reading steps out of it would invent
 * new steps (a spurious minor version) where a patch carrying the failure notes is wanted.
 */
function groupWith(existing: SanitizedRecord[], record: SanitizedRecord, window: number): SanitizedRecord[] {
  const notes = record.feedback_context ?? [];
  if (record.steps.length === 0 && notes.length > 0 && existing.length > 0) {
    const last = existing[existing.length - 1]!;
    const merged = [...new Set([...(last.feedback_context ?? []), ...notes])];
    return [...existing.slice(0, -1), { ...last, feedback_context: merged }].slice(-window);
  }
  return [...existing.filter((r) => r.id !== record.id), record].slice(-window);
}

export type SmithConfig = z.infer<typeof ConfigSchema> & BaseConfig;
