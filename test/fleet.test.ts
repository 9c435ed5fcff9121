import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVICES } from '@linkops/shared';
import { bootFleet, type Fleet } from './helpers/fleet.js';
import { parseExposition, testRedisUrl, waitFor } from './helpers/redis.js';

describe('the fleet: eight real processes on real Redis', () => {
  let fleet: Fleet;
  beforeAll(async () => {
    fleet = await bootFleet({ redisUrl: testRedisUrl(), env: { AUDIT_ALLOW_LOCAL: '1' } });
  }, 180_000);
  afterAll(async () => fleet?.stop(), 30_000);

  it('every service answers health, ready, metrics and docs', async () => {
    for (const s of SERVICES) {
      const url = fleet.urls[s.name]!;
      expect((await fetch(`${url}/health`)).status, s.name).toBe(200);
      const ready = await fetch(`${url}/ready`);
      expect(ready.status, s.name).toBe(200);
      const metrics = parseExposition(await (await fetch(`${url}/metrics`)).text());
      expect(metrics.get('process_resident_memory_bytes')?.[0]?.labels.service, s.name).toBe(s.name);
      expect(metrics.has('http_request_duration_seconds_bucket'), s.name).toBe(true);
      const owned = [...s.consumes];
      if (owned.length) expect(metrics.has('linkops_queue_jobs'), s.name).toBe(true);
      const docs = (await (await fetch(`${url}/docs/json`)).json()) as { openapi: string; info: { title: string } };
      expect(docs.info.title).toContain(s.name);
      const nf = await fetch(`${url}/definitely/not/here`);
      expect(nf.status).toBe(404);
      expect(await nf.json()).toMatchObject({ error: { code: 'not_found' } });
    }
  });

  it('a correlation id sent to whis_data_input shows up in the log of whis_sanitize, which consumes the job', async () => {
    const cid = `it-corr-${Date.now()}`;
    const r = await fetch(`${fleet.urls.whis_data_input}/data`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': cid },
      body: JSON.stringify({ task: 'Pin GitHub Actions to commit SHAs', answer: 'Replace every uses: tag with the full 40-character commit SHA and keep the tag as a comment; let Dependabot bump them.' }),
    });
    expect(r.status).toBe(201);
    expect(r.headers.get('x-request-id')).toBe(cid);
    await waitFor(() => fleet.logOf('whis_sanitize').split('\n').some((l) => l.includes(`"correlation_id":"${cid}"`)), 20_000, 200);
  });
});
