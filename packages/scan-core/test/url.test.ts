import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isInternalAddress, RepoUrlError, validateRef, validateRepoUrl } from '../src/index.js';
import { remove, tempDir } from './helpers.js';

const publicDns = async (host: string) => {
  const table: Record<string, string[]> = {
    'github.com': ['140.82.112.3'],
    'gitlab.com': ['172.65.251.78', '2606:4700:90:0:f22e:fbec:5bed:a9b9'],
    'bitbucket.org': ['104.192.141.1'],
    'git.internal.example': ['10.0.0.7'],
  };
  const hit = table[host];
  if (!hit) throw new Error('ENOTFOUND');
  return hit;
};
const opts = { allowLocal: false, allowedHosts: [] as string[], resolve: publicDns };

async function codeOf(input: string, o: Parameters<typeof validateRepoUrl>[1] = opts): Promise<string> {
  try {
    await validateRepoUrl(input, o);
    return 'accepted';
  } catch (err) {
    expect(err).toBeInstanceOf(RepoUrlError);
    const e = err as RepoUrlError;
    expect(e.reason.length).toBeGreaterThan(5);
    return e.code;
  }
}

const localDir = tempDir('url');
afterAll(() => remove(localDir));

describe('validateRepoUrl rejects', () => {
  const cases: Array<[string, string]> = [
    ['', 'empty'],
    ['ssh://git@github.com/a/b', 'scheme_not_allowed'],
    ['git://github.com/a/b', 'scheme_not_allowed'],
    ['http://github.com/a/b', 'scheme_not_allowed'],
    ['http://169.254.169.254/latest', 'scheme_not_allowed'],
    ['ftp://github.com/a/b', 'scheme_not_allowed'],
    ['file:///etc', 'local_not_allowed'],
    ['/etc', 'local_not_allowed'],
    ['ext::sh -c touch% /tmp/pwned', 'whitespace'],
    ['ext::sh', 'transport_not_allowed'],
    ['fd::17', 'transport_not_allowed'],
    ['git@github.com:a/b.git', 'scp_like'],
    ['github.com:a/b', 'scp_like'],
    ['https://user:pw@github.com/a/b', 'credentials'],
    ['https://token@github.com/a/b', 'credentials'],
    ['--upload-pack=touch /tmp/pwned', 'option_like'],
    ['-uhttps://github.com/a/b', 'option_like'],
    ['https://github.com/a/b;rm -rf /', 'whitespace'],
    ['https://github.com/a/b;id', 'shell_metachar'],
    ['https://github.com/a/b|id', 'shell_metachar'],
    ['https://github.com/a/`id`', 'shell_metachar'],
    ['https://github.com/a/$(id)', 'shell_metachar'],
    ['https://github.com/a/b\nhttps://evil', 'whitespace'],
    ['https://github.com/a/b\tc', 'whitespace'],
    ['https://evil.example/a/b', 'host_not_allowed'],
    ['https://github.com.evil.example/a/b', 'host_not_allowed'],
    ['https://127.0.0.1/a/b', 'ip_literal'],
    ['https://0x7f000001/a/b', 'ip_literal'],
    ['https://2130706433/a/b', 'ip_literal'],
    ['https://0177.0.0.1/a/b', 'ip_literal'],
    ['https://[::1]/a/b', 'ip_literal'],
    ['https://[::ffff:127.0.0.1]/a/b', 'ip_literal'],
    ['https://169.254.169.254/latest/meta-data', 'ip_literal'],
    ['https://github.com:8443/a/b', 'port_not_allowed'],
    ['https://github.com/a/b?x=1', 'shell_metachar'],
    ['https://github.com/a/b#frag', 'invalid_url'],
    ['https://github.com/', 'invalid_url'],
    ['https://github.com/a/%2e%2e/b', 'invalid_url'],
    [`https://github.com/${'a'.repeat(2050)}`, 'too_long'],
    ['x'.repeat(100000), 'too_long'],
    ['https://nonexistent.github.com/a/b', 'host_not_allowed'],
  ];
  it.each(cases)('%s -> %s', async (input, code) => {
    expect(await codeOf(input)).toBe(code);
  });

  it('refuses allowed hosts that resolve to internal addresses', async () => {
    const o = { ...opts, allowedHosts: ['git.internal.example'] };
    expect(await codeOf('https://git.internal.example/a/b', o)).toBe('private_address');
    const rebinding = async () => ['140.82.112.3', '::ffff:169.254.169.254'];
    expect(await codeOf('https://github.com/a/b', { ...opts, resolve: rebinding })).toBe('private_address');
    expect(await codeOf('https://github.com/a/b', { ...opts, resolve: async () => ['100.64.1.2'] })).toBe('private_address');
    expect(await codeOf('https://github.com/a/b', { ...opts, resolve: async () => ['fd00::1'] })).toBe('private_address');
  });

  it('fails closed when DNS fails', async () => {
    expect(await codeOf('https://github.com/a/b', { ...opts, resolve: async () => { throw new Error('ENOTFOUND'); } })).toBe('dns_failed');
    expect(await codeOf('https://github.com/a/b', { ...opts, resolve: async () => [] })).toBe('dns_failed');
  });

  it('refuses local paths that are not directories even when local is allowed', async () => {
    const o = { ...opts, allowLocal: true };
    expect(await codeOf('/nonexistent/linkops/repo', o)).toBe('local_not_found');
    expect(await codeOf('file:///etc/passwd', o)).toBe('local_not_found');
  });

  it('refuses local directories that are not git repositories', async () => {
    const o = { ...opts, allowLocal: true };
    expect(await codeOf('file:///etc', o)).toBe('local_not_git');
    expect(await codeOf('/tmp', o)).toBe('local_not_git');
  });
});

