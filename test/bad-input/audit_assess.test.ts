import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditReportSchema, startService, type AuditReport, type RunningService } from '@linkops/shared';
import { service } from '../../services/audit_assess/src/service.js';
import { git, makeRepo } from '../helpers/fixture-repo.js';
import { clearPrefix, fieldsOf, raw } from '../helpers/bad-input.js';
import { testRedisUrl, uniquePrefix } from '../helpers/redis.js';

const BODY_LIMIT = 65_536;


const nested = (depth: number, inner = '"x"') => '['.repeat(depth) + inner + ']'.repeat(depth);

interface Case {
  name: string;
  method?: 'POST' | 'GET';
  path?: string;
  body?: Buffer | string | Record<string, unknown>;
  headers?: Record<string, string>;
  status: number | number[];
  code?: string | RegExp;
  field?: string;
}

const url = (repo_url: unknown, extra: Record<string, unknown> = {}) => ({ repo_url, ...extra });
// Refs are checked before the URL (offline), so a syntactically fine hosted URL is enough here.
const GOOD_URL = 'https://github.com/linkops/example';

const CASES: Case[] = [
  // Malformed bodies.
  { name: 'malformed JSON', body: '{"repo_url": "https://github.com/a/b",', status: 400, code: 'invalid_json' },
  { name: 'JSON with a trailing garbage', body: '{"repo_url": "x"} trailing', status: 400, code: 'invalid_json' },
  { name: 'empty body with a JSON content type', body: '', status: 400 },
  { name: 'JSON null', body: 'null', status: 400 },
  { name: 'JSON array', body: '[]', status: 400 },
  { name: 'JSON string', body: '"https://github.com/a/b"', status: 400 },
  { name: 'text/plain body', body: 'repo_url=https://github.com/a/b', headers: { 'content-type': 'text/plain' }, status: [400, 415] },
  { name: 'form body', body: 'repo_url=https://github.com/a/b', headers: { 'content-type': 'application/x-www-form-urlencoded' }, status: 415 },
  // Wrong types and missing fields.
  { name: 'missing repo_url', body: {}, status: 400, code: 'validation_failed', field: 'body.repo_url' },
  { name: 'repo_url is a number', body: url(123), status: 400, code: 'validation_failed', field: 'body.repo_url' },
  { name: 'repo_url is an object', body: url({ href: GOOD_URL }), status: 400, code: 'validation_failed', field: 'body.repo_url' },
  { name: 'repo_url is empty', body: url(''), status: 400, code: 'validation_failed', field: 'body.repo_url' },
  { name: 'history is a string', body: url(GOOD_URL, { history: 'yes' }), status: 400, code: 'validation_failed', field: 'body.history' },
  { name: 'migrate is a string', body: url(GOOD_URL, { migrate: 'true' }), status: 400, code: 'validation_failed', field: 'body.migrate' },
  { name: 'wait is negative', body: url(GOOD_URL, { wait: -1 }), status: 400, code: 'validation_failed', field: 'body.wait' },
  { name: 'wait is fractional', body: url(GOOD_URL, { wait: 1.5 }), status: 400, code: 'validation_failed', field: 'body.wait' },
  { name: 'wait is huge', body: url(GOOD_URL, { wait: 1e9 }), status: 400, code: 'validation_failed', field: 'body.wait' },
  { name: 'ref is a number', body: url(GOOD_URL, { ref: 5 }), status: 400, code: 'validation_failed', field: 'body.ref' },
  { name: 'migrate_options.namespace_prefix uppercase', body: url(GOOD_URL, { migrate_options: { namespace_prefix: 'PROD' } }), status: 400, code: 'validation_failed', field: 'body.migrate_options.namespace_prefix' },
  // Sizes and shapes.
  { name: `body over BODY_LIMIT_BYTES (${BODY_LIMIT})`, body: JSON.stringify(url('https://github.com/a/' + 'b'.repeat(BODY_LIMIT))), status: 413, code: 'payload_too_large' },
  { name: 'repo_url over 4096 chars', body: url('https://github.com/a/' + 'b'.repeat(5000)), status: 400, code: 'validation_failed', field: 'body.repo_url' },
  { name: 'repo_url over 2048 chars (engine limit)', body: url('https://github.com/a/' + 'b'.repeat(3000)), status: 400, code: 'bad_request', field: 'body.repo_url' },
  { name: 'ref over 255 chars', body: url(GOOD_URL, { ref: 'r'.repeat(300) }), status: 400, code: 'validation_failed', field: 'body.ref' },
  { name: 'repo_url nested 10k levels deep', body: `{"repo_url": ${nested(10_000)}}`, status: 400, field: 'body.repo_url[0]' },
  { name: 'an unknown field nested 10k levels deep', body: `{"repo_url": "file:///etc", "x": ${nested(10_000)}}`, status: 400, field: 'body.x[0]' },
  { name: 'objects nested 10k levels deep', body: '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000), status: 400 },
  { name: 'invalid UTF-8 in repo_url', body: Buffer.concat([Buffer.from('{"repo_url":"https://github.com/a/b'), Buffer.from([0xff, 0xfe, 0xc3, 0x28]), Buffer.from('"}')]), status: 400, field: 'body' },
  { name: 'NUL byte in repo_url', body: url('https://github.com/a/b\u0000c'), status: 400, field: 'body.repo_url' },
  // Repository URLs that must never be cloned.
  { name: 'file:// URL (local not allowed here)', body: url('file:///etc'), status: 400, field: 'body.repo_url' },
  { name: 'absolute local path', body: url('/etc'), status: 400, field: 'body.repo_url' },
  { name: 'ext:: transport', body: url('ext::sh -c touch% /tmp/pwned'), status: 400, field: 'body.repo_url' },
  { name: 'ext:: transport without spaces', body: url('ext::/tmp/evil'), status: 400, field: 'body.repo_url' },
  { name: 'fd:: transport', body: url('fd::3'), status: 400, field: 'body.repo_url' },
  { name: 'ssh://', body: url('ssh://git@github.com/a/b.git'), status: 400, field: 'body.repo_url' },
  { name: 'scp-like ssh', body: url('git@github.com:a/b.git'), status: 400, field: 'body.repo_url' },
  { name: 'git://', body: url('git://github.com/a/b.git'), status: 400, field: 'body.repo_url' },
  { name: 'http://', body: url('http://github.com/a/b'), status: 400, field: 'body.repo_url' },
  { name: 'credentials user:password', body: url('https://user:hunter2@github.com/a/b'), status: 400, field: 'body.repo_url' },
  { name: 'credentials token@', body: url('https://ghp_abc@github.com/a/b'), status: 400, field: 'body.repo_url' },
  { name: '--upload-pack option', body: url('--upload-pack=touch /tmp/pwned'), status: 400, field: 'body.repo_url' },
  { name: '-u option', body: url('-utouch /tmp/pwned'), status: 400, field: 'body.repo_url' },
  { name: 'URL followed by --upload-pack', body: url('https://github.com/a/b --upload-pack=touch'), status: 400, field: 'body.repo_url' },
  { name: 'IPv6 loopback [::1]', body: url('https://[::1]/a/b'), status: 400, field: 'body.repo_url' },
  { name: 'IPv4-mapped IPv6 loopback', body: url('https://[::ffff:127.0.0.1]/a/b'), status: 400, field: 'body.repo_url' },
  { name: 'decimal loopback 2130706433', body: url('https://2130706433/a/b'), status: 400, field: 'body.repo_url' },
  { name: 'octal loopback 0177.0.0.1', body: url('https://0177.0.0.1/a/b'), status: 400, field: 'body.repo_url' },
  { name: 'hex loopback 0x7f000001', body: url('https://0x7f000001/a/b'), status: 400, field: 'body.repo_url' },
  { name: 'dotted loopback 127.0.0.1', body: url('https://127.0.0.1/a/b'), status: 400, field: 'body.repo_url' },
  { name: 'metadata 169.254.169.254', body: url('https://169.254.169.254/latest/meta-data'), status: 400, field: 'body.repo_url' },
  { name: 'localhost', body: url('https://localhost/a/b'), status: 400, field: 'body.repo_url' },
  { name: 'host not in the allowed list', body: url('https://evil.example.com/a/b'), status: 400, field: 'body.repo_url' },
  { name: 'allowed host as a suffix of another', body: url('https://github.com.evil.example/a/b'), status: 400, field: 'body.repo_url' },
  { name: 'non-default port', body: url('https://github.com:8443/a/b'), status: 400, field: 'body.repo_url' },
  { name: 'query string', body: url('https://github.com/a/b?x=1'), status: 400, field: 'body.repo_url' },
  { name: 'percent-encoded traversal in the path', body: url('https://github.com/a/%2e%2e/%2e%2e/etc'), status: 400, field: 'body.repo_url' },
  { name: 'shell metacharacters', body: url('https://github.com/a/b;touch /tmp/x'), status: 400, field: 'body.repo_url' },
  { name: 'javascript: URL', body: url('javascript:alert(1)'), status: 400, field: 'body.repo_url' },
  // Refs.
  { name: "ref with '..'", body: url(GOOD_URL, { ref: '../../etc/passwd' }), status: 400, field: 'body.ref' },
  { name: "ref with a '..' range", body: url(GOOD_URL, { ref: 'main..dev' }), status: 400, field: 'body.ref' },
  { name: "ref with a leading '-'", body: url(GOOD_URL, { ref: '--upload-pack=touch' }), status: 400, field: 'body.ref' },
  { name: "ref '-b'", body: url(GOOD_URL, { ref: '-b' }), status: 400, field: 'body.ref' },
  { name: 'ref with a space', body: url(GOOD_URL, { ref: 'main dev' }), status: 400, field: 'body.ref' },
  { name: 'ref with shell metacharacters', body: url(GOOD_URL, { ref: 'main;id' }), status: 400, field: 'body.ref' },
  { name: 'ref ending in .lock', body: url(GOOD_URL, { ref: 'main.lock' }), status: 400, field: 'body.ref' },
  // Ids in paths.
  { name: 'traversal id', method: 'GET', path: '/scan/..%2f..%2fetc', status: 400, field: 'params.id' },
  { name: 'encoded traversal id on /report', method: 'GET', path: '/scan/%2e%2e%2f%2e%2e%2fetc%2fpasswd/report', status: 400, field: 'params.id' },
  { name: 'double-encoded traversal id', method: 'GET', path: '/scan/scan_%252e%252e%252fetc/report', status: 400, field: 'params.id' },
  { name: 'traversal inside a scan-looking id', method: 'GET', path: '/scan/scan_aaaaaaaaaa..%2f..%2fx/sbom', status: 400, field: 'params.id' },
  { name: 'id with NUL', method: 'GET', path: '/scan/scan_aaaaaaaaaa%00', status: 400, field: 'params.id' },
  { name: 'overlong id', method: 'GET', path: `/scan/scan_${'a'.repeat(400)}`, status: 400, field: 'params.id' },
  { name: 'unknown format', method: 'GET', path: '/scan/scan_aaaaaaaaaaaa/report?format=exe', status: 400, field: 'querystring.format' },
  { name: 'unknown scan id', method: 'GET', path: '/scan/scan_zzzzzzzzzzzz', status: 404, code: 'not_found' },
  { name: 'unknown scan id report', method: 'GET', path: '/scan/scan_zzzzzzzzzzzz/report?format=sarif', status: 404, code: 'not_found' },
  { name: 'unknown scan id sbom', method: 'GET', path: '/scan/scan_zzzzzzzzzzzz/sbom', status: 404, code: 'not_found' },
  { name: 'unknown route', method: 'GET', path: '/scan', status: 404, code: 'not_found' },
];

describe('audit_assess bad input (local repositories not allowed)', () => {
  let svc: RunningService;
  const prefix = uniquePrefix('aa-bad');
  let dataDir: string;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'linkops-aa-bad-'));
    svc = (await startService(service, {
      port: 0,
      env: { REDIS_URL: testRedisUrl(), QUEUE_PREFIX: prefix, DATA_DIR: dataDir, LOG_LEVEL: 'silent', BODY_LIMIT_BYTES: String(BODY_LIMIT), RATE_LIMIT_MAX: '100000' },
    })) as unknown as RunningService;
  });
  afterAll(async () => {
    await svc?.stop();
    await clearPrefix(prefix);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it.each(CASES)('$name -> $status', async (c) => {
    const body = c.body === undefined ? undefined : Buffer.isBuffer(c.body) || typeof c.body === 'string' ? c.body : JSON.stringify(c.body);
    const res = await raw(svc.url, c.method ?? 'POST', c.path ?? '/scan/audit', body, c.headers);
    const statuses = Array.isArray(c.status) ? c.status : [c.status];
    expect(statuses, JSON.stringify(res.body).slice(0, 400)).toContain(res.status);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(typeof res.body.error?.code, JSON.stringify(res.body).slice(0, 300)).toBe('string');
    expect(typeof res.body.error?.message).toBe('string');
    expect(String(res.body.error?.message).length).toBeGreaterThan(0);
    if (c.code) expect(String(res.body.error?.code)).toMatch(c.code);
    if (c.field) expect(fieldsOf(res.body.error?.details), JSON.stringify(res.body.error)).toContain(c.field);
  });

  it('nothing was queued and the service is still healthy', async () => {
    const counts = await svc.ctx.queues.counts('audit.scan');
    expect(counts.counts).toMatchObject({ waiting: 0, active: 0, delayed: 0, failed: 0, completed: 0 });
    expect((await fetch(`${svc.url}/health`)).status).toBe(200);
    expect((await fetch(`${svc.url}/ready`)).status).toBe(200);
    expect(readdirSync(dataDir, { recursive: true }).filter((f) => String(f).endsWith('.json'))).toEqual([]);
  });
});

