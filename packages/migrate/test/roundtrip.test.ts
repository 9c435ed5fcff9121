import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { createBundle, generateMigration, MigrationPlanSchema } from '../src/index.js';
import { buildRepo, fixtureReport, git, type FixtureRepo } from './fixture.js';

function hasKubectl(): boolean {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function applyPatch(repo: FixtureRepo, patch: string): void {
  const file = join(mkdtempSync(join(tmpdir(), 'linkops-patch-')), 'migration.patch');
  writeFileSync(file, patch);
  try {
    git(repo.dir, 'apply', '--check', file);
    git(repo.dir, 'apply', file);
  } finally {
    rmSync(join(file, '..'), { recursive: true, force: true });
  }
}

describe('round trip on the acceptance fixture (helm layout)', () => {
  let repo: FixtureRepo;
  beforeEach(() => {
    repo = buildRepo();
  });
  afterEach(() => repo.cleanup());

  it('produces a patch that git apply accepts and that reproduces `files` exactly', () => {
    const result = generateMigration(fixtureReport(repo.commit), {}, repo.readFile);
    expect(MigrationPlanSchema.parse(result.plan)).toEqual(result.plan);
    applyPatch(repo, result.patch);
    for (const [path, content] of Object.entries(result.files)) {
      expect(readFileSync(join(repo.dir, path), 'utf8'), path).toBe(content);
    }
    // Every file the plan lists is in the patch, and the other way round.
    expect(result.plan.outputs.map((o) => o.path)).toEqual(Object.keys(result.files));
    expect(result.patch.match(/^diff --git /gm)!.length).toBe(Object.keys(result.files).length);
    const status = git(repo.dir, 'status', '--porcelain');
    expect(status).toContain(' M services/api/Dockerfile');
    expect(status).toContain(' M .github/workflows/ci.yml');
    // Idempotent: on the migrated tree there is nothing left to generate.
    const again = generateMigration(fixtureReport(repo.commit), {}, repo.readFile);
    expect(again.patch).toBe('');
    expect(again.files).toEqual({});
  });

  it('covers what the GitOps checks look for', () => {
    const { files, plan } = generateMigration(fixtureReport(repo.commit), {}, repo.readFile);
    expect(Object.keys(files)).toEqual(
      expect.arrayContaining([
        'deploy/apps/api/chart/Chart.yaml',
        'deploy/apps/worker/chart/Chart.yaml',
        'deploy/apps/api/values-dev.yaml',
        'deploy/apps/api/values-staging.yaml',
        'deploy/apps/api/values-prod.yaml',
        'deploy/argocd/apps/applicationset.yaml',
        'deploy/argocd/apps/project.yaml',
        'deploy/argocd/root.yaml',
        '.github/workflows/linkops-build.yml',
        '.github/dependabot.yml',
        'SECURITY.md',
        'services/api/.dockerignore',
      ]),
    );
    expect(files['deploy/apps/db/chart/Chart.yaml']).toBeUndefined();
    expect(plan.services.find((s) => s.name === 'db')!.status).toBe('skipped');
    expect(plan.todo.some((t) => t.includes('managed database') && t.startsWith('db:'))).toBe(true);
    // The db dependency of api is visible in its chart values (external endpoint), not dropped.
    expect(YAML.parse(files['deploy/apps/api/chart/values.yaml']!).external).toEqual({ db: { host: '', port: 5432 } });
    // Plan ties outputs to findings by fingerprint.
    const report = fixtureReport(repo.commit);
    const latest = report.findings.find((f) => f.rule_id === 'dockerfile.latest-tag')!;
    const rootUser = report.findings.find((f) => f.rule_id === 'dockerfile.user-root')!;
    expect(plan.outputs.find((o) => o.path === 'services/api/Dockerfile')!.resolves).toContain(latest.fingerprint);
    expect(plan.outputs.find((o) => o.path === 'services/worker/Dockerfile')!.resolves).toContain(rootUser.fingerprint);
  });

  it('never writes planted credentials or literal secret env values', () => {
    const { files, patch, plan } = generateMigration(fixtureReport(repo.commit), {}, repo.readFile);
    const all = patch + JSON.stringify(files) + JSON.stringify(plan);
    for (const s of ['Sup3rS3cretPassw0rd', 'AKIAQX7ZD4K2M9PLN3TB', 'ghp_R7mK2xQ9vL4tN8pW3zY6bC1dF5gH0jS2aE4u']) expect(all).not.toContain(s);
    const values = YAML.parse(files['deploy/apps/api/chart/values.yaml']!);
    expect(values.env).toContainEqual({ name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: 'api-secrets', key: 'DATABASE_URL' } } });
    expect(plan.todo.some((t) => t.includes('api-secrets') && t.includes('DATABASE_URL'))).toBe(true);
  });

  it('is deterministic: two runs give byte-identical files, patch, plan and bundle', async () => {
    const a = generateMigration(fixtureReport(repo.commit), {}, repo.readFile);
    const b = generateMigration(fixtureReport(repo.commit), {}, repo.readFile);
    expect(b.patch).toBe(a.patch);
    expect(JSON.stringify(b.files)).toBe(JSON.stringify(a.files));
    expect(JSON.stringify(b.plan)).toBe(JSON.stringify(a.plan));
    const [ba, bb] = [await createBundle(a.files), await createBundle(b.files)];
    expect(bb.equals(ba)).toBe(true);
    // The tarball holds every file, in sorted order.
    const tar = gunzipSync(ba);
    const names: string[] = [];
    for (let off = 0; off + 512 <= tar.length; ) {
      const name = tar.subarray(off, off + 100).toString('utf8').replace(/\0.*$/s, '');
      if (!name) break;
      const size = parseInt(tar.subarray(off + 124, off + 136).toString('utf8').replace(/\0.*$/s, '').trim(), 8);
      names.push(name);
      off += 512 + Math.ceil(size / 512) * 512;
    }
    expect(names).toEqual(Object.keys(a.files).sort());
  });

  it('uses the options: registry, environments, repo URL and revision', () => {
    const { files } = generateMigration(
      fixtureReport(repo.commit),
      { registry: 'registry.example.com/team', environments: ['qa', 'live'], git_repo_url: 'https://git.example.com/shop.git', target_revision: 'release', namespace_prefix: 'shop' },
      repo.readFile,
    );
    expect(YAML.parse(files['deploy/apps/api/chart/values.yaml']!).image.repository).toBe('registry.example.com/team/api');
    expect(Object.keys(files).filter((p) => /values-\w+\.yaml$/.test(p)).sort()).toEqual([
      'deploy/apps/api/values-live.yaml',
      'deploy/apps/api/values-qa.yaml',
      'deploy/apps/worker/values-live.yaml',
      'deploy/apps/worker/values-qa.yaml',
    ]);
    const appset = YAML.parse(files['deploy/argocd/apps/applicationset.yaml']!);
    expect(appset.spec.template.spec.source.repoURL).toBe('https://git.example.com/shop.git');
    expect(appset.spec.template.spec.source.targetRevision).toBe('release');
    expect(appset.spec.generators[0].list.elements).toContainEqual({ service: 'worker', env: 'live', namespace: 'shop-live' });
    const wf = YAML.parse(files['.github/workflows/linkops-build.yml']!);
    expect(wf.jobs.build.permissions).toEqual({ contents: 'read' }); // not ghcr: no packages: write
    expect(wf.jobs['build'].steps[2].with.registry).toBe('registry.example.com');
  });
});

