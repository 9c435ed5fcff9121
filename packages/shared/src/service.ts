import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import Fastify, { LogController, type FastifyError, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { BaseConfigSchema, loadConfigOrExit, parseConfig, type BaseConfig } from './config.js';
import { AppError, envelope, notFound } from './errors.js';
import { authorize, loadApiKeys, type ApiKey, type Scope } from './auth.js';
import { registerStrictJson } from './json-body.js';
import { correlationIdFrom, createLogger } from './logging.js';
import { createMetrics, type ServiceMetrics } from './metrics.js';
import { QueueKit } from './queue-runtime.js';
import { ALL_QUEUES, QUEUES, deadLetterName, type QueueKey } from './queues.js';
import { createProbeRedis, createRedis, pingRedis } from './redis.js';
import { serviceSpec, type ServiceSpec } from './services.js';

export type { FastifyReply, FastifyRequest } from 'fastify';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The API-key scope a route needs when AUTH=required. Routes without one are open. */
    scope?: Scope;
  }
  interface FastifyRequest {
    apiKey?: ApiKey;
  }
}

export type App = FastifyInstance<
  import('node:http').Server,
  import('node:http').IncomingMessage,
  import('node:http').ServerResponse,
  Logger,
  ZodTypeProvider
>;

export interface ServiceContext<C extends BaseConfig = BaseConfig> {
  spec: ServiceSpec;
  config: C;
  log: Logger;
  /** Request-path Redis connection: fails within seconds while Redis is down instead of hanging. */
  redis: Redis;
  queues: QueueKit;
  metrics: ServiceMetrics;
  /** Absolute data dir for this fleet (shared by services that need disk). */
  dataDir: string;
  /** Whether this service's workers run in the current MODE. */
  workersEnabled: boolean;
  /** Called on shutdown after workers stop (close files, timers, extra connections). */
  onClose(fn: () => Promise<void> | void): void;
}

export interface ServiceDefinition<S extends z.ZodObject = typeof BaseConfigSchema> {
  name: string;
  /** Service-specific settings; merged over the base settings. */
  configSchema?: S;
  /** Registers HTTP routes (encapsulated plugin). */
  routes?: (app: App, ctx: ServiceContext<z.infer<S> & BaseConfig>) => Promise<void> | void;
  /** Starts queue workers; only called when the service's workers run in the current MODE. */
  workers?: (ctx: ServiceContext<z.infer<S> & BaseConfig>) => Promise<void> | void;
  /** Extra logic after listen (e.g. an outbox drainer). */
  afterStart?: (ctx: ServiceContext<z.infer<S> & BaseConfig>) => Promise<void> | void;
}

export interface RunningService<C extends BaseConfig = BaseConfig> {
  app: App;
  ctx: ServiceContext<C>;
  url: string;
  stop(): Promise<void>;
}

export interface StartOptions {
  env?: Record<string, string | undefined>;
  /** Tests pass a port of 0 to get a free one. */
  port?: number;
  /** Tests capture logs. */
  logDestination?: NodeJS.WritableStream;
  /** Exit the process on invalid config (entry points) or throw (tests). */
  exitOnConfigError?: boolean;
}

/**
 * The one service kit: config, logs with correlation ids, health/ready/metrics/docs, the error envelope,
 * typed queues with dead letters and graceful shutdown. A service supplies only its routes and workers.
 */
