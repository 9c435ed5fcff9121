import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { startService, type RunningService } from '@linkops/shared';
import { service } from '../../services/whis_webscraper/src/service.js';
import { tempDir, testRedisUrl, uniquePrefix } from '../helpers/redis.js';

interface Envelope {
  error: { code: string; message: string; details?: Array<{ field: string; reason: string }> };
}

/** Every request is time-bound: a hang fails the test instead of stalling it. */
async function send(url: string, init: RequestInit = {}, timeoutMs = 15_000): Promise<{ status: number; body: Envelope }> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  const text = await res.text();
  let body: Envelope;
  try {
    body = JSON.parse(text) as Envelope;
  } catch {
    throw new Error(`not JSON (${res.status}): ${text.slice(0, 200)}`);
  }
  return { status: res.status, body };
}

const postRaw = (body: string | Buffer, type = 'application/json'): RequestInit => ({ method: 'POST', headers: { 'content-type': type }, body });
const post = (body: unknown) => postRaw(JSON.stringify(body));
const fields = (b: Envelope) => (b.error.details ?? []).map((d) => d.field);

async function clearPrefix(prefix: string) {
  const r = new Redis(testRedisUrl());
  let cursor = '0';
  do {
    const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) await r.del(...keys);
  } while (cursor !== '0');
  await r.quit();
}

/** The generic body attacks every JSON route must survive with a clear 4xx. */
async function expectBodyAttacksRefused(url: string, valid: Record<string, unknown>) {
  const malformed = await send(url, postRaw('{"a": '));
  expect(malformed.status).toBe(400);
  expect(malformed.body.error.code).toBe('invalid_json');
  const big = await send(url, post({ ...valid, pad: 'x'.repeat(200 * 1024) }));
  expect(big.status).toBe(413);
  expect(big.body.error.code).toBe('payload_too_large');
  const deep = await send(url, postRaw(`{"x":${'['.repeat(20_000)}${']'.repeat(20_000)}}`));
  expect(deep.status).toBe(400);
  expect(deep.body.error.message).toMatch(/nested deeper/);
  const text = JSON.stringify(valid);
  const cut = text.indexOf('"', text.indexOf(':') + 1) + 1;
  const utf = await send(url, postRaw(Buffer.concat([Buffer.from(text.slice(0, cut)), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from(text.slice(cut))])));
  expect(utf.status).toBe(400);
  expect(utf.body.error.message).toMatch(/UTF-8/);
  for (const b of ['null', '[]', '42', '"x"', '']) expect((await send(url, postRaw(b))).status, b).toBe(400);
  expect((await send(url, postRaw('<x/>', 'application/xml'))).status).toBe(415);
}

describe('whis_webscraper refuses bad input clearly', () => {
  const data = tempDir('scrape-bad');
  const prefix = uniquePrefix('scrape-bad');
  let svc: RunningService;
  beforeAll(async () => {
    // data_input points at the discard port: nothing in this file may get as far as a crawl.
    svc = await startService(service, {
      port: 0,
      env: { REDIS_URL: testRedisUrl(), QUEUE_PREFIX: prefix, DATA_DIR: data.dir, LOG_LEVEL: 'silent', BODY_LIMIT_BYTES: String(64 * 1024), DATA_INPUT_URL: 'http://127.0.0.1:9' },
    });
  });
  afterAll(async () => {
    await svc?.stop();
    await clearPrefix(prefix);
    data.cleanup();
  });

  it('malformed, oversized, deeply nested and invalid UTF-8 bodies on POST /scrape', async () => {
    await expectBodyAttacksRefused(`${svc.url}/scrape`, { urls: ['https://example.com/docs'] });
  });

  it('wrong types and missing fields name the field', async () => {
    const missing = await send(`${svc.url}/scrape`, post({}));
    expect(missing.status).toBe(400);
    expect(fields(missing.body)).toContain('body.urls');
    for (const [body, field] of [
      [{ urls: 'https://example.com' }, 'body.urls'],
      [{ urls: [] }, 'body.urls'],
      [{ urls: Array.from({ length: 101 }, (_, i) => `https://example.com/${i}`) }, 'body.urls'],
      [{ urls: [42] }, 'body.urls.0'],
      [{ urls: ['https://example.com/' + 'a'.repeat(3000)] }, 'body.urls.0'],
      [{ urls: ['https://example.com'], max_depth: 99 }, 'body.max_depth'],
      [{ urls: ['https://example.com'], max_depth: 1.5 }, 'body.max_depth'],
      [{ urls: ['https://example.com'], max_pages: 0 }, 'body.max_pages'],
      [{ urls: ['https://example.com'], same_host_only: 'yes' }, 'body.same_host_only'],
    ] as const) {
      const r = await send(`${svc.url}/scrape`, post(body));
      expect(r.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(fields(r.body), JSON.stringify(body).slice(0, 80)).toContain(field);
    }
  });

  it('unfetchable seeds are 400 naming the url index', async () => {
    const seeds = [
      'http://169.254.169.254/latest/meta-data/',
      'http://10.0.0.1/',
      'http://127.0.0.1:6379/',
      'http://[::1]/',
      'http://0x7f000001/',
      'http://2130706433/',
      'http://metadata.google.internal/',
      'http://printer.local/',
      'javascript:alert(1)',
      'file:///etc/passwd',
      'gopher://example.com/',
      'http://user:pass@example.com/',
      'not a url',
    ];
    for (const url of seeds) {
      const r = await send(`${svc.url}/scrape`, post({ urls: ['https://example.com/ok', url] }));
      expect(r.status, url).toBe(400);
      expect(fields(r.body), url).toEqual(['body.urls.1']);
      expect(r.body.error.message, url).toContain('urls.1');
    }
  });

  it('scrape ids that are not ids are 400/404 in the envelope', async () => {
    for (const p of ['/scrape/..%2f..%2fetc%2fpasswd', '/scrape/%2e%2e%2f', '/scrape/scr_%00aaaaaaaaaa', '/scrape/SCR_AAAAAAAAAAAA', '/scrape/scr_' + 'a'.repeat(60)]) {
      const r = await send(svc.url + p);
      expect([400, 404], p).toContain(r.status);
      expect(typeof r.body.error.code, p).toBe('string');
    }
    const unknown = await send(`${svc.url}/scrape/scr_aaaaaaaaaaaa`);
    expect(unknown.status).toBe(404);
  });

  it('stays healthy afterwards', async () => {
    expect((await fetch(`${svc.url}/health`)).status).toBe(200);
    expect((await fetch(`${svc.url}/ready`)).status).toBe(200);
  });
});