describe('round trip (kustomize layout)', () => {
  let repo: FixtureRepo;
  beforeAll(() => {
    repo = buildRepo();
  });
  afterAll(() => repo.cleanup());

  it('applies, and `kubectl kustomize` builds every overlay', () => {
    const result = generateMigration(fixtureReport(repo.commit), { layout: 'kustomize' }, repo.readFile);
    applyPatch(repo, result.patch);
    const overlays = Object.keys(result.files).filter((p) => /overlays\/[^/]+\/kustomization\.yaml$/.test(p));
    expect(overlays).toHaveLength(6);
    expect(Object.keys(result.files).some((p) => p.includes('/chart/'))).toBe(false);
    if (!hasKubectl()) {
      console.warn('NOTE: kubectl not on PATH; kustomize overlays were not built');
      return;
    }
    for (const overlay of overlays) {
      const out = execFileSync('kubectl', ['kustomize', join(repo.dir, overlay, '..')], { encoding: 'utf8' });
      const docs = YAML.parseAllDocuments(out).map((d) => d.toJS() as { kind: string; metadata: { namespace?: string }; spec?: { template?: { spec: { containers: { image: string }[] } } } });
      const env = overlay.split('/')[4]!;
      expect(docs.map((d) => d.kind).sort()).toEqual(['Deployment', 'NetworkPolicy', 'PodDisruptionBudget', 'Service', 'ServiceAccount']);
      for (const d of docs) expect(d.metadata.namespace).toBe(`shop-${env}`);
      const dep = docs.find((d) => d.kind === 'Deployment')!;
      expect(dep.spec!.template!.spec.containers[0]!.image).toMatch(new RegExp(`^ghcr\\.io/example/\\w+:${repo.commit}$`));
    }
  });
});

