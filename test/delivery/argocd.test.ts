import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { REPO_ROOT, renderChart, type Values } from './chart.js';
import { validateObject } from './k8s.js';

const ARGO_DIR = join(REPO_ROOT, 'deploy/argocd');
const load = (f: string) => YAML.parse(readFileSync(join(ARGO_DIR, f), 'utf8')) as Record<string, unknown> & { kind: string; spec: Record<string, unknown>; metadata: { name: string } };

interface ApplicationSpec {
  project: string;
  source: { repoURL: string; path: string; targetRevision: string; helm: { valueFiles: string[]; releaseName: string } };
  destination: { server: string; namespace: string };
  syncPolicy: { automated: { prune: boolean; selfHeal: boolean }; syncOptions: string[] };
}
interface ProjectSpec {
  sourceRepos: string[];
  destinations: Array<{ server: string; namespace: string }>;
  clusterResourceWhitelist: Array<{ group: string; kind: string }>;
  namespaceResourceWhitelist: Array<{ group: string; kind: string }>;
}

describe('deploy/argocd', () => {
  const manifests = readdirSync(ARGO_DIR).filter((f) => !f.startsWith('values-') && f.endsWith('.yaml'));
  const app = manifests.map(load).find((m) => m.kind === 'Application')!;
  const project = manifests.map(load).find((m) => m.kind === 'AppProject')!;
  const appSpec = app.spec as unknown as ApplicationSpec;
  const projectSpec = project.spec as unknown as ProjectSpec;

  it('Application and AppProject validate against the Argo CD schemas', () => {
    for (const f of manifests) expect(() => validateObject(load(f)), f).not.toThrow();
    expect(app).toBeTruthy();
    expect(project).toBeTruthy();
  });

  it('deploys helm/linkops from this repository through its own project, synced automatically', () => {
    expect(appSpec.project).toBe(project.metadata.name);
    expect(appSpec.project).not.toBe('default');
    expect(appSpec.source.repoURL).toBe('https://github.com/linkops/linkops.git');
    expect(appSpec.source.path).toBe('helm/linkops');
    expect(existsSync(join(REPO_ROOT, appSpec.source.path, 'Chart.yaml'))).toBe(true);
    expect(appSpec.syncPolicy.automated).toEqual({ prune: true, selfHeal: true });
    expect(appSpec.syncPolicy.syncOptions).toContain('CreateNamespace=true');
    expect(projectSpec.sourceRepos).toEqual([appSpec.source.repoURL]);
    const allowed = projectSpec.destinations.some((d) => d.server === appSpec.destination.server && new RegExp(`^${d.namespace.replace('*', '.*')}$`).test(appSpec.destination.namespace));
    expect(allowed).toBe(true);
  });

  it('the value files exist inside the repository, validate and render', () => {
    for (const rel of appSpec.source.helm.valueFiles) {
      // Argo CD resolves value files against the source path and refuses ones outside the repo.
      const inRepo = posix.normalize(posix.join(appSpec.source.path, rel));
      expect(inRepo.startsWith('..'), rel).toBe(false);
      expect(existsSync(join(REPO_ROOT, inRepo)), inRepo).toBe(true);
      const values = YAML.parse(readFileSync(join(REPO_ROOT, inRepo), 'utf8')) as Values;
      expect(renderChart([values]).objects.length).toBeGreaterThan(0);
    }
    for (const mode of ['all', 'daytime', 'nighttime']) {
      const overlay = YAML.parse(readFileSync(join(ARGO_DIR, `values-${mode}.yaml`), 'utf8')) as Values;
      expect(overlay.mode).toBe(mode);
    }
  });

  it('the project allows exactly what the chart renders, and nothing cluster-wide but the Namespace', () => {
    const kinds = new Set<string>();
    const variants: Values[][] = [[], [{ metrics: { serviceMonitor: { enabled: true } } }]];
    for (const v of variants) for (const o of renderChart(v).objects) kinds.add(`${o.obj.apiVersion.includes('/') ? o.obj.apiVersion.split('/')[0] : ''}/${o.obj.kind}`);
    const whitelisted = new Set(projectSpec.namespaceResourceWhitelist.map((r) => `${r.group}/${r.kind}`));
    for (const k of kinds) expect(whitelisted.has(k), k).toBe(true);
    expect([...whitelisted].sort()).toEqual([...kinds].sort());
    expect(projectSpec.clusterResourceWhitelist).toEqual([{ group: '', kind: 'Namespace' }]);
  });
});
