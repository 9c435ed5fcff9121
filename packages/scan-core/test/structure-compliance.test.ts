import { afterAll, describe, expect, it } from 'vitest';
import { ServiceInfoSchema, type Finding } from '@linkops/shared/contracts';
import { aggregateScore, computeCompliance, detectServices } from '../src/index.js';
import { FIXTURE, fsReader, hardenedRepo, remove, richRepo, tempDir, writeTree } from './helpers.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach(remove));
function repo(files: Record<string, string>) {
  const root = tempDir('struct');
  dirs.push(root);
  writeTree(root, files);
  return { root, paths: Object.keys(files).sort(), readFile: fsReader(root) };
}
const secretFinding = (line: number): Finding => ({
  rule_id: 'aws-access-key', scanner: 'secrets', severity: 'critical', title: 'AWS key', message: 'key',
  location: { path: 'services/api/.env', start_line: line, end_line: line }, evidence: 'AKIA…', remediation: '', references: [], fingerprint: `fp${line}`,
});

describe('detectServices on the acceptance fixture', () => {
  it('finds api, worker and db with ports, frameworks, infrastructure and edges', async () => {
    const { root, paths, readFile } = repo(FIXTURE);
    const { services, edges } = await detectServices(root, paths, readFile);
    for (const s of services) expect(ServiceInfoSchema.safeParse(s).success).toBe(true);
    const by = Object.fromEntries(services.map((s) => [s.name, s]));
    expect(Object.keys(by).sort()).toEqual(['api', 'db', 'worker']);
    expect(by.api!.ports).toEqual([3000]);
    expect(by.worker!.ports).toEqual([5000]);
    expect(by.db!.ports).toEqual([5432]);
    expect(by.api!.frameworks).toEqual(['express']);
    expect(by.worker!.frameworks).toEqual(['flask']);
    expect(by.api!.runtime).toBe('node');
    expect(by.worker!.runtime).toBe('python');
    expect(by.db!.runtime).toBe('image');
    expect(by.db!.path).toBeNull();
    expect(by.db!.image).toBe('postgres');
    expect(by.db!.infrastructure).toEqual(['postgres']);
    expect(by.api!.infrastructure).toContain('postgres');
    expect(by.api!.depends_on).toEqual(['db', 'worker']);
    expect(edges.map((e) => `${e.from}->${e.to}`)).toEqual(['api->db', 'api->worker']);
    expect(edges[0]!.via).toContain('env:DATABASE_URL');
    expect(by.api!.entrypoint).toBe('services/api/index.js');
    expect(by.worker!.entrypoint).toBe('services/worker/app.py');
    expect(by.api!.health_path).toBe('/health');
    expect(by.api!.env).toEqual(['DATABASE_URL', 'PORT']);
    expect(by.api!.assets.dockerfile).toBe('services/api/Dockerfile');
    expect(by.api!.assets.kubernetes).toEqual(['k8s/api.yaml']);
    expect(by.worker!.assets.kubernetes).toEqual([]);
    expect(by.worker!.notes.join(' ')).toMatch(/privileged/);
    expect(by.api!.languages[0]).toMatchObject({ language: 'JavaScript', share: 1 });
    // Env values (the database password) never reach the structure report.
    expect(JSON.stringify(services)).not.toContain('Sup3rS3cretPassw0rd');
  });
});

describe('detectServices on a richer repo', () => {
  it('merges compose build contexts, ignores fixtures and node_modules, links env URLs', async () => {
    const { root, paths, readFile } = repo(richRepo());
    const { services, edges } = await detectServices(root, paths, readFile);
    const by = Object.fromEntries(services.map((s) => [s.name, s]));
    expect(Object.keys(by).sort()).toEqual(['backend', 'cache', 'frontend', 'queue']);
    expect(by.frontend).toMatchObject({ path: 'apps/frontend', runtime: 'node', frameworks: ['next'], ports: [80], entrypoint: 'next start' });
    expect(by.backend).toMatchObject({ path: 'apps/backend', runtime: 'python', frameworks: ['fastapi'], ports: [8000], health_path: '/healthz' });
    expect(by.backend!.entrypoint).toBe('apps/backend/backend/__main__.py');
    expect(by.backend!.infrastructure).toEqual(['redis']);
    expect(by.backend!.env).toEqual(['BROKER_URL', 'PORT', 'REDIS_URL']);
    expect(by.cache).toMatchObject({ runtime: 'image', image: 'redis:7.2-alpine', infrastructure: ['redis'] });
    expect(by.queue!.infrastructure).toEqual(['rabbitmq']);
    expect(edges).toEqual([
      { from: 'backend', to: 'cache', via: 'env:REDIS_URL' },
      { from: 'frontend', to: 'backend', via: 'depends_on, env:API_URL' },
    ]);
    expect(by.backend!.assets.kubernetes).toEqual(['k8s/backend.yaml']);
    expect(by.frontend!.assets.kubernetes).toEqual(['k8s/frontend.yaml']);
    expect(by.backend!.notes.join(' ')).toMatch(/env_file/);
    expect(by.frontend!.notes.join(' ')).toMatch(/bind mount/);
    expect(services.map((s) => s.name)).not.toContain('left-pad');
    expect(services.map((s) => s.name)).not.toContain('not-a-service');
  });

  it('treats a plain single-manifest root as one service and a workspace root as none', async () => {
    const single = repo({ 'go.mod': 'module x\n\nrequire github.com/labstack/echo/v4 v4.11.0\n', 'main.go': 'package main\nfunc main() { e.Start(":1323") }\n' });
    const s1 = await detectServices(single.root, single.paths, single.readFile);
    expect(s1.services).toHaveLength(1);
    expect(s1.services[0]).toMatchObject({ path: '.', runtime: 'go', frameworks: ['echo'], ports: [1323], entrypoint: 'main.go' });
    const ws = repo({ 'package.json': '{"private":true,"workspaces":["packages/*"]}', 'packages/a/package.json': '{"dependencies":{"koa":"2"}}', 'packages/b/Cargo.toml': '[package]\nname="b"\n', 'packages/a/lib/package.json': '{}' });
    const s2 = await detectServices(ws.root, ws.paths, ws.readFile);
    expect(s2.services.map((s) => [s.name, s.runtime, s.frameworks])).toEqual([['a', 'node', ['koa']], ['b', 'rust', []]]);
  });
});