export async function startService<S extends z.ZodObject = typeof BaseConfigSchema>(
  def: ServiceDefinition<S>,
  opts: StartOptions = {},
): Promise<RunningService<z.infer<S> & BaseConfig>> {
  type C = z.infer<S> & BaseConfig;
  const spec = serviceSpec(def.name);
  const schema = def.configSchema ? BaseConfigSchema.extend(def.configSchema.shape) : BaseConfigSchema;
  const env = opts.env ?? process.env;
  const config = (opts.exitOnConfigError ? loadConfigOrExit(schema, env) : parseConfig(schema, env)) as C;
  const port = opts.port ?? config.PORT ?? spec.port;
  const authRequired = (config.AUTH ?? (config.NODE_ENV === 'production' ? 'required' : 'off')) === 'required';
  const apiKeys = loadApiKeys(config);
  if (authRequired && apiKeys.length === 0) {
    throw new Error('AUTH is required (NODE_ENV=production or AUTH=required) but no API keys are configured: set API_KEYS or API_KEYS_FILE');
  }
  const log = createLogger(spec.name, config.LOG_LEVEL, opts.logDestination);
  const dataDir = resolve(config.DATA_DIR);
  mkdirSync(dataDir, { recursive: true });

  const queueRedis = createRedis(config.REDIS_URL);
  queueRedis.on('error', (err) => log.debug({ err: err.message }, 'redis (queues) error'));
  const redis = createRedis(config.REDIS_URL, { maxRetriesPerRequest: 2, connectTimeout: 2000 });
  redis.on('error', (err) => log.debug({ err: err.message }, 'redis error'));
  const probe = createProbeRedis(config.REDIS_URL);
  probe.on('error', () => undefined);
  const rateLimitRedis = createProbeRedis(config.REDIS_URL);
  rateLimitRedis.on('error', () => undefined);

  const ownQueues = [...new Set([...spec.consumes, ...spec.produces])].map((k: QueueKey) => QUEUES[k].name);
  let queues!: QueueKit;
  const metrics = createMetrics(spec.name, async () =>
    Promise.all(ownQueues.map(async (queue) => ({ queue, ...(await withTimeout(queues.counts(queue), 1500)) }))),
  );
  queues = new QueueKit(queueRedis, config.QUEUE_PREFIX, log, metrics, {
    lockDuration: config.WORKER_LOCK_DURATION_MS,
    stalledInterval: config.WORKER_STALLED_INTERVAL_MS,
  });
  const closers: Array<() => Promise<void> | void> = [];
  const workersEnabled = config.MODE === 'all' || spec.modes.includes(config.MODE as 'daytime' | 'nighttime');
  const ctx: ServiceContext<C> = {
    spec,
    config,
    log,
    redis,
    queues,
    metrics,
    dataDir,
    workersEnabled,
    onClose: (fn) => closers.push(fn),
  };

  const app = Fastify({
    loggerInstance: log,
    bodyLimit: config.BODY_LIMIT_BYTES,
    requestIdHeader: false,
    genReqId: (req) => correlationIdFrom(req.headers['x-request-id'], randomUUID),
    // Every request log line carries the correlation id under one name, as worker logs do.
    logController: new LogController({ requestIdLogLabel: 'correlation_id' }),
    routerOptions: { maxParamLength: 500 },
    requestTimeout: config.REQUEST_TIMEOUT_MS,
    // Router-level rejections (bad URL encoding, over-long path parameters) in the same envelope.
    frameworkErrors: (error, _req, reply) => {
      const status = error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 414 : 400;
      // Echo no more than the start of the path: the whole over-long URL is the attacker's payload.
      const message = `${error.message.slice(0, 120)}${error.message.length > 120 ? '…' : ''}`;
      void (reply as unknown as { status(n: number): { send(b: unknown): unknown } }).status(status).send(envelope(status === 414 ? 'uri_too_long' : 'bad_url', message));
    },
  }).withTypeProvider<ZodTypeProvider>() as unknown as App;
  registerStrictJson(app as unknown as Parameters<typeof registerStrictJson>[0]);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-request-id', req.id);
    const scope = req.routeOptions.config?.scope ?? (req.routeOptions.url === '/metrics' && config.METRICS_AUTH === '1' ? 'metrics' : undefined);
    if (!authRequired || !scope) return;
    const outcome = authorize(req.headers.authorization, apiKeys, scope);
    if (!outcome.ok) return reply.status(outcome.status).send(envelope(outcome.code, outcome.message));
    req.apiKey = outcome.key;
  });
  // An oversized body gets a clear 413 the client can read: drain what it sends (up to a cap) before
  // answering, instead of resetting the connection mid-upload.
  app.addHook('preParsing', async (req, _reply, payload) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    const limit = req.routeOptions.bodyLimit ?? config.BODY_LIMIT_BYTES;
    if (!(declared > limit)) return payload;
    if (declared <= MAX_DRAIN_BYTES) {
      await new Promise<void>((resolve) => {
        payload.on('data', () => undefined);
        payload.once('end', resolve);
        payload.once('error', () => resolve());
        payload.once('close', () => resolve());
      });
    }
    throw new AppError(413, 'payload_too_large', `request body of ${declared} bytes exceeds the ${limit}-byte limit`);
  });
  app.addHook('onResponse', async (req, reply) => {
    metrics.httpDuration.observe(
      { method: req.method, route: req.routeOptions.url ?? 'unmatched', status_code: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err instanceof AppError) {
      return reply.status(err.statusCode).send(envelope(err.code, err.message, err.details));
    }
    if (err.validation) {
      const where = err.validationContext ?? 'body';
      const details = err.validation.map((v) => {
        const path = (v.instancePath || '').replace(/^\//, '').replace(/\//g, '.');
        const missing = (v.params as { missingProperty?: string } | undefined)?.missingProperty;
        return { field: [where, path || missing].filter(Boolean).join('.'), reason: v.message ?? 'invalid' };
      });
      return reply
        .status(400)
        .send(envelope('validation_failed', details.map((d) => `${d.field}: ${d.reason}`).join('; '), details));
    }
    // Engine errors that carry their own client status (e.g. registry InvalidIdError: status 400, code).
    const own = err as unknown as { status?: unknown; code?: unknown };
    if (typeof own.status === 'number' && own.status >= 400 && own.status < 500 && typeof own.code === 'string' && !err.statusCode) {
      return reply.status(own.status).send(envelope(own.code, err.message));
    }
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return reply.status(413).send(envelope('payload_too_large', `request body exceeds ${config.BODY_LIMIT_BYTES} bytes`));
    }
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status >= 500) {
      req.log.error({ err }, 'unhandled error');
      return reply.status(500).send(envelope('internal', 'internal error; see the service log for this request id', { request_id: req.id }));
    }
    const code = status === 400 && /JSON/i.test(err.message) ? 'invalid_json' : (err.code ?? 'bad_request').toLowerCase();
    return reply.status(status).send(envelope(code, err.message));
  });
  app.setNotFoundHandler((req, reply) => {
    const e = notFound(`route ${req.method} ${req.url.split('?')[0]}`);
    return reply.status(404).send(envelope(e.code, e.message));
  });

  // Security headers everywhere; HTML pages set their own Content-Security-Policy.
  await app.register(helmet, { contentSecurityPolicy: false, global: true });
  await app.register(rateLimit, {
    global: true,
    max: config.RATE_LIMIT_MAX,
    timeWindow: config.RATE_LIMIT_WINDOW_MS,
    // Its own fail-fast connection: during a Redis outage requests skip the limit at once instead of
    // waiting out reconnects (skipOnError).
    redis: rateLimitRedis,
    nameSpace: `${config.QUEUE_PREFIX}:ratelimit:${spec.name}:`,
    skipOnError: true, // a Redis outage must not turn into a fleet-wide 429/500
    keyGenerator: (req) => {
      const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
      return m ? `key:${m[1]!.slice(0, 12)}` : `ip:${req.ip}`;
    },
    allowList: (req) => ['/health', '/ready', '/metrics'].includes(req.url.split('?')[0] ?? ''),
    errorResponseBuilder: (_req, ctx) =>
      new AppError(ctx.statusCode, 'rate_limited', `too many requests; retry in ${Math.ceil(ctx.ttl / 1000)} s`, { limit: ctx.max }) as unknown as object,
  });

  await app.register(swagger, {
    openapi: {
      info: { title: `LinkOps ${spec.name}`, description: spec.description, version: '0.1.0' },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  registerOperationalRoutes(app, ctx, probe, ownQueues);
  if (spec.queueUi) await mountQueueUi(app, queues, authRequired, apiKeys);
  if (def.routes) await app.register(async (scope) => def.routes!(scope as unknown as App, ctx));
  await app.ready();

  if (workersEnabled && def.workers) await def.workers(ctx);
  else if (def.workers) log.info({ mode: config.MODE }, 'workers paused in this mode; queues accumulate');

  await app.listen({ host: config.HOST, port });
  const addr = app.server.address();
  const actualPort = typeof addr === 'object' && addr ? addr.port : port;
  const url = `http://${config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST}:${actualPort}`;
  log.info({ url, mode: config.MODE, queues: ownQueues }, `${spec.name} listening`);
  if (def.afterStart) await def.afterStart(ctx);

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      log.info('shutting down: no new requests, finishing in-flight jobs');
      await app.close();
      await queues.close(config.SHUTDOWN_GRACE_MS);
      for (const fn of closers.reverse()) await fn();
      // quit() waits for Redis to answer; with Redis down it would wait forever, so disconnect instead.
      await Promise.all([queueRedis, redis, probe, rateLimitRedis].map((r) => (r.status === 'ready' ? withTimeout(r.quit(), 2000).catch(() => r.disconnect()) : r.disconnect())));
      log.info('stopped');
    })());
  return { app, ctx, url, stop };
}

