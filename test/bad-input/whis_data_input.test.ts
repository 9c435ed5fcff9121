import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { startService, type RunningService } from '@linkops/shared';
import { service } from '../../services/whis_data_input/src/service.js';
import { tempDir, testRedisUrl, uniquePrefix } from '../helpers/redis.js';

interface Envelope {
  error: { code: string; message: string; details?: unknown };
}

const good = { task: 'Restart the api deployment safely', answer: 'Run `kubectl rollout restart deploy/api -n prod` and watch the rollout.' };
const BATCH_MAX_ITEMS = 20;
const BODY_LIMIT = 64 * 1024;

function nested(depth: number): string {
  return `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

interface Case {
  name: string;
  method?: 'GET' | 'POST';
  path: string;
  body?: string | Buffer;
  contentType?: string;
  headers?: Record<string, string>;
  status: number;
  code?: string;
  /** Regex the error message (or a detail's field) must match: names the field or line. */
  names?: RegExp;
}

const json = (v: unknown) => JSON.stringify(v);

/** node:http sends the path as written (fetch would resolve %2e%2e before it leaves the client). */
function raw(url: string, method: string, path: string, headers: Record<string, string>, body?: string | Buffer): Promise<{ status: number; text: string }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const CASES: Case[] = [
  { name: 'malformed JSON', path: '/data', body: '{"task": "x",', status: 400, code: 'invalid_json' },
  { name: 'JSON that is not an object', path: '/data', body: '"just a string"', status: 400, names: /body/ },
  { name: 'task is a number', path: '/data', body: json({ task: 5, answer: 'Run it' }), status: 400, names: /task/ },
  { name: 'tags not an array', path: '/data', body: json({ ...good, tags: 'k8s' }), status: 400, names: /tags/ },
  { name: 'tag is a number', path: '/data', body: json({ ...good, tags: ['ok', 7] }), status: 400, names: /tags\.1/ },
  { name: 'missing answer and solution', path: '/data', body: json({ task: 'Restart the api' }), status: 400, names: /answer/ },
  { name: 'empty task', path: '/data', body: json({ ...good, task: '' }), status: 400, names: /task/ },
  { name: 'whitespace-only task', path: '/data', body: json({ ...good, task: '   \n\t ' }), status: 400, names: /task/ },
  { name: 'empty answer', path: '/data', body: json({ task: good.task, answer: '' }), status: 400, names: /answer/ },
  { name: 'empty solution', path: '/data', body: json({ task: good.task, solution: '  ' }), status: 400, names: /solution/ },
  { name: 'oversized body', path: '/data', body: json({ ...good, answer: 'x'.repeat(BODY_LIMIT * 2) }), status: 413, code: 'payload_too_large' },
  { name: 'oversized task field', path: '/data', body: json({ ...good, task: 'a '.repeat(10_001) }), status: 400, names: /task/ },
  { name: 'oversized author', path: '/data', body: json({ ...good, author: 'a'.repeat(201) }), status: 400, names: /author/ },
  { name: 'too many tags', path: '/data', body: json({ ...good, tags: Array.from({ length: 51 }, (_, i) => `t${i}`) }), status: 400, names: /tags/ },
  { name: 'deeply nested metadata (10k levels)', path: '/data', body: `{"task":"t t","answer":"Run it now","metadata":${nested(10_000)}}`, status: 400, names: /metadata/ },
  { name: 'metadata not an object', path: '/data', body: json({ ...good, metadata: [1, 2] }), status: 400, names: /metadata/ },
  { name: 'invalid UTF-8', path: '/data', body: Buffer.concat([Buffer.from('{"task":"Restart '), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from(' api","answer":"Run kubectl rollout restart"}')]), status: 400, names: /UTF-8|utf-8|task/ },
  { name: 'confidence -1', path: '/data', body: json({ ...good, confidence: -1 }), status: 400, names: /confidence/ },
  { name: 'confidence 2', path: '/data', body: json({ ...good, confidence: 2 }), status: 400, names: /confidence/ },
  { name: 'confidence "x"', path: '/data', body: json({ ...good, confidence: 'x' }), status: 400, names: /confidence/ },
  { name: 'unknown source', path: '/data', body: json({ ...good, source: 'oracle' }), status: 400, names: /source/ },
  { name: 'source_url not a URL', path: '/data', body: json({ ...good, source_url: 'not a url' }), status: 400, names: /source_url/ },
  { name: 'bad Idempotency-Key', path: '/data', body: json(good), headers: { 'idempotency-key': 'x'.repeat(300) }, status: 400, names: /idempotency-key/ },
  { name: 'unsupported content type', path: '/data', body: 'task=x', contentType: 'application/x-www-form-urlencoded', status: 415 },
  { name: 'batch: not an array', path: '/data/batch', body: json(good), status: 400, names: /body/ },
  { name: 'batch: empty', path: '/data/batch', body: '[]', status: 400, names: /empty/ },
  { name: 'batch: item with wrong type', path: '/data/batch', body: json([good, { task: 5, answer: 'x' }]), status: 400, names: /\[1\]\.task/ },
  { name: 'batch: over the count limit', path: '/data/batch', body: json(Array.from({ length: BATCH_MAX_ITEMS + 1 }, (_, i) => ({ ...good, task: `${good.task} ${i}` }))), status: 400, names: /limit is 20/ },
  { name: 'JSONL: a bad line', path: '/data/batch', contentType: 'application/x-ndjson', body: `${json(good)}\n{"task": oops}\n${json(good)}\n`, status: 400, names: /line 2/ },
  { name: 'JSONL: a line with a bad field', path: '/data/batch', contentType: 'application/x-ndjson', body: `${json(good)}\n${json({ ...good, confidence: 7 })}\n`, status: 400, names: /line 2\.confidence/ },
  { name: 'JSONL: invalid UTF-8', path: '/data/batch', contentType: 'application/x-ndjson', body: Buffer.concat([Buffer.from(`${json(good)}\n{"task":"a `), Buffer.from([0xff, 0xfe]), Buffer.from('","answer":"Run it"}\n')]), status: 400, names: /line 2/ },
  { name: 'JSONL: over the count limit', path: '/data/batch', contentType: 'application/x-ndjson', body: Array.from({ length: BATCH_MAX_ITEMS + 1 }, (_, i) => json({ ...good, task: `${good.task} ${i}` })).join('\n'), status: 400, names: /limit is 20/ },
  { name: 'id with ../', method: 'GET', path: '/data/..%2F..%2Fetc%2Fpasswd', status: 400, names: /id/ },
  { name: 'id %2e%2e', method: 'GET', path: '/data/%2e%2e', status: 400, names: /id/ },
  { name: 'absolute id', method: 'GET', path: '/data/%2Fetc%2Fpasswd', status: 400, names: /id/ },
  { name: 'journey of ../', method: 'GET', path: '/data/..%2Fx/journey', status: 400, names: /id/ },
  { name: 'unknown id', method: 'GET', path: '/data/01HZZZZZZZZZZZZZZZZZZZZZZZ', status: 404, code: 'not_found' },
  { name: 'unknown id journey', method: 'GET', path: '/data/01HZZZZZZZZZZZZZZZZZZZZZZZ/journey', status: 404, code: 'not_found' },
  { name: 'approve unknown id', path: '/review/01HZZZZZZZZZZZZZZZZZZZZZZZ/approve', status: 404, code: 'not_found' },
  { name: 'approve ../', path: '/review/..%2F..%2Fx/approve', status: 400, names: /id/ },
  { name: 'reject without body', path: '/review/01HZZZZZZZZZZZZZZZZZZZZZZZ/reject', status: 400, names: /body/ },
  { name: 'reject without reason', path: '/review/01HZZZZZZZZZZZZZZZZZZZZZZZ/reject', body: '{}', status: 400, names: /reason/ },
  { name: 'reject with an empty reason', path: '/review/01HZZZZZZZZZZZZZZZZZZZZZZZ/reject', body: json({ reason: '  ' }), status: 400, names: /reason/ },
  { name: 'list: bad status', method: 'GET', path: '/data?status=lost', status: 400, names: /status/ },
  { name: 'list: bad since', method: 'GET', path: '/data?since=yesterday', status: 400, names: /since/ },
  { name: 'list: negative offset', method: 'GET', path: '/data?offset=-1', status: 400, names: /offset/ },
  { name: 'list: limit too big', method: 'GET', path: '/data?limit=100000', status: 400, names: /limit/ },
  { name: 'review: limit not a number', method: 'GET', path: '/review?limit=abc', status: 400, names: /limit/ },
];