describe('computeCompliance', () => {
  async function comply(files: Record<string, string>, findings: Finding[] = []) {
    const r = repo(files);
    const { services } = await detectServices(r.root, r.paths, r.readFile);
    return computeCompliance({ services, paths: r.paths, readFile: r.readFile, findings });
  }

  it('scores the hardened repo at least 85 with evidence', async () => {
    const { score, checks } = await comply(hardenedRepo());
    expect(score).toBeGreaterThanOrEqual(85);
    expect(checks).toHaveLength(17);
    const by = Object.fromEntries(checks.map((c) => [c.id, c]));
    expect(by['container-non-root']!.evidence).toEqual(['services/api/Dockerfile', 'services/web/Dockerfile']);
    expect(by['gitops-controller']!.score).toBe(10);
    expect(by['environment-overlays']!.score).toBe(10);
    expect(by['resource-limits']!.score).toBe(10);
    expect(by['dependencies-pinned']!.score).toBe(10);
    expect(by['workflow-token-permissions']!.evidence).toEqual(['.github/workflows/ci.yml']);
  });

  it('scores the fixture low and explains why', async () => {
    const findings = [1, 2, 3, 4, 5].map(secretFinding);
    const { score, checks } = await comply(FIXTURE, findings);
    expect(score).toBeLessThan(40);
    const by = Object.fromEntries(checks.map((c) => [c.id, c]));
    expect(by['no-secrets']).toMatchObject({ score: 0, risk: 'critical', weight: 10 });
    expect(by['container-non-root']!.score).toBe(0);
    expect(by['container-pinned-base']!.score).toBe(5);
    expect(by['container-pinned-base']!.evidence).toEqual(['services/api/Dockerfile:1 node:latest']);
    expect(by['kubernetes-manifests']!.score).toBe(5);
    expect(by['gitops-controller']!.score).toBe(0);
    expect(by['workflow-token-permissions']!.score).toBe(0);
    expect(by['health-checks']!.score).toBe(0);
    expect(by['resource-limits']!.score).toBe(0);
    expect(by['ci-present']!.score).toBe(10);
    expect(by['container-non-root']!.fixed_by).toEqual(['dockerfile-patch']);
    // Same input, same output.
    expect((await comply(FIXTURE, findings)).checks).toEqual(checks);
  });

  it('applies vulnerability penalties and marks checks not applicable', async () => {
    const vuln = (severity: 'critical' | 'high', i: number): Finding => ({ ...secretFinding(i), scanner: 'vulns', severity, fingerprint: `v${i}` });
    const { checks } = await comply({ 'package.json': '{"dependencies":{"a":"1"}}' }, [vuln('critical', 1), vuln('high', 2)]);
    const by = Object.fromEntries(checks.map((c) => [c.id, c]));
    expect(by['no-vulnerable-dependencies']!.score).toBe(3);
    expect(by['workflow-token-permissions']!.score).toBeNull();
    expect(by['resource-limits']!.score).toBeNull();
    const empty = await comply({ 'README.md': 'hi' });
    expect(empty.checks.find((c) => c.id === 'no-vulnerable-dependencies')!.score).toBeNull();
  });

  it('aggregates with risk weights over applicable checks', () => {
    expect(aggregateScore([{ weight: 10, score: 10 }, { weight: 2.5, score: 0 }, { weight: 5, score: null }])).toBe(80);
    expect(aggregateScore([])).toBe(0);
  });
});
