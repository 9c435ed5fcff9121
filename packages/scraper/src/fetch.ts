import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import { Agent, buildConnector, request } from 'undici';
import { blockedAddressReason, blockedHostnameReason } from './address.js';
import { FetchBlockedError, FetchError, FetchLimitError } from './errors.js';

/** Resolves a host name to every address it has (injectable so tests can fake DNS). */
export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

export interface SafeFetchOptions {
  /** Host names / IPs exempt from the address checks (exact match on the URL host). */
  allowedHosts?: string[];
  /** Body cap in bytes (default 2 MiB). */
  maxBytes?: number;
  /** Whole-request budget including redirects (default 15 s). */
  timeoutMs?: number;
  /** Redirect hops followed (default 5). */
  maxRedirects?: number;
  userAgent?: string;
  /** Accepted media types (default text/html and text/plain). */
  allowedContentTypes?: string[];
  /** Return the first maxBytes with truncated=true instead of throwing FetchLimitError. */
  truncate?: boolean;
  /** DNS resolver (default dns.lookup with all: true). */
  resolve?: Resolver;
  /** Called right before a socket is opened, with the address actually used. */
  onConnect?: (info: { host: string; address: string }) => void;
  signal?: AbortSignal;
}

export interface FetchResult {
  url: string;
  finalUrl: string;
  status: number;
  contentType: string;
  body: string;
  bytes: number;
  truncated: boolean;
  redirects: string[];
}

export const DEFAULT_USER_AGENT = 'LinkOpsWhisBot/0.1 (+https://linkops.invalid/bot)';
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

const defaultResolve: Resolver = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/** Host as it appears in allowedHosts: lower-case, IPv6 without brackets. */
function hostKey(hostname: string): string {
  return hostname.replace(/^\[|\]$/g, '').toLowerCase();
}

/**
 * Checks what can be checked before connecting: scheme, credentials, IP literals and internal
 * names. Throws FetchBlockedError (phase 'preflight'). Services can call it on seed URLs to
 * answer 400 synchronously.
 */
export function assertFetchableUrl(raw: string, opts: Pick<SafeFetchOptions, 'allowedHosts'> = {}): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new FetchBlockedError(`not a URL: ${raw.slice(0, 200)}`, 'invalid-url', raw, 'preflight');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new FetchBlockedError(`scheme ${url.protocol} not allowed`, 'scheme', raw, 'preflight');
  }
  if (url.username || url.password) {
    throw new FetchBlockedError('credentials in URL not allowed', 'credentials', raw, 'preflight');
  }
  const host = hostKey(url.hostname);
  if (allowed(host, opts.allowedHosts)) return url;
  const reason = isIP(host) ? blockedAddressReason(host) : blockedHostnameReason(host);
  if (reason) throw new FetchBlockedError(`${host} is not a public address (${reason})`, reason, raw, 'preflight');
  return url;
}

