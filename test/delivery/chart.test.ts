import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { SERVICES } from '@linkops/shared';
import { checkKubernetes, checkKubernetesSet } from '@linkops/misconfig';
import { CHART_DIR, REPO_ROOT, defaultValues, mergeValues, ofKind, renderChart, setValue, type RenderedChart, type Values } from './chart.js';
import { validateObject } from './k8s.js';

type Mode = 'all' | 'daytime' | 'nighttime';
const MODES: Mode[] = ['all', 'daytime', 'nighttime'];
/** Worker-heavy services the chart autoscales (the brief's list; values.yaml enables their HPA). */
const AUTOSCALED = ['whis_sanitize', 'audit_assess', 'whis_smithing', 'whis_enhance', 'audit_migrate'];
/** Services that clone repositories or crawl sites and so need egress to the internet. */
const INTERNET = ['audit_assess', 'audit_migrate', 'whis_webscraper'];

const dash = (name: string) => name.replace(/_/g, '-');
const runsIn = (name: string, mode: Mode) => mode === 'all' || SERVICES.find((s) => s.name === name)!.modes.includes(mode);

interface Container {
  name: string;
  image: string;
  env: Array<{ name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }>;
  ports: Array<{ containerPort: number }>;
  securityContext: Record<string, unknown>;
  livenessProbe: { httpGet: { path: string; port: string } };
  readinessProbe: { httpGet: { path: string; port: string } };
  volumeMounts: Array<{ name: string; mountPath: string }>;
  resources: { requests?: Record<string, string>; limits?: Record<string, string> };
}
interface PodSpec {
  automountServiceAccountToken: boolean;
  serviceAccountName: string;
  securityContext: Record<string, unknown>;
  containers: Container[];
  volumes: Array<{ name: string; emptyDir?: Record<string, unknown>; persistentVolumeClaim?: { claimName: string } }>;
}
interface DeploymentObj {
  metadata: { name: string; labels: Record<string, string> };
  spec: { replicas?: number; selector: { matchLabels: Record<string, string> }; template: { metadata: { labels: Record<string, string>; annotations?: Record<string, string> }; spec: PodSpec } };
}

const deploymentOf = (r: RenderedChart, service: string) => {
  const d = ofKind(r, 'Deployment').find((o) => o.obj.metadata.labels?.['linkops.io/service'] === service);
  if (!d) throw new Error(`no Deployment for ${service}`);
  return d.obj as unknown as DeploymentObj;
};
const containerOf = (r: RenderedChart, service: string) => deploymentOf(r, service).spec.template.spec.containers[0]!;
const envOf = (c: Container) => Object.fromEntries(c.env.map((e) => [e.name, e.value]));
const overlay = (file: string) => YAML.parse(readFileSync(join(REPO_ROOT, 'deploy/argocd', file), 'utf8')) as Values;

/** The values combinations the tests render: the three modes, the Argo CD overlays and the optional features. */
const VARIANTS: Array<[string, Values[]]> = [
  ['defaults', []],
  ...MODES.map((m): [string, Values[]] => [`mode=${m}`, [setValue('mode', m)]]),
  ...readdirSync(join(REPO_ROOT, 'deploy/argocd'))
    .filter((f) => f.startsWith('values-'))
    .map((f): [string, Values[]] => [`argocd ${f}`, [overlay(f)]]),
  ['serviceMonitor + redis secret + no persistence', [
    setValue('metrics.serviceMonitor.enabled', true),
    { redis: { existingSecret: 'linkops-redis', existingSecretKey: 'url' } },
    setValue('persistence.enabled', false),
  ]],
];

