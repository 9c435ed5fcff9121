import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RobotsCache, crawl, type CrawledPage, type SafeFetchOptions } from '../src/index.js';
import { startSite, type TestSite } from './site.js';

let site: TestSite;
beforeAll(async () => (site = await startSite()));
afterAll(async () => site.close());

const fetchOptions = (): SafeFetchOptions => ({ allowedHosts: ['127.0.0.1'], maxBytes: 100_000, timeoutMs: 5_000 });

/** Robots cache on a fake clock: waits are recorded, not slept. */
function pacedRobots(fetch: SafeFetchOptions, minIntervalMs = 0) {
  let clock = 1_000_000;
  const waits: number[] = [];
  const robots = new RobotsCache({
    fetch,
    minIntervalMs,
    now: () => clock,
    sleep: async (ms) => {
      waits.push(ms);
      clock += ms;
    },
  });
  return { robots, waits };
}

describe('RobotsCache', () => {
  it('honours Disallow, fetches robots.txt once per host and reads Crawl-delay', async () => {
    const { robots } = pacedRobots(fetchOptions());
    const before = site.requests.filter((p) => p === '/robots.txt').length;
    expect(await robots.isAllowed(`${site.base}/docs/`)).toBe(true);
    expect(await robots.disallowedReason(`${site.base}/private/secret`)).toBe('disallowed by robots.txt');
    expect(await robots.crawlDelayMs(`${site.base}/docs/`)).toBe(2000);
    expect(site.requests.filter((p) => p === '/robots.txt').length - before).toBe(1);
    expect(robots.fetched).toEqual([`${site.base}/robots.txt`]);
  });

  it('paces requests per host using the larger of min interval and Crawl-delay', async () => {
    const { robots, waits } = pacedRobots(fetchOptions(), 500);
    await robots.waitTurn(`${site.base}/docs/`);
    await robots.waitTurn(`${site.base}/docs/install`);
    await robots.waitTurn(`${site.base}/docs/config`);
    expect(waits).toEqual([2000, 2000]);
  });

  it('treats an unreachable robots.txt as do-not-crawl and a missing one as allow-all', async () => {
    const blocked = new RobotsCache({ fetch: { allowedHosts: [] } });
    expect(await blocked.disallowedReason(`${site.base}/docs/`)).toMatch(/^robots.txt unavailable/);
    const srv = await import('node:http');
    const server = srv.createServer((_, res) => {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('nope');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as { port: number };
    try {
      const open = new RobotsCache({ fetch: fetchOptions() });
      expect(await open.isAllowed(`http://127.0.0.1:${port}/anything`)).toBe(true);
    } finally {
      server.close();
    }
  });
});

describe('crawl', () => {
  it('crawls the docs site breadth-first with robots, caps and boilerplate removal', async () => {
    const fetch = fetchOptions();
    const { robots, waits } = pacedRobots(fetch);
    const seen: CrawledPage[] = [];
    const start = site.requests.length;
    const result = await crawl(
      { urls: [`${site.base}/docs/`], max_depth: 2, max_pages: 20, same_host_only: true },
      { fetch, robots, onPage: (p) => void seen.push(p) },
    );
    const byPath = new Map(result.pages.map((p) => [new URL(p.url).pathname, p]));
    expect([...byPath.keys()]).toEqual(['/docs/', '/docs/install', '/docs/config', '/r/1', '/big', '/binary', '/to-metadata', '/docs/deep']);
    expect(byPath.get('/docs/')?.status).toBe(200);
    expect(byPath.get('/r/1')?.finalUrl).toBe(`${site.base}/docs/config`);
    expect(byPath.get('/big')?.error).toBe('max-bytes');
    expect(byPath.get('/binary')?.error).toBe('content-type');
    expect(byPath.get('/to-metadata')?.error).toBe('cloud-metadata');
    expect(byPath.get('/docs/deep')?.depth).toBe(2);
    expect(seen).toHaveLength(result.pages.length);

    // robots.txt disallows /private/: skipped and never requested
    expect(result.skipped).toContainEqual({ url: `${site.base}/private/secret`, reason: 'disallowed by robots.txt' });
    expect(site.requests.slice(start)).not.toContain('/private/secret');
    // off-host link not followed
    expect(result.pages.some((p) => p.url.includes('example.com'))).toBe(false);
    // Crawl-delay of 2 s applied between requests to the host
    expect(waits.length).toBeGreaterThan(3);
    expect(waits.every((w) => w === 2000)).toBe(true);

    const tasks = result.candidates.map((c) => c.task);
    expect(tasks).toContain('Install the CLI');
    expect(tasks).toContain('How do I upgrade Foo?');
    expect(tasks).toContain('Rotate credentials');
    // the Install section repeated on /docs/config is kept once across pages
    expect(tasks.filter((t) => t === 'Install the CLI')).toHaveLength(1);
    const text = JSON.stringify(result.candidates);
    expect(text).not.toContain('cookies');
    expect(text).not.toContain('footer');
    expect(result.candidates.every((c) => c.source_url.startsWith(site.base))).toBe(true);
  });

  it('stops at max_pages and max_depth', async () => {
    const fetch = fetchOptions();
    const shallow = await crawl({ urls: [`${site.base}/docs/`], max_depth: 0 }, { fetch, robots: pacedRobots(fetch).robots });
    expect(shallow.pages.map((p) => new URL(p.url).pathname)).toEqual(['/docs/']);
    const capped = await crawl({ urls: [`${site.base}/docs/`], max_depth: 3, max_pages: 2 }, { fetch, robots: pacedRobots(fetch).robots });
    expect(capped.pages).toHaveLength(2);
    expect(capped.stopped).toBe('max-pages');
    expect(capped.skipped.filter((s) => s.reason === 'max-pages').length).toBeGreaterThan(0);
  });

  it('stops on the total byte budget and the time budget', async () => {
    const fetch = fetchOptions();
    const bytes = await crawl({ urls: [`${site.base}/docs/`], max_depth: 2 }, { fetch, robots: pacedRobots(fetch).robots, maxTotalBytes: 1 });
    expect(bytes.pages).toHaveLength(1);
    expect(bytes.stopped).toBe('max-total-bytes');
    // A fake clock that jumps past the budget once the first page is done.
    let t = 0;
    const timed = await crawl(
      { urls: [`${site.base}/docs/`], max_depth: 2 },
      { fetch, robots: pacedRobots(fetch).robots, timeBudgetMs: 60_000, now: () => t, onPage: () => void (t += 60_001) },
    );
    expect(timed.stopped).toBe('time-budget');
    expect(timed.pages).toHaveLength(1);
  });

  it('reports blocked seeds as skipped without fetching them', async () => {
    const fetch = fetchOptions();
    const result = await crawl(
      { urls: ['http://169.254.169.254/latest/meta-data/', 'file:///etc/passwd', 'not a url'] },
      { fetch, robots: pacedRobots(fetch).robots },
    );
    expect(result.pages).toEqual([]);
    expect(result.skipped.map((s) => s.reason).sort()).toEqual(['blocked: cloud-metadata', 'blocked: scheme', 'invalid-url']);
  });
});
