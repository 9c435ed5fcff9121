import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startService, type RunningService, type SanitizedRecord } from '@linkops/shared';
import { service } from '../../services/whis_smithing/src/service.js';
import { tempDir, testRedisUrl, uniquePrefix } from '../helpers/redis.js';
import { clearPrefix, expectBodyAttacksRefused, fields, post, send } from '../helpers/bad-input.js';


const RECORD: SanitizedRecord = {
  id: 'rec-bad-smith',
  task: 'Deploy the API with Helm',
  answer: 'Create a chart and upgrade the release',
  tags: [],
  source: 'human',
  classification: { domain: 'deploy', platform: 'helm', topic: 'deploy', confidence: 0.9, evidence: [] },
  steps: [{ order: 1, text: 'Create a Helm chart for the service' }],
  quality: { score: 0.9, reasons: [] },
  redactions: [],
  content_hash: 'h',
};

describe('whis_smithing refuses bad input clearly', () => {
  const data = tempDir('smith-bad');
  const prefix = uniquePrefix('smith-bad');
  let svc: RunningService;
  beforeAll(async () => {
    svc = await startService(service, { port: 0, env: { REDIS_URL: testRedisUrl(), QUEUE_PREFIX: prefix, DATA_DIR: data.dir, LOG_LEVEL: 'silent', BODY_LIMIT_BYTES: String(64 * 1024) } });
  });
  afterAll(async () => {
    await svc?.stop();
    await clearPrefix(prefix);
    data.cleanup();
  });

  it('malformed, oversized, deeply nested and invalid UTF-8 bodies on POST /smith', async () => {
    await expectBodyAttacksRefused(`${svc.url}/smith`, { ...RECORD });
  });

  it('wrong types and missing fields name the field', async () => {
    const missing = await send(`${svc.url}/smith`, post({}));
    expect(missing.status).toBe(400);
    expect(fields(missing.body)).toEqual(expect.arrayContaining(['body.id', 'body.task', 'body.answer', 'body.classification', 'body.steps']));
    for (const [patch, field] of [
      [{ steps: 'do it' }, 'body.steps'],
      [{ steps: [{ order: 'one', text: 5 }] }, 'body.steps.0.order'],
      [{ classification: { platform: 1 } }, 'body.classification.domain'],
      [{ quality: { score: 7, reasons: [] } }, 'body.quality.score'],
      [{ source: 'martian' }, 'body.source'],
      [{ tags: 'a,b' }, 'body.tags'],
    ] as const) {
      const r = await send(`${svc.url}/smith`, post({ ...RECORD, ...patch }));
      expect(r.status, JSON.stringify(patch)).toBe(400);
      expect(fields(r.body), JSON.stringify(patch)).toContain(field);
    }
  });

  it('hostile classification values give a usable preview or a 400, never a 500', async () => {
    for (const [platform, topic] of [
      ['../../etc', '../../passwd'],
      ['', ''],
      ['🙂', '日本語のトピック'],
      ['helm', 'a'.repeat(5000)],
      ['helm', 'UPPER Case.With.Dots/and\\slashes'],
      ['helm', '\u0000\u0001'],
    ] as Array<[string, string]>) {
      const r = await send(`${svc.url}/smith`, post({ ...RECORD, classification: { ...RECORD.classification, platform, topic } }));
      expect([200, 400], `${platform}/${topic.slice(0, 20)}`).toContain(r.status);
      if (r.status === 200) {
        const ok = r.body as unknown as { orb: { meta: { id: string } }; rune: { meta: { id: string } } };
        expect(ok.orb.meta.id).toMatch(/^orb\.[a-z0-9-]+\.[a-z0-9-]+$/);
        expect(ok.rune.meta.id).toMatch(/^rune\.[a-z0-9-]+\.[a-z0-9-]+$/);
      }
    }
  });

  it('large but legal records are answered, not hung on', async () => {
    const steps = Array.from({ length: 250 }, (_, i) => ({ order: i + 1, text: `Step ${i}: helm upgrade the release ${'and check '.repeat(10)}` }));
    const r = await send(`${svc.url}/smith`, post({ ...RECORD, steps, answer: 'a '.repeat(2_000) }), 30_000);
    expect([200, 400]).toContain(r.status);
    const injection = await send(`${svc.url}/smith`, post({ ...RECORD, steps: [{ order: 1, text: '"; rm -rf / #\n```\n{{ evil }}\n${{ secrets.TOKEN }}' }] }));
    expect(injection.status).toBe(200);
  });

  it('stays healthy afterwards', async () => {
    expect((await fetch(`${svc.url}/health`)).status).toBe(200);
    expect((await fetch(`${svc.url}/smith`, post(RECORD))).status).toBe(200);
  });
});
