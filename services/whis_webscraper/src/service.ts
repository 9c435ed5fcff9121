import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { badRequest, csvList, notFound, type App, type BaseConfig, type ServiceContext, type ServiceDefinition } from '@linkops/shared';
import { FetchError, RobotsCache, assertFetchableUrl, crawl, type Candidate } from '@linkops/scraper';

const ConfigSchema = z.object({
  /** Hosts exempt from the private-address guard (tests allow their local server). */
  SCRAPER_ALLOWED_HOSTS: csvList([]),
  /** Where candidates go: whis_data_input's base URL. */
  DATA_INPUT_URL: z.string().url().default('http://127.0.0.1:8001'),
  SCRAPER_CONFIDENCE: z.coerce.number().min(0).max(1).default(0.3),
  SCRAPER_MAX_BYTES: z.coerce.number().int().min(1024).max(50 * 1024 * 1024).default(2 * 1024 * 1024),
  /** Minimum gap between two requests to one host (robots.txt Crawl-delay can only raise it). */
  SCRAPER_MIN_INTERVAL_MS: z.coerce.number().int().min(0).max(60_000).default(1000),
  /** JSON file with [{urls, max_depth, max_pages, same_host_only}] crawled on a schedule in nighttime mode. */
  SCRAPER_SCHEDULE_FILE: z.string().optional(),
  SCRAPER_SCHEDULE_MINUTES: z.coerce.number().int().min(1).max(7 * 24 * 60).default(24 * 60),
});
type Config = z.infer<typeof ConfigSchema> & BaseConfig;

const ScrapeBody = z.object({
  urls: z.array(z.string().min(1).max(2048)).min(1).max(100),
  max_depth: z.number().int().min(0).max(5).default(1),
  max_pages: z.number().int().min(1).max(500).default(20),
  same_host_only: z.boolean().default(true),
});
const ScrapeIdParams = z.object({ id: z.string().regex(/^scr_[a-z0-9]{10,40}$/, 'not a scrape id') });

interface ScrapeState {
  scrape_id: string;
  status: 'queued' | 'running' | 'done' | 'failed';
  urls: string[];
  pages: Array<{ url: string; status: number; candidates: number; error?: string }>;
  submitted: number;
  skipped: Array<{ url: string; reason: string }>;
  stopped?: string;
  reason?: string;
  created_at: string;
  updated_at: string;
}

const ScheduleSchema = z.array(ScrapeBody);

/** Candidates per POST /data/batch (whis_data_input caps a batch; a big crawl goes in several). */
const SUBMIT_CHUNK = 200;