describe('helm/linkops chart', () => {
  const schema = JSON.parse(readFileSync(join(CHART_DIR, 'values.schema.json'), 'utf8')) as object;
  const ajv = new Ajv({ allErrors: true, strict: false });
  const validateValues = ajv.compile(schema);

  it('Chart.yaml is apiVersion v2 with SemVer version and an appVersion', () => {
    const chart = YAML.parse(readFileSync(join(CHART_DIR, 'Chart.yaml'), 'utf8')) as Record<string, unknown>;
    expect(chart.apiVersion).toBe('v2');
    expect(chart.name).toBe('linkops');
    expect(String(chart.version)).toMatch(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/);
    expect(typeof chart.appVersion).toBe('string');
    // The Redis dependency is documented but must not be required to render (no charts/ here).
    expect(chart.dependencies).toBeUndefined();
    expect(readFileSync(join(CHART_DIR, 'Chart.yaml'), 'utf8')).toMatch(/#\s+condition: redis\.enabled/);
    const templates = readdirSync(join(CHART_DIR, 'templates'));
    expect(templates.filter((f) => f.endsWith('.yaml')).length).toBeGreaterThanOrEqual(8);
    expect(templates).toEqual(expect.arrayContaining(['_helpers.tpl', 'NOTES.txt']));
  });

  it('values.yaml and every deploy/argocd overlay validate against values.schema.json', () => {
    expect((schema as { $schema: string }).$schema).toBe('http://json-schema.org/draft-07/schema#');
    for (const [name, overrides] of VARIANTS) {
      const values = overrides.reduce(mergeValues, defaultValues());
      expect(validateValues(values), `${name}: ${ajv.errorsText(validateValues.errors)}`).toBe(true);
    }
  });

  it('the schema rejects bad values', () => {
    const bad: Array<[string, Values]> = [
      ['unknown mode', setValue('mode', 'evening')],
      ['latest tag', setValue('image.tag', 'latest')],
      ['malformed digest', setValue('image.digest', 'sha256:abc')],
      ['chart-owned env', setValue('env', { PORT: '1' })],
      ['unknown service', setValue('services', { whis_unknown: defaultValues().services })],
      ['port out of range', setValue('services.whis_logic.port', 70000)],
      ['non-redis URL', setValue('redis.url', 'http://redis:6379')],
      ['privilege escalation', setValue('securityContext.allowPrivilegeEscalation', true)],
      ['HPA without bounds', setValue('services.whis_logic.autoscaling', { enabled: true })],
      ['typo at the top level', { replicaCount: 3 }],
    ];
    for (const [why, override] of bad) {
      expect(validateValues(mergeValues(defaultValues(), override)), why).toBe(false);
    }
  });

  it('values.yaml mirrors the service registry (ports, windows, needsData)', () => {
    const services = defaultValues().services as Record<string, { port: number; modes: string[]; needsData: boolean }>;
    expect(Object.keys(services).sort()).toEqual(SERVICES.map((s) => s.name).sort());
    for (const s of SERVICES) {
      expect(services[s.name], s.name).toMatchObject({ port: s.port, modes: [...s.modes], needsData: s.needsData });
    }
  });

  for (const [name, overrides] of VARIANTS) {
    it(`${name}: every rendered document parses and validates against the Kubernetes schemas`, () => {
      const r = renderChart(overrides);
      expect(r.objects.length).toBeGreaterThan(20);
      for (const o of r.objects) {
        expect(() => validateObject(o.obj), `${o.source} ${o.obj.kind}/${o.obj.metadata?.name}`).not.toThrow();
        expect(o.obj.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
        expect(o.obj.metadata.name.length).toBeLessThanOrEqual(63);
        expect(o.obj.metadata.namespace).toBe('linkops');
      }
      const ids = r.objects.map((o) => `${o.obj.kind}/${o.obj.metadata.name}`);
      expect(new Set(ids).size).toBe(ids.length);
    });
  }

  it('deploys every service from one image with SERVICE, PORT, MODE, REDIS_URL and DATA_DIR', () => {
    const r = renderChart();
    const images = new Set<string>();
    for (const s of SERVICES) {
      const d = deploymentOf(r, s.name);
      const c = d.spec.template.spec.containers[0]!;
      images.add(c.image);
      expect(d.metadata.name).toBe(`linkops-${dash(s.name)}`);
      expect(envOf(c)).toMatchObject({ SERVICE: s.name, PORT: String(s.port), MODE: 'all', HOST: '0.0.0.0', REDIS_URL: 'redis://redis:6379', DATA_DIR: '/data' });
      expect(c.ports).toEqual([{ name: 'http', containerPort: s.port, protocol: 'TCP' }]);
      expect(c.livenessProbe.httpGet).toEqual({ path: '/health', port: 'http' });
      expect(c.readinessProbe.httpGet).toEqual({ path: '/ready', port: 'http' });
      expect(c.resources.requests?.cpu && c.resources.requests?.memory && c.resources.limits?.memory).toBeTruthy();
      const svc = ofKind(r, 'Service').find((o) => o.obj.metadata.name === d.metadata.name)!.obj as unknown as { spec: { type: string; selector: Record<string, string>; ports: Array<{ port: number; targetPort: string }> } };
      expect(svc.spec.type).toBe('ClusterIP');
      expect(svc.spec.ports).toEqual([{ name: 'http', port: s.port, targetPort: 'http', protocol: 'TCP' }]);
      expect(svc.spec.selector).toEqual(d.spec.selector.matchLabels);
      expect(d.spec.template.metadata.labels).toMatchObject(d.spec.selector.matchLabels);
      expect(d.spec.template.metadata.annotations).toMatchObject({ 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(s.port), 'prometheus.io/path': '/metrics' });
    }
    expect([...images]).toEqual(['ghcr.io/linkops/linkops:0.1.0']);
    expect(envOf(containerOf(r, 'whis_webscraper')).DATA_INPUT_URL).toBe('http://linkops-whis-data-input:8001');
  });

  it('image digest, Redis from a Secret and per-service env/extraEnv reach the containers', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    const r = renderChart([
      { image: { tag: '1.2.3', digest }, redis: { existingSecret: 'redis-auth', existingSecretKey: 'url' } },
      setValue('services.audit_assess.env', { AUDIT_CLONE_TIMEOUT_MS: '60000', LOG_LEVEL: 'debug' }),
      setValue('services.audit_assess.extraEnv', [{ name: 'GIT_TOKEN', valueFrom: { secretKeyRef: { name: 'git', key: 'token' } } }]),
    ]);
    const c = containerOf(r, 'audit_assess');
    expect(c.image).toBe(`ghcr.io/linkops/linkops:1.2.3@${digest}`);
    expect(c.env.find((e) => e.name === 'REDIS_URL')).toEqual({ name: 'REDIS_URL', valueFrom: { secretKeyRef: { name: 'redis-auth', key: 'url' } } });
    const env = envOf(c);
    expect(env.AUDIT_CLONE_TIMEOUT_MS).toBe('60000');
    expect(env.LOG_LEVEL).toBe('debug'); // the service's env wins over the chart-wide env
    expect(c.env.filter((e) => e.name === 'LOG_LEVEL')).toHaveLength(1);
    expect(c.env.find((e) => e.name === 'GIT_TOKEN')?.valueFrom?.secretKeyRef).toEqual({ name: 'git', key: 'token' });
    expect(envOf(containerOf(r, 'whis_logic')).LOG_LEVEL).toBe('info');
    expect(() => renderChart([{ redis: { url: '', existingSecret: '', enabled: false } }])).toThrow(/redis\.url/);
  });

  for (const mode of MODES) {
    it(`mode=${mode}: services outside the window run 0 replicas, HPAs and PDBs only for running services`, () => {
      const r = renderChart([setValue('mode', mode)]);
      const values = r.values.services as Record<string, { replicas: number; windowReplicas?: Record<string, number>; autoscaling: { enabled: boolean; minReplicas?: number } }>;
      const hpas = ofKind(r, 'HorizontalPodAutoscaler').map((o) => o.obj as unknown as { metadata: { name: string }; spec: { scaleTargetRef: { name: string }; minReplicas: number } });
      const pdbs = ofKind(r, 'PodDisruptionBudget').map((o) => o.obj.metadata.name);
      for (const s of SERVICES) {
        const d = deploymentOf(r, s.name);
        const v = values[s.name]!;
        expect(envOf(d.spec.template.spec.containers[0]!).MODE).toBe(mode);
        const hpa = hpas.find((h) => h.spec.scaleTargetRef.name === d.metadata.name);
        if (!runsIn(s.name, mode)) {
          expect(d.spec.replicas, s.name).toBe(0);
          expect(hpa, `${s.name} off-window HPA`).toBeUndefined();
          expect(pdbs).not.toContain(d.metadata.name);
        } else if (v.autoscaling.enabled) {
          // The HPA owns the count: a replicas field would fight it on every sync.
          expect(d.spec.replicas, s.name).toBeUndefined();
          expect(hpa?.spec.minReplicas).toBe(v.autoscaling.minReplicas);
          expect(pdbs).toContain(d.metadata.name);
        } else {
          expect(d.spec.replicas, s.name).toBe(mode !== 'all' && v.windowReplicas?.[mode] !== undefined ? v.windowReplicas[mode] : v.replicas);
          expect(d.spec.replicas).toBeGreaterThan(0);
          expect(pdbs).toContain(d.metadata.name);
        }
      }
      const expectedHpa = AUTOSCALED.filter((n) => runsIn(n, mode)).map((n) => `linkops-${dash(n)}`).sort();
      expect(hpas.map((h) => h.metadata.name).sort()).toEqual(expectedHpa);
      expect(r.notes).toContain(`Mode: ${mode}`);
    });
  }

  it('daytime scales intake and serving up; nighttime runs smithing/enhance and whis_logic only', () => {
    const all = renderChart();
    const day = renderChart([setValue('mode', 'daytime')]);
    const night = renderChart([setValue('mode', 'nighttime')]);
    expect(deploymentOf(day, 'whis_data_input').spec.replicas!).toBeGreaterThan(deploymentOf(all, 'whis_data_input').spec.replicas!);
    expect(deploymentOf(day, 'whis_logic').spec.replicas!).toBeGreaterThan(deploymentOf(all, 'whis_logic').spec.replicas!);
    expect(deploymentOf(day, 'whis_smithing').spec.replicas).toBe(0);
    expect(deploymentOf(day, 'whis_enhance').spec.replicas).toBe(0);
    const running = (r: RenderedChart) => SERVICES.map((s) => s.name).filter((n) => deploymentOf(r, n).spec.replicas !== 0).sort();
    expect(running(night)).toEqual(['whis_enhance', 'whis_logic', 'whis_smithing']);
    expect(running(day)).toEqual(SERVICES.map((s) => s.name).filter((n) => n !== 'whis_smithing' && n !== 'whis_enhance').sort());
  });

  it('pods are hardened: non-root 10001, read-only root with an emptyDir /tmp, no capabilities, seccomp, no token', () => {
    const r = renderChart();
    for (const s of SERVICES) {
      const pod = deploymentOf(r, s.name).spec.template.spec;
      expect(pod.automountServiceAccountToken).toBe(false);
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' } });
      const c = pod.containers[0]!;
      expect(c.securityContext).toMatchObject({
        runAsNonRoot: true, runAsUser: 10001, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(c.volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
      expect(pod.volumes.find((v) => v.name === 'tmp')?.emptyDir).toBeTruthy();
      const dataMount = c.volumeMounts.find((m) => m.name === 'data');
      expect(Boolean(dataMount), `${s.name} data mount`).toBe(s.needsData);
      if (s.needsData) {
        expect(dataMount?.mountPath).toBe('/data');
        expect(pod.volumes.find((v) => v.name === 'data')?.persistentVolumeClaim?.claimName).toBe('linkops-data');
      }
    }
    const sa = ofKind(r, 'ServiceAccount')[0]!.obj as unknown as { automountServiceAccountToken: boolean; metadata: { name: string } };
    expect(sa.automountServiceAccountToken).toBe(false);
    expect(deploymentOf(r, 'whis_logic').spec.template.spec.serviceAccountName).toBe(sa.metadata.name);
    const pvc = ofKind(r, 'PersistentVolumeClaim')[0]!.obj as unknown as { spec: { accessModes: string[] } };
    expect(pvc.spec.accessModes).toEqual(['ReadWriteMany']);
  });

  it('NetworkPolicies: default deny, own port in, DNS/Redis out, internet only for clones and crawls, scraper to intake', () => {
    const r = renderChart();
    type Peer = { podSelector?: { matchLabels?: Record<string, string> }; namespaceSelector?: unknown; ipBlock?: { cidr: string; except?: string[] } };
    type Rule = { to?: Peer[]; from?: Peer[]; ports?: Array<{ port: number; protocol: string }> };
    type Policy = { metadata: { name: string }; spec: { podSelector: { matchLabels: Record<string, string> }; policyTypes: string[]; ingress?: Rule[]; egress?: Rule[] } };
    const policies = ofKind(r, 'NetworkPolicy').map((o) => o.obj as unknown as Policy);
    const deny = policies.find((p) => p.metadata.name === 'linkops-default-deny')!;
    expect(deny.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(deny.spec.ingress).toBeUndefined();
    expect(deny.spec.egress).toBeUndefined();
    for (const s of SERVICES) {
      const labels = deploymentOf(r, s.name).spec.template.metadata.labels;
      // default deny selects every pod of the release
      expect(labels).toMatchObject(deny.spec.podSelector.matchLabels);
      const p = policies.find((x) => x.metadata.name === `linkops-${dash(s.name)}`)!;
      expect(labels).toMatchObject(p.spec.podSelector.matchLabels);
      expect(p.spec.ingress!.flatMap((i) => i.ports!.map((x) => x.port))).toEqual([s.port]);
      const egressPorts = p.spec.egress!.flatMap((e) => (e.ports ?? []).map((x) => x.port));
      expect(egressPorts).toEqual(expect.arrayContaining([53, 6379]));
      const internet = p.spec.egress!.find((e) => e.to?.some((t) => t.ipBlock));
      if (INTERNET.includes(s.name)) {
        expect(internet?.ports?.map((x) => x.port).sort()).toEqual([443, 80]);
        expect(internet?.to?.[0]?.ipBlock?.except).toEqual(expect.arrayContaining(['10.0.0.0/8', '169.254.0.0/16']));
      } else {
        expect(internet, `${s.name} has no internet egress`).toBeUndefined();
        expect(egressPorts.filter((x) => x === 443 || x === 80)).toEqual([]);
      }
    }
    const scraper = policies.find((x) => x.metadata.name === 'linkops-whis-webscraper')!;
    const toIntake = scraper.spec.egress!.find((e) => e.to?.some((t) => t.podSelector?.matchLabels?.['linkops.io/service'] === 'whis_data_input'));
    expect(toIntake?.ports).toEqual([{ port: 8001, protocol: 'TCP' }]);
  });

  it('the optional ServiceMonitor scrapes /metrics on every Service and labels job/service with the registry name', () => {
    expect(ofKind(renderChart(), 'ServiceMonitor')).toHaveLength(0);
    const r = renderChart([setValue('metrics.serviceMonitor.enabled', true)]);
    const [sm] = ofKind(r, 'ServiceMonitor').map((o) => o.obj as unknown as { spec: { selector: { matchLabels: Record<string, string> }; endpoints: Array<{ port: string; path: string; relabelings: Array<{ sourceLabels: string[]; targetLabel: string }> }> } });
    expect(sm!.spec.endpoints[0]).toMatchObject({ port: 'http', path: '/metrics' });
    expect(sm!.spec.endpoints[0]!.relabelings.map((x) => x.targetLabel).sort()).toEqual(['job', 'service']);
    for (const svc of ofKind(r, 'Service')) {
      expect(svc.obj.metadata.labels).toMatchObject(sm!.spec.selector.matchLabels);
      // the relabel source is this label: it must hold the registry name
      expect(SERVICES.map((s) => s.name)).toContain(svc.obj.metadata.labels!['linkops.io/service']);
    }
  });

  for (const mode of MODES) {
    it(`mode=${mode}: the project's own Kubernetes rules find nothing medium or worse`, () => {
      const r = renderChart([setValue('mode', mode)]);
      const files = Object.entries(r.files)
        .filter(([f]) => f.endsWith('.yaml'))
        .map(([path, content]) => ({ path: `helm/linkops/rendered/${path}`, content }));
      const { findings, warnings } = checkKubernetesSet(files);
      expect(warnings).toEqual([]);
      const serious = findings.filter((f) => ['medium', 'high', 'critical'].includes(f.severity));
      expect(serious.map((f) => `${f.severity} ${f.rule_id} ${f.location.path}:${f.location.start_line} ${f.evidence}`)).toEqual([]);
      // Per file with the whole set as context (how the scanner runs cross-file rules).
      for (const f of files) {
        const perFile = checkKubernetes(f.content, f.path, { manifests: files });
        expect(perFile.filter((x) => x.severity === 'high' || x.severity === 'critical'), f.path).toEqual([]);
      }
      // The rules can fire on this output: dropping the NetworkPolicies and PDBs must be reported.
      const stripped = files.filter((f) => !/networkpolicy|pdb/.test(f.path));
      expect(checkKubernetesSet(stripped).findings.some((f) => f.rule_id === 'k8s.missing-network-policy')).toBe(true);
    });
  }

  it("values.yaml passes the project's Helm values rule, and a latest tag would not", () => {
    const content = readFileSync(join(CHART_DIR, 'values.yaml'), 'utf8');
    expect(checkKubernetes(content, 'helm/linkops/values.yaml').filter((f) => f.severity !== 'info' && f.severity !== 'low')).toEqual([]);
    const latest = content.replace(/^( {2}tag:) ""/m, '$1 latest');
    expect(latest).not.toBe(content);
    expect(checkKubernetes(latest, 'helm/linkops/values.yaml').map((f) => f.rule_id)).toContain('k8s.helm-values-image-tag');
  });

  it('NOTES.txt renders every service with its in-cluster URL', () => {
    const { notes } = renderChart();
    for (const s of SERVICES) expect(notes).toContain(`${s.name}: http://linkops-${dash(s.name)}.linkops.svc:${s.port}`);
    expect(notes).not.toMatch(/<no value>|\{\{/);
  });

  const helm = spawnSync('helm', ['version', '--short'], { encoding: 'utf8' }).status === 0;
  it.skipIf(!helm)(`helm lint and helm template${helm ? '' : ' (skipped: no helm binary on PATH; the renderer above stands in)'}`, () => {
    execFileSync('helm', ['lint', CHART_DIR, '--strict'], { encoding: 'utf8' });
    for (const mode of MODES) {
      const out = execFileSync('helm', ['template', 'linkops', CHART_DIR, '--namespace', 'linkops', '--set', `mode=${mode}`], { encoding: 'utf8' });
      const docs = YAML.parseAllDocuments(out).map((d) => d.toJS() as { kind?: string } | null).filter((d) => d !== null);
      const ours = renderChart([setValue('mode', mode)]).objects;
      expect(docs.map((d) => d!.kind).sort()).toEqual(ours.map((o) => o.obj.kind).sort());
    }
  });
});