function allowed(host: string, allowedHosts: string[] | undefined): boolean {
  return !!allowedHosts?.some((h) => hostKey(h) === host);
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * Dispatcher whose every connection is validated on the address it actually connects to: names
 * go through a lookup that refuses the host if ANY resolved address is non-public (so DNS
 * rebinding between a check and the connect cannot slip through), IP literals are checked directly.
 */
function guardedAgent(opts: SafeFetchOptions, url: string, timeoutMs: number): Agent {
  const resolve = opts.resolve ?? defaultResolve;
  const guardedLookup = (hostname: string, options: { all?: boolean; family?: number | string }, callback: LookupCallback) => {
    const host = hostKey(hostname);
    resolve(host)
      .then((found) => {
        const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : Number(options.family) || 0;
        const addresses = family ? found.filter((a) => a.family === family) : found;
        if (!addresses.length) {
          const err: NodeJS.ErrnoException = new Error(`no address for ${host}`);
          err.code = 'ENOTFOUND';
          throw err;
        }
        if (!allowed(host, opts.allowedHosts)) {
          for (const a of addresses) {
            const reason = blockedAddressReason(a.address);
            if (reason) throw new FetchBlockedError(`${host} resolves to ${a.address} (${reason})`, reason, url, 'connect');
          }
        }
        opts.onConnect?.({ host, address: addresses[0]!.address });
        if (options.all) callback(null, addresses);
        else callback(null, addresses[0]!.address, addresses[0]!.family);
      })
      .catch((err: NodeJS.ErrnoException) => callback(err, ''));
  };
  const base = buildConnector({ timeout: timeoutMs, lookup: guardedLookup } as buildConnector.BuildOptions);
  const connect: buildConnector.connector = (connOpts, callback) => {
    const host = hostKey(connOpts.hostname);
    if (isIP(host)) {
      // net.connect skips lookup for IP literals, so they are checked here.
      const reason = allowed(host, opts.allowedHosts) ? null : blockedAddressReason(host);
      if (reason) {
        callback(new FetchBlockedError(`${host} is not a public address (${reason})`, reason, url, 'connect'), null);
        return;
      }
      opts.onConnect?.({ host, address: host });
    }
    base(connOpts, callback);
  };
  return new Agent({ connect, connections: 2, pipelining: 0 });
}

/**
 * GET a text page safely: http(s) only, every hop and every connection checked against
 * private/loopback/link-local/metadata addresses unless the host is allowed, redirects followed
 * manually (capped), only text content types, byte and time caps enforced while streaming.
 */
export async function safeFetch(rawUrl: string, opts: SafeFetchOptions = {}): Promise<FetchResult> {
  const maxBytes = opts.maxBytes ?? 2 * 1024 * 1024;
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const maxRedirects = opts.maxRedirects ?? 5;
  const types = (opts.allowedContentTypes ?? ['text/html', 'text/plain']).map((t) => t.toLowerCase());
  const deadline = AbortSignal.timeout(timeoutMs);
  const signal = opts.signal ? AbortSignal.any([opts.signal, deadline]) : deadline;
  const redirects: string[] = [];
  let current = assertFetchableUrl(rawUrl, opts);
  const agent = guardedAgent(opts, rawUrl, timeoutMs);
  try {
    for (;;) {
      let res: Awaited<ReturnType<typeof request>>;
      try {
        res = await request(current, {
          method: 'GET',
          dispatcher: agent,
          signal,
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
          headers: {
            'user-agent': opts.userAgent ?? DEFAULT_USER_AGENT,
            accept: 'text/html, text/plain;q=0.9',
            'accept-encoding': 'identity',
          },
        });
      } catch (err) {
        throw translate(err, current.href, signal, deadline, timeoutMs);
      }
      const status = res.statusCode;
      const location = res.headers.location;
      if (REDIRECT_STATUSES.has(status) && typeof location === 'string') {
        await res.body.dump({ limit: 64 * 1024 }).catch(() => undefined);
        if (redirects.length >= maxRedirects) {
          throw new FetchLimitError(`more than ${maxRedirects} redirects`, 'max-redirects', rawUrl);
        }
        const next = new URL(location, current);
        redirects.push(next.href);
        current = assertFetchableUrl(next.href, opts); // each hop re-validated before connecting
        continue;
      }
      const contentType = String(res.headers['content-type'] ?? '').toLowerCase();
      const mime = contentType.split(';')[0]!.trim();
      if (status >= 200 && status < 300 && !types.includes(mime)) {
        discard(res.body);
        throw new FetchBlockedError(`content type ${mime || '(none)'} not accepted`, 'content-type', current.href, 'response');
      }
      if (status >= 300 || !types.includes(mime)) {
        // Error pages are not content; the status is what callers need (e.g. robots.txt 404).
        await res.body.dump({ limit: 64 * 1024 }).catch(() => undefined);
        return { url: rawUrl, finalUrl: current.href, status, contentType: mime, body: '', bytes: 0, truncated: false, redirects };
      }
      const declared = Number(res.headers['content-length']);
      if (Number.isFinite(declared) && declared > maxBytes && !opts.truncate) {
        discard(res.body);
        throw new FetchLimitError(`content-length ${declared} exceeds ${maxBytes} bytes`, 'max-bytes', current.href);
      }
      const { data, truncated } = await readCapped(res.body, maxBytes, !!opts.truncate, current.href, signal, deadline, timeoutMs);
      const body = decode(data, contentType);
      return { url: rawUrl, finalUrl: current.href, status, contentType: mime, body, bytes: data.length, truncated, redirects };
    }
  } finally {
    agent.destroy().catch(() => undefined);
  }
}

async function readCapped(
  body: AsyncIterable<Buffer> & Discardable,
  maxBytes: number,
  truncate: boolean,
  url: string,
  signal: AbortSignal,
  deadline: AbortSignal,
  timeoutMs: number,
): Promise<{ data: Buffer; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of body) {
      if (total + chunk.length > maxBytes) {
        discard(body);
        if (!truncate) throw new FetchLimitError(`body exceeds ${maxBytes} bytes`, 'max-bytes', url);
        chunks.push(chunk.subarray(0, maxBytes - total));
        return { data: Buffer.concat(chunks), truncated: true };
      }
      chunks.push(chunk);
      total += chunk.length;
    }
  } catch (err) {
    throw translate(err, url, signal, deadline, timeoutMs);
  }
  return { data: Buffer.concat(chunks), truncated: false };
}

interface Discardable {
  on(event: 'error', listener: (err: Error) => void): unknown;
  destroy(): unknown;
}

/** Drops a body we will not read; undici reports the abort as an 'error' event nobody needs. */
function discard(body: Discardable): void {
  body.on('error', () => undefined);
  body.destroy();
}

function decode(data: Buffer, contentType: string): string {
  const charset = /charset=["']?([\w-]+)/.exec(contentType)?.[1];
  try {
    return new TextDecoder(charset ?? 'utf-8').decode(data);
  } catch {
    return new TextDecoder('utf-8').decode(data);
  }
}

/** Maps undici/net errors to typed fetch errors (blocked errors raised inside lookup are unwrapped). */
function translate(err: unknown, url: string, signal: AbortSignal, deadline: AbortSignal, timeoutMs: number): Error {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof FetchError) return e;
  }
  if (deadline.aborted) return new FetchLimitError(`timed out after ${timeoutMs} ms`, 'timeout', url);
  if (signal.aborted) return new FetchError('aborted', 'aborted', url);
  const e = err as NodeJS.ErrnoException;
  const code = e?.code ?? '';
  if (/TIMEOUT/i.test(code)) return new FetchLimitError(`timed out (${code})`, 'timeout', url);
  return new FetchError(`${code || 'fetch failed'}: ${e?.message ?? String(err)}`.slice(0, 300), code ? code.toLowerCase() : 'network', url);
}
