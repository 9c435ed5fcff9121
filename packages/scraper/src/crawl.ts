import { createHash } from 'node:crypto';
import { assertFetchableUrl, safeFetch, type SafeFetchOptions } from './fetch.js';
import { FetchError } from './errors.js';
import { parsePage, type Candidate, type ExtractOptions } from './extract.js';
import { RobotsCache } from './robots.js';

/** Same fields as WhisScrapeJobSchema (minus the envelope). */
export interface CrawlRequest {
  urls: string[];
  max_depth?: number;
  max_pages?: number;
  same_host_only?: boolean;
}

export interface CrawledPage {
  url: string;
  finalUrl?: string;
  depth: number;
  /** HTTP status; 0 when no response was obtained. */
  status: number;
  candidates: Candidate[];
  /** Fetch failure reason (e.g. 'private-address', 'max-bytes', 'content-type'). */
  error?: string;
  truncated?: boolean;
}

export interface CrawlDeps {
  fetch?: SafeFetchOptions;
  /** Shared robots/pacing cache; one is created from `fetch` when absent. */
  robots?: RobotsCache;
  /** Called after each page (e.g. to submit its candidates while the crawl goes on). */
  onPage?: (page: CrawledPage) => void | Promise<void>;
  extract?: ExtractOptions;
  /** Stop fetching after this many body bytes in total (default 20 MiB). */
  maxTotalBytes?: number;
  /** Stop fetching after this long (default 5 min). */
  timeBudgetMs?: number;
  signal?: AbortSignal;
  now?: () => number;
}

export interface CrawlResult {
  pages: CrawledPage[];
  /** Every page's candidates, de-duplicated across pages. */
  candidates: Candidate[];
  skipped: Array<{ url: string; reason: string }>;
  /** Why the crawl ended early, if it did ('max-pages', 'max-total-bytes', 'time-budget', 'aborted'). */
  stopped?: string;
  bytes: number;
}

/**
 * Breadth-first crawl from the seed URLs: robots.txt and per-host pacing honoured, every fetch
 * through safeFetch, caps on depth, pages, total bytes and total time.
 */
export async function crawl(req: CrawlRequest, deps: CrawlDeps = {}): Promise<CrawlResult> {
  const maxDepth = Math.max(0, Math.min(10, req.max_depth ?? 1));
  const maxPages = Math.max(1, Math.min(1000, req.max_pages ?? 20));
  const sameHostOnly = req.same_host_only ?? true;
  const maxTotalBytes = deps.maxTotalBytes ?? 20 * 1024 * 1024;
  const now = deps.now ?? Date.now;
  const deadline = now() + (deps.timeBudgetMs ?? 5 * 60_000);
  const robots = deps.robots ?? new RobotsCache({ fetch: deps.fetch ?? {} });

  const result: CrawlResult = { pages: [], candidates: [], skipped: [], bytes: 0 };
  const seenAnswers = new Set<string>();
  const visited = new Set<string>();
  const seedHosts = new Set<string>();
  const queue: Array<{ url: string; depth: number }> = [];

  const enqueue = (raw: string, depth: number) => {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      result.skipped.push({ url: raw, reason: 'invalid-url' });
      return;
    }
    url.hash = '';
    if (visited.has(url.href)) return;
    visited.add(url.href);
    queue.push({ url: url.href, depth });
  };
  for (const seed of req.urls) {
    try {
      seedHosts.add(new URL(seed).host);
    } catch {
      /* reported by enqueue */
    }
    enqueue(seed, 0);
  }

  while (queue.length) {
    const stop =
      deps.signal?.aborted ? 'aborted'
      : result.pages.length >= maxPages ? 'max-pages'
      : result.bytes >= maxTotalBytes ? 'max-total-bytes'
      : now() >= deadline ? 'time-budget'
      : undefined;
    if (stop) {
      result.stopped = stop;
      for (const rest of queue.splice(0)) result.skipped.push({ url: rest.url, reason: stop });
      break;
    }
    const { url, depth } = queue.shift()!;
    try {
      assertFetchableUrl(url, deps.fetch);
    } catch (err) {
      result.skipped.push({ url, reason: `blocked: ${(err as FetchError).reason}` });
      continue;
    }
    const disallowed = await robots.disallowedReason(url);
    if (disallowed) {
      result.skipped.push({ url, reason: disallowed });
      continue;
    }
    await robots.waitTurn(url);
    const page: CrawledPage = { url, depth, status: 0, candidates: [] };
    try {
      const remaining = Math.max(0, deadline - now());
      const res = await safeFetch(url, {
        ...deps.fetch,
        timeoutMs: Math.min(deps.fetch?.timeoutMs ?? 15_000, Math.max(1, remaining)),
        ...(deps.signal ? { signal: deps.signal } : {}),
      });
      page.status = res.status;
      page.finalUrl = res.finalUrl;
      if (res.truncated) page.truncated = true;
      result.bytes += res.bytes;
      visited.add(res.finalUrl.replace(/#.*$/, ''));
      if (res.status >= 200 && res.status < 300 && res.contentType === 'text/html') {
        const parsed = parsePage(res.body, res.finalUrl, deps.extract);
        page.candidates = parsed.candidates;
        for (const c of parsed.candidates) {
          const key = createHash('sha256').update(c.answer.toLowerCase().replace(/\s+/g, ' ').trim()).digest('hex');
          if (seenAnswers.has(key)) continue;
          seenAnswers.add(key);
          result.candidates.push(c);
        }
        if (depth < maxDepth) {
          for (const link of parsed.links) {
            if (sameHostOnly && !seedHosts.has(new URL(link).host)) continue;
            enqueue(link, depth + 1);
          }
        }
      }
    } catch (err) {
      page.error = err instanceof FetchError ? err.reason : 'error';
    }
    result.pages.push(page);
    await deps.onPage?.(page);
  }
  return result;
}
