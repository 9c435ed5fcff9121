import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startService, type Artifact, type DeadLetter, type RunningService } from '@linkops/shared';
import { smithArtifacts } from '@linkops/forge';
import { service as logic } from '../../services/whis_logic/src/service.js';
import { service as assess } from '../../services/audit_assess/src/service.js';
import { SEED } from '../../packages/forge/test/fixtures.js';
import { tempDir, testRedisUrl, uniquePrefix, waitFor } from '../helpers/redis.js';
import { deletePrefix, json, post } from './helpers.js';

describe('fault: poison jobs end in the dead-letter queue and can be re-driven', () => {
  const redisUrl = testRedisUrl();
  const prefix = uniquePrefix('poison');
  const data = tempDir('poison');
  let svc: RunningService;
  let audit: RunningService;

  beforeAll(async () => {
    const env = { REDIS_URL: redisUrl, QUEUE_PREFIX: prefix, DATA_DIR: data.dir, LOG_LEVEL: 'silent', MODE: 'all', AUDIT_ALLOW_LOCAL: '1' };
    svc = await startService(logic, { port: 0, env });
    audit = await startService(assess, { port: 0, env });
  });
  afterAll(async () => {
    await svc?.stop();
    await audit?.stop();
    await deletePrefix(redisUrl, prefix);
    data.cleanup();
  });

  it('whis.publish of an immutable-conflicting version: dead-lettered at once (retrying cannot help), visible, re-driven after the cause is removed', async () => {
    const orb = smithArtifacts([SEED]).find((a) => a.meta.kind === 'orb')!;
    const first: Artifact = orb;
    const conflicting: Artifact = { ...orb, content: `${orb.content}\n# changed after publishing\n`, meta: { ...orb.meta, digest: `sha256:${'b'.repeat(64)}` } };
    const { id, version } = orb.meta;

    await svc.ctx.queues.enqueue('whisPublish', { artifact: first, record_ids: [] });
    await waitFor(async () => (await fetch(`${svc.url}/orbs/${id}`)).status === 200, 15_000);

    const jobId = await svc.ctx.queues.enqueue('whisPublish', { artifact: conflicting, record_ids: [] });
    const page = await waitFor(
      async () => {
        const r = await json<{ total: number; items: DeadLetter[] }>(await fetch(`${svc.url}/queues/whis.publish/dlq`));
        return r.total > 0 ? r : undefined;
      },
      30_000,
      200,
    );
    expect(page.total).toBe(1);
    const letter = page.items[0]!;
    expect(letter.job_id).toBe(jobId);
    expect(letter.queue).toBe('whis.publish');
    expect(letter.attempts).toBe(1);
    expect(letter.reason).toContain(`${id}@${version} is already published`);
    expect((letter.payload as { artifact: Artifact }).artifact.meta.digest).toBe(conflicting.meta.digest);
    // The version served is still the first one: the poison changed nothing.
    expect((await json<Artifact>(await fetch(`${svc.url}/orbs/${id}`))).content).toBe(first.content);

    // Unknown letters and queues are 404s, not 500s.
    expect((await fetch(`${svc.url}/queues/whis.publish/dlq/nope/redrive`, { method: 'POST' })).status).toBe(404);
    expect((await fetch(`${svc.url}/queues/audit.scan/dlq`)).status).toBe(404);

    // An operator removes the conflicting version (the cause), then re-drives the letter.
    rmSync(join(data.dir, 'whis_logic', 'orbs', id, version), { recursive: true, force: true });
    const redrive = await fetch(`${svc.url}/queues/whis.publish/dlq/${encodeURIComponent(jobId)}/redrive`, { method: 'POST' });
    expect(redrive.status).toBe(200);
    expect(await redrive.json()).toEqual({ redriven: jobId });

    await waitFor(async () => {
      const a = await json<Artifact>(await fetch(`${svc.url}/orbs/${id}/versions/${version}`));
      return a.meta?.digest === conflicting.meta.digest;
    }, 20_000, 200);
    expect((await json<{ total: number }>(await fetch(`${svc.url}/queues/whis.publish/dlq`))).total).toBe(0);
    expect(await (await svc.ctx.queues.queue('whis.publish').getJob(jobId))?.getState()).toBe('completed');
  }, 60_000);

  it('an audit.scan job whose payload can never validate is dead-lettered at once and re-drivable', async () => {
    // Bypass the producer's validation, as a bad producer or a schema change would.
    await audit.ctx.queues.queue('audit.scan').add('audit.scan', { correlation_id: 'poison', repo_url: '/nowhere' }, { jobId: 'scan_poison0000001', attempts: 2 });
    const page = await waitFor(
      async () => {
        const r = await json<{ total: number; items: DeadLetter[] }>(await fetch(`${audit.url}/queues/audit.scan/dlq`));
        return r.total > 0 ? r : undefined;
      },
      20_000,
      200,
    );
    expect(page.items[0]!.job_id).toBe('scan_poison0000001');
    expect(page.items[0]!.reason).toContain('scan_id');
    expect(page.items[0]!.attempts).toBe(1);
    const r = await post(`${audit.url}/queues/audit.scan/dlq/scan_poison0000001/redrive`, {});
    expect(r.status).toBe(200);
    // Still poison: it comes straight back to the DLQ, with the same id.
    await waitFor(async () => (await json<{ total: number; items: DeadLetter[] }>(await fetch(`${audit.url}/queues/audit.scan/dlq`))).total === 1, 20_000, 200);
  }, 60_000);

  it('an audit.scan for a repository path that does not exist fails for good without retries (scan status says why)', async () => {
    const scan_id = 'scan_missingrepo00001';
    await audit.ctx.redis.set(`${prefix}:scan:${scan_id}`, JSON.stringify({ scan_id, status: 'queued', repo_url: '/nowhere/repo', ref: null, phase: 'queued', files_done: 0, files_total: 0, created_at: '', updated_at: '' }));
    await audit.ctx.queues.enqueue('auditScan', { scan_id, repo_url: join(data.dir, 'does-not-exist'), ref: null, history: false, migrate: false });
    const s = await waitFor(async () => {
      const st = await json<{ status: string; reason?: string }>(await fetch(`${audit.url}/scan/${scan_id}`));
      return st.status === 'failed' ? st : undefined;
    }, 20_000, 200);
    expect(s.reason).toBeTruthy();
    const job = await audit.ctx.queues.queue('audit.scan').getJob(scan_id);
    expect(job?.attemptsMade).toBe(1);
  }, 40_000);
});
