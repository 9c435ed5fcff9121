import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditReportSchema, startService, type AuditReport, type RunningService } from '@linkops/shared';
import { service as assessService } from '../../services/audit_assess/src/service.js';
import { service as migrateService } from '../../services/audit_migrate/src/service.js';
import { git, makeRepo } from '../helpers/fixture-repo.js';
import { clearPrefix, fieldsOf, raw } from '../helpers/bad-input.js';
import { testRedisUrl, uniquePrefix, waitFor } from '../helpers/redis.js';

const BODY_LIMIT = 262_144;
const MARKER = 'LEAKED_OUTSIDE_MARKER_7f3a';


interface Case {
  name: string;
  method?: 'POST' | 'GET';
  path?: string;
  /** A function of the real report from the audit in beforeAll, or a literal body. */
  body?: Buffer | string | Record<string, unknown> | ((r: AuditReport) => Record<string, unknown> | string);
  headers?: Record<string, string>;
  status: number | number[];
  code?: string | RegExp;
  field?: string;
}

const nested = (depth: number) => '['.repeat(depth) + '1' + ']'.repeat(depth);
const withReport = (patch: Partial<Record<keyof AuditReport, unknown>>) => (r: AuditReport) => ({ report: { ...r, ...patch } });

const CASES: Case[] = [
  { name: 'malformed JSON', body: '{"scan_id": ', status: 400, code: 'invalid_json' },
  { name: 'JSON null', body: 'null', status: 400 },
  { name: 'JSON array', body: '[{"scan_id":"scan_aaaaaaaaaaaa"}]', status: 400 },
  { name: 'text/plain body', body: 'scan_id=scan_aaaaaaaaaaaa', headers: { 'content-type': 'text/plain' }, status: [400, 415] },
  { name: 'neither scan_id nor report', body: {}, status: 400, field: 'body.scan_id' },
  { name: 'neither, with options only', body: { options: { registry: 'r.example.com' } }, status: 400, field: 'body.scan_id' },
  { name: 'both scan_id and report', body: (r) => ({ scan_id: r.scan_id, report: r }), status: 400, field: 'body.scan_id' },
  { name: 'unknown scan_id', body: { scan_id: 'scan_zzzzzzzzzzzz' }, status: 400, code: 'bad_request', field: 'body.scan_id' },
  { name: 'scan_id is a number', body: { scan_id: 5 }, status: 400, field: 'body.scan_id' },
  { name: 'scan_id with traversal', body: { scan_id: 'scan_../../../etc/passwd' }, status: 400, field: 'body.scan_id' },
  { name: 'scan_id with encoded traversal', body: { scan_id: 'scan_..%2f..%2fetc' }, status: 400, field: 'body.scan_id' },
  { name: 'scan_id uppercase', body: { scan_id: 'SCAN_AAAAAAAAAAAA' }, status: 400, field: 'body.scan_id' },
  { name: 'scan_id overlong', body: { scan_id: `scan_${'a'.repeat(500)}` }, status: 400, field: 'body.scan_id' },
  { name: 'scan_id with invalid UTF-8', body: Buffer.concat([Buffer.from('{"scan_id":"scan_aaaaaaaaaa'), Buffer.from([0xff, 0xfe, 0xc3, 0x28]), Buffer.from('"}')]), status: 400, field: 'body' },
  { name: 'report is a string', body: { report: 'x' }, status: 400, field: 'body.report' },
  { name: 'report is an empty object', body: { report: {} }, status: 400, code: 'validation_failed' },
  { name: 'report nested 10k levels deep', body: `{"report": ${nested(10_000)}}`, status: 400, field: 'body.report[0]' },
  { name: 'report with a score of 500', body: withReport({ score: 500 }), status: 400, field: 'body.report.score' },
  { name: 'report with findings of the wrong type', body: withReport({ findings: 'none' }), status: 400, field: 'body.report.findings' },
  { name: 'report repo_url file:// (local not allowed)', body: withReport({ repo_url: 'file:///etc' }), status: 400, field: 'body.report.repo_url' },
  { name: 'report repo_url local path', body: withReport({ repo_url: '/etc' }), status: 400, field: 'body.report.repo_url' },
  { name: 'report repo_url ext::', body: withReport({ repo_url: 'ext::sh -c id' }), status: 400, field: 'body.report.repo_url' },
  { name: 'report repo_url metadata address', body: withReport({ repo_url: 'https://169.254.169.254/latest' }), status: 400, field: 'body.report.repo_url' },
  { name: 'report repo_url decimal loopback', body: withReport({ repo_url: 'https://2130706433/a/b' }), status: 400, field: 'body.report.repo_url' },
  { name: 'report repo_url --upload-pack', body: withReport({ repo_url: '--upload-pack=touch /tmp/x' }), status: 400, field: 'body.report.repo_url' },
  { name: 'report repo_url with credentials', body: withReport({ repo_url: 'https://u:p@github.com/a/b' }), status: 400, field: 'body.report.repo_url' },
  { name: 'report repo_url host not allowed', body: withReport({ repo_url: 'https://evil.example.com/a/b' }), status: 400, field: 'body.report.repo_url' },
  { name: 'report ref with a leading -', body: withReport({ ref: '--upload-pack=x' }), status: 400, field: 'body.report.ref' },
  { name: "report ref with '..'", body: withReport({ ref: '../x' }), status: 400, field: 'body.report.ref' },
  { name: 'report commit option-like', body: withReport({ commit: '--output=/tmp/x' }), status: 400, field: 'body.report.commit' },
  { name: 'options is a string', body: { scan_id: 'scan_zzzzzzzzzzzz', options: 'x' }, status: 400, field: 'body.options' },
  { name: 'options.registry a number', body: { scan_id: 'scan_zzzzzzzzzzzz', options: { registry: 5 } }, status: 400, field: 'body.options.registry' },
  { name: 'options.environments empty', body: { scan_id: 'scan_zzzzzzzzzzzz', options: { environments: [] } }, status: 400, field: 'body.options.environments' },
  { name: 'options.environments uppercase', body: { scan_id: 'scan_zzzzzzzzzzzz', options: { environments: ['Prod'] } }, status: 400, field: 'body.options.environments.0' },
  { name: 'options.layout unknown', body: { scan_id: 'scan_zzzzzzzzzzzz', options: { layout: 'terraform' } }, status: 400, field: 'body.options.layout' },
  { name: 'options.namespace_prefix leading dash', body: { scan_id: 'scan_zzzzzzzzzzzz', options: { namespace_prefix: '-x' } }, status: 400, field: 'body.options.namespace_prefix' },
  { name: 'options.git_repo_url oversized', body: { scan_id: 'scan_zzzzzzzzzzzz', options: { git_repo_url: 'https://github.com/' + 'a'.repeat(3000) } }, status: 400, field: 'body.options.git_repo_url' },
  { name: `body over BODY_LIMIT_BYTES (${BODY_LIMIT})`, body: { scan_id: 'scan_zzzzzzzzzzzz', pad: 'x'.repeat(BODY_LIMIT) }, status: 413, code: 'payload_too_large' },
  { name: 'traversal id', method: 'GET', path: '/migrate/..%2f..%2fetc', status: 400, field: 'params.id' },
  { name: 'encoded traversal id on /patch', method: 'GET', path: '/migrate/%2e%2e%2f%2e%2e%2fetc%2fpasswd/patch', status: 400, field: 'params.id' },
  { name: 'traversal inside a migration-looking id', method: 'GET', path: '/migrate/mig_aaaaaaaaaa..%2f..%2fx/files', status: 400, field: 'params.id' },
  { name: 'scan id where a migration id belongs', method: 'GET', path: '/migrate/scan_aaaaaaaaaaaa/bundle.tar.gz', status: 400, field: 'params.id' },
  { name: 'unknown migration', method: 'GET', path: '/migrate/mig_zzzzzzzzzzzz', status: 404, code: 'not_found' },
  { name: 'unknown migration files', method: 'GET', path: '/migrate/mig_zzzzzzzzzzzz/files', status: 404, code: 'not_found' },
  { name: 'unknown migration patch', method: 'GET', path: '/migrate/mig_zzzzzzzzzzzz/patch', status: 404, code: 'not_found' },
  { name: 'unknown migration bundle', method: 'GET', path: '/migrate/mig_zzzzzzzzzzzz/bundle.tar.gz', status: 404, code: 'not_found' },
];

