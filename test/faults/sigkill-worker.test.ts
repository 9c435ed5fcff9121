import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditReportSchema } from '@linkops/shared';
import { tempDir, testRedisUrl, uniquePrefix, waitFor } from '../helpers/redis.js';
import { deletePrefix, json, listFiles, makeBigRepo, post, spawnService, stopProcess, testQueues, type ServiceProcess } from './helpers.js';

/**
 * Two audit_assess workers share one queue; the one holding a scan is SIGKILLed mid-audit. BullMQ's stalled-job
 * recovery hands the scan to the survivor. The kit does not expose stalledInterval/lockDuration, so recovery takes
 * BullMQ's defaults (lock 30 s, stalled check every 30 s): this file runs ~60-90 s.
 */
describe('fault: SIGKILL a worker in the middle of a job', () => {
  const redisUrl = testRedisUrl();
  const prefix = uniquePrefix('kill');
  const data = tempDir('kill-data');
  const work = tempDir('kill-work');
  const procs: ServiceProcess[] = [];
  let repo = '';

  beforeAll(async () => {
    repo = makeBigRepo(join(work.dir, 'repo'), 2500);
    const env = { REDIS_URL: redisUrl, QUEUE_PREFIX: prefix, DATA_DIR: data.dir, AUDIT_ALLOW_LOCAL: '1', WORKER_CONCURRENCY: '1', TMPDIR: join(work.dir, 'tmp') };
    const [a, b] = await Promise.all([
      spawnService('audit_assess', { env, logDir: work.dir, label: 'a' }),
      spawnService('audit_assess', { env, logDir: work.dir, label: 'b' }),
    ]);
    procs.push(a, b);
  }, 150_000);

  afterAll(async () => {
    await Promise.all(procs.map((p) => stopProcess(p)));
    await deletePrefix(redisUrl, prefix);
    data.cleanup();
    work.cleanup();
  });

  it('the scan is retried by the other worker and its effects happen once', async () => {
    const res = await post(`${procs[0]!.url}/scan/audit`, { repo_url: repo, migrate: true });
    expect(res.status).toBe(202);
    const { scan_id } = await json<{ scan_id: string }>(res);

    const started = (p: ServiceProcess) => p.lines().some((l) => l.msg === 'job started' && l.job_id === scan_id);
    const holder = await waitFor(() => procs.find(started), 60_000, 25);
    const survivor = procs.find((p) => p !== holder)!;
    // Kill it while it is still working (the repository is large enough that the audit takes seconds).
    await waitFor(async () => ['cloning', 'scanning'].includes((await json<{ status: string }>(await fetch(`${holder.url}/scan/${scan_id}`))).status), 30_000, 25);
    holder.kill('SIGKILL');
    await holder.exited;
    expect(holder.lines().some((l) => l.msg === 'job completed' && l.job_id === scan_id), 'the killed worker had already finished: make the repo bigger').toBe(false);

    // BullMQ notices the dead lock and the survivor runs the job again.
    const done = await waitFor(
      async () => {
        const s = await json<{ status: string; score?: number }>(await fetch(`${survivor.url}/scan/${scan_id}`));
        return s.status === 'done' || s.status === 'failed' ? s : undefined;
      },
      120_000,
      500,
    );
    expect(done.status).toBe('done');
    expect(survivor.lines().filter((l) => l.msg === 'job started' && l.job_id === scan_id).length).toBe(1);
    expect(survivor.lines().filter((l) => l.msg === 'audit done' && l.scan_id === scan_id).length).toBe(1);

    // One report, complete, parseable; no temp files left by the killed writer.
    const reportsDir = join(data.dir, 'audit_assess', 'reports');
    const files = listFiles(reportsDir);
    expect(files).toEqual([`${scan_id}.json`]);
    const report = AuditReportSchema.parse(JSON.parse(readFileSync(join(reportsDir, `${scan_id}.json`), 'utf8')));
    expect(report.scan_id).toBe(scan_id);
    expect(report.score).toBe(done.score);

    // Exactly one follow-up migration job, nothing dead-lettered.
    const q = testQueues(redisUrl, prefix);
    const migrate = q.kit.queue('audit.migrate');
    const scanQ = q.kit.queue('audit.scan');
    const dlq = q.kit.queue('audit.scan.dlq');
    try {
      const m = await migrate.getJobs(['waiting', 'active', 'delayed', 'completed', 'failed']);
      expect(m.map((j) => j.id)).toEqual([`mig_${scan_id.slice(5)}`]);
      expect(await dlq.count()).toBe(0);
      const job = await scanQ.getJob(scan_id);
      expect(await job?.getState()).toBe('completed');
    } finally {
      await q.close();
    }
    const dl = await json<{ total: number }>(await fetch(`${survivor.url}/queues/audit.scan/dlq`));
    expect(dl.total).toBe(0);
  }, 200_000);
});
