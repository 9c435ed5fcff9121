import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, parseConfig, BaseConfigSchema, startService, type RunningService } from '@linkops/shared';
import { DisposableRedis, LogCapture, freePort, parseExposition, testRedisUrl, uniquePrefix, waitFor } from './helpers/redis.js';

const record = (id: string) => ({
  id,
  content_hash: 'h'.repeat(64),
  received_at: new Date().toISOString(),
  task: 'Convert repo to GitOps',
  answer: 'Add helm chart, ArgoCD app, update CI pipeline',
  tags: [],
  source: 'human' as const,
});

describe('config', () => {
  it('names every bad variable and the reason', () => {
    try {
      parseConfig(BaseConfigSchema, { PORT: 'eighty', REDIS_URL: 'http://nope', MODE: 'weekend' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const vars = (err as ConfigError).problems.map((p) => p.variable).sort();
      expect(vars).toEqual(['MODE', 'PORT', 'REDIS_URL']);
      expect((err as Error).message).toMatch(/REDIS_URL: must be a redis:\/\//);
    }
  });
  it('applies defaults and coerces numbers', () => {
    const c = parseConfig(BaseConfigSchema, { PORT: '8123' });
    expect(c.PORT).toBe(8123);
    expect(c.MODE).toBe('all');
    expect(c.REDIS_URL).toBe('redis://127.0.0.1:6379');
  });
});

describe('service kit over HTTP', () => {
  let svc: RunningService;
  const logs = new LogCapture();
  const prefix = uniquePrefix('kit');
  beforeAll(async () => {
    svc = await startService(
      {
        name: 'whis_data_input',
        routes(app, ctx) {
          app.post(
            '/echo',
            { schema: { body: z.object({ task: z.string().min(1), n: z.number().int().max(10) }) } },
            async (req) => ({ got: req.body }),
          );
          app.post('/enqueue', async (req) => ({
            job: await ctx.queues.enqueue('whisSanitize', { record: record('rec-kit-1') }, req.id),
          }));
        },
      },
      { port: 0, env: { REDIS_URL: testRedisUrl(), QUEUE_PREFIX: prefix, DATA_DIR: '/tmp/linkops-kit-test', BODY_LIMIT_BYTES: '2048' }, logDestination: logs.stream },
    );
  });
  afterAll(async () => svc?.stop());

  it('answers health, ready and docs', async () => {
    expect((await fetch(`${svc.url}/health`)).status).toBe(200);
    const ready = await fetch(`${svc.url}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready' });
    const docs = await fetch(`${svc.url}/docs/json`);
    const spec = (await docs.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(spec.openapi).toMatch(/^3\./);
    expect(Object.keys(spec.paths)).toContain('/echo');
  });

  it('echoes or creates a correlation id and logs it', async () => {
    const r = await fetch(`${svc.url}/health`, { headers: { 'x-request-id': 'corr-abc-123' } });
    expect(r.headers.get('x-request-id')).toBe('corr-abc-123');
    const r2 = await fetch(`${svc.url}/health`, { headers: { 'x-request-id': 'bad id with spaces' } });
    expect(r2.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    await waitFor(() => logs.lines.some((l) => l.correlation_id === 'corr-abc-123'));
  });

  it('answers validation errors with 400 naming each field', async () => {
    const r = await fetch(`${svc.url}/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ task: '', n: 'x' }) });
    expect(r.status).toBe(400);
    const body = (await r.json()) as { error: { code: string; details: Array<{ field: string }> } };
    expect(body.error.code).toBe('validation_failed');
    expect(body.error.details.map((d) => d.field).sort()).toEqual(['body.n', 'body.task']);
  });

  it('answers malformed JSON, oversized bodies and unknown routes in the envelope', async () => {
    const bad = await fetch(`${svc.url}/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{not json' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('invalid_json');
    const big = await fetch(`${svc.url}/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ task: 'x'.repeat(5000), n: 1 }) });
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({ error: { code: 'payload_too_large' } });
    const nf = await fetch(`${svc.url}/no/such/route`);
    expect(nf.status).toBe(404);
    expect(await nf.json()).toMatchObject({ error: { code: 'not_found' } });
  });

  it('exports HTTP and queue metrics in Prometheus text format', async () => {
    await fetch(`${svc.url}/enqueue`, { method: 'POST' });
    const text = await (await fetch(`${svc.url}/metrics`)).text();
    const m = parseExposition(text);
    expect(m.get('process_cpu_user_seconds_total')).toBeTruthy();
    const http = m.get('http_request_duration_seconds_count') ?? [];
    expect(http.some((s) => s.labels.route === '/health' && s.labels.status_code === '200' && s.value >= 1)).toBe(true);
    const waiting = (m.get('linkops_queue_jobs') ?? []).find((s) => s.labels.queue === 'whis.sanitize' && s.labels.state === 'waiting');
    expect(waiting?.value).toBe(1);
  });

  it('lists its queues and 404s unknown ones', async () => {
    const q = (await (await fetch(`${svc.url}/queues`)).json()) as { queues: Array<{ name: string }> };
    expect(q.queues.map((x) => x.name)).toEqual(['whis.sanitize']);
    expect((await fetch(`${svc.url}/queues/whis.smith/dlq`)).status).toBe(404);
  });
});