describe('patches over awkward existing files', () => {
  it('keeps CRLF line endings and files without a final newline applicable', () => {
    const repo = buildRepo({
      'app/package.json': '{"name":"app","main":"server.js"}\n',
      'app/Dockerfile': 'FROM node\r\nCOPY . .\r\nCMD node server.js',
      '.github/workflows/test.yml': 'name: t\non: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo hi',
    });
    try {
      const report = fixtureReport(repo.commit);
      report.services = [{ ...report.services[0]!, name: 'app', path: 'app', ports: [8080], health_path: null, depends_on: [], infrastructure: [], env: [], assets: { ...report.services[0]!.assets, dockerfile: 'app/Dockerfile', compose: [], kubernetes: [], ci: ['.github/workflows/test.yml'] } }];
      report.findings = [];
      const result = generateMigration(report, {}, repo.readFile);
      applyPatch(repo, result.patch);
      const df = readFileSync(join(repo.dir, 'app/Dockerfile'), 'utf8');
      expect(df).toBe(result.files['app/Dockerfile']);
      expect(df.split('\r\n')[0]).toBe('FROM node:20-bookworm-slim');
      expect(df).not.toMatch(/[^\r]\n/);
      expect(readFileSync(join(repo.dir, '.github/workflows/test.yml'), 'utf8')).toContain('permissions:\n  contents: read\n\njobs:');
    } finally {
      repo.cleanup();
    }
  });

  it('writes a new Dockerfile for a service without one and builds it in CI', () => {
    const repo = buildRepo({ 'svc/go.mod': 'module example.com/svc\n\ngo 1.22\n', 'svc/main.go': 'package main\nfunc main() {}\n' });
    try {
      const report = fixtureReport(repo.commit);
      report.services = [{ ...report.services[1]!, name: 'Svc_One', path: 'svc', runtime: 'go', ports: [8080], notes: [], assets: { ...report.services[1]!.assets, dockerfile: null, compose: [], ci: [] } }];
      report.findings = [];
      const result = generateMigration(report, {}, repo.readFile);
      applyPatch(repo, result.patch);
      expect(result.plan.services[0]!.name).toBe('svc-one');
      expect(result.plan.services[0]!.dockerfile).toBe('new');
      expect(result.files['svc/Dockerfile']).toMatch(/^FROM golang:1\.22-bookworm AS build$/m);
      expect(result.files['.github/workflows/linkops-build.yml']).toContain('dockerfile: svc/Dockerfile');
      expect(result.files['.github/dependabot.yml']).toContain('package-ecosystem: gomod');
    } finally {
      repo.cleanup();
    }
  });
});
