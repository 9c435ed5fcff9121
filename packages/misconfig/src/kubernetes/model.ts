import { PATTERNS } from '../patterns.js';
import { asArray, asRecord, getIn, isRecord, parseYamlDocuments, type YamlDoc, type YamlPath } from '../yaml.js';

/** A Kubernetes object from a manifest file (or from a kustomize build, mapped back to its source). */
export interface K8sObject {
  path: string;
  apiVersion: string;
  kind: string;
  name: string;
  namespace: string | undefined;
  obj: Record<string, unknown>;
  /** 1-based source line of the deepest existing node on `path`. */
  lineAt(path: YamlPath): number;
}

export interface K8sContainer {
  spec: Record<string, unknown>;
  /** Path from the object root to this container. */
  path: YamlPath;
  init: boolean;
  name: string;
}

/** An object that runs pods: its pod spec, containers and template labels. */
export interface K8sWorkload {
  object: K8sObject;
  podSpec: Record<string, unknown>;
  podPath: YamlPath;
  labels: Record<string, string>;
  containers: K8sContainer[];
  /** Declared replicas for Deployment/StatefulSet/ReplicaSet (1 when omitted). */
  replicas: number | null;
  /** Job/CronJob pods run to completion: no probes expected. */
  batch: boolean;
}

/** Helm values.yaml documents, checked only for image tags. */
export interface HelmValues {
  path: string;
  doc: YamlDoc;
}

/** Everything the Kubernetes rules look at. `complete` means the set holds all manifests (cross-file rules may run). */
export interface K8sManifestSet {
  objects: K8sObject[];
  workloads: K8sWorkload[];
  helmValues: HelmValues[];
  complete: boolean;
}

const POD_SPEC_PATHS: Record<string, YamlPath> = {
  Pod: ['spec'],
  Deployment: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  ReplicationController: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
};

export function objectFromDoc(path: string, doc: YamlDoc): K8sObject | null {
  const obj = doc.value;
  if (!isRecord(obj) || typeof obj.kind !== 'string' || typeof obj.apiVersion !== 'string') return null;
  const meta = asRecord(obj.metadata);
  return {
    path,
    apiVersion: obj.apiVersion,
    kind: obj.kind,
    name: typeof meta.name === 'string' ? meta.name : '',
    namespace: typeof meta.namespace === 'string' ? meta.namespace : undefined,
    obj,
    lineAt: (p) => doc.lineAt(p),
  };
}

export function workloadOf(object: K8sObject): K8sWorkload | null {
  const podPath = POD_SPEC_PATHS[object.kind];
  if (!podPath) return null;
  const podSpec = getIn(object.obj, podPath);
  if (!isRecord(podSpec)) return null;
  const containers: K8sContainer[] = [];
  for (const [key, init] of [['initContainers', true], ['containers', false]] as const) {
    asArray(podSpec[key]).forEach((c, i) => {
      if (isRecord(c)) containers.push({ spec: c, path: [...podPath, key, i], init, name: typeof c.name === 'string' ? c.name : `#${i}` });
    });
  }
  const templateMeta = object.kind === 'Pod' ? asRecord(object.obj.metadata) : asRecord(getIn(object.obj, [...podPath.slice(0, -1), 'metadata']));
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(asRecord(templateMeta.labels))) labels[k] = String(v);
  const replicasRaw = getIn(object.obj, ['spec', 'replicas']);
  const scalable = ['Deployment', 'StatefulSet', 'ReplicaSet', 'ReplicationController'].includes(object.kind);
  return {
    object,
    podSpec,
    podPath,
    labels,
    containers,
    replicas: scalable ? (typeof replicasRaw === 'number' ? replicasRaw : 1) : null,
    batch: object.kind === 'Job' || object.kind === 'CronJob',
  };
}

/** True for YAML that looks like a Kubernetes manifest (cheap text test before parsing). */
export function looksLikeKubernetes(content: string): boolean {
  return PATTERNS.k8sApiVersion.test(content) && PATTERNS.k8sKind.test(content);
}

export function isHelmValuesPath(path: string): boolean {
  const base = path.split('/').pop() ?? path;
  return PATTERNS.helmValuesFile.test(base);
}

export interface ParsedManifests {
  objects: K8sObject[];
  helmValues: HelmValues[];
  errors: string[];
}

/** Parses one file into Kubernetes objects (or Helm values when the file is a values*.yaml without kinds). */
export function parseManifestFile(path: string, content: string): ParsedManifests {
  const { docs, errors } = parseYamlDocuments(content);
  const objects: K8sObject[] = [];
  for (const doc of docs) {
    const value = doc.value;
    // `kind: List` wraps items; expand them so each item is checked.
    if (isRecord(value) && value.kind === 'List' && Array.isArray(value.items)) {
      value.items.forEach((item, i) => {
        const o = objectFromDoc(path, { ...doc, value: item, lineAt: (p) => doc.lineAt(['items', i, ...p]) });
        if (o) objects.push(o);
      });
      continue;
    }
    const o = objectFromDoc(path, doc);
    if (o) objects.push(o);
  }
  const helmValues = objects.length === 0 && isHelmValuesPath(path) ? docs.map((doc) => ({ path, doc })) : [];
  return { objects, helmValues, errors };
}

export function buildManifestSet(objects: K8sObject[], helmValues: HelmValues[], complete: boolean): K8sManifestSet {
  const workloads = objects.map(workloadOf).filter((w): w is K8sWorkload => w !== null);
  return { objects, workloads, helmValues, complete };
}

/** Image reference parts: tag is null when absent; digest when pinned by @sha256. */
export function parseImage(image: string): { name: string; tag: string | null; digest: boolean } {
  const at = image.lastIndexOf('@sha256:');
  const digest = at >= 0 && PATTERNS.sha256Hex.test(image.slice(at + 8));
  const withoutDigest = image.split('@')[0] ?? image;
  const slash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  if (colon > slash) return { name: withoutDigest.slice(0, colon), tag: withoutDigest.slice(colon + 1), digest };
  return { name: withoutDigest, tag: null, digest };
}

/** Does a label selector (matchLabels/matchExpressions) select these labels? Empty selector selects all. */
export function selectorMatches(selector: unknown, labels: Record<string, string>): boolean {
  const sel = asRecord(selector);
  for (const [k, v] of Object.entries(asRecord(sel.matchLabels))) if (labels[k] !== String(v)) return false;
  for (const e of asArray(sel.matchExpressions)) {
    const expr = asRecord(e);
    const key = String(expr.key ?? '');
    const values = asArray(expr.values).map(String);
    const has = key in labels;
    switch (expr.operator) {
      case 'In': if (!has || !values.includes(labels[key]!)) return false; break;
      case 'NotIn': if (has && values.includes(labels[key]!)) return false; break;
      case 'Exists': if (!has) return false; break;
      case 'DoesNotExist': if (has) return false; break;
      default: return false;
    }
  }
  return true;
}

export function sameNamespace(a: string | undefined, b: string | undefined): boolean {
  return (a ?? 'default') === (b ?? 'default');
}
