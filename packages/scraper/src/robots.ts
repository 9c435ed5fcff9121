import robotsParserModule from 'robots-parser';
import { DEFAULT_USER_AGENT, safeFetch, type SafeFetchOptions } from './fetch.js';
import { FetchError } from './errors.js';

// robots-parser is CommonJS (module.exports = fn) but its typings declare an ES default export,
// so under NodeNext the default import is typed as the namespace; at runtime it is the function.
const robotsParser = robotsParserModule as unknown as typeof robotsParserModule.default;
type Robot = ReturnType<typeof robotsParser>;

export interface RobotsCacheOptions {
  fetch?: SafeFetchOptions;
  /** Token matched against robots.txt User-agent lines (default: product token of the UA). */
  userAgent?: string;
  /** Minimum gap between two requests to one host, in ms (default 1000). Crawl-delay raises it. */
  minIntervalMs?: number;
  /** Upper bound for a robots.txt Crawl-delay, in ms (default 30 s) so one host cannot stall a crawl. */
  maxCrawlDelayMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

interface HostRules {
  robot: Robot | null;
  /** When robots.txt could not be read because of a server error, the host is skipped. */
  unavailable: string | null;
}

/**
 * Per-origin robots.txt rules (fetched once through safeFetch) and a per-host request pacer.
 * 4xx on robots.txt means "no rules"; 5xx or a network failure means "do not crawl" (RFC 9309).
 */
export class RobotsCache {
  private readonly rules = new Map<string, Promise<HostRules>>();
  private readonly nextSlot = new Map<string, number>();
  private readonly fetchOptions: SafeFetchOptions;
  private readonly agentToken: string;
  private readonly minIntervalMs: number;
  private readonly maxCrawlDelayMs: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  /** Robots files fetched (for tests and metrics). */
  fetched: string[] = [];

  constructor(opts: RobotsCacheOptions = {}) {
    this.fetchOptions = { maxBytes: 512 * 1024, ...opts.fetch, allowedContentTypes: ['text/plain', 'text/html'] };
    this.agentToken = opts.userAgent ?? (opts.fetch?.userAgent ?? DEFAULT_USER_AGENT).split('/')[0]!;
    this.minIntervalMs = opts.minIntervalMs ?? 1000;
    this.maxCrawlDelayMs = opts.maxCrawlDelayMs ?? 30_000;
    this.now = opts.now ?? Date.now;
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  /** null when allowed, otherwise why not. */
  async disallowedReason(url: string): Promise<string | null> {
    const rules = await this.rulesFor(url);
    if (rules.unavailable) return `robots.txt unavailable (${rules.unavailable})`;
    if (rules.robot && rules.robot.isAllowed(url, this.agentToken) === false) return 'disallowed by robots.txt';
    return null;
  }

  async isAllowed(url: string): Promise<boolean> {
    return (await this.disallowedReason(url)) === null;
  }

  /** Crawl-delay for our agent in ms (capped), 0 when none. */
  async crawlDelayMs(url: string): Promise<number> {
    const rules = await this.rulesFor(url);
    const seconds = rules.robot?.getCrawlDelay(this.agentToken);
    return seconds && Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds * 1000, this.maxCrawlDelayMs) : 0;
  }

  /**
   * Waits until this host may be requested again (max of minIntervalMs and Crawl-delay) and books
   * the slot, so concurrent callers queue up instead of bursting.
   */
  async waitTurn(url: string): Promise<number> {
    const host = new URL(url).host;
    const gap = Math.max(this.minIntervalMs, await this.crawlDelayMs(url));
    const now = this.now();
    const slot = Math.max(now, this.nextSlot.get(host) ?? now);
    this.nextSlot.set(host, slot + gap);
    const wait = slot - now;
    if (wait > 0) await this.sleep(wait);
    return wait;
  }

  private rulesFor(url: string): Promise<HostRules> {
    const origin = new URL(url).origin;
    let pending = this.rules.get(origin);
    if (!pending) {
      pending = this.load(origin);
      this.rules.set(origin, pending);
    }
    return pending;
  }

  private async load(origin: string): Promise<HostRules> {
    const robotsUrl = `${origin}/robots.txt`;
    this.fetched.push(robotsUrl);
    try {
      const res = await safeFetch(robotsUrl, this.fetchOptions);
      if (res.status >= 500) return { robot: null, unavailable: `HTTP ${res.status}` };
      if (res.status >= 400) return { robot: null, unavailable: null };
      return { robot: robotsParser(res.finalUrl, res.body), unavailable: null };
    } catch (err) {
      return { robot: null, unavailable: err instanceof FetchError ? err.reason : 'error' };
    }
  }
}
