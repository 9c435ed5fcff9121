/**
 * GitOps layout: deploy/apps/<service>/ (chart + values-<env>.yaml, or kustomize base + overlays) and
 * deploy/argocd/ (AppProject, ApplicationSet over services x environments, app-of-apps root Application).
 */
import YAML from 'yaml';
import { chartFiles, chartValues, CHART_VERSION, environmentValues, IMAGE_TAG_MARKER, yamlText } from './chart.js';
import type { AppModel, GenerationContext } from './model.js';
import { namespaceFor } from './model.js';
import { renderTemplates } from './template.js';

export const DEPLOY_ROOT = 'deploy';
export const ARGOCD_NAMESPACE = 'argocd';

export function appDir(app: AppModel): string {
  return `${DEPLOY_ROOT}/apps/${app.name}`;
}

export interface RenderOptions {
  releaseName: string;
  namespace: string;
  /** Overrides merged over values.yaml in order (like repeated --values). */
  overrides?: Record<string, unknown>[];
  releaseService?: string;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Helm's values merge: maps merge recursively, everything else is replaced. */
export function mergeValues(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const prev = out[k];
    out[k] = isPlainObject(prev) && isPlainObject(v) ? mergeValues(prev, v) : v;
  }
  return out;
}

/**
 * Render a chart held in `files` (paths relative to the chart dir) with this package's template subset.
 * Returns the rendered manifests keyed by template path, empty documents dropped.
 */
export function renderChart(files: Record<string, string>, opts: RenderOptions): Record<string, string> {
  const chart = YAML.parse(files['Chart.yaml'] ?? '') as Record<string, unknown>;
  let values = (YAML.parse(files['values.yaml'] ?? '') ?? {}) as Record<string, unknown>;
  for (const o of opts.overrides ?? []) values = mergeValues(values, o);
  const templates: Record<string, string> = {};
  for (const [p, content] of Object.entries(files)) if (p.startsWith('templates/') && p !== 'templates/NOTES.txt') templates[p] = content;
  const rendered = renderTemplates(templates, {
    Values: values,
    Release: { Name: opts.releaseName, Namespace: opts.namespace, Service: opts.releaseService ?? 'Helm' },
    Chart: { Name: chart['name'], Version: chart['version'], AppVersion: chart['appVersion'] },
  });
  const out: Record<string, string> = {};
  for (const [p, text] of Object.entries(rendered)) if (text.trim() !== '') out[p] = text;
  return out;
}

