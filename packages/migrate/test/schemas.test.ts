import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { Ajv } from 'ajv';
import { Deployment } from 'kubernetes-models/apps/v1';
import { Service, ServiceAccount } from 'kubernetes-models/v1';
import { Ingress, NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { Application, ApplicationSet, AppProject } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1';
import { generateMigration, lintChart, mergeValues, renderChart, type MigrationResult } from '../src/index.js';
import { buildRepo, fixtureReport, type FixtureRepo } from './fixture.js';

type K8sObject = { apiVersion: string; kind: string; metadata: { name: string }; spec?: Record<string, unknown> };

const MODELS: Record<string, new (o: never) => { validate(): void }> = {
  Deployment: Deployment as never,
  Service: Service as never,
  ServiceAccount: ServiceAccount as never,
  Ingress: Ingress as never,
  NetworkPolicy: NetworkPolicy as never,
  HorizontalPodAutoscaler: HorizontalPodAutoscaler as never,
  PodDisruptionBudget: PodDisruptionBudget as never,
  Application: Application as never,
  ApplicationSet: ApplicationSet as never,
  AppProject: AppProject as never,
};

function validate(obj: K8sObject): void {
  const Model = MODELS[obj.kind];
  if (!Model) throw new Error(`no schema model for ${obj.kind}`);
  new Model(obj as never).validate();
}

function chartOf(files: Record<string, string>, service: string): Record<string, string> {
  const prefix = `deploy/apps/${service}/chart/`;
  const out: Record<string, string> = {};
  for (const [p, c] of Object.entries(files)) if (p.startsWith(prefix)) out[p.slice(prefix.length)] = c;
  return out;
}

function renderFor(files: Record<string, string>, service: string, env: string, extra: Record<string, unknown> = {}): K8sObject[] {
  const envValues = YAML.parse(files[`deploy/apps/${service}/values-${env}.yaml`]!) as Record<string, unknown>;
  const rendered = renderChart(chartOf(files, service), { releaseName: service, namespace: `shop-${env}`, overrides: [envValues, extra] });
  return Object.values(rendered).flatMap((t) => YAML.parseAllDocuments(t).map((d) => d.toJS() as K8sObject));
}

describe('generated objects validate against their schemas', () => {
  let repo: FixtureRepo;
  let result: MigrationResult;
  beforeAll(() => {
    repo = buildRepo();
    result = generateMigration(fixtureReport(repo.commit), {}, repo.readFile);
  });
  afterAll(() => repo.cleanup());

  it('charts pass the helm-lint chart rules', () => {
    for (const svc of ['api', 'worker']) expect(lintChart(chartOf(result.files, svc)), svc).toEqual([]);
  });

  it('lint catches broken charts (the rules can fail)', () => {
    const chart = chartOf(result.files, 'api');
    expect(lintChart({ ...chart, 'Chart.yaml': 'apiVersion: v1\nname: api\nversion: one\n' })).toEqual(
      expect.arrayContaining(['Chart.yaml: apiVersion must be v2', 'Chart.yaml: version must be SemVer 2']),
    );
    expect(lintChart({ ...chart, 'values.yaml': 'a: [' })[0]).toMatch(/^values\.yaml:/);
    const noTemplates = Object.fromEntries(Object.entries(chart).filter(([p]) => !p.startsWith('templates/')));
    expect(lintChart(noTemplates)).toContain('templates/: directory missing');
  });

  it('values.yaml merged with each environment satisfies values.schema.json; latest is rejected', () => {
    const ajv = new Ajv({ strict: false });
    for (const svc of ['api', 'worker']) {
      const chart = chartOf(result.files, svc);
      const check = ajv.compile(JSON.parse(chart['values.schema.json']!));
      const base = YAML.parse(chart['values.yaml']!) as Record<string, unknown>;
      for (const env of ['dev', 'staging', 'prod']) {
        const merged = mergeValues(base, YAML.parse(result.files[`deploy/apps/${svc}/values-${env}.yaml`]!));
        expect(check(merged), `${svc}/${env}: ${JSON.stringify(check.errors)}`).toBe(true);
      }
      expect(check(mergeValues(base, { image: { tag: 'latest' } }))).toBe(false);
      expect(check(mergeValues(base, { securityContext: { runAsNonRoot: false } }))).toBe(false);
    }
  });

  it('every rendered object of every environment validates (ingress enabled too)', () => {
    const kinds = new Set<string>();
    for (const svc of ['api', 'worker']) {
      for (const env of ['dev', 'staging', 'prod']) {
        for (const obj of renderFor(result.files, svc, env)) {
          validate(obj);
          kinds.add(obj.kind);
        }
      }
      for (const obj of renderFor(result.files, svc, 'dev', { ingress: { enabled: true, className: 'nginx' } })) validate(obj);
    }
    expect([...kinds].sort()).toEqual(['Deployment', 'HorizontalPodAutoscaler', 'NetworkPolicy', 'PodDisruptionBudget', 'Service', 'ServiceAccount']);
  });

  it('the schema validation rejects a broken object (the check can fail)', () => {
    const dep = renderFor(result.files, 'api', 'dev').find((o) => o.kind === 'Deployment')!;
    expect(() => validate({ ...dep, spec: { ...dep.spec, replicas: 'two' } })).toThrow();
    const ingress = renderFor(result.files, 'api', 'dev', { ingress: { enabled: true } }).find((o) => o.kind === 'Ingress');
    expect(ingress).toBeDefined();
    expect(() => validate({ ...ingress!, spec: { rules: 'x' } })).toThrow();
  });

  it('rendered Deployments are hardened', () => {
    const objs = renderFor(result.files, 'api', 'dev');
    const dep = objs.find((o) => o.kind === 'Deployment') as unknown as {
      spec: { replicas: number; template: { spec: Record<string, unknown> & { containers: Record<string, unknown>[]; securityContext: Record<string, unknown>; volumes: unknown[] } } };
    };
    const pod = dep.spec.template.spec;
    const c = pod.containers[0]!;
    expect(dep.spec.replicas).toBe(2);
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' } });
    expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(c.image).toBe(`ghcr.io/example/api:${repo.commit}`);
    expect(c.livenessProbe).toMatchObject({ httpGet: { path: '/health', port: 'http' } });
    expect((c.resources as { limits: Record<string, string> }).limits).toEqual({ cpu: '500m', memory: '256Mi' });
    expect(c.volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
    expect(pod.volumes).toEqual([{ name: 'tmp', emptyDir: {} }]);
    const worker = renderFor(result.files, 'worker', 'prod');
    const wdep = worker.find((o) => o.kind === 'Deployment') as unknown as { spec: Record<string, unknown> & { template: { spec: { containers: Record<string, unknown>[] } } } };
    expect(wdep.spec['replicas']).toBeUndefined(); // prod scales with the HPA
    expect(wdep.spec.template.spec.containers[0]!.readinessProbe).toMatchObject({ tcpSocket: { port: 'http' } });
    const sa = objs.find((o) => o.kind === 'ServiceAccount') as unknown as Record<string, unknown>;
    expect(sa['automountServiceAccountToken']).toBe(false);
  });

  it('Argo CD objects validate, each has a non-default project, automated sync and CreateNamespace', () => {
    const argo = Object.entries(result.files).filter(([p]) => p.startsWith('deploy/argocd/'));
    expect(argo.map(([p]) => p).sort()).toEqual(['deploy/argocd/apps/applicationset.yaml', 'deploy/argocd/apps/project.yaml', 'deploy/argocd/root.yaml']);
    for (const [, text] of argo) {
      const obj = YAML.parse(text) as K8sObject;
      validate(obj);
      if (obj.kind === 'AppProject') continue;
      const spec = (obj.kind === 'ApplicationSet' ? (obj.spec!['template'] as { spec: Record<string, unknown> }).spec : obj.spec!) as {
        project: string;
        destination: { server: string; namespace: string };
        syncPolicy: { automated: { prune: boolean; selfHeal: boolean }; syncOptions: string[] };
      };
      expect(spec.project).toBe('shop');
      expect(spec.destination.server).toBe('https://kubernetes.default.svc');
      expect(spec.syncPolicy.automated).toEqual({ prune: true, selfHeal: true });
      expect(spec.syncPolicy.syncOptions).toContain('CreateNamespace=true');
    }
  });

  it('runs helm lint and helm template when helm is on PATH', () => {
    let helm = true;
    try {
      execFileSync('helm', ['version'], { stdio: 'ignore' });
    } catch {
      helm = false;
    }
    if (!helm) {
      console.warn('NOTE: helm not on PATH; only the built-in lint rules and renderer were used');
      expect(lintChart(chartOf(result.files, 'api'))).toEqual([]);
      return;
    }
    const dir = mkdtempSync(join(tmpdir(), 'linkops-helm-'));
    try {
      for (const [p, c] of Object.entries(result.files)) {
        mkdirSync(dirname(join(dir, p)), { recursive: true });
        writeFileSync(join(dir, p), c);
      }
      for (const svc of ['api', 'worker']) {
        const chartDir = join(dir, 'deploy/apps', svc, 'chart');
        execFileSync('helm', ['lint', '--strict', chartDir]);
        const out = execFileSync('helm', ['template', svc, chartDir, '-f', join(dir, `deploy/apps/${svc}/values-prod.yaml`)], { encoding: 'utf8' });
        for (const d of YAML.parseAllDocuments(out)) if (d.contents) validate(d.toJS() as K8sObject);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
