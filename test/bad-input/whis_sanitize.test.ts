import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { startService, type RunningService } from '@linkops/shared';
import { service } from '../../services/whis_sanitize/src/service.js';
import { tempDir, testRedisUrl, uniquePrefix } from '../helpers/redis.js';

interface Envelope {
  error: { code: string; message: string; details?: unknown };
}

const good = { task: 'Restart the api deployment safely', answer: 'Run `kubectl rollout restart deploy/api -n prod` and watch the rollout.' };
const record = {
  id: '01HZX0000000000000000000AA',
  content_hash: 'a'.repeat(64),
  received_at: '2024-05-01T10:00:00.000Z',
  task: good.task,
  answer: good.answer,
  tags: [],
  source: 'human',
};
const BODY_LIMIT = 64 * 1024;
const json = (v: unknown) => JSON.stringify(v);
const nested = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

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

interface Case {
  name: string;
  method?: 'GET' | 'POST';
  path?: string;
  body?: string | Buffer;
  contentType?: string;
  status: number;
  code?: string;
  names?: RegExp;
}

const CASES: Case[] = [
  { name: 'malformed JSON', body: '{"task": ', status: 400, code: 'invalid_json' },
  { name: 'empty body', body: '', status: 400, code: 'invalid_json' },
  { name: 'no body at all', status: 400, names: /body/ },
  { name: 'an array', body: '[1,2]', status: 400, names: /body/ },
  { name: 'task is a number', body: json({ task: 5, answer: 'Run it' }), status: 400, names: /task/ },
  { name: 'missing answer and solution', body: json({ task: 'Restart the api' }), status: 400, names: /answer/ },
  { name: 'empty task', body: json({ ...good, task: '' }), status: 400, names: /task/ },
  { name: 'empty answer', body: json({ task: good.task, answer: '' }), status: 400, names: /answer/ },
  { name: 'oversized body', body: json({ ...good, answer: 'x'.repeat(BODY_LIMIT * 2) }), status: 413, code: 'payload_too_large' },
  { name: 'oversized task field', body: json({ ...good, task: 'a '.repeat(10_001) }), status: 400, names: /task/ },
  { name: 'deeply nested metadata (10k levels)', body: `{"task":"t t","answer":"Run it now","metadata":${nested(10_000)}}`, status: 400, names: /metadata/ },
  { name: 'invalid UTF-8', body: Buffer.concat([Buffer.from('{"task":"Restart '), Buffer.from([0xc3, 0x28]), Buffer.from(' api","answer":"Run kubectl rollout restart"}')]), status: 400, names: /UTF-8/ },
  { name: 'confidence -1', body: json({ ...good, confidence: -1 }), status: 400, names: /confidence/ },
  { name: 'confidence 2', body: json({ ...good, confidence: 2 }), status: 400, names: /confidence/ },
  { name: 'confidence "x"', body: json({ ...good, confidence: 'x' }), status: 400, names: /confidence/ },
  { name: 'unknown source', body: json({ ...good, source: 'oracle' }), status: 400, names: /source/ },
  { name: 'prototype key', body: '{"task":"Restart the api","answer":"Run it","__proto__":{"x":1}}', status: 400, names: /__proto__/ },
  { name: 'record: missing content_hash', body: json({ record: { ...record, content_hash: undefined } }), status: 400, names: /content_hash/ },
  { name: 'record: task a number', body: json({ record: { ...record, task: 5 } }), status: 400, names: /task/ },
  { name: 'record: bad source', body: json({ record: { ...record, source: 'x' } }), status: 400, names: /source/ },
  { name: 'unsupported content type', body: 'task=x', contentType: 'application/x-www-form-urlencoded', status: 415 },
  { name: 'GET /sanitize', method: 'GET', status: 404, code: 'not_found' },
  { name: 'dead letters of an unknown queue', method: 'GET', path: '/queues/..%2F..%2Fetc/dlq', status: 404, code: 'not_found' },
  { name: 'redrive an unknown dead letter', method: 'POST', path: '/queues/whis.sanitize/dlq/nope/redrive', status: 404, code: 'not_found' },
  { name: 'dead letters: limit too big', method: 'GET', path: '/queues/whis.sanitize/dlq?limit=100000', status: 400, names: /limit/ },
];

describe('whis_sanitize rejects bad input with a clear 4xx', () => {
  let svc: RunningService;
  const tmp = tempDir('san-bad');
  const prefix = uniquePrefix('san-bad');

  beforeAll(async () => {
    svc = await startService(service, {
      port: 0,
      env: { REDIS_URL: testRedisUrl(), QUEUE_PREFIX: prefix, DATA_DIR: tmp.dir, LOG_LEVEL: 'silent', BODY_LIMIT_BYTES: String(BODY_LIMIT), RATE_LIMIT_MAX: '100000' },
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
    const headers: Record<string, string> = {};
    if (c.body !== undefined) headers['content-type'] = c.contentType ?? 'application/json';
    const res = await raw(svc.url, c.method ?? 'POST', c.path ?? '/sanitize', headers, c.body);
    expect(res.status, res.text.slice(0, 500)).toBe(c.status);
    const body = JSON.parse(res.text) as Envelope;
    expect(typeof body.error?.code, res.text.slice(0, 300)).toBe('string');
    expect(typeof body.error.message).toBe('string');
    if (c.code) expect(body.error.code).toBe(c.code);
    if (c.names) expect(`${body.error.message} ${JSON.stringify(body.error.details ?? '')}`).toMatch(c.names);
  });

  it('previews a good pair and a stored record, and is healthy afterwards', async () => {
    const a = await raw(svc.url, 'POST', '/sanitize', { 'content-type': 'application/json' }, json({ ...good, answer: `${good.answer} Mail ops.lead@example.com when done.` }));
    expect(a.status).toBe(200);
    const pa = JSON.parse(a.text) as { status: string; sanitized: { answer: string; redactions: Array<{ type: string }> } };
    expect(pa.status).toBe('accepted');
    expect(pa.sanitized.answer).not.toContain('ops.lead@example.com');
    expect(pa.sanitized.redactions.map((r) => r.type)).toContain('email');
    const b = await raw(svc.url, 'POST', '/sanitize', { 'content-type': 'application/json' }, json({ record }));
    expect(b.status).toBe(200);
    expect((JSON.parse(b.text) as { sanitized: { id: string } }).sanitized.id).toBe(record.id);
    expect((await fetch(`${svc.url}/health`)).status).toBe(200);
    expect((await fetch(`${svc.url}/ready`)).status).toBe(200);
  });
});
