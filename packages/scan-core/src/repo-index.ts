import path from 'node:path';
import { parseAllDocuments } from 'yaml';

export type ReadFileFn = (path: string) => Promise<string | null>;

/** A Kubernetes-style object found in a YAML file (plain manifest, gitops object, ...). */
export interface KubeObject {
  file: string;
  apiVersion: string;
  kind: string;
  name: string | null;
  doc: Record<string, unknown>;
}

export interface HelmChart {
  dir: string;
  name: string;
}

/** Delivery files of a repository, classified once and shared by structure and compliance. */
export interface RepoIndex {
  paths: readonly string[];
  dockerfiles: string[];
  composeFiles: string[];
  /** Plain manifests (not inside a Helm chart, not gitops objects). */
  kubeObjects: KubeObject[];
  kubeFiles: string[];
  charts: HelmChart[];
  /** Helm template files (not parseable YAML before rendering). */
  chartTemplates: string[];
  kustomizeDirs: string[];
  gitopsObjects: KubeObject[];
  ciFiles: string[];
  readFile: ReadFileFn;
}

const IGNORED_SEGMENTS = new Set([
  'node_modules', 'vendor', 'third_party', '.venv', 'venv', 'site-packages', 'bower_components',
  'fixtures', '__fixtures__', 'testdata', 'test', 'tests', '__tests__', '.git',
]);

/** Paths inside dependency trees or test fixtures do not describe the repository's own delivery. */
export function isIgnoredPath(p: string): boolean {
  const segments = p.split('/');
  segments.pop();
  return segments.some((s) => IGNORED_SEGMENTS.has(s));
}

export function isDockerfile(p: string): boolean {
  const base = path.posix.basename(p);
  return base === 'Dockerfile' || /^Dockerfile\.[A-Za-z0-9_.-]+$/.test(base) || base.endsWith('.Dockerfile') || base.endsWith('.dockerfile');
}

export function isComposeFile(p: string): boolean {
  return /^(docker-)?compose(\.[A-Za-z0-9_-]+)?\.ya?ml$/.test(path.posix.basename(p));
}

export function isCiFile(p: string): boolean {
  return (
    /^\.github\/workflows\/[^/]+\.ya?ml$/.test(p) ||
    /(^|\/)\.gitlab-ci\.ya?ml$/.test(p) ||
    /(^|\/)Jenkinsfile$/.test(p) ||
    p === '.circleci/config.yml' ||
    p === '.circleci/config.yaml' ||
    /(^|\/)azure-pipelines\.ya?ml$/.test(p) ||
    p === 'bitbucket-pipelines.yml'
  );
}

const GITOPS_KINDS: Record<string, RegExp> = {
  Application: /^argoproj\.io\//,
  ApplicationSet: /^argoproj\.io\//,
  AppProject: /^argoproj\.io\//,
  Kustomization: /^kustomize\.toolkit\.fluxcd\.io\//,
  HelmRelease: /^helm\.toolkit\.fluxcd\.io\//,
  GitRepository: /^source\.toolkit\.fluxcd\.io\//,
  HelmRepository: /^source\.toolkit\.fluxcd\.io\//,
  OCIRepository: /^source\.toolkit\.fluxcd\.io\//,
};

export function isGitopsObject(apiVersion: string, kind: string): boolean {
  return GITOPS_KINDS[kind]?.test(apiVersion) ?? false;
}

const MAX_YAML_FILES = 3000;

/** Parses every YAML document into plain objects, skipping documents that do not parse. */
export function parseYamlDocuments(text: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  let docs;
  try {
    docs = parseAllDocuments(text);
  } catch {
    return out;
  }
  for (const doc of Array.isArray(docs) ? docs : [docs]) {
    if (doc.errors.length > 0) continue;
    try {
      const value: unknown = doc.toJS({ maxAliasCount: 100 });
      if (value && typeof value === 'object' && !Array.isArray(value)) out.push(value as Record<string, unknown>);
    } catch {
      /* alias bombs and the like: skip the document */
    }
  }
  return out;
}

