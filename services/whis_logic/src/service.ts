import { join } from 'node:path';
import { z } from 'zod';
import {
  FeedbackSchema,
  JourneyStore,
  PermanentJobError,
  AppError,
  notFound,
  type App,
  type ArtifactKind,
  type BaseConfig,
  type SanitizedRecord,
  type ServiceContext,
  type ServiceDefinition,
  type FastifyReply,
} from '@linkops/shared';
import {
  ArtifactSearch,
  ArtifactStore,
  FeedbackLog,
  ImmutableVersionError,
  FeedbackStats,
  assertValidId,
  assertValidVersion,
  InvalidRangeError,
  etagFor,
  etagMatches,
  shouldResmith,
  type FeedbackEvent,
  type StoredArtifact,
} from '@linkops/registry';
import { createHash, randomUUID } from 'node:crypto';

/** What a replica broadcasts after recording a feedback report. */
const FeedbackBroadcastSchema = z.object({
  replica: z.string().min(1).max(100),
  event: FeedbackSchema.extend({ at: z.string().datetime(), id: z.string().min(1).max(100) }),
});

const ConfigSchema = z.object({
  RESMITH_MIN_FAILURES: z.coerce.number().int().min(1).default(3),
  RESMITH_FAILURE_RATE: z.coerce.number().min(0).max(1).default(0.5),
});
type Config = z.infer<typeof ConfigSchema> & BaseConfig;