describe('typed queues', () => {
  it('rejects an invalid payload before it reaches Redis', async () => {
    const svc = await startService({ name: 'whis_data_input' }, { port: 0, env: { REDIS_URL: testRedisUrl(), QUEUE_PREFIX: uniquePrefix('inv'), LOG_LEVEL: 'silent' } });
    try {
      await expect(svc.ctx.queues.enqueue('whisSanitize', { record: { id: 'x' } } as never, 'c1')).rejects.toThrow(/invalid payload for whis.sanitize: record\.content_hash/);
    } finally {
      await svc.stop();
    }
  });

  it('carries the correlation id to the consuming service, retries, dead-letters and re-drives', async () => {
    const prefix = uniquePrefix('dlq');
    const env = { REDIS_URL: testRedisUrl(), QUEUE_PREFIX: prefix, LOG_LEVEL: 'info' };
    const consumerLogs = new LogCapture();
    let failuresLeft = 2; // first job: fail all attempts of the first delivery; succeed after re-drive
    const seen: string[] = [];
    const producer = await startService(
      {
        name: 'whis_data_input',
        routes(app, ctx) {
          app.post('/submit/:id', { schema: { params: z.object({ id: z.string() }) } }, async (req) => ({
            job: await ctx.queues.enqueue('whisSanitize', { record: record(req.params.id) }, req.id),
          }));
        },
      },
      { port: 0, env, logDestination: new LogCapture().stream },
    );
    const consumer = await startService(
      {
        name: 'whis_sanitize',
        workers(ctx) {
          ctx.queues.work('whisSanitize', async (payload, job) => {
            job.log.info({ record: payload.record.id }, 'sanitizing');
            if (payload.record.id === 'poison' && failuresLeft-- > 0) throw new Error('poison pill');
            seen.push(payload.record.id);
          });
        },
      },
      { port: 0, env, logDestination: consumerLogs.stream },
    );
    // Speed up the test: QUEUES.whisSanitize backs off 500 ms, 5 attempts; poison fails twice then is re-driven.
    try {
      const ok = await fetch(`${producer.url}/submit/rec-1`, { method: 'POST', headers: { 'x-request-id': 'trace-xyz-42' } });
      expect(ok.status).toBe(200);
      await waitFor(() => seen.includes('rec-1'));
      const line = consumerLogs.lines.find((l) => l.msg === 'sanitizing' && l.correlation_id === 'trace-xyz-42');
      expect(line?.service).toBe('whis_sanitize');

      // Idempotent enqueue: the same record id is the same job.
      const a = (await (await fetch(`${producer.url}/submit/rec-1`, { method: 'POST' })).json()) as { job: string };
      expect(a.job).toBe('rec-1');

      // A poison job: force it to the DLQ by making every attempt fail.
      failuresLeft = 1000;
      await fetch(`${producer.url}/submit/poison`, { method: 'POST' });
      const dlq = await waitFor(async () => {
        const r = (await (await fetch(`${consumer.url}/queues/whis.sanitize/dlq`)).json()) as { total: number; items: Array<{ job_id: string; reason: string; attempts: number }> };
        return r.total > 0 ? r : undefined;
      }, 30_000, 200);
      expect(dlq.items[0]).toMatchObject({ job_id: 'poison', reason: 'poison pill', attempts: 5 });

      failuresLeft = 0;
      const rd = await fetch(`${consumer.url}/queues/whis.sanitize/dlq/poison/redrive`, { method: 'POST' });
      expect(rd.status).toBe(200);
      await waitFor(() => seen.includes('poison'), 10_000);
      const after = (await (await fetch(`${consumer.url}/queues/whis.sanitize/dlq`)).json()) as { total: number };
      expect(after.total).toBe(0);
      expect((await fetch(`${consumer.url}/queues/whis.sanitize/dlq/nope/redrive`, { method: 'POST' })).status).toBe(404);
    } finally {
      await producer.stop();
      await consumer.stop();
    }
  }, 60_000);
});