export async function buildRepoIndex(paths: readonly string[], readFile: ReadFileFn): Promise<RepoIndex> {
  const chartDirs = paths
    .filter((p) => path.posix.basename(p) === 'Chart.yaml' && !isIgnoredPath(p))
    .map((p) => path.posix.dirname(p));
  const insideChart = (p: string) => chartDirs.some((d) => d === '.' || p.startsWith(`${d}/`));
  const charts: HelmChart[] = [];
  for (const dir of chartDirs) {
    const text = (await readFile(dir === '.' ? 'Chart.yaml' : `${dir}/Chart.yaml`)) ?? '';
    const name = /^name:\s*["']?([A-Za-z0-9_.-]+)/m.exec(text)?.[1] ?? path.posix.basename(dir);
    charts.push({ dir, name });
  }
  const index: RepoIndex = {
    paths,
    dockerfiles: paths.filter((p) => isDockerfile(p) && !isIgnoredPath(p)),
    composeFiles: paths.filter((p) => isComposeFile(p) && !isIgnoredPath(p)),
    kubeObjects: [],
    kubeFiles: [],
    charts,
    chartTemplates: paths.filter((p) => insideChart(p) && /\/templates\//.test(p)),
    kustomizeDirs: paths
      .filter((p) => /^(kustomization\.ya?ml|Kustomization)$/.test(path.posix.basename(p)) && !isIgnoredPath(p))
      .map((p) => path.posix.dirname(p)),
    gitopsObjects: [],
    ciFiles: paths.filter(isCiFile),
    readFile,
  };
  const yamlFiles = paths
    .filter((p) => /\.ya?ml$/.test(p) && !isIgnoredPath(p) && !isComposeFile(p) && !isCiFile(p))
    .filter((p) => !(insideChart(p) && /\/templates\//.test(p)))
    .slice(0, MAX_YAML_FILES);
  for (const file of yamlFiles) {
    const text = await readFile(file);
    if (!text || !/^apiVersion:/m.test(text) || !/^kind:/m.test(text)) continue;
    let plain = false;
    for (const doc of parseYamlDocuments(text)) {
      const apiVersion = typeof doc.apiVersion === 'string' ? doc.apiVersion : null;
      const kind = typeof doc.kind === 'string' ? doc.kind : null;
      if (!apiVersion || !kind) continue;
      const meta = doc.metadata as Record<string, unknown> | undefined;
      const obj: KubeObject = { file, apiVersion, kind, name: typeof meta?.name === 'string' ? meta.name : null, doc };
      if (isGitopsObject(apiVersion, kind)) index.gitopsObjects.push(obj);
      else if (!insideChart(file) && !/^kustomize\.config\.k8s\.io\//.test(apiVersion)) {
        index.kubeObjects.push(obj);
        plain = true;
      }
    }
    if (plain) index.kubeFiles.push(file);
  }
  return index;
}

export const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'Pod', 'ReplicaSet', 'Rollout', 'DeploymentConfig']);

/** The pod spec of a workload object (CronJob nests it one level deeper). */
export function podSpecOf(obj: KubeObject): Record<string, unknown> | null {
  const rec = (v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null);
  const spec = rec(obj.doc.spec);
  if (!spec) return null;
  if (obj.kind === 'Pod') return spec;
  if (obj.kind === 'CronJob') return rec(rec(rec(rec(spec.jobTemplate)?.spec)?.template)?.spec);
  return rec(rec(spec.template)?.spec);
}

export function containersOf(obj: KubeObject): Record<string, unknown>[] {
  const pod = podSpecOf(obj);
  if (!pod) return [];
  return (Array.isArray(pod.containers) ? pod.containers : []).filter(
    (c): c is Record<string, unknown> => !!c && typeof c === 'object',
  );
}

/** Word-boundary mention of a name (service names are often short: "api", "db"). */
export function mentions(text: string, name: string): boolean {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^A-Za-z0-9_-])${escaped}($|[^A-Za-z0-9_-])`, 'm').test(text);
}
