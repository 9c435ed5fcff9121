import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditReportSchema } from '@linkops/shared';
import { tempDir, testRedisUrl, uniquePrefix, waitFor } from '../helpers/redis.js';
import { deletePrefix, json, listFiles, makeBigRepo, post, spawnService, stopProcess, type ServiceProcess } from './helpers.js';

/** SIGTERM while an audit is in flight: the service finishes it within the grace period, then exits 0. */
describe('fault: SIGTERM during work', () => {
  const redisUrl = testRedisUrl();
  const prefix = uniquePrefix('term');
  const data = tempDir('term-data');
  const work = tempDir('term-work');
  const procs: ServiceProcess[] = [];

  beforeAll(() => {
    makeBigRepo(join(work.dir, 'repo'), 2000);
  }, 60_000);
  afterAll(async () => {
    await Promise.all(procs.map((p) => stopProcess(p)));
    await deletePrefix(redisUrl, prefix);
    data.cleanup();
    work.cleanup();
  });

  it('finishes the in-flight audit, writes one complete report, leaves no temp files, exits 0', async () => {
    const env = { REDIS_URL: redisUrl, QUEUE_PREFIX: prefix, DATA_DIR: data.dir, AUDIT_ALLOW_LOCAL: '1', WORKER_CONCURRENCY: '1', SHUTDOWN_GRACE_MS: '60000', TMPDIR: join(work.dir, 'tmp') };
    const svc = await spawnService('audit_assess', { env, logDir: work.dir });
    procs.push(svc);
    const res = await post(`${svc.url}/scan/audit`, { repo_url: join(work.dir, 'repo') });
    expect(res.status).toBe(202);
    const { scan_id } = await json<{ scan_id: string }>(res);
    await waitFor(async () => (await json<{ status: string }>(await fetch(`${svc.url}/scan/${scan_id}`))).status === 'scanning', 60_000, 25);

    svc.kill('SIGTERM');
    const code = await svc.exited;
    expect(code).toBe(0);
    const lines = svc.lines();
    expect(lines.some((l) => l.msg === 'job completed' && l.job_id === scan_id), 'the in-flight job completed before exit').toBe(true);
    expect(lines.findIndex((l) => l.msg === 'signal received')).toBeLessThan(lines.findIndex((l) => l.msg === 'job completed' && l.job_id === scan_id));

    const reports = join(data.dir, 'audit_assess', 'reports');
    expect(listFiles(data.dir).filter((f) => /\.tmp$|\.partial$|~$/.test(f))).toEqual([]);
    expect(listFiles(reports)).toEqual([`${scan_id}.json`]);
    expect(AuditReportSchema.parse(JSON.parse(readFileSync(join(reports, `${scan_id}.json`), 'utf8'))).scan_id).toBe(scan_id);
    // Clones are removed on the way out.
    expect(listFiles(join(work.dir, 'tmp', 'linkops-clones'))).toEqual([]);

    // A fresh process sees the scan done and the queue empty.
    const again = await spawnService('audit_assess', { env, logDir: work.dir, label: 'again' });
    procs.push(again);
    expect((await json<{ status: string }>(await fetch(`${again.url}/scan/${scan_id}`))).status).toBe('done');
    const q = await json<{ queues: Array<{ name: string; counts: { active: number; waiting: number } }> }>(await fetch(`${again.url}/queues`));
    const scanQ = q.queues.find((x) => x.name === 'audit.scan')!;
    expect(scanQ.counts.active + scanQ.counts.waiting).toBe(0);
  }, 180_000);
});