/** Bodies up to this size are read and discarded before a 413; larger ones get the connection closed. */
const MAX_DRAIN_BYTES = 64 * 1024 * 1024;

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return Promise.race([p, new Promise<never>((_, rej) => setTimeout(() => rej(new Error(`timed out after ${ms} ms`)), ms).unref())]);
}

const QueueNameParams = z.object({ name: z.string().max(100) });

function registerOperationalRoutes(app: App, ctx: ServiceContext, probe: Redis, ownQueues: string[]): void {
  const ops = { tags: ['operations'] };
  app.get('/health', { schema: { ...ops, summary: 'Liveness' } }, async () => ({ status: 'ok', service: ctx.spec.name }));

  app.get('/ready', { schema: { ...ops, summary: 'Readiness: Redis reachable and queues usable' } }, async (_req, reply) => {
    const redis = await pingRedis(probe);
    if (!redis.ok) return reply.status(503).send({ status: 'unavailable', service: ctx.spec.name, reason: redis.reason });
    try {
      await withTimeout(Promise.all(ownQueues.map((q) => ctx.queues.queue(q).getJobCounts('waiting'))), 1500);
    } catch (err) {
      return reply.status(503).send({ status: 'unavailable', service: ctx.spec.name, reason: `queues: ${(err as Error).message}` });
    }
    return { status: 'ready', service: ctx.spec.name, mode: ctx.config.MODE, workers: ctx.workersEnabled };
  });

  app.get('/metrics', { schema: { ...ops, summary: 'Prometheus metrics' } }, async (_req, reply) => {
    reply.header('content-type', ctx.metrics.registry.contentType);
    return ctx.metrics.registry.metrics();
  });

  const known = (name: string) => {
    if (!ownQueues.includes(name)) throw notFound(`queue ${name} on ${ctx.spec.name}`);
  };
  app.get('/queues', { config: { scope: 'admin' }, schema: { ...ops, summary: 'Job counts of the queues this service uses' } }, async () => ({
    queues: await Promise.all(
      ownQueues.map(async (name) => ({ name, dead_letter_queue: `${name}.dlq`, ...(await withTimeout(ctx.queues.counts(name), 2000)) })),
    ),
  }));
  app.get(
    '/queues/:name/dlq',
    {
      config: { scope: 'admin' }, schema: {
        ...ops,
        summary: 'List dead letters',
        params: QueueNameParams,
        querystring: z.object({ offset: z.coerce.number().int().min(0).default(0), limit: z.coerce.number().int().min(1).max(500).default(50) }),
      },
    },
    async (req) => {
      known(req.params.name);
      return ctx.queues.deadLetters(req.params.name, req.query.offset, req.query.limit);
    },
  );
  app.post(
    '/queues/:name/dlq/:jobId/redrive',
    { config: { scope: 'admin' }, schema: { ...ops, summary: 'Re-drive one dead letter', params: QueueNameParams.extend({ jobId: z.string().max(300) }) } },
    async (req) => {
      known(req.params.name);
      if (!(await ctx.queues.redrive(req.params.name, req.params.jobId))) throw notFound(`dead letter ${req.params.jobId}`);
      return { redriven: req.params.jobId };
    },
  );
  app.post('/queues/:name/dlq/redrive', { config: { scope: 'admin' }, schema: { ...ops, summary: 'Re-drive every dead letter', params: QueueNameParams } }, async (req) => {
    known(req.params.name);
    const { items } = await ctx.queues.deadLetters(req.params.name, 0, 10_000);
    let n = 0;
    for (const item of items) if (await ctx.queues.redrive(req.params.name, item.job_id)) n++;
    return { redriven: n };
  });
}

