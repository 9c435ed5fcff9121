import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVICES } from '@linkops/shared';
import { bootFleet, type Fleet } from './helpers/fleet.js';
import { makeRepo } from './helpers/fixture-repo.js';
import { testRedisUrl } from './helpers/redis.js';

/** The README's marked examples: `<!-- example: name -->` followed by a ```sh block. */
function examples(): Map<string, string> {
  const md = readFileSync('README.md', 'utf8');
  const out = new Map<string, string>();
  for (const m of md.matchAll(/<!-- example: ([\w-]+) -->\s*```sh\n([\s\S]*?)```/g)) out.set(m[1]!, m[2]!);
  return out;
}

describe('README examples run as written against a fleet', () => {
  let fleet: Fleet;
  let repo: string;
  const blocks = examples();
  beforeAll(async () => {
    repo = makeRepo();
    fleet = await bootFleet({ redisUrl: testRedisUrl(), env: { AUDIT_ALLOW_LOCAL: '1' } });
  }, 180_000);
  afterAll(async () => {
    await fleet?.stop();
    rmSync(repo, { recursive: true, force: true });
  }, 30_000);

  /** Points the documented default ports at this fleet's ports and the sample repo at a local fixture. */
  const run = (name: string): string => {
    let script = blocks.get(name);
    if (!script) throw new Error(`README has no example "${name}"`);
    for (const s of SERVICES) script = script.replaceAll(`localhost:${s.port}`, fleet.urls[s.name]!.replace('http://', ''));
    script = script.replaceAll('https://github.com/org/repo', repo);
    return execFileSync('bash', ['-euo', 'pipefail', '-c', script], { encoding: 'utf8', timeout: 150_000 });
  };

  it('has the examples the tests run', () => {
    expect([...blocks.keys()].sort()).toEqual(['audit', 'health', 'search', 'submit']);
  });

  it('audit: returns the full report', () => {
    const report = JSON.parse(run('audit')) as { score: number; services: unknown[]; findings: unknown[] };
    expect(report.score).toBeGreaterThanOrEqual(0);
    expect(report.services.length).toBeGreaterThanOrEqual(2);
    expect(report.findings.length).toBeGreaterThan(0);
  }, 160_000);

  it('submit: returns the record id and journey url', () => {
    const r = JSON.parse(run('submit')) as { id: string; journey_url: string };
    expect(r.journey_url).toBe(`/data/${r.id}`);
  });

  it('search and index: answer JSON', () => {
    // curl prints each body without a trailing newline: split the two documents where they meet.
    const [search, index] = run('search').trim().replace(/}\s*{"apiVersion"/, '}\n{"apiVersion"').split('\n');
    expect(JSON.parse(search!)).toHaveProperty('results');
    expect(JSON.parse(index!)).toMatchObject({ apiVersion: 'v1' });
  });

  it('health: ready, queue metrics and queue counts', () => {
    const out = run('health');
    expect(out).toContain('"status":"ready"');
    expect(out).toMatch(/linkops_queue_jobs\{/);
    expect(out).toContain('"name":"whis.sanitize"');
  });
});