async function submitCandidates(ctx: ServiceContext<Config>, candidates: Candidate[], correlationId: string): Promise<number> {
  let accepted = 0;
  for (let i = 0; i < candidates.length; i += SUBMIT_CHUNK) {
    const body = candidates.slice(i, i + SUBMIT_CHUNK).map((c) => ({
      task: c.task.slice(0, 20_000),
      answer: c.answer.slice(0, 100_000),
      source: 'webscraper',
      source_url: c.source_url,
      confidence: ctx.config.SCRAPER_CONFIDENCE,
      tags: ['scraped'],
    }));
    const res = await fetch(`${ctx.config.DATA_INPUT_URL}/data/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': correlationId },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    if (!res.ok) throw new Error(`whis_data_input answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
    accepted += ((await res.json()) as { accepted: number }).accepted;
  }
  return accepted;
}

export const service: ServiceDefinition<typeof ConfigSchema> = {
  name: 'whis_webscraper',
  configSchema: ConfigSchema,
  routes(app, ctx) {
    registerRoutes(app, ctx);
  },
  workers(ctx) {
    const key = (id: string) => `${ctx.config.QUEUE_PREFIX}:scrape:${id}`;
    const robots = new RobotsCache({ fetch: { allowedHosts: ctx.config.SCRAPER_ALLOWED_HOSTS, maxBytes: 512 * 1024 }, minIntervalMs: ctx.config.SCRAPER_MIN_INTERVAL_MS });
    ctx.queues.work('whisScrape', async (job, jc) => {
      const load = async () => JSON.parse((await ctx.redis.get(key(job.scrape_id))) ?? 'null') as ScrapeState | null;
      const state: ScrapeState = (await load()) ?? {
        scrape_id: job.scrape_id,
        status: 'queued',
        urls: job.urls,
        pages: [],
        submitted: 0,
        skipped: [],
        created_at: new Date().toISOString(),
        updated_at: new Date().toISOString(),
      };
      const save = () => ctx.redis.set(key(job.scrape_id), JSON.stringify({ ...state, updated_at: new Date().toISOString() }), 'EX', 7 * 24 * 3600);
      // A retried job starts its page list afresh instead of appending to the failed attempt's.
      state.status = 'running';
      state.pages = [];
      delete state.reason;
      await save();
      try {
        const result = await crawl(job, {
          fetch: { allowedHosts: ctx.config.SCRAPER_ALLOWED_HOSTS, maxBytes: ctx.config.SCRAPER_MAX_BYTES },
          robots,
          onPage: async (page) => {
            state.pages.push({ url: page.url, status: page.status, candidates: page.candidates.length, ...(page.error ? { error: page.error } : {}) });
            await save();
          },
        });
        state.skipped = result.skipped;
        if (result.stopped) state.stopped = result.stopped;
        state.submitted = await submitCandidates(ctx, result.candidates, jc.correlationId);
        state.status = 'done';
        jc.log.info({ scrape_id: job.scrape_id, pages: result.pages.length, candidates: result.candidates.length, submitted: state.submitted }, 'scrape done');
      } catch (err) {
        state.status = 'failed';
        state.reason = (err as Error).message;
        await save();
        throw err;
      }
      await save();
      return { submitted: state.submitted };
    });
    scheduleCrawls(ctx);
  },
};

/** Nighttime: crawl the configured lists on an interval, as ordinary scrape jobs. */
function scheduleCrawls(ctx: ServiceContext<Config>) {
  if (!ctx.config.SCRAPER_SCHEDULE_FILE || ctx.config.MODE === 'daytime') return;
  const lists = ScheduleSchema.parse(JSON.parse(readFileSync(ctx.config.SCRAPER_SCHEDULE_FILE, 'utf8')));
  const run = async () => {
    for (const l of lists) {
      const scrape_id = `scr_${Date.now().toString(36)}${randomBytes(5).toString('hex')}`;
      await ctx.queues.enqueue('whisScrape', { scrape_id, ...l }, `schedule-${scrape_id}`).catch((err: Error) => ctx.log.warn({ err: err.message }, 'scheduled crawl not enqueued'));
    }
  };
  const timer = setInterval(() => void run(), ctx.config.SCRAPER_SCHEDULE_MINUTES * 60_000);
  timer.unref();
  ctx.onClose(() => clearInterval(timer));
  void run();
}

function registerRoutes(app: App, ctx: ServiceContext<Config>) {
  const tags = ['scrape'];
  app.post('/scrape', { config: { scope: 'data:write' }, schema: { tags, summary: 'Crawl documentation pages into candidate knowledge (held for review)', body: ScrapeBody } }, async (req, reply) => {
    const problems: Array<{ field: string; reason: string }> = [];
    req.body.urls.forEach((u, i) => {
      try {
        assertFetchableUrl(u, { allowedHosts: ctx.config.SCRAPER_ALLOWED_HOSTS });
      } catch (err) {
        problems.push({ field: `body.urls.${i}`, reason: err instanceof FetchError ? `${err.reason}: ${err.message}` : (err as Error).message });
      }
    });
    if (problems.length) throw badRequest(problems.map((p) => `${p.field}: ${p.reason}`).join('; '), problems);
    const scrape_id = `scr_${Date.now().toString(36)}${randomBytes(5).toString('hex')}`;
    const now = new Date().toISOString();
    const state: ScrapeState = { scrape_id, status: 'queued', urls: req.body.urls, pages: [], submitted: 0, skipped: [], created_at: now, updated_at: now };
    await ctx.redis.set(`${ctx.config.QUEUE_PREFIX}:scrape:${scrape_id}`, JSON.stringify(state), 'EX', 7 * 24 * 3600);
    await ctx.queues.enqueue('whisScrape', { scrape_id, ...req.body }, req.id);
    return reply.status(202).send({ scrape_id, status: 'queued', status_url: `/scrape/${scrape_id}` });
  });
  app.get('/scrape/:id', { config: { scope: 'data:write' }, schema: { tags, summary: 'Crawl progress and results', params: ScrapeIdParams } }, async (req) => {
    const raw = await ctx.redis.get(`${ctx.config.QUEUE_PREFIX}:scrape:${req.params.id}`);
    if (!raw) throw notFound(`scrape ${req.params.id}`);
    return JSON.parse(raw) as ScrapeState;
  });
}
