import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startService, type RunningService } from '@linkops/shared';
import { service } from '../../services/whis_enhance/src/service.js';
import { tempDir, testRedisUrl, uniquePrefix } from '../helpers/redis.js';
import { clearPrefix, expectBodyAttacksRefused, fields, post, send } from '../helpers/bad-input.js';


interface EnhanceAnswer {
  content: string;
  score: number;
  decision: 'publish' | 'review';
  findings: string[];
}

const BILLION_LAUGHS = `a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
`;

describe('whis_enhance refuses bad input clearly', () => {
  const data = tempDir('enhance-bad');
  const prefix = uniquePrefix('enhance-bad');
  let svc: RunningService;
  beforeAll(async () => {
    svc = await startService(service, { port: 0, env: { REDIS_URL: testRedisUrl(), QUEUE_PREFIX: prefix, DATA_DIR: data.dir, LOG_LEVEL: 'silent', BODY_LIMIT_BYTES: String(64 * 1024) } });
  });
  afterAll(async () => {
    await svc?.stop();
    await clearPrefix(prefix);
    data.cleanup();
  });

  it('malformed, oversized, deeply nested and invalid UTF-8 bodies on POST /enhance', async () => {
    await expectBodyAttacksRefused(`${svc.url}/enhance`, { kind: 'orb', content: 'orb: {}' });
  });

  it('wrong types and missing fields name the field', async () => {
    const missing = await send(`${svc.url}/enhance`, post({}));
    expect(missing.status).toBe(400);
    expect(fields(missing.body)).toEqual(expect.arrayContaining(['body.kind', 'body.content']));
    for (const [body, field] of [
      [{ kind: 'potion', content: 'x' }, 'body.kind'],
      [{ kind: 'orb', content: '' }, 'body.content'],
      [{ kind: 'orb', content: { a: 1 } }, 'body.content'],
      [{ kind: ['orb'], content: 'x' }, 'body.kind'],
    ] as const) {
      const r = await send(`${svc.url}/enhance`, post(body));
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(fields(r.body)).toContain(field);
    }
    const limit = await send(`${svc.url}/review?limit=abc`);
    expect(limit.status).toBe(400);
    expect(fields(limit.body)).toContain('querystring.limit');
  });

  it('YAML alias bombs, deep and huge YAML get a clear answer, never a hang', async () => {
    const bomb = await send(`${svc.url}/enhance`, post({ kind: 'orb', content: BILLION_LAUGHS }));
    expect(bomb.status).toBe(200);
    const b = bomb.body as unknown as EnhanceAnswer;
    expect(b.decision).toBe('review');
    expect(b.findings.join('\n')).toMatch(/alias|YAML/i);
    expect(b.content).toBe(BILLION_LAUGHS);

    const deepFlow = `x: ${'['.repeat(5000)}${']'.repeat(5000)}`;
    const deep = await send(`${svc.url}/enhance`, post({ kind: 'orb', content: deepFlow }));
    expect([200, 400]).toContain(deep.status);
    if (deep.status === 200) expect((deep.body as unknown as EnhanceAnswer).decision).toBe('review');

    const deepBlock = Array.from({ length: 2000 }, (_, i) => `${'  '.repeat(i)}k${i}:`).join('\n') + ' v';
    const block = await send(`${svc.url}/enhance`, post({ kind: 'orb', content: deepBlock.slice(0, 60_000) }));
    expect([200, 400]).toContain(block.status);

    // Many small documents / keys, right under the body cap.
    const wide = Array.from({ length: 3000 }, (_, i) => `key${i}: value ${i}`).join('\n');
    const w = await send(`${svc.url}/enhance`, post({ kind: 'orb', content: wide }), 30_000);
    expect(w.status).toBe(200);
    expect((w.body as unknown as EnhanceAnswer).decision).toBe('review');

    const tabs = await send(`${svc.url}/enhance`, post({ kind: 'orb', content: 'a:\n\t- b\n  : : :\n---\n--- !!python/object:os.system "rm -rf /"' }));
    expect(tabs.status).toBe(200);
    expect((tabs.body as unknown as EnhanceAnswer).decision).toBe('review');
  });

  it('huge YAML beyond the content cap is a 400 naming body.content', async () => {
    const bigSvc = await startService(service, { port: 0, env: { REDIS_URL: testRedisUrl(), QUEUE_PREFIX: prefix, DATA_DIR: data.dir, LOG_LEVEL: 'silent', BODY_LIMIT_BYTES: String(2 * 1024 * 1024) } });
    try {
      const huge = 'items:\n' + '  - name: step\n    run: echo hello\n'.repeat(20_000);
      const r = await send(`${bigSvc.url}/enhance`, post({ kind: 'orb', content: huge }), 30_000);
      expect(r.status).toBe(400);
      expect(fields(r.body)).toContain('body.content');
      // Right under the cap: answered with a result.
      const under = 'items:\n' + '  - name: step\n    run: echo hello\n'.repeat(14_000);
      const u = await send(`${bigSvc.url}/enhance`, post({ kind: 'orb', content: under }), 60_000);
      expect(u.status).toBe(200);
    } finally {
      await bigSvc.stop();
    }
  });

  it('pathological rune content is scored, not hung on', async () => {
    for (const content of [
      '"""' + 'a'.repeat(50_000),
      '#'.repeat(50_000),
      'def ' + 'f'.repeat(40_000) + '(:',
      '\u0000\u0001\u0002 import os',
      ' '.repeat(50_000) + 'x',
    ]) {
      const r = await send(`${svc.url}/enhance`, post({ kind: 'rune', content }));
      expect(r.status, content.slice(0, 20)).toBe(200);
      expect(typeof (r.body as unknown as EnhanceAnswer).score).toBe('number');
    }
  });

  it('stays healthy afterwards', async () => {
    expect((await fetch(`${svc.url}/health`)).status).toBe(200);
    const r = await fetch(`${svc.url}/enhance`, post({ kind: 'rune', content: 'print("hi")\n' }));
    expect(r.status).toBe(200);
  });
});