describe('whis_data_input rejects bad input with a clear 4xx', () => {
  let svc: RunningService;
  const tmp = tempDir('di-bad');
  const prefix = uniquePrefix('di-bad');

  beforeAll(async () => {
    svc = await startService(service, {
      port: 0,
      env: {
        REDIS_URL: testRedisUrl(),
        QUEUE_PREFIX: prefix,
        DATA_DIR: tmp.dir,
        LOG_LEVEL: 'silent',
        BATCH_MAX_ITEMS: String(BATCH_MAX_ITEMS),
        BODY_LIMIT_BYTES: String(BODY_LIMIT),
        RATE_LIMIT_MAX: '100000',
      },
    });
  });
  afterAll(async () => {
    await svc?.stop();
    const r = new Redis(testRedisUrl());
    const keys = await r.keys(`${prefix}:*`);
    if (keys.length) await r.del(...keys);
    await r.quit();
    tmp.cleanup();
  });

  it.each(CASES)('$name -> $status', async (c) => {
    const headers: Record<string, string> = { ...(c.headers ?? {}) };
    if (c.body !== undefined) headers['content-type'] = c.contentType ?? 'application/json';
    const res = await raw(svc.url, c.method ?? 'POST', c.path, headers, c.body);
    const text = res.text;
    expect(res.status, text.slice(0, 500)).toBe(c.status);
    const body = JSON.parse(text) as Envelope;
    expect(body.error, text.slice(0, 500)).toBeDefined();
    expect(typeof body.error.code).toBe('string');
    expect(typeof body.error.message).toBe('string');
    if (c.code) expect(body.error.code).toBe(c.code);
    if (c.names) expect(`${body.error.message} ${JSON.stringify(body.error.details ?? '')}`).toMatch(c.names);
    // Nothing from a refused request reaches the dataset.
    expect(text.length).toBeLessThan(20_000);
  });

  it('stored nothing and is healthy afterwards', async () => {
    const health = await fetch(`${svc.url}/health`);
    expect(health.status).toBe(200);
    expect((await fetch(`${svc.url}/ready`)).status).toBe(200);
    const exp = await (await fetch(`${svc.url}/data/export`)).text();
    expect(exp).toBe('');
    const ok = await fetch(`${svc.url}/data`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: json(good) });
    expect(ok.status).toBe(201);
  });

  it('approving or rejecting a record that is not held for review is a 409', async () => {
    const r = (await (await fetch(`${svc.url}/data`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: json({ ...good, task: 'Another distinct task here' }) })).json()) as { id: string };
    const a = await fetch(`${svc.url}/review/${r.id}/approve`, { method: 'POST' });
    expect(a.status).toBe(409);
    expect(((await a.json()) as Envelope).error.code).toBe('conflict');
    const j = await fetch(`${svc.url}/review/${r.id}/reject`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: json({ reason: 'nope' }) });
    expect(j.status).toBe(409);
  });
});
