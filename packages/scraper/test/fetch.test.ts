import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FetchBlockedError, FetchError, FetchLimitError, assertFetchableUrl, blockedAddressReason, safeFetch, type SafeFetchOptions } from '../src/index.js';
import { startSite, type TestSite } from './site.js';

let site: TestSite;
beforeAll(async () => (site = await startSite()));
afterAll(async () => site.close());

function options(extra: SafeFetchOptions = {}): SafeFetchOptions & { connects: string[] } {
  const connects: string[] = [];
  return { allowedHosts: ['127.0.0.1'], maxBytes: 100_000, timeoutMs: 5_000, onConnect: (c) => connects.push(`${c.host}=${c.address}`), ...extra, connects };
}

async function rejection(p: Promise<unknown>): Promise<FetchError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof FetchError) return err;
    throw err;
  }
  throw new Error('expected the fetch to fail');
}

describe('blockedAddressReason', () => {
  it.each([
    ['10.1.2.3', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['127.0.0.1', 'loopback'],
    ['0.0.0.0', 'unspecified'],
    ['100.100.1.1', 'cgnat'],
    ['169.254.169.254', 'cloud-metadata'],
    ['169.254.10.1', 'link-local'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fd00:ec2::254', 'cloud-metadata'],
    ['fd12:3456::1', 'unique-local'],
    ['fe80::1', 'link-local'],
    ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'ipv4-mapped'],
    ['::ffff:a9fe:a9fe', 'ipv4-mapped'],
    ['[::1]', 'loopback'],
    ['example.com', 'not-an-ip'],
  ])('%s -> %s', (ip, reason) => {
    expect(blockedAddressReason(ip)).toBe(reason);
  });

  it.each(['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111', '172.32.0.1', '100.128.0.1'])('%s is public', (ip) => {
    expect(blockedAddressReason(ip)).toBeNull();
  });
});

describe('assertFetchableUrl', () => {
  it.each([
    ['file:///etc/passwd', 'scheme'],
    ['ftp://example.com/x', 'scheme'],
    ['gopher://127.0.0.1:6379/_INFO', 'scheme'],
    ['http://user:pw@example.com/', 'credentials'],
    ['http://169.254.169.254/latest/meta-data/', 'cloud-metadata'],
    ['http://[fd00:ec2::254]/', 'cloud-metadata'],
    ['http://0x7f000001/', 'loopback'],
    ['http://2130706433/', 'loopback'],
    ['http://[::ffff:7f00:1]/', 'ipv4-mapped'],
    ['http://localhost:8013/', 'internal-hostname'],
    ['http://metadata.google.internal/', 'internal-hostname'],
    ['not a url', 'invalid-url'],
  ])('%s is blocked (%s)', (url, reason) => {
    const err = (() => {
      try {
        assertFetchableUrl(url);
      } catch (e) {
        return e as FetchBlockedError;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(FetchBlockedError);
    expect(err?.reason).toBe(reason);
    expect(err?.phase).toBe('preflight');
  });

  it('lets explicitly allowed hosts through', () => {
    expect(assertFetchableUrl('http://127.0.0.1:1/', { allowedHosts: ['127.0.0.1'] }).hostname).toBe('127.0.0.1');
    expect(assertFetchableUrl('http://localhost:1/', { allowedHosts: ['localhost'] }).hostname).toBe('localhost');
  });
});

describe('safeFetch', () => {
  it('fetches an allowed HTML page', async () => {
    const o = options();
    const res = await safeFetch(`${site.base}/docs/`, o);
    expect(res).toMatchObject({ status: 200, contentType: 'text/html', truncated: false, redirects: [] });
    expect(res.body).toContain('<h1>Foo CLI</h1>');
    expect(o.connects).toEqual(['127.0.0.1=127.0.0.1']);
  });

  it('accepts text/plain', async () => {
    expect((await safeFetch(`${site.base}/plain`, options())).body).toBe('plain text body');
  });

  it('refuses loopback when the host is not allowed, before connecting', async () => {
    const o = options({ allowedHosts: [] });
    const before = site.requests.length;
    const err = await rejection(safeFetch(`${site.base}/docs/`, o));
    expect(err).toBeInstanceOf(FetchBlockedError);
    expect((err as FetchBlockedError).phase).toBe('preflight');
    expect(o.connects).toEqual([]);
    expect(site.requests.length).toBe(before);
  });

  it('follows redirects, re-validating each hop', async () => {
    const res = await safeFetch(`${site.base}/r/1`, options());
    expect(res.finalUrl).toBe(`${site.base}/docs/config`);
    expect(res.redirects).toEqual([`${site.base}/r/2`, `${site.base}/r/3`, `${site.base}/docs/config`]);
    expect(res.body).toContain('Environment variables');
  });

  it('caps redirects', async () => {
    const err = await rejection(safeFetch(`${site.base}/loop`, options({ maxRedirects: 3 })));
    expect(err).toBeInstanceOf(FetchLimitError);
    expect(err.reason).toBe('max-redirects');
    const tight = await rejection(safeFetch(`${site.base}/r/1`, options({ maxRedirects: 2 })));
    expect(tight.reason).toBe('max-redirects');
  });

  it.each([
    ['/to-metadata', 'cloud-metadata', '169.254.169.254'],
    ['/to-private', 'private', '10.0.0.1'],
  ])('blocks a redirect %s to a private address without connecting to it', async (path, reason, target) => {
    const o = options();
    const err = await rejection(safeFetch(`${site.base}${path}`, o));
    expect(err).toBeInstanceOf(FetchBlockedError);
    expect(err.reason).toBe(reason);
    expect((err as FetchBlockedError).phase).toBe('preflight');
    expect(err.url).toContain(target);
    // the only connection made was to the test server
    expect(o.connects.every((c) => c.startsWith('127.0.0.1='))).toBe(true);
    expect(o.connects.some((c) => c.includes(target))).toBe(false);
  });

  it('blocks a host name that resolves to loopback when only the IP is allowed (checked at connect time)', async () => {
    const lookups: string[] = [];
    const o = options({
      resolve: async (host) => {
        lookups.push(host);
        return host === 'evil.test' ? [{ address: '127.0.0.1', family: 4 }] : [];
      },
    });
    const direct = await rejection(safeFetch(`http://evil.test:${site.port}/docs/`, o));
    expect(direct).toBeInstanceOf(FetchBlockedError);
    expect(direct.reason).toBe('loopback');
    expect((direct as FetchBlockedError).phase).toBe('connect');
    expect(lookups).toContain('evil.test');
    const before = site.requests.length;
    const viaRedirect = await rejection(safeFetch(`${site.base}/to-evil`, o));
    expect(viaRedirect.reason).toBe('loopback');
    expect(site.requests.slice(before)).toEqual(['/to-evil']);
    expect(o.connects.some((c) => c.startsWith('evil.test'))).toBe(false);
  });

  it('blocks when any resolved address is private (rebinding answers mixing public and private)', async () => {
    const o = options({ resolve: async () => [{ address: '93.184.216.34', family: 4 }, { address: '10.0.0.7', family: 4 }] });
    const err = await rejection(safeFetch('http://mixed.test/', o));
    expect(err.reason).toBe('private');
    expect(o.connects).toEqual([]);
  });

  it('connects to the address the guarded lookup returned for an allowed name', async () => {
    const o = options({ allowedHosts: ['docs.test'], resolve: async () => [{ address: '127.0.0.1', family: 4 }] });
    const res = await safeFetch(`http://docs.test:${site.port}/plain`, o);
    expect(res.body).toBe('plain text body');
    expect(o.connects).toEqual(['docs.test=127.0.0.1']);
  });

  it('enforces the byte cap while streaming', async () => {
    const err = await rejection(safeFetch(`${site.base}/big`, options({ maxBytes: 50_000 })));
    expect(err).toBeInstanceOf(FetchLimitError);
    expect(err.reason).toBe('max-bytes');
  });

  it('rejects a declared content-length over the cap without reading', async () => {
    const err = await rejection(safeFetch(`${site.base}/big-declared`, options({ maxBytes: 1000 })));
    expect(err.reason).toBe('max-bytes');
  });

  it('truncates instead when asked', async () => {
    const res = await safeFetch(`${site.base}/big`, options({ maxBytes: 50_000, truncate: true }));
    expect(res.truncated).toBe(true);
    expect(res.bytes).toBe(50_000);
  });

  it('rejects binary content types', async () => {
    const err = await rejection(safeFetch(`${site.base}/binary`, options()));
    expect(err).toBeInstanceOf(FetchBlockedError);
    expect(err.reason).toBe('content-type');
    expect(err.message).toContain('application/octet-stream');
  });

  it('returns error statuses without a body', async () => {
    const res = await safeFetch(`${site.base}/missing`, options());
    expect(res.status).toBe(404);
    expect(res.body).toBe('');
  });

  it('times out', async () => {
    const err = await rejection(safeFetch(`${site.base}/slow`, options({ timeoutMs: 300 })));
    expect(err).toBeInstanceOf(FetchLimitError);
    expect(err.reason).toBe('timeout');
  });
});
