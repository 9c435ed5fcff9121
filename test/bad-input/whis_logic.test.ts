import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startService, type Artifact, type RunningService } from '@linkops/shared';
import { smithArtifacts } from '@linkops/forge';
import { service } from '../../services/whis_logic/src/service.js';
import { tempDir, testRedisUrl, uniquePrefix, waitFor } from '../helpers/redis.js';
import { clearPrefix, fields, post, postRaw, raw, send } from '../helpers/bad-input.js';

describe('whis_logic refuses bad input clearly', () => {
  const data = tempDir('logic-bad');
  const prefix = uniquePrefix('logic-bad');
  let svc: RunningService;
  let orb: Artifact;

  beforeAll(async () => {
    svc = await startService(service, { port: 0, env: { REDIS_URL: testRedisUrl(), QUEUE_PREFIX: prefix, DATA_DIR: data.dir, LOG_LEVEL: 'silent', BODY_LIMIT_BYTES: String(64 * 1024) } });
    [orb] = smithArtifacts([
      {
        id: 'rec-bad-1', task: 'Deploy the API with Helm', answer: 'x', tags: [], source: 'human',
        classification: { domain: 'deploy', platform: 'helm', topic: 'deploy', confidence: 0.9, evidence: [] },
        steps: [{ order: 1, text: 'Create a Helm chart for the service' }], quality: { score: 0.9, reasons: [] }, redactions: [], content_hash: 'h1',
      },
    ]) as [Artifact];
    await svc.ctx.queues.enqueue('whisPublish', { artifact: orb, record_ids: [] }, 'bad-input');
    await waitFor(async () => (await fetch(`${svc.url}/orbs/${orb.meta.id}`)).status === 200);
  });
  afterAll(async () => {
    await svc?.stop();
    await clearPrefix(prefix);
    data.cleanup();
  });

  const good = () => ({ artifact: orb.meta.id, version: orb.meta.version, outcome: 'success', agent: 'agent-1' });

  it('malformed JSON, wrong types and missing fields on POST /feedback', async () => {
    const malformed = await send(`${svc.url}/feedback`, postRaw('{"artifact": "orb.helm.deploy",'));
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe('invalid_json');

    const wrong = await send(`${svc.url}/feedback`, post({ artifact: 5, version: [], outcome: 'success', agent: {}, duration_ms: 'fast' }));
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.code).toBe('validation_failed');
    expect(fields(wrong.body)).toEqual(expect.arrayContaining(['body.artifact', 'body.version', 'body.agent', 'body.duration_ms']));

    const missing = await send(`${svc.url}/feedback`, post({}));
    expect(missing.status).toBe(400);
    expect(fields(missing.body)).toEqual(expect.arrayContaining(['body.artifact', 'body.version', 'body.outcome', 'body.agent']));

    for (const [patch, field] of [
      [{ outcome: 'meh' }, 'body.outcome'],
      [{ outcome: null }, 'body.outcome'],
      [{ duration_ms: -5 }, 'body.duration_ms'],
      [{ duration_ms: 1.5 }, 'body.duration_ms'],
      [{ notes: 'n'.repeat(5001) }, 'body.notes'],
      [{ agent: '' }, 'body.agent'],
    ] as const) {
      const r = await send(`${svc.url}/feedback`, post({ ...good(), ...patch }));
      expect(r.status, JSON.stringify(patch).slice(0, 60)).toBe(400);
      expect(fields(r.body)).toContain(field);
    }
    expect((await send(`${svc.url}/feedback`, postRaw('[]'))).status).toBe(400);
    expect((await send(`${svc.url}/feedback`, postRaw('null'))).status).toBe(400);
    expect((await send(`${svc.url}/feedback`, postRaw(''))).status).toBe(400);
    // Not JSON by content type: refused (415 or 400 naming the body), never parsed as feedback.
    const text = await send(`${svc.url}/feedback`, postRaw(JSON.stringify(good()), 'text/plain'));
    expect([400, 415]).toContain(text.status);
    const xml = await send(`${svc.url}/feedback`, postRaw('<feedback/>', 'application/xml'));
    expect(xml.status).toBe(415);
  });

  it('feedback for unknown artifacts or versions is 404, ids that are not ids are 400', async () => {
    const unknown = await send(`${svc.url}/feedback`, post({ ...good(), artifact: 'orb.helm.nothing' }));
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('not_found');
    expect((await send(`${svc.url}/feedback`, post({ ...good(), version: '7.0.0' }))).status).toBe(404);
    expect((await send(`${svc.url}/feedback`, post({ ...good(), version: 'latest' }))).status).toBe(404);
    const traversal = await send(`${svc.url}/feedback`, post({ ...good(), artifact: '../../etc/passwd' }));
    expect(traversal.status).toBe(400);
    expect(traversal.body.error.code).toBe('invalid_id');
    expect(fields(traversal.body)).toEqual(['body.artifact']);
    const badRange = await send(`${svc.url}/feedback`, post({ ...good(), version: '^^1' }));
    expect(badRange.status).toBe(400);
  });

  it('oversized, deeply nested and invalid UTF-8 bodies', async () => {
    const big = await send(`${svc.url}/feedback`, post({ ...good(), notes: 'x'.repeat(200 * 1024) }));
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe('payload_too_large');

    const deep = await send(`${svc.url}/feedback`, postRaw(`{"artifact":${'['.repeat(20_000)}${']'.repeat(20_000)}}`));
    expect(deep.status).toBe(400);
    expect(deep.body.error.message).toMatch(/nested deeper/);

    const bytes = Buffer.concat([Buffer.from(`{"artifact":"${orb.meta.id}","version":"${orb.meta.version}","outcome":"success","agent":"`), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}')]);
    const utf = await send(`${svc.url}/feedback`, postRaw(bytes));
    expect(utf.status).toBe(400);
    expect(utf.body.error.message).toMatch(/UTF-8/);

    const proto = await send(`${svc.url}/feedback`, postRaw(`{"__proto__":{"admin":true},"artifact":"${orb.meta.id}"}`));
    expect(proto.status).toBe(400);
  });

  it('path traversal in ids never reaches the disk', async () => {
    const paths = [
      '/orbs/..%2f..%2fetc%2fpasswd',
      '/orbs/..%2f..%2fetc%2fpasswd/raw',
      '/orbs/..%2f..%2fetc%2fpasswd/versions',
      '/orbs/..%2f..%2fetc%2fpasswd/versions/1.0.0',
      '/orbs/..%2f..%2fetc%2fpasswd/stats',
      '/runes/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
      '/runes/%2e%2e%2f%2e%2e%2fetc%2fpasswd/raw',
      '/orbs/%2Fetc%2Fpasswd',
      '/orbs/%2Fetc%2Fpasswd/raw',
      '/orbs/C:%5CWindows%5Cwin.ini',
      '/orbs/orb.helm.deploy%00.yaml',
      '/orbs/orb.helm..%2f..%2fx',
      '/runes/orb.helm.deploy',
    ];
    for (const p of paths) {
      const r = await send(svc.url + p);
      expect([400, 404], p).toContain(r.status);
      expect(r.body.error.code, p).toMatch(/invalid_id|not_found|validation_failed/);
    }
    // Longer than any id: 414 from the router (its body is the router's own; see the report).
    const long = await fetch(`${svc.url}/orbs/${'a'.repeat(600)}`, { signal: AbortSignal.timeout(15_000) });
    expect(long.status).toBe(414);
    for (const p of ['/orbs/../../etc/passwd', '/orbs/..%2f..%2f/raw', '/runes/..\\..\\etc\\passwd', '/orbs//etc/passwd']) {
      // Sent byte for byte: fetch would normalise the ../ segments away.
      const r = await raw(svc.url, 'GET', p);
      expect([400, 404], p).toContain(r.status);
      expect(typeof r.body.error?.code).toBe('string');
    }
    // Deprecate/yank with a traversal in the version or id.
    const badVersion = await send(`${svc.url}/orbs/${orb.meta.id}/versions/..%2f..%2fx/deprecate`, post({ reason: 'x' }));
    expect(badVersion.status).toBe(400);
    expect(fields(badVersion.body)).toContain('params.version');
    const badId = await send(`${svc.url}/orbs/..%2fx/versions/1.0.0/yank`, post({ reason: 'x' }));
    expect(badId.status).toBe(400);
    const noBody = await send(`${svc.url}/orbs/${orb.meta.id}/versions/${orb.meta.version}/yank`, postRaw('{'));
    expect(noBody.status).toBe(400);
  });

  it('bad semver ranges are 400, and query strings are validated', async () => {
    for (const range of ['^^1', 'not-a-range', '1.2.3.4', '>>1', '~~1.2', '1.x.y.z']) {
      const r = await send(`${svc.url}/orbs/${orb.meta.id}/versions/${encodeURIComponent(range)}`);
      expect(r.status, range).toBe(400);
      expect(r.body.error.code).toMatch(/invalid_range|validation_failed/);
      expect(fields(r.body)).toContain('params.range');
    }
    expect((await send(`${svc.url}/orbs/${orb.meta.id}/versions/${'1'.repeat(300)}`)).status).toBe(400);
    for (const q of ['/orbs?limit=-1', '/orbs?limit=abc', '/orbs?offset=-3', '/orbs?channel=beta', '/runes?limit=100000', '/search', '/search?q=', `/search?q=${'a'.repeat(600)}`, '/search?q=helm&limit=0', '/search?q=helm&kind=potion']) {
      const r = await send(svc.url + q);
      expect(r.status, q).toBe(400);
      expect(r.body.error.code).toBe('validation_failed');
    }
    // Odd but valid queries answer normally.
    const odd = await fetch(`${svc.url}/search?q=${encodeURIComponent('"); DROP TABLE orbs; -- ${}* ^~ \u0000')}`);
    expect(odd.status).toBe(200);
  });

  it('stays healthy and serves afterwards', async () => {
    expect((await fetch(`${svc.url}/health`)).status).toBe(200);
    expect((await fetch(`${svc.url}/ready`)).status).toBe(200);
    const r = await fetch(`${svc.url}/feedback`, post(good()));
    expect(r.status).toBe(202);
    expect((await fetch(`${svc.url}/orbs/${orb.meta.id}/raw`)).status).toBe(200);
  });
});