/** Kustomize base: the chart rendered with its defaults, minus Helm-only labels. One source of truth. */
function kustomizeBase(app: AppModel, ctx: GenerationContext): Record<string, string> {
  const rendered = renderChart(chartFiles(app, ctx), { releaseName: app.name, namespace: 'default', releaseService: 'kustomize' });
  const files: Record<string, string> = {};
  const resources: string[] = [];
  for (const p of Object.keys(rendered).sort()) {
    const obj = YAML.parse(rendered[p]!) as Record<string, unknown>;
    stripHelmLabels(obj);
    const name = p.replace(/^templates\//, '');
    files[name] = yamlText(obj);
    resources.push(name);
  }
  files['kustomization.yaml'] = yamlText({
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources,
  });
  return files;
}

function stripHelmLabels(node: unknown): void {
  if (Array.isArray(node)) node.forEach(stripHelmLabels);
  else if (isPlainObject(node)) {
    for (const [k, v] of Object.entries(node)) {
      if (k === 'labels' && isPlainObject(v)) delete v['helm.sh/chart'];
      stripHelmLabels(v);
    }
  }
}

function kustomizeOverlay(app: AppModel, ctx: GenerationContext, env: string, isLast: boolean): string {
  const doc: Record<string, unknown> = {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    namespace: namespaceFor(ctx, env),
    resources: ['../../base'],
    labels: [{ pairs: { 'app.kubernetes.io/environment': env }, includeSelectors: false }],
    images: [{ name: app.imageRepository, newTag: app.imageTag }],
  };
  if (isLast) {
    doc['replicas'] = [{ name: app.name, count: 3 }];
  }
  // The marker sits on the newTag line so the CI bump can rewrite it with sed, like the Helm layout.
  return yamlText(doc).replace(/^(\s*newTag: .*)$/m, `$1 ${IMAGE_TAG_MARKER}`);
}

/** Files of deploy/apps/<service>/ for the chosen layout. */
export function appLayoutFiles(app: AppModel, ctx: GenerationContext): Record<string, string> {
  const dir = appDir(app);
  const files: Record<string, string> = {};
  const last = ctx.environments.length - 1;
  if (ctx.layout === 'helm') {
    for (const [p, c] of Object.entries(chartFiles(app, ctx))) files[`${dir}/chart/${p}`] = c;
    ctx.environments.forEach((env, i) => {
      files[`${dir}/values-${env}.yaml`] = environmentValues(app, env, i === last && ctx.environments.length > 1);
    });
  } else {
    for (const [p, c] of Object.entries(kustomizeBase(app, ctx))) files[`${dir}/base/${p}`] = c;
    ctx.environments.forEach((env, i) => {
      files[`${dir}/overlays/${env}/kustomization.yaml`] = kustomizeOverlay(app, ctx, env, i === last && ctx.environments.length > 1);
    });
  }
  return files;
}

const SYNC_POLICY = {
  automated: { prune: true, selfHeal: true },
  syncOptions: ['CreateNamespace=true', 'ServerSideApply=true'],
  retry: { limit: 5, backoff: { duration: '10s', factor: 2, maxDuration: '3m' } },
};

const MANAGED_KINDS = [
  { group: '', kind: 'Service' },
  { group: '', kind: 'ServiceAccount' },
  { group: 'apps', kind: 'Deployment' },
  { group: 'autoscaling', kind: 'HorizontalPodAutoscaler' },
  { group: 'networking.k8s.io', kind: 'Ingress' },
  { group: 'networking.k8s.io', kind: 'NetworkPolicy' },
  { group: 'policy', kind: 'PodDisruptionBudget' },
  { group: 'argoproj.io', kind: 'Application' },
  { group: 'argoproj.io', kind: 'ApplicationSet' },
  { group: 'argoproj.io', kind: 'AppProject' },
];

export function argocdObjects(apps: AppModel[], ctx: GenerationContext): Record<string, Record<string, unknown>> {
  const project = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AppProject',
    metadata: { name: ctx.project, namespace: ARGOCD_NAMESPACE },
    spec: {
      description: `Services of ${ctx.repoURL}, generated by LinkOps migrate.`,
      sourceRepos: [ctx.repoURL],
      destinations: [
        ...ctx.environments.map((env) => ({ server: 'https://kubernetes.default.svc', namespace: namespaceFor(ctx, env) })),
        { server: 'https://kubernetes.default.svc', namespace: ARGOCD_NAMESPACE },
      ],
      // Namespaces only: CreateNamespace=true needs it; nothing else cluster-scoped is deployed.
      clusterResourceWhitelist: [{ group: '', kind: 'Namespace' }],
      namespaceResourceWhitelist: MANAGED_KINDS,
      orphanedResources: { warn: true },
    },
  };
  const elements = apps.flatMap((app) =>
    ctx.environments.map((env) => ({ service: app.name, env, namespace: namespaceFor(ctx, env) })),
  );
  const source =
    ctx.layout === 'helm'
      ? {
          repoURL: ctx.repoURL,
          targetRevision: ctx.targetRevision,
          path: `${DEPLOY_ROOT}/apps/{{.service}}/chart`,
          helm: { releaseName: '{{.service}}', valueFiles: ['values.yaml', '../values-{{.env}}.yaml'] },
        }
      : { repoURL: ctx.repoURL, targetRevision: ctx.targetRevision, path: `${DEPLOY_ROOT}/apps/{{.service}}/overlays/{{.env}}` };
  const applicationSet = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'ApplicationSet',
    metadata: { name: ctx.project, namespace: ARGOCD_NAMESPACE },
    spec: {
      goTemplate: true,
      goTemplateOptions: ['missingkey=error'],
      generators: [{ list: { elements } }],
      template: {
        metadata: {
          name: '{{.service}}-{{.env}}',
          labels: { 'app.kubernetes.io/part-of': ctx.project, 'app.kubernetes.io/environment': '{{.env}}' },
        },
        spec: {
          project: ctx.project,
          source,
          destination: { server: 'https://kubernetes.default.svc', namespace: '{{.namespace}}' },
          syncPolicy: SYNC_POLICY,
        },
      },
    },
  };
  const root = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: `${ctx.project}-root`, namespace: ARGOCD_NAMESPACE },
    spec: {
      project: ctx.project,
      source: { repoURL: ctx.repoURL, targetRevision: ctx.targetRevision, path: `${DEPLOY_ROOT}/argocd/apps` },
      destination: { server: 'https://kubernetes.default.svc', namespace: ARGOCD_NAMESPACE },
      syncPolicy: SYNC_POLICY,
    },
  };
  return {
    [`${DEPLOY_ROOT}/argocd/apps/project.yaml`]: project,
    [`${DEPLOY_ROOT}/argocd/apps/applicationset.yaml`]: applicationSet,
    [`${DEPLOY_ROOT}/argocd/root.yaml`]: root,
  };
}

export function deployReadme(apps: AppModel[], ctx: GenerationContext): string {
  const envs = ctx.environments.join(', ');
  const layoutLines =
    ctx.layout === 'helm'
      ? [
          '- `apps/<service>/chart/`: Helm chart (hardened defaults in values.yaml, schema in values.schema.json).',
          '- `apps/<service>/values-<env>.yaml`: per-environment overrides (image tag, autoscaling).',
        ]
      : ['- `apps/<service>/base/`: Kubernetes manifests.', '- `apps/<service>/overlays/<env>/`: per-environment kustomizations (namespace, image tag).'];
  return [
    '# Deployment (GitOps)',
    '',
    'Generated by LinkOps migrate. Argo CD syncs this directory; change the cluster by changing git.',
    '',
    '## Layout',
    '',
    ...layoutLines,
    '- `argocd/apps/project.yaml`: AppProject limiting sources, destinations and kinds.',
    `- \`argocd/apps/applicationset.yaml\`: one Application per service and environment (${envs}).`,
    '- `argocd/root.yaml`: app-of-apps root Application that syncs `argocd/apps/`.',
    '',
    '## Bootstrap',
    '',
    '```sh',
    `kubectl apply -n ${ARGOCD_NAMESPACE} -f deploy/argocd/apps/project.yaml -f deploy/argocd/root.yaml`,
    '```',
    '',
    '## Services',
    '',
    ...apps.map((a) => `- ${a.name}: image \`${a.imageRepository}\`, namespaces ${ctx.environments.map((e) => `\`${namespaceFor(ctx, e)}\``).join(', ')}`),
    '',
    `Images are built and tagged by \`.github/workflows/linkops-build.yml\`, which bumps the \`${ctx.environments[0]}\` tag (lines marked \`${IMAGE_TAG_MARKER}\`); promote to later environments by pull request.`,
    `Chart version ${CHART_VERSION}.`,
    '',
  ].join('\n');
}

export { chartValues };