describe('readiness follows Redis', () => {
  it('reports 503 with the reason while Redis is down and recovers without a restart', async () => {
    const redis = new DisposableRedis(await freePort());
    await redis.start();
    const svc = await startService({ name: 'whis_logic' }, { port: 0, env: { REDIS_URL: redis.url, LOG_LEVEL: 'silent' } });
    try {
      expect((await fetch(`${svc.url}/ready`)).status).toBe(200);
      await redis.stop();
      const down = await waitFor(async () => {
        const r = await fetch(`${svc.url}/ready`);
        return r.status === 503 ? ((await r.json()) as { reason: string }) : undefined;
      }, 5000, 100);
      expect(down.reason).toMatch(/redis/i);
      expect((await fetch(`${svc.url}/health`)).status).toBe(200);
      await redis.start();
      await waitFor(async () => (await fetch(`${svc.url}/ready`)).status === 200, 10_000, 200);
    } finally {
      await svc.stop();
      await redis.dispose();
    }
  }, 30_000);
});

describe('queue UI', () => {
  it('whis_logic serves bull-board at /admin/queues listing every queue and dead-letter queue, behind the admin key when auth is on', async () => {
    const token = 'admin-token-for-tests-0123456789';
    const { hashToken } = await import('@linkops/shared');
    const keys = JSON.stringify([
      { name: 'ops', scopes: ['admin'], sha256: hashToken(token) },
      { name: 'agent', scopes: ['orbs:read'], sha256: hashToken('agent-token-0123456789') },
    ]);
    const svc = await startService({ name: 'whis_logic' }, { port: 0, env: { REDIS_URL: testRedisUrl(), QUEUE_PREFIX: uniquePrefix('ui'), LOG_LEVEL: 'silent', AUTH: 'required', API_KEYS: keys } });
    try {
      const anon = await fetch(`${svc.url}/admin/queues/api/queues`);
      expect(anon.status).toBe(401);
      expect(anon.headers.get('www-authenticate')).toMatch(/Basic/);
      const agent = await fetch(`${svc.url}/admin/queues/api/queues`, { headers: { authorization: 'Bearer agent-token-0123456789' } });
      expect(agent.status).toBe(403);
      const basic = Buffer.from(`ops:${token}`).toString('base64');
      const ok = await fetch(`${svc.url}/admin/queues/api/queues`, { headers: { authorization: `Basic ${basic}` } });
      expect(ok.status).toBe(200);
      const names = ((await ok.json()) as { queues: Array<{ name: string }> }).queues.map((q) => q.name);
      expect(names).toEqual(expect.arrayContaining(['audit.scan', 'audit.scan.dlq', 'whis.publish', 'whis.publish.dlq', 'whis.scrape']));
      const page = await fetch(`${svc.url}/admin/queues`, { headers: { authorization: `Bearer ${token}` } });
      expect(page.status).toBe(200);
      expect(await page.text()).toMatch(/<html/i);
      // Operational routes follow the same rules: /health open, /queues needs admin.
      expect((await fetch(`${svc.url}/health`)).status).toBe(200);
      expect((await fetch(`${svc.url}/queues`)).status).toBe(401);
    } finally {
      await svc.stop();
    }
  });

  it('refuses to start in production without API keys', async () => {
    await expect(startService({ name: 'whis_logic' }, { port: 0, env: { REDIS_URL: testRedisUrl(), NODE_ENV: 'production', LOG_LEVEL: 'silent' } })).rejects.toThrow(/no API keys are configured/);
  });
});