const RAW_TYPE: Record<ArtifactKind, string> = { orb: 'application/yaml', rune: 'text/x-python' };
const IdParams = z.object({ id: z.string().min(1).max(200) });
const ListQuery = z.object({
  platform: z.string().max(40).optional(),
  category: z.string().max(80).optional(),
  tag: z.string().max(64).optional(),
  channel: z.enum(['stable', 'prerelease', 'all']).default('stable'),
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

/** The registry agents use: stores published versions, serves them, ranks them by feedback. */
class Registry {
  readonly store: ArtifactStore;
  readonly search: ArtifactSearch;
  readonly feedback: FeedbackLog;
  stats = new FeedbackStats();
  constructor(readonly ctx: ServiceContext<Config>) {
    const dir = join(ctx.dataDir, 'whis_logic');
    this.store = new ArtifactStore({ dir });
    this.feedback = new FeedbackLog({ dir });
    this.search = new ArtifactSearch({ quality: (id) => this.stats.quality(id) });
  }
  /** Tells this replica's own feedback broadcasts from the other replicas'. */
  readonly replica = randomUUID();
  get channel() {
    return `${this.ctx.config.QUEUE_PREFIX}:registry-updates`;
  }
  get feedbackChannel() {
    return `${this.ctx.config.QUEUE_PREFIX}:registry-feedback`;
  }
  /** Refreshes in flight, and the reports counted meanwhile (a refresh may have read the log before them). */
  private refreshing = 0;
  private countedDuringRefresh: FeedbackEvent[] = [];
  /** Counts a report in memory (the shared log already has it); ids keep a report from counting twice. */
  countFeedback(event: FeedbackEvent): void {
    this.stats.add(event);
    if (this.refreshing > 0) this.countedDuringRefresh.push(event);
    this.search.setQuality(event.artifact, this.stats.quality(event.artifact));
  }
  /** A report another replica recorded: counted here too, so ranking agrees without a reload. */
  applyBroadcast(message: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(message);
    } catch {
      parsed = undefined;
    }
    const result = FeedbackBroadcastSchema.safeParse(parsed);
    if (!result.success) {
      this.ctx.log.warn({ issue: result.error.issues[0]?.message }, 'ignored a malformed feedback broadcast');
      return;
    }
    if (result.data.replica !== this.replica) this.countFeedback(result.data.event);
  }
  async refresh() {
    this.refreshing++;
    try {
      await this.store.reload();
      const stats = await this.feedback.stats();
      for (const event of this.countedDuringRefresh) stats.add(event);
      this.stats = stats;
      this.search.setAll(this.store.latestArtifacts());
    } finally {
      if (--this.refreshing === 0) this.countedDuringRefresh = [];
    }
  }
}

/** Routes and the publish worker share one registry per running service. */
const registries = new WeakMap<object, Registry>();

export const service: ServiceDefinition<typeof ConfigSchema> = {
  name: 'whis_logic',
  configSchema: ConfigSchema,
  async routes(app, ctx) {
    const reg = new Registry(ctx);
    await reg.refresh();
    // Every replica reloads when any replica publishes, so a publish is visible everywhere within a second.
    const sub = ctx.redis.duplicate();
    sub.on('error', () => undefined);
    sub.on('message', (channel: string, message: string) => {
      if (channel === reg.feedbackChannel) reg.applyBroadcast(message);
      else void reg.refresh().catch((err: Error) => ctx.log.warn({ err: err.message }, 'registry reload failed'));
    });
    await sub.subscribe(reg.channel, reg.feedbackChannel).catch((err: Error) => ctx.log.warn({ err: err.message }, 'registry subscribe failed; will not see other replicas until restart'));
    ctx.onClose(async () => {
      await sub.quit().catch(() => undefined);
    });
    registries.set(ctx, reg);
    registerRoutes(app, reg);
  },
  workers(ctx) {
    const journeys = new JourneyStore(ctx.redis, ctx.config.QUEUE_PREFIX);
    ctx.queues.work('whisPublish', async ({ artifact, record_ids }, job) => {
      const reg = registries.get(ctx);
      if (!reg) throw new Error('registry not initialised');
      let result;
      try {
        result = await reg.store.publish(artifact);
      } catch (err) {
        // A published version is immutable: retrying the same conflicting bytes can never succeed.
        if (err instanceof ImmutableVersionError) throw new PermanentJobError(err.message);
        throw err;
      }
      if (result.status === 'created') {
        reg.search.upsert(result.artifact);
        await ctx.redis.publish(reg.channel, JSON.stringify({ id: artifact.meta.id, version: artifact.meta.version }));
      }
      for (const id of record_ids) {
        await journeys.record(id, { stage: 'published', service: 'whis_logic', detail: { artifact: artifact.meta.id, version: artifact.meta.version } });
      }
      job.log.info({ artifact: artifact.meta.id, version: artifact.meta.version, status: result.status }, 'published');
      return { status: result.status };
    });
  },
};

function kindOf(url: string): ArtifactKind {
  return url.startsWith('/runes') ? 'rune' : 'orb';
}

/** Resolves a version or range; a malformed range is a 400 naming the field it came from. */
function resolveIn(store: ArtifactStore, kind: ArtifactKind, id: string, range: string, field: string): StoredArtifact | undefined {
  try {
    return store.resolve(kind, id, range);
  } catch (err) {
    if (err instanceof InvalidRangeError) throw new AppError(400, 'invalid_range', `${field}: ${err.message}`, [{ field, reason: err.message }]);
    throw err;
  }
}

function validVersion(version: string, field = 'params.version'): string {
  try {
    assertValidVersion(version);
  } catch (err) {
    const reason = (err as Error).message;
    throw new AppError(400, 'invalid_version', `${field}: ${reason}`, [{ field, reason }]);
  }
  return version;
}

/** 400 invalid_id naming the field, before an id gets anywhere near a file path. */
function validId(id: string, field = 'params.id', kind?: ArtifactKind): string {
  try {
    assertValidId(id, kind);
  } catch (err) {
    const reason = (err as Error).message;
    throw new AppError(400, 'invalid_id', `${field}: ${reason}`, [{ field, reason }]);
  }
  return id;
}

function wantsRaw(accept: string | undefined, kind: ArtifactKind): boolean {
  if (!accept) return false;
  const a = accept.toLowerCase();
  return kind === 'orb' ? /application\/(x-)?yaml|text\/yaml/.test(a) : /text\/x-python|application\/x-python/.test(a);
}

function registerRoutes(app: App, reg: Registry) {
  const { store } = reg;
  const tags = ['registry'];

  const send = (req: { headers: Record<string, string | string[] | undefined> }, reply: FastifyReply, a: StoredArtifact, raw: boolean) => {
    const etag = representationEtag(a, raw);
    reply.header('etag', etag).header('cache-control', 'no-cache').header('vary', 'accept');
    // Notices go on every answer, 304 included, so an agent revalidating a cached copy still learns of them.
    if (a.deprecated) reply.header('deprecation', 'true').header('x-linkops-deprecated', headerSafe(a.deprecated.reason));
    if (a.yanked) reply.header('x-linkops-yanked', headerSafe(a.yanked.reason));
    if (etagMatches(req.headers['if-none-match'] as string | undefined, etag)) return reply.status(304).send();
    if (raw) {
      return reply
        .header('content-type', `${RAW_TYPE[a.meta.kind]}; charset=utf-8`)
        .header('content-disposition', `inline; filename="${a.filename}"`)
        .send(a.content);
    }
    return reply.header('content-type', 'application/json; charset=utf-8').send(jsonOf(a));
  };

  for (const prefix of ['/orbs', '/runes'] as const) {
    const kind = kindOf(prefix);
    app.get(prefix, { config: { scope: 'orbs:read' }, schema: { tags, summary: `List ${kind}s`, querystring: ListQuery } }, async (req) => {
      const r = store.list({ kind, ...req.query });
      return { items: r.items, total: r.total, offset: req.query.offset, limit: req.query.limit };
    });
    app.get(`${prefix}/:id`, { config: { scope: 'orbs:read' }, schema: { tags, summary: `Latest stable ${kind} (Accept: ${RAW_TYPE[kind]} for the file)`, params: IdParams } }, async (req, reply) => {
      const a = store.get(kind, validId(req.params.id, 'params.id', kind));
      if (!a) throw notFound(`${kind} ${req.params.id}`);
      return send(req, reply, a, wantsRaw(req.headers.accept, kind));
    });
    app.get(`${prefix}/:id/raw`, { config: { scope: 'orbs:read' }, schema: { tags, summary: `Latest stable ${kind} file`, params: IdParams } }, async (req, reply) => {
      const a = store.get(kind, validId(req.params.id, 'params.id', kind));
      if (!a) throw notFound(`${kind} ${req.params.id}`);
      return send(req, reply, a, true);
    });
    app.get(`${prefix}/:id/versions`, { config: { scope: 'orbs:read' }, schema: { tags, summary: `Every version of a ${kind}`, params: IdParams } }, async (req) => {
      const versions = store.versions(kind, validId(req.params.id, 'params.id', kind));
      if (versions.length === 0) throw notFound(`${kind} ${req.params.id}`);
      return { id: req.params.id, versions };
    });
    app.get(
      `${prefix}/:id/versions/:range`,
      { config: { scope: 'orbs:read' }, schema: { tags, summary: 'Resolve an exact version or a semver range (1, ^1.2, ~1.2.3)', params: IdParams.extend({ range: z.string().min(1).max(100) }) } },
      async (req, reply) => {
        const a = resolveIn(store, kind, validId(req.params.id, 'params.id', kind), req.params.range, 'params.range');
        if (!a) throw notFound(`${kind} ${req.params.id} matching ${req.params.range}`);
        return send(req, reply, a, wantsRaw(req.headers.accept, kind));
      },
    );
    app.get(`${prefix}/:id/stats`, { config: { scope: 'orbs:read' }, schema: { tags: ['feedback'], summary: 'Uses, success rate and trend', params: IdParams } }, async (req) => {
      const id = validId(req.params.id, 'params.id', kind);
      if (store.versions(kind, id).length === 0) throw notFound(`${kind} ${id}`);
      return {
        ...reg.stats.forArtifact(id),
        versions: store.versions(kind, id).map((v) => ({ version: v.version, ...reg.stats.forVersion(id, v.version) })),
      };
    });
    for (const action of ['deprecate', 'yank'] as const) {
      app.post(
        `${prefix}/:id/versions/:version/${action}`,
        { config: { scope: 'admin' },
          schema: {
            tags: ['admin'],
            summary: `${action === 'yank' ? 'Yank' : 'Deprecate'} a version; the reason is served to agents`,
            params: IdParams.extend({ version: z.string().min(1).max(64) }),
            body: z.object({ reason: z.string().trim().min(1).max(1000) }),
          },
        },
        async (req) => {
          const id = validId(req.params.id, 'params.id', kind);
          const version = validVersion(req.params.version);
          const info = action === 'yank' ? await store.yank(kind, id, version, req.body.reason) : await store.deprecate(kind, id, version, req.body.reason);
          await reg.ctx.redis.publish(reg.channel, JSON.stringify({ id, version: req.params.version, action }));
          await reg.refresh();
          return info;
        },
      );
    }
  }

  app.get(
    '/search',
    { config: { scope: 'orbs:read' },
      schema: {
        tags,
        summary: 'Ranked full-text search (BM25, boosted by feedback)',
        querystring: z.object({
          q: z.string().trim().min(1).max(500),
          platform: z.string().max(40).optional(),
          tag: z.string().max(64).optional(),
          kind: z.enum(['orb', 'rune']).optional(),
          limit: z.coerce.number().int().min(1).max(100).default(20),
        }),
      },
    },
    async (req) => ({ query: req.query.q, results: reg.search.search(req.query.q, req.query) }),
  );

  app.get('/index.json', { config: { scope: 'orbs:read' }, schema: { tags, summary: 'The whole catalogue in one document' } }, async (req, reply) => {
    const index = store.index();
    const body = JSON.stringify(index.entries);
    const etag = `"idx-${createHash('sha256').update(body).digest('hex').slice(0, 32)}"`;
    reply.header('etag', etag);
    if (etagMatches(req.headers['if-none-match'] as string | undefined, etag)) return reply.status(304).send();
    return index;
  });

  app.post('/feedback', { config: { scope: 'feedback' }, schema: { tags: ['feedback'], summary: 'Report how an artifact version did', body: FeedbackSchema } }, async (req, reply) => {
    const fb = req.body;
    const kind: ArtifactKind = fb.artifact.startsWith('rune.') ? 'rune' : 'orb';
    const artifact = resolveIn(store, kind, validId(fb.artifact, 'body.artifact', kind), fb.version, 'body.version');
    if (!artifact || artifact.meta.version !== fb.version) throw notFound(`${kind} ${fb.artifact}@${fb.version}`);
    const event = await reg.feedback.append(fb);
    reg.countFeedback(event);
    // Durable in the shared log already; a lost broadcast only delays the other replicas to their next reload.
    await reg.ctx.redis
      .publish(reg.feedbackChannel, JSON.stringify({ replica: reg.replica, event }))
      .catch((err: Error) => reg.ctx.log.warn({ err: err.message }, 'feedback broadcast failed'));
    const summary = reg.stats.forVersion(fb.artifact, fb.version);
    const decision = shouldResmith(summary, { minFailures: reg.ctx.config.RESMITH_MIN_FAILURES, failureRate: reg.ctx.config.RESMITH_FAILURE_RATE });
    let resmith: string | null = null;
    if (fb.outcome === 'failure' && decision.resmith) {
      // One re-smith per failing version: the job id makes repeated triggers a no-op.
      const record = resmithRecord(artifact, decision.notes);
      const onceKey = `${reg.ctx.config.QUEUE_PREFIX}:resmith:${artifact.meta.id}@${artifact.meta.version}`;
      const added = await reg.ctx.redis.set(onceKey, '1', 'NX');
      if (added) {
        try {
          resmith = await reg.ctx.queues.enqueue('whisSmith', { record }, req.id);
        } catch (err) {
          // Not enqueued: let the next failure report try again instead of never re-smithing.
          await reg.ctx.redis.del(onceKey).catch(() => undefined);
          throw err;
        }
      }
    }
    return reply.status(202).send({ recorded: true, stats: summary, resmith: resmith ? { job: resmith, reason: decision.reason } : null });
  });
}

/**
 * Strong ETag per representation: the file keeps the digest ETag the index lists; the JSON document
 * (different bytes) gets its own, and either changes once a version is deprecated or yanked, so a
 * cached copy is revalidated into the notice instead of a silent 304.
 */
function representationEtag(a: StoredArtifact, raw: boolean): string {
  const base = etagFor(a).slice(1, -1);
  const notices = a.deprecated || a.yanked ? `.n${createHash('sha256').update(JSON.stringify([a.deprecated, a.yanked])).digest('hex').slice(0, 12)}` : '';
  return `"${base}${raw ? '' : '.json'}${notices}"`;
}

/** Stored versions are immutable objects (a notice replaces the object), so their JSON is built once. */
const jsonCache = new WeakMap<StoredArtifact, string>();
function jsonOf(a: StoredArtifact): string {
  let text = jsonCache.get(a);
  if (text === undefined) jsonCache.set(a, (text = JSON.stringify(a)));
  return text;
}

/** Header values must be visible ASCII: reasons may hold newlines or any Unicode. */
function headerSafe(text: string): string {
  return text.replace(/[^\x20-\x7e]+/g, ' ').replace(/ {2,}/g, ' ').trim().slice(0, 200) || 'see the response body';
}

/** A synthetic sanitized record that asks smithing to rebuild an artifact's group with the failure notes. */
function resmithRecord(a: StoredArtifact, notes: string[]): SanitizedRecord {
  const topic = a.meta.id.split('.')[2] ?? 'general';
  const id = `resmith-${createHash('sha256').update(`${a.meta.id}@${a.meta.version}`).digest('hex').slice(0, 20)}`;
  return {
    id,
    task: a.meta.summary,
    answer: a.meta.description,
    tags: a.meta.tags,
    source: 'agent',
    classification: { domain: a.meta.category, platform: a.meta.platform, topic, confidence: 1, evidence: ['agent feedback'] },
    steps: [],
    quality: { score: 1, reasons: [] },
    redactions: [],
    content_hash: createHash('sha256').update(`${id}:${notes.join('\n')}`).digest('hex'),
    feedback_context: notes.length ? notes.map((n) => `${a.meta.id}@${a.meta.version} failed: ${n}`) : [`${a.meta.id}@${a.meta.version} failed repeatedly`],
  };
}
