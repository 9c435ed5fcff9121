import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startService, type RunningService } from '@linkops/shared';
import { service as scraper } from '../../services/whis_webscraper/src/service.js';
import { service as dataInput } from '../../services/whis_data_input/src/service.js';
import { clearPrefix, tempDir, testRedisUrl, uniquePrefix, waitFor } from '../helpers/redis.js';

const layout = (title: string, body: string, links: string[] = []) => `<!doctype html>
<html><head><title>${title}</title><script>var t = "tracking script";</script></head>
<body>
<nav><a href="/docs/">Home</a> <a href="/docs/install">Install</a> Navigation menu text</nav>
<main>${body}<p>${links.map((l) => `<a href="${l}">${l}</a>`).join(' ')}</p></main>
<footer>Copyright footer text, all rights reserved</footer>
</body></html>`;

const PAGES: Record<string, string> = {
  '/docs/': layout(
    'Foo docs',
    `<h1>Foo CLI</h1>
<p>Foo is a command line tool that deploys containers to Kubernetes clusters.</p>
<h2>Install the CLI</h2>
<p>Install the CLI with npm. Node 20 or later is required.</p>
<pre><code class="language-bash">npm install -g foo-cli
foo --version</code></pre>
<h2>Configure the cluster</h2>
<p>Foo reads its settings from a YAML file in the project root; set the cluster to the kube context name.</p>`,
    ['/docs/install', '/private/secret', '/r/1', '/big', '/binary', '/to-metadata'],
  ),
  '/docs/install': layout(
    'Install',
    `<h1>How do I upgrade Foo?</h1>
<p>Run the self-update command; it keeps your configuration file untouched.</p>
<pre><code>foo self-update --channel stable</code></pre>`,
  ),
  '/docs/config': layout(
    'Config',
    `<h1>Rotate the API token</h1>
<p>FOO_TOKEN authenticates the CLI against the API; rotate it every ninety days with the token command.</p>
<pre><code>foo token rotate --expire 90d</code></pre>`,
  ),
  '/private/secret': layout('Secret', '<h1>Private notes</h1><p>This page is disallowed by robots.txt and must never be fetched.</p>'),
};

interface Site {
  base: string;
  requests: string[];
  close(): Promise<void>;
}

