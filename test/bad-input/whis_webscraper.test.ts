import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startService, type RunningService } from '@linkops/shared';
import { service } from '../../services/whis_webscraper/src/service.js';
import { tempDir, testRedisUrl, uniquePrefix } from '../helpers/redis.js';
import { clearPrefix, expectBodyAttacksRefused, fields, post, send } from '../helpers/bad-input.js';


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