/**
 * bull-board over every queue and dead-letter queue, behind the admin scope when auth is on. Browsers
 * cannot send bearer headers, so the UI also takes the key as the Basic-auth password.
 */
async function mountQueueUi(app: App, queues: QueueKit, authRequired: boolean, apiKeys: ApiKey[]): Promise<void> {
  const { createBullBoard } = await import('@bull-board/api');
  const { BullMQAdapter } = await import('@bull-board/api/bullMQAdapter');
  const { FastifyAdapter } = await import('@bull-board/fastify');
  const adapter = new FastifyAdapter();
  adapter.setBasePath('/admin/queues');
  const names = ALL_QUEUES.flatMap((q) => [q.name, deadLetterName(q.name)]);
  // The adapter and the API come from separately versioned packages; their interface types differ only nominally.
  createBullBoard({ queues: names.map((n) => new BullMQAdapter(queues.queue(n))), serverAdapter: adapter as never });
  await app.register(async (scope) => {
    scope.addHook('onRequest', async (req, reply) => {
      if (!authRequired) return;
      const basic = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '');
      const header = basic ? `Bearer ${Buffer.from(basic[1]!, 'base64').toString('utf8').split(':').slice(1).join(':')}` : req.headers.authorization;
      const outcome = authorize(header, apiKeys, 'admin');
      if (!outcome.ok) {
        return reply.status(outcome.status).header('www-authenticate', 'Basic realm="linkops queues"').send(envelope(outcome.code, outcome.message));
      }
    });
    await scope.register(adapter.registerPlugin() as never, { prefix: '/admin/queues' });
  });
}

/** Entry point helper: start, print where, stop cleanly on SIGTERM/SIGINT. */
export async function runService<S extends z.ZodObject = typeof BaseConfigSchema>(def: ServiceDefinition<S>): Promise<void> {
  let running: RunningService | undefined;
  try {
    running = (await startService(def, { exitOnConfigError: true })) as unknown as RunningService;
  } catch (err) {
    process.stderr.write(`${def.name} failed to start: ${(err as Error).message}\n`);
    process.exit(1);
  }
  const svc = running;
  const shutdown = (signal: string) => {
    svc.ctx.log.info({ signal }, 'signal received');
    // Whatever happens (e.g. Redis unreachable), the process is gone shortly after the grace period.
    setTimeout(() => {
      process.stderr.write(`${def.name}: shutdown did not finish in time; exiting\n`);
      process.exit(1);
    }, svc.ctx.config.SHUTDOWN_GRACE_MS + 10_000).unref();
    svc
      .stop()
      .then(() => process.exit(0))
      .catch((err: Error) => {
        process.stderr.write(`shutdown error: ${err.message}\n`);
        process.exit(1);
      });
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}