describe('audit_migrate bad input', () => {
  const prefix = uniquePrefix('am-bad');
  let dataDir: string;
  let assess: RunningService;
  let localMigrate: RunningService;
  let strictMigrate: RunningService;
  let report: AuditReport;
  const dirs: string[] = [];
  let repo: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'linkops-am-bad-'));
    const outside = mkdtempSync(join(tmpdir(), 'linkops-am-outside-'));
    dirs.push(dataDir, outside);
    writeFileSync(join(outside, 'Dockerfile'), `FROM evil:1\nRUN echo ${MARKER}\n`);
    mkdirSync(join(outside, 'ops'));
    writeFileSync(join(outside, 'ops', 'docker-compose.yml'), `services:\n  api:\n    image: ${MARKER}:1\n`);
    // A service whose Dockerfile and a compose dir are symlinks out of the repository.
    repo = makeRepo({
      'services/api/package.json': '{"name":"api","version":"1.0.0","dependencies":{"express":"4.19.2"}}\n',
      'services/api/index.js': "const app = require('express')();\napp.listen(3000);\n",
    }, 'am-symlinks');
    dirs.push(repo);
    symlinkSync(join(outside, 'Dockerfile'), join(repo, 'services/api/Dockerfile'));
    symlinkSync(join(outside, 'ops'), join(repo, 'ops'));
    git(repo, 'add', '-A');
    git(repo, 'commit', '-qm', 'symlinks');

    const base = { REDIS_URL: testRedisUrl(), QUEUE_PREFIX: prefix, DATA_DIR: dataDir, LOG_LEVEL: 'silent', RATE_LIMIT_MAX: '100000', BODY_LIMIT_BYTES: String(BODY_LIMIT) };
    assess = (await startService(assessService, { port: 0, env: { ...base, AUDIT_ALLOW_LOCAL: '1' } })) as unknown as RunningService;
    localMigrate = (await startService(migrateService, { port: 0, env: { ...base, AUDIT_ALLOW_LOCAL: '1' } })) as unknown as RunningService;
    // The catalogue runs against an instance that may not touch local repositories; no workers, so nothing runs.
    strictMigrate = (await startService(migrateService, { port: 0, env: { ...base, QUEUE_PREFIX: `${prefix}-strict`, MODE: 'daytime' } })) as unknown as RunningService;
    const res = await raw(assess.url, 'POST', '/scan/audit', JSON.stringify({ repo_url: repo, wait: 90 }));
    expect(res.status, JSON.stringify(res.body).slice(0, 300)).toBe(200);
    report = AuditReportSchema.parse(res.body);
  });
  afterAll(async () => {
    await strictMigrate?.stop();
    await localMigrate?.stop();
    await assess?.stop();
    await clearPrefix(prefix);
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it.each(CASES)('$name -> $status', async (c) => {
    const given = typeof c.body === 'function' ? c.body(report) : c.body;
    const body = given === undefined ? undefined : Buffer.isBuffer(given) || typeof given === 'string' ? given : JSON.stringify(given);
    const res = await raw(strictMigrate.url, c.method ?? 'POST', c.path ?? '/migrate', body, c.headers);
    const statuses = Array.isArray(c.status) ? c.status : [c.status];
    expect(statuses, JSON.stringify(res.body).slice(0, 400)).toContain(res.status);
    expect(typeof res.body.error?.code, JSON.stringify(res.body).slice(0, 300)).toBe('string');
    expect(String(res.body.error?.message).length).toBeGreaterThan(0);
    if (c.code) expect(String(res.body.error?.code)).toMatch(c.code);
    if (c.field) expect(fieldsOf(res.body.error?.details), JSON.stringify(res.body.error).slice(0, 400)).toContain(c.field);
  });

  it('queued nothing for the refused requests and stays healthy', async () => {
    const { counts } = await strictMigrate.ctx.queues.counts('audit.migrate');
    expect(counts).toMatchObject({ waiting: 0, active: 0, delayed: 0 });
    expect((await fetch(`${strictMigrate.url}/health`)).status).toBe(200);
    expect((await fetch(`${strictMigrate.url}/ready`)).status).toBe(200);
  });

  it('never reads through symlinks or out of the checkout, whatever paths a posted report names', async () => {
    expect(report.inventory.skipped.symlink).toBe(2);
    const api = report.services.find((s) => s.name === 'api');
    expect(api).toBeDefined();
    // A report claiming the symlinked Dockerfile, a compose file behind a symlinked dir, and traversals.
    const forged: AuditReport = {
      ...report,
      services: report.services.map((s) =>
        s.name === 'api'
          ? { ...s, assets: { ...s.assets, dockerfile: 'services/api/Dockerfile', compose: ['ops/docker-compose.yml', '../../../../../../etc/passwd', '/etc/passwd'] } }
          : s,
      ),
    };
    const res = await raw(localMigrate.url, 'POST', '/migrate', JSON.stringify({ report: forged }));
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    const id = String(res.body.migration_id);
    const st = await waitFor(async () => {
      const s = (await (await fetch(`${localMigrate.url}/migrate/${id}`)).json()) as { status: string; reason?: string };
      return s.status === 'done' || s.status === 'failed' ? s : undefined;
    }, 60_000, 100);
    expect(st.status, st.reason).toBe('done');
    const files = await (await fetch(`${localMigrate.url}/migrate/${id}/files`)).text();
    const patch = await (await fetch(`${localMigrate.url}/migrate/${id}/patch`)).text();
    for (const out of [files, patch]) {
      expect(out).not.toContain(MARKER);
      expect(out).not.toContain('root:x:0:0');
    }
    expect((await fetch(`${localMigrate.url}/health`)).status).toBe(200);
  });
});