describe('access control and limits', () => {
  it('enforces route scopes with hashed keys and rate-limits per key in Redis', async () => {
    const { hashToken } = await import('@linkops/shared');
    const keys = JSON.stringify([
      { name: 'scanner', scopes: ['scan'], sha256: hashToken('scan-token-0123456789') },
      { name: 'reader', scopes: ['orbs:read'], sha256: hashToken('read-token-0123456789') },
    ]);
    const svc = await startService(
      {
        name: 'audit_assess',
        routes(app) {
          app.post('/needs-scan', { config: { scope: 'scan' } }, async (req) => ({ key: req.apiKey?.name }));
          app.get('/open', async () => ({ open: true }));
        },
      },
      { port: 0, env: { REDIS_URL: testRedisUrl(), QUEUE_PREFIX: uniquePrefix('auth'), LOG_LEVEL: 'silent', AUTH: 'required', API_KEYS: keys, RATE_LIMIT_MAX: '5', RATE_LIMIT_WINDOW_MS: '60000' } },
    );
    try {
      expect((await fetch(`${svc.url}/needs-scan`, { method: 'POST' })).status).toBe(401);
      expect((await fetch(`${svc.url}/needs-scan`, { method: 'POST', headers: { authorization: 'Bearer wrong-token-0123456789' } })).status).toBe(401);
      const wrongScope = await fetch(`${svc.url}/needs-scan`, { method: 'POST', headers: { authorization: 'Bearer read-token-0123456789' } });
      expect(wrongScope.status).toBe(403);
      expect(await wrongScope.json()).toMatchObject({ error: { code: 'forbidden' } });
      const ok = await fetch(`${svc.url}/needs-scan`, { method: 'POST', headers: { authorization: 'Bearer scan-token-0123456789' } });
      expect(ok.status).toBe(200);
      expect(await ok.json()).toEqual({ key: 'scanner' });
      // Security headers are on every response.
      expect(ok.headers.get('x-content-type-options')).toBe('nosniff');
      // The scanner key has used 2 of its 5 requests in the window; the 6th gets a 429 in the envelope.
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await fetch(`${svc.url}/needs-scan`, { method: 'POST', headers: { authorization: 'Bearer scan-token-0123456789' } })).status);
      expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
      expect(statuses.at(-1)).toBe(429);
      const limited = await fetch(`${svc.url}/needs-scan`, { method: 'POST', headers: { authorization: 'Bearer scan-token-0123456789' } });
      expect(await limited.json()).toMatchObject({ error: { code: 'rate_limited' } });
      // Health stays open and unlimited.
      for (let i = 0; i < 8; i++) expect((await fetch(`${svc.url}/health`)).status).toBe(200);
    } finally {
      await svc.stop();
    }
  });
});