async function startSite(): Promise<Site> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    requests.push(path);
    const page = PAGES[path];
    if (page) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(page);
      return;
    }
    switch (path) {
      case '/robots.txt':
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('User-agent: *\nDisallow: /private/\n');
        return;
      case '/r/1':
        res.writeHead(302, { location: '/docs/config' });
        res.end();
        return;
      case '/big':
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end(`<html><body><h1>Big</h1><p>${'lorem ipsum '.repeat(40_000)}</p></body></html>`);
        return;
      case '/binary':
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.end(Buffer.from([0, 1, 2, 3, 255, 254]));
        return;
      case '/to-metadata':
        res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' });
        res.end();
        return;
      default:
        res.writeHead(404, { 'content-type': 'text/html' });
        res.end('<h1>Not found</h1>');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    base: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const post = (body: unknown) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

interface ScrapeState {
  status: string;
  pages: Array<{ url: string; status: number; candidates: number; error?: string }>;
  skipped: Array<{ url: string; reason: string }>;
  submitted: number;
  reason?: string;
}

describe('whis_webscraper against a local docs site', () => {
  const data = tempDir('scraper');
  const prefix = uniquePrefix('scrape');
  let site: Site;
  let intake: RunningService;
  let svc: RunningService;

  beforeAll(async () => {
    site = await startSite();
    const env = { REDIS_URL: testRedisUrl(), QUEUE_PREFIX: prefix, DATA_DIR: data.dir, LOG_LEVEL: 'silent' };
    intake = await startService(dataInput, { port: 0, env });
    svc = await startService(scraper, {
      port: 0,
      env: { ...env, SCRAPER_ALLOWED_HOSTS: '127.0.0.1', DATA_INPUT_URL: intake.url, SCRAPER_MAX_BYTES: String(64 * 1024), SCRAPER_MIN_INTERVAL_MS: '20' },
    });
  });
  afterAll(async () => {
    await svc?.stop();
    await intake?.stop();
    await site?.close();
    await clearPrefix(prefix);
    data.cleanup();
  });

  it('crawls, holds candidates for review as webscraper, honours robots.txt and blocks the private redirect', async () => {
    const r = await fetch(`${svc.url}/scrape`, post({ urls: [`${site.base}/docs/`], max_depth: 1, max_pages: 20 }));
    expect(r.status).toBe(202);
    const { scrape_id, status_url } = (await r.json()) as { scrape_id: string; status_url: string };
    expect(scrape_id).toMatch(/^scr_/);
    const state = await waitFor(async () => {
      const s = (await (await fetch(svc.url + status_url)).json()) as ScrapeState;
      return s.status === 'done' || s.status === 'failed' ? s : undefined;
    }, 30_000);
    expect(state.reason).toBeUndefined();
    expect(state.status).toBe('done');

    // robots.txt was read and the disallowed page never requested.
    expect(site.requests).toContain('/robots.txt');
    expect(site.requests).not.toContain('/private/secret');
    expect(state.skipped.find((s) => s.url.endsWith('/private/secret'))?.reason).toMatch(/robots/);
    // The redirect to the metadata address was refused and reported; nothing reached it.
    const meta = state.pages.find((p) => p.url.endsWith('/to-metadata'));
    expect(meta?.error).toMatch(/link-local|private|metadata|blocked/);
    expect(meta?.candidates).toBe(0);
    // The big page is capped, the binary file is not parsed, the same-host redirect is followed.
    const big = state.pages.find((p) => p.url.endsWith('/big'));
    expect(big?.error).toMatch(/max-bytes/);
    expect(big?.candidates).toBe(0);
    const binary = state.pages.find((p) => p.url.endsWith('/binary'));
    expect(binary?.candidates).toBe(0);
    expect(binary?.error).toMatch(/content-type/);
    expect(state.pages.find((p) => p.url.endsWith('/r/1'))?.candidates).toBeGreaterThan(0);
    expect(state.pages.find((p) => p.url.endsWith('/docs/'))?.candidates).toBeGreaterThan(0);
    expect(state.submitted).toBeGreaterThan(0);

    const review = (await (await fetch(`${intake.url}/review?limit=500`)).json()) as {
      total: number;
      items: Array<{ task: string; answer: string; source: string; source_url?: string }>;
    };
    expect(review.total).toBe(state.submitted);
    expect(review.items.every((i) => i.source === 'webscraper')).toBe(true);
    expect(review.items.every((i) => i.source_url?.startsWith(site.base))).toBe(true);
    const text = review.items.map((i) => `${i.task}\n${i.answer}`).join('\n');
    expect(text).toContain('npm install -g foo-cli');
    expect(text).toContain('foo self-update --channel stable');
    expect(text).toContain('foo token rotate');
    // Page chrome and disallowed content stay out.
    expect(text).not.toContain('Copyright footer text');
    expect(text).not.toContain('Navigation menu text');
    expect(text).not.toContain('tracking script');
    expect(text).not.toContain('must never be fetched');
  });

  it('refuses private and metadata seeds with 400 naming the field', async () => {
    for (const url of ['http://169.254.169.254/', 'http://10.0.0.1/', 'http://localhost:8080/', 'file:///etc/passwd']) {
      const r = await fetch(`${svc.url}/scrape`, post({ urls: [url] }));
      expect(r.status, url).toBe(400);
      const body = (await r.json()) as { error: { code: string; message: string; details: Array<{ field: string; reason: string }> } };
      expect(body.error.details[0]?.field).toBe('body.urls.0');
      expect(body.error.message).toContain('urls.0');
    }
    const second = await fetch(`${svc.url}/scrape`, post({ urls: [`${site.base}/docs/`, 'http://10.0.0.1/'] }));
    expect(second.status).toBe(400);
    expect(((await second.json()) as { error: { details: Array<{ field: string }> } }).error.details.map((d) => d.field)).toEqual(['body.urls.1']);
    expect((await fetch(`${svc.url}/scrape/scr_doesnotexist00`)).status).toBe(404);
  });
});
