import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditReportSchema } from '@linkops/shared';
import { DisposableRedis, freePort, tempDir, uniquePrefix, waitFor } from '../helpers/redis.js';
import { json, listFiles, makeBigRepo, post, spawnService, stopProcess, type ServiceProcess } from './helpers.js';

interface Journey {
  status: string;
  events: Array<{ stage: string }>;
}

/** Distinct, acceptable pairs (different platforms and numbers so they are not near-duplicates of each other). */
function pair(i: number) {
  const tools = ['Helm', 'Argo CD', 'Terraform', 'GitHub Actions', 'Kustomize', 'Prometheus', 'Docker', 'Ansible'];
  const tool = tools[i % tools.length]!;
  return {
    task: `Roll out service-${i} (${tool}) to the cluster number ${i * 7919}`,
    answer: `1. Install ${tool} release ${i}.${i % 13}. 2. Configure the values file for service-${i} with ${i * 31} replicas. 3. Run the ${tool} sync for environment env-${i} and verify the health check on port ${8000 + i}.`,
    tags: [`case-${i}`],
  };
}

const TERMINAL = new Set(['sanitized', 'variant', 'rejected', 'review', 'smithed', 'enhanced', 'published']);

/**
 * Redis (AOF) is killed and restarted while whis records flow and an audit runs: services report 503 with the
 * reason while it is down, 200 after; every acknowledged record reaches a terminal stage; the scan finishes.
 */
describe('fault: Redis restarts during a Whis batch and a scan', () => {
  const prefix = uniquePrefix('rr');
  const data = tempDir('rr-data');
  const work = tempDir('rr-work');
  let redis: DisposableRedis;
  const procs: Record<string, ServiceProcess> = {};

  beforeAll(async () => {
    redis = new DisposableRedis(await freePort(), true);
    await redis.start();
    makeBigRepo(join(work.dir, 'repo'), 1500);
    const env = { REDIS_URL: redis.url, QUEUE_PREFIX: prefix, DATA_DIR: data.dir, AUDIT_ALLOW_LOCAL: '1', TMPDIR: join(work.dir, 'tmp') };
    const started = await Promise.all(['whis_data_input', 'whis_sanitize', 'audit_assess'].map((n) => spawnService(n, { env, logDir: work.dir })));
    for (const p of started) procs[p.name] = p;
  }, 150_000);

  afterAll(async () => {
    await Promise.all(Object.values(procs).map((p) => stopProcess(p)));
    await redis?.dispose();
    data.cleanup();
    work.cleanup();
  });

  it('reconnects, reports readiness honestly, loses no acknowledged record, finishes the scan', async () => {
    const intake = procs.whis_data_input!.url;
    const assess = procs.audit_assess!.url;
    const acked: string[] = [];
    const submit = async (i: number) => {
      const r = await post(`${intake}/data`, pair(i));
      expect(r.status, `POST /data #${i} answered ${r.status}`).not.toBe(500);
      if (r.status === 201 || r.status === 200) acked.push((await json<{ id: string }>(r)).id);
      return r.status;
    };
    for (let i = 0; i < 15; i++) await submit(i);

    const scan = await post(`${assess}/scan/audit`, { repo_url: join(work.dir, 'repo') });
    expect(scan.status).toBe(202);
    const { scan_id } = await json<{ scan_id: string }>(scan);
    await waitFor(async () => (await json<{ status: string }>(await fetch(`${assess}/scan/${scan_id}`))).status !== 'queued', 30_000, 50);

    await redis.stop();
    for (const p of Object.values(procs)) {
      const ready = await waitFor(async () => {
        const r = await fetch(`${p.url}/ready`);
        return r.status === 503 ? json<{ status: string; reason: string }>(r) : undefined;
      }, 15_000, 200);
      expect(ready.status).toBe('unavailable');
      expect(ready.reason, `${p.name} says why it is not ready`).toMatch(/redis|queues/i);
      expect((await fetch(`${p.url}/health`)).status).toBe(200);
    }
    // Intake keeps accepting while Redis is down: records are on disk (fsynced) and in the outbox.
    const during: number[] = [];
    for (let i = 15; i < 20; i++) during.push(await submit(i));
    expect(during.every((s) => s === 201), `POST /data during the outage answered ${during.join(',')}`).toBe(true);

    // Keep Redis down until the audit has finished and failed to record its result; then it must be retried.
    // (Redis returning between that failure and the catch-all's "failed" write makes the scan fail for good:
    // a race in audit_assess, reported; this test holds the outage long enough to take the retry path.)
    await waitFor(() => procs.audit_assess!.lines().some((l) => l.msg === 'job failed; will retry' && l.job_id === scan_id), 90_000, 200);

    await redis.start();
    for (const p of Object.values(procs)) {
      await waitFor(async () => (await fetch(`${p.url}/ready`)).status === 200, 30_000, 200);
    }
    for (let i = 20; i < 25; i++) await submit(i);
    expect(acked.length).toBe(25);

    // Every acknowledged record reaches a terminal stage, each stage recorded once.
    const journeys = await waitFor(
      async () => {
        const all = await Promise.all(acked.map(async (id) => json<Journey>(await fetch(`${intake}/data/${id}/journey`))));
        return all.every((j) => TERMINAL.has(j.status)) ? all : undefined;
      },
      60_000,
      500,
    );
    for (const [i, j] of journeys.entries()) {
      const stages = j.events.map((e) => e.stage);
      expect(stages.filter((s) => s === 'received').length, `record ${acked[i]} received once: ${stages.join(',')}`).toBe(1);
      expect(stages.filter((s) => s === 'sanitized' || s === 'variant' || s === 'rejected').length, `record ${acked[i]}: ${stages.join(',')}`).toBe(1);
    }
    // The dataset file holds every acknowledged record exactly once.
    const ids = readFileSync(join(data.dir, 'whis_data_input', 'dataset.jsonl'), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { id: string }).id);
    expect([...ids].sort()).toEqual([...acked].sort());

    // The scan finishes (possibly on a retry) with a complete report and no temp files.
    const s = await waitFor(async () => {
      const st = await json<{ status: string; reason?: string }>(await fetch(`${assess}/scan/${scan_id}`));
      return st.status === 'done' || st.status === 'failed' ? st : undefined;
    }, 90_000, 500);
    expect(s.status, `scan ended ${s.status}: ${s.reason ?? ''}`).toBe('done');
    const reports = join(data.dir, 'audit_assess', 'reports');
    expect(listFiles(reports)).toEqual([`${scan_id}.json`]);
    expect(AuditReportSchema.parse(JSON.parse(readFileSync(join(reports, `${scan_id}.json`), 'utf8'))).scan_id).toBe(scan_id);
  }, 240_000);
});
