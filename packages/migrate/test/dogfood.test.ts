/**
 * Dog-food: @linkops/misconfig (hadolint/kube-score/zizmor-style rules) must find nothing high or critical
 * in what we generate. Imported dynamically because that package is developed in parallel.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import type { Finding } from '@linkops/shared/contracts';
import { generateMigration, newDockerfile, renderChart, type MigrationResult } from '../src/index.js';
import type { AppModel } from '../src/model.js';
import { buildRepo, fixtureReport, type FixtureRepo } from './fixture.js';

interface Misconfig {
  checkDockerfile(content: string, path: string): Finding[];
  checkKubernetesSet(files: { path: string; content: string }[]): { findings: Finding[] };
  checkWorkflow(content: string, path: string): Finding[];
}

const serious = (fs: Finding[]) => fs.filter((f) => f.severity === 'high' || f.severity === 'critical').map((f) => `${f.location.path}:${f.location.start_line} ${f.rule_id} ${f.title}`);

describe('dog-food with @linkops/misconfig', () => {
  let misconfig: Misconfig;
  let repo: FixtureRepo;
  let result: MigrationResult;
  beforeAll(async () => {
    misconfig = (await import('@linkops/misconfig')) as unknown as Misconfig;
    repo = buildRepo();
    result = generateMigration(fixtureReport(repo.commit), {}, repo.readFile);
  });
  afterAll(() => repo.cleanup());

  it('patched Dockerfiles have no high/critical findings and far fewer findings overall', () => {
    for (const p of ['services/api/Dockerfile', 'services/worker/Dockerfile']) {
      const before = misconfig.checkDockerfile(repo.readFile(p)!, p);
      const after = misconfig.checkDockerfile(result.files[p]!, p);
      expect(serious(after)).toEqual([]);
      expect(after.length * 2, p).toBeLessThan(before.length);
    }
    expect(serious(misconfig.checkDockerfile(repo.readFile('services/worker/Dockerfile')!, 'services/worker/Dockerfile')).length).toBeGreaterThan(0);
  });

  it('new Dockerfiles for every runtime have no high/critical findings', () => {
    const read = (p: string) => (p.endsWith('package.json') ? '{"main":"server.js"}' : p.endsWith('requirements.txt') ? 'flask==3.0.0\n' : null);
    for (const runtime of ['node', 'python', 'go', 'java', 'ruby', 'php', 'dotnet', 'rust']) {
      const app: AppModel = {
        name: runtime, reportName: runtime, path: runtime, runtime, frameworks: [], entrypoint: null, ports: [8080], healthPath: '/healthz', env: [], external: [], dependsOn: [],
        imageRepository: `ghcr.io/x/${runtime}`, imageTag: '1.0.0', dockerfile: `${runtime}/Dockerfile`, context: runtime, secretName: `${runtime}-secrets`,
      };
      const df = newDockerfile(app, read)!.dockerfile;
      expect(serious(misconfig.checkDockerfile(df, app.dockerfile)), runtime).toEqual([]);
    }
  });

  it('rendered manifests of every environment have no high/critical findings', () => {
    for (const svc of ['api', 'worker']) {
      const prefix = `deploy/apps/${svc}/chart/`;
      const chart = Object.fromEntries(Object.entries(result.files).filter(([p]) => p.startsWith(prefix)).map(([p, c]) => [p.slice(prefix.length), c]));
      for (const env of ['dev', 'staging', 'prod']) {
        const overrides = [YAML.parse(result.files[`deploy/apps/${svc}/values-${env}.yaml`]!) as Record<string, unknown>];
        const rendered = renderChart(chart, { releaseName: svc, namespace: `shop-${env}`, overrides });
        const files = Object.entries(rendered).map(([p, content]) => ({ path: `${prefix}${p}`, content }));
        expect(serious(misconfig.checkKubernetesSet(files).findings), `${svc}/${env}`).toEqual([]);
      }
    }
  });

  it('the build workflow and the hardened ci.yml changes add no high/critical findings', () => {
    const wf = '.github/workflows/linkops-build.yml';
    expect(serious(misconfig.checkWorkflow(result.files[wf]!, wf))).toEqual([]);
    const ci = '.github/workflows/ci.yml';
    const before = new Set(misconfig.checkWorkflow(repo.readFile(ci)!, ci).map((f) => f.rule_id));
    const after = misconfig.checkWorkflow(result.files[ci]!, ci).map((f) => f.rule_id);
    expect(after.filter((id) => !before.has(id))).toEqual([]);
    expect(after.length).toBeLessThan(before.size + 1);
  });
});
