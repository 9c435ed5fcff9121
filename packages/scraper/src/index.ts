export * from './errors.js';
export { blockedAddressReason, blockedHostnameReason } from './address.js';
export { safeFetch, assertFetchableUrl, DEFAULT_USER_AGENT, type SafeFetchOptions, type FetchResult, type Resolver } from './fetch.js';
export { RobotsCache, type RobotsCacheOptions } from './robots.js';
export { extractCandidates, extractLinks, parsePage, taskFromHeading, type Candidate, type ExtractOptions } from './extract.js';
export { crawl, type CrawlRequest, type CrawlDeps, type CrawlResult, type CrawledPage } from './crawl.js';