describe('validateRepoUrl accepts', () => {
  it.each([
    ['https://github.com/acme/shop', 'https://github.com/acme/shop', 'github.com'],
    ['https://github.com/acme/shop.git', 'https://github.com/acme/shop.git', 'github.com'],
    ['https://GitLab.com/group/sub/project/', 'https://gitlab.com/group/sub/project', 'gitlab.com'],
    ['https://bitbucket.org/team/repo', 'https://bitbucket.org/team/repo', 'bitbucket.org'],
  ])('%s', async (input, url, host) => {
    expect(await validateRepoUrl(input, opts)).toEqual({ kind: 'https', url, host });
  });

  it('honours a configured host list with wildcards', async () => {
    const o = { ...opts, allowedHosts: ['*.example.org'], resolve: async () => ['93.184.216.34'] };
    expect((await validateRepoUrl('https://git.example.org/a/b', o)).host).toBe('git.example.org');
    expect(await codeOf('https://github.com/a/b', o)).toBe('host_not_allowed');
  });

  it('accepts existing local git repositories only when allowed', async () => {
    const o = { ...opts, allowLocal: true };
    mkdirSync(join(localDir, '.git'), { recursive: true });
    expect(await validateRepoUrl(localDir, o)).toEqual({ kind: 'local', url: localDir });
    expect(await validateRepoUrl(`file://${localDir}`, o)).toEqual({ kind: 'local', url: localDir });
  });
});

describe('isInternalAddress', () => {
  it.each(['127.0.0.1', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1', '::1', '::', 'fe80::1', 'fc00::1', 'fd12:3456::1', '::ffff:10.0.0.1', '::ffff:7f00:1', '64:ff9b::a9fe:a9fe', '2002:7f00:1::', 'not-an-ip'])(
    '%s is internal',
    (a) => expect(isInternalAddress(a)).toBe(true),
  );
  it.each(['140.82.112.3', '8.8.8.8', '172.32.0.1', '100.128.0.1', '2606:4700::1111', '::ffff:8.8.8.8'])('%s is public', (a) =>
    expect(isInternalAddress(a)).toBe(false),
  );
});

describe('validateRef', () => {
  it.each(['main', 'v1.2.3', 'feature/x-y', 'a'.repeat(40)])('accepts %s', (ref) => expect(validateRef(ref)).toBe(ref));
  it.each(['--upload-pack=x', '-b', 'a..b', 'x y', 'a;b', 'refs/heads/x.lock', '', '/abs'])('rejects %s', (ref) => {
    expect(() => validateRef(ref)).toThrow(RepoUrlError);
  });
});