describe('audit_assess odd repositories (local allowed)', () => {
  let svc: RunningService;
  const prefix = uniquePrefix('aa-odd');
  let dataDir: string;
  let tmp: string;
  const repos: string[] = [];
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'linkops-aa-odd-'));
    // A private os.tmpdir() for the service so its clone dir can be checked for leftovers.
    tmp = mkdtempSync(join(tmpdir(), 'linkops-aa-odd-tmp-'));
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = tmp;
    try {
      svc = (await startService(service, {
        port: 0,
        env: {
          REDIS_URL: testRedisUrl(), QUEUE_PREFIX: prefix, DATA_DIR: dataDir, LOG_LEVEL: 'silent', RATE_LIMIT_MAX: '100000',
          AUDIT_ALLOW_LOCAL: '1', AUDIT_MAX_REPO_BYTES: String(4 * 1024 ** 3),
        },
      })) as unknown as RunningService;
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
    }
  });
  afterAll(async () => {
    await svc?.stop();
    await clearPrefix(prefix);
    for (const d of [dataDir, tmp, ...repos]) if (d) rmSync(d, { recursive: true, force: true });
  });

  async function audit(repo: string): Promise<AuditReport> {
    const res = await raw(svc.url, 'POST', '/scan/audit', JSON.stringify({ repo_url: repo, wait: 120 }));
    expect(res.status, JSON.stringify(res.body).slice(0, 400)).toBe(200);
    return AuditReportSchema.parse(res.body);
  }
  function repoWith(label: string, build: (dir: string) => void): string {
    const dir = makeRepo({ 'README.md': `# ${label}\n` }, label);
    repos.push(dir);
    build(dir);
    git(dir, 'add', '-A');
    git(dir, 'commit', '-qm', label);
    return dir;
  }

  it('symlinks pointing outside the repository are counted, never followed', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'linkops-aa-outside-'));
    repos.push(outside);
    writeFileSync(join(outside, 'secret.env'), 'GITHUB_TOKEN=ghp_Zx8Cv6Bn4Mq2Lw0Ke9Rt7Yu5Io3Pa1Sd8Fg6\n');
    const repo = repoWith('symlinks', (dir) => {
      symlinkSync('/etc/passwd', join(dir, 'passwd'));
      symlinkSync(join(outside, 'secret.env'), join(dir, '.env'));
      symlinkSync('../../../../../../../../etc', join(dir, 'etc-up'));
      symlinkSync('/', join(dir, 'root'));
      mkdirSync(join(dir, 'svc'));
      writeFileSync(join(dir, 'svc/package.json'), '{"name":"svc","dependencies":{}}\n');
      symlinkSync('/etc/hostname', join(dir, 'svc/Dockerfile'));
    });
    const report = await audit(repo);
    expect(report.inventory.skipped.symlink).toBe(5);
    expect(report.inventory.files).toBe(2);
    expect(report.findings.filter((f) => f.scanner === 'secrets')).toEqual([]);
    const text = JSON.stringify(report);
    expect(text).not.toContain('root:x:0:0');
    expect(text).not.toContain('ghp_Zx8C');
    expect(report.services.find((s) => s.name === 'svc')?.assets.dockerfile ?? null).toBeNull();
  });

  it('a 1 GB sparse file is skipped as too large', async () => {
    const repo = repoWith('sparse', (dir) => {
      git(dir, 'config', 'core.compression', '1');
      writeFileSync(join(dir, 'app.py'), 'print("hi")\n');
      execFileSync('truncate', ['-s', '1G', join(dir, 'disk.img')]);
    });
    const report = await audit(repo);
    expect(report.inventory.skipped.too_large).toBe(1);
    expect(report.inventory.files).toBe(2);
    expect(report.inventory.bytes).toBeLessThan(1024);
  }, 120_000);

  it('2,000 tiny files are all inventoried', async () => {
    const repo = repoWith('many', (dir) => {
      for (let d = 0; d < 20; d++) {
        mkdirSync(join(dir, `pkg${d}`));
        for (let f = 0; f < 100; f++) writeFileSync(join(dir, `pkg${d}`, `m${f}.js`), `module.exports = ${d * 100 + f};\n`);
      }
    });
    const report = await audit(repo);
    expect(report.inventory.files).toBe(2001);
    expect(report.inventory.languages[0]).toMatchObject({ language: 'JavaScript' });
  }, 60_000);

  it('a file 200 directories deep is scanned (and its secret found at that path)', async () => {
    const deep = Array.from({ length: 200 }, (_, i) => `d${i % 10}`).join('/');
    const repo = repoWith('deep', (dir) => {
      mkdirSync(join(dir, deep), { recursive: true });
      writeFileSync(join(dir, deep, 'config.env'), 'X=1\nGITHUB_TOKEN=ghp_Qw3Er5Ty7Ui9Op1As3Df5Gh7Jk9Lz1Xc3Vb5\n');
    });
    const report = await audit(repo);
    expect(report.inventory.files).toBe(2);
    const leak = report.findings.find((f) => f.rule_id === 'github-pat');
    expect(leak?.location).toMatchObject({ path: `${deep}/config.env`, start_line: 2 });
    expect(JSON.stringify(report)).not.toContain('ghp_Qw3Er5Ty7Ui9Op1As3Df5Gh7Jk9Lz1Xc3Vb5');
  });

  it('binary files holding secret-like bytes are skipped as binary, not reported', async () => {
    const repo = repoWith('binary', (dir) => {
      const secret = Buffer.from('AWS_ACCESS_KEY_ID=AKIAQX7ZD4K2M9PLN3TB\nGITHUB_TOKEN=ghp_R7mK2xQ9vL4tN8pW3zY6bC1dF5gH0jS2aE4u\n');
      writeFileSync(join(dir, 'blob.bin'), Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 0, 1]), secret, Buffer.alloc(64), secret]));
      writeFileSync(join(dir, 'image.png'), Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]), secret]));
    });
    const report = await audit(repo);
    expect(report.inventory.skipped.binary).toBe(2);
    expect(report.inventory.files).toBe(1);
    expect(report.findings.filter((f) => f.scanner === 'secrets')).toEqual([]);
  });

  it('left no clone behind and is still healthy', async () => {
    expect(readdirSync(join(tmp, 'linkops-clones'))).toEqual([]);
    expect((await fetch(`${svc.url}/health`)).status).toBe(200);
    expect((await fetch(`${svc.url}/ready`)).status).toBe(200);
  });
});
