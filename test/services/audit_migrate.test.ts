import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditReportSchema, startService, type AuditReport, type RunningService } from '@linkops/shared';
import { service as assessService } from '../../services/audit_assess/src/service.js';
import { service as migrateService } from '../../services/audit_migrate/src/service.js';
import { FIXTURE_FILES, PLANTED_SECRETS, git, makeRepo } from '../helpers/fixture-repo.js';
import { clearPrefix, testRedisUrl, uniquePrefix, waitFor } from '../helpers/redis.js';

const JSON_HEADERS = { 'content-type': 'application/json' };

/** Minimal ustar reader: name (with prefix) -> content of each regular file. */
function untar(tar: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  let off = 0;
  while (off + 512 <= tar.length) {
    const header = tar.subarray(off, off + 512);
    if (header.every((b) => b === 0)) break;
    const str = (a: number, b: number) => header.subarray(a, b).toString('utf8').replace(/\0.*$/s, '');
    const name = str(0, 100);
    const size = parseInt(str(124, 136).trim() || '0', 8);
    const type = String.fromCharCode(header[156]!);
    const magic = str(257, 263);
    const prefix = magic.startsWith('ustar') ? str(345, 500) : '';
    // Header checksum: sum of the header bytes with the checksum field read as spaces.
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : header[i]!;
    expect(parseInt(str(148, 156).trim(), 8), `checksum of ${name}`).toBe(sum);
    const body = tar.subarray(off + 512, off + 512 + size);
    if (type === '0' || type === '\0') out.set(prefix ? `${prefix}/${name}` : name, body.toString('utf8'));
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

interface MigrationStatus {
  migration_id: string;
  status: 'queued' | 'running' | 'done' | 'failed';
  reason?: string;
  files?: number;
  scan_id?: string;
  plan?: unknown;
}

describe('audit_migrate (real services, shared DATA_DIR, real Redis)', () => {
  const prefix = uniquePrefix('am');
  let dataDir: string;
  let fixture: string;
  let assess: RunningService;
  let migrate: RunningService;
  let report: AuditReport;
  const work: string[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'linkops-am-data-'));
    fixture = makeRepo();
    const env = { REDIS_URL: testRedisUrl(), QUEUE_PREFIX: prefix, DATA_DIR: dataDir, LOG_LEVEL: 'silent', AUDIT_ALLOW_LOCAL: '1', RATE_LIMIT_MAX: '100000' };
    assess = (await startService(assessService, { port: 0, env })) as unknown as RunningService;
    migrate = (await startService(migrateService, { port: 0, env })) as unknown as RunningService;
    const r = await fetch(`${assess.url}/scan/audit`, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify({ repo_url: fixture, wait: 90 }) });
    expect(r.status).toBe(200);
    report = AuditReportSchema.parse(await r.json());
  });
  afterAll(async () => {
    await migrate?.stop();
    await assess?.stop();
    await clearPrefix(prefix);
    for (const d of [dataDir, fixture, ...work]) if (d) rmSync(d, { recursive: true, force: true });
  });

  async function startMigration(body: unknown): Promise<string> {
    const r = await fetch(`${migrate.url}/migrate`, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify(body) });
    const json = (await r.json()) as { migration_id: string; status: string; status_url: string };
    expect(r.status, JSON.stringify(json)).toBe(202);
    expect(json).toMatchObject({ status: 'queued', status_url: `/migrate/${json.migration_id}` });
    return json.migration_id;
  }
  async function untilDone(id: string): Promise<MigrationStatus> {
    return waitFor(async () => {
      const s = (await (await fetch(`${migrate.url}/migrate/${id}`)).json()) as MigrationStatus;
      if (s.status === 'failed') throw new Error(`migration failed: ${s.reason}`);
      return s.status === 'done' ? s : undefined;
    }, 60_000, 100);
  }
  function freshClone(): string {
    const dir = mkdtempSync(join(tmpdir(), 'linkops-am-clone-'));
    work.push(dir);
    execFileSync('git', ['clone', '-q', fixture, dir]);
    return dir;
  }

  let scanMigration: string;
  let files: Record<string, string>;

  it('POST /migrate {scan_id} after a real audit reaches done', async () => {
    scanMigration = await startMigration({ scan_id: report.scan_id });
    const s = await untilDone(scanMigration);
    expect(s.scan_id).toBe(report.scan_id);
    expect(s.files).toBeGreaterThan(0);
    expect(s.plan).toBeTruthy();
  });

  it('GET /files is a JSON map of path -> content covering the chart, Argo CD and Dockerfile fixes', async () => {
    const r = await fetch(`${migrate.url}/migrate/${scanMigration}/files`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/application\/json/);
    files = (await r.json()) as Record<string, string>;
    const paths = Object.keys(files);
    const status = (await (await fetch(`${migrate.url}/migrate/${scanMigration}`)).json()) as MigrationStatus;
    expect(paths).toHaveLength(status.files!);
    for (const [p, content] of Object.entries(files)) {
      expect(typeof content, p).toBe('string');
      expect(p.startsWith('/') || p.split('/').includes('..'), p).toBe(false);
    }
    expect(paths.some((p) => p.endsWith('Chart.yaml'))).toBe(true);
    expect(Object.values(files).some((c) => /kind:\s*Application/.test(c))).toBe(true);
    // The worker Dockerfile ends as root in the fixture; the migrated one must not.
    expect(files['services/worker/Dockerfile']).toBeDefined();
    expect(files['services/worker/Dockerfile']).not.toMatch(/^USER root\s*$/m);
    for (const secret of PLANTED_SECRETS) expect(JSON.stringify(files).includes(secret), secret.slice(0, 4)).toBe(false);
  });

  it('GET /patch applies with `git apply --check` on a fresh clone and yields the /files contents', async () => {
    const r = await fetch(`${migrate.url}/migrate/${scanMigration}/patch`);
    expect(r.status).toBe(200);
    const patch = await r.text();
    expect(patch).toMatch(/^diff --git /m);
    const dir = freshClone();
    const patchFile = join(dir, '..', `${scanMigration}.patch`);
    work.push(patchFile);
    writeFileSync(patchFile, patch);
    execFileSync('git', ['apply', '--check', patchFile], { cwd: dir });
    execFileSync('git', ['apply', patchFile], { cwd: dir });
    for (const [p, content] of Object.entries(files)) expect(readFileSync(join(dir, p), 'utf8'), p).toBe(content);
    // Files the migration did not touch are unchanged.
    expect(readFileSync(join(dir, 'services/api/index.js'), 'utf8')).toBe(FIXTURE_FILES['services/api/index.js']);
  });

  it('GET /bundle.tar.gz is a gzip tar holding exactly the generated files', async () => {
    const r = await fetch(`${migrate.url}/migrate/${scanMigration}/bundle.tar.gz`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/gzip');
    const gz = Buffer.from(await r.arrayBuffer());
    expect([gz[0], gz[1]]).toEqual([0x1f, 0x8b]);
    const entries = untar(gunzipSync(gz));
    expect([...entries.keys()].sort()).toEqual(Object.keys(files).sort());
    for (const [p, content] of entries) expect(content, p).toBe(files[p]);
    // And the system tar agrees.
    const tarball = join(mkdtempSync(join(tmpdir(), 'linkops-am-tar-')), 'b.tar.gz');
    work.push(join(tarball, '..'));
    writeFileSync(tarball, gz);
    const listed = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n').filter(Boolean);
    expect(listed.sort()).toEqual(Object.keys(files).sort());
  });

  it('POST /migrate with a report body works too (options applied, patch applies)', async () => {
    const id = await startMigration({ report, options: { registry: 'registry.example.com/team', environments: ['dev', 'prod'] } });
    await untilDone(id);
    const got = (await (await fetch(`${migrate.url}/migrate/${id}/files`)).json()) as Record<string, string>;
    expect(Object.values(got).join('\n')).toContain('registry.example.com/team');
    const patch = await (await fetch(`${migrate.url}/migrate/${id}/patch`)).text();
    const dir = freshClone();
    const patchFile = join(dir, '..', `${id}.patch`);
    work.push(patchFile);
    writeFileSync(patchFile, patch);
    execFileSync('git', ['apply', '--check', patchFile], { cwd: dir });
    expect(Object.keys(got).some((p) => /prod/.test(p) || /prod/.test(got[p]!))).toBe(true);
  });

  it('an audit with migrate: true is picked up by the migrate worker', async () => {
    const r = await fetch(`${assess.url}/scan/audit`, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify({ repo_url: fixture, wait: 90, migrate: true }) });
    const rep = AuditReportSchema.parse(await r.json());
    const st = (await (await fetch(`${assess.url}/scan/${rep.scan_id}`)).json()) as { migration_id: string };
    const done = await untilDone(st.migration_id);
    expect(done.scan_id).toBe(rep.scan_id);
  });

  it('answers 400 naming body.scan_id for an unknown scan, and for both or neither of scan_id/report', async () => {
    const bad = async (body: unknown) => {
      const r = await fetch(`${migrate.url}/migrate`, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify(body) });
      const json = (await r.json()) as { error: { code: string; message: string; details?: unknown } };
      expect(r.status, JSON.stringify(json)).toBe(400);
      return json.error;
    };
    const unknown = await bad({ scan_id: 'scan_zzzzzzzzzzzz' });
    expect(JSON.stringify(unknown.details)).toContain('body.scan_id');
    expect(unknown.message).toContain('scan_zzzzzzzzzzzz');
    const both = await bad({ scan_id: report.scan_id, report });
    expect(JSON.stringify(both.details)).toContain('body.scan_id');
    expect(both.message).toMatch(/exactly one of scan_id or report/);
    const neither = await bad({ options: {} });
    expect(neither.message).toMatch(/exactly one of scan_id or report/);
    const notFound = await fetch(`${migrate.url}/migrate/mig_zzzzzzzzzzzz`);
    expect(notFound.status).toBe(404);
    expect((await fetch(`${migrate.url}/health`)).status).toBe(200);
  });
});
