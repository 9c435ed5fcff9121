import { stringify } from 'yaml';

/**
 * Builders for Kubernetes test vectors. The hardened Deployment passes every rule; each rule's
 * positive vector changes one thing, so a vector proves the rule reacts to exactly that change.
 */
type Obj = Record<string, unknown>;

export function hardenedContainer(overrides: Obj = {}): Obj {
  return {
    name: 'api',
    image: 'registry.example.com/api:1.4.2@sha256:' + 'a'.repeat(64),
    imagePullPolicy: 'IfNotPresent',
    ports: [{ containerPort: 8080 }],
    resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
    livenessProbe: { httpGet: { path: '/livez', port: 8080 }, periodSeconds: 10 },
    readinessProbe: { httpGet: { path: '/readyz', port: 8080 }, periodSeconds: 5 },
    securityContext: {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      runAsUser: 10001,
      capabilities: { drop: ['ALL'] },
    },
    ...overrides,
  };
}

export function hardenedPodSpec(overrides: Obj = {}, container: Obj = {}): Obj {
  return {
    automountServiceAccountToken: false,
    securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [hardenedContainer(container)],
    ...overrides,
  };
}

export interface DeploymentOptions {
  container?: Obj;
  pod?: Obj;
  replicas?: number;
  namespace?: string;
  kind?: string;
  apiVersion?: string;
}

export function deployment(opts: DeploymentOptions = {}): Obj {
  return {
    apiVersion: opts.apiVersion ?? 'apps/v1',
    kind: opts.kind ?? 'Deployment',
    metadata: { name: 'api', namespace: opts.namespace ?? 'shop' },
    spec: {
      replicas: opts.replicas ?? 2,
      selector: { matchLabels: { app: 'api' } },
      template: { metadata: { labels: { app: 'api' } }, spec: hardenedPodSpec(opts.pod, opts.container) },
    },
  };
}

export const NETWORK_POLICY: Obj = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'api', namespace: 'shop' },
  spec: { podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: {} }] }] },
};

export const POD_DISRUPTION_BUDGET: Obj = {
  apiVersion: 'policy/v1',
  kind: 'PodDisruptionBudget',
  metadata: { name: 'api', namespace: 'shop' },
  spec: { minAvailable: 1, selector: { matchLabels: { app: 'api' } } },
};

/** Multi-document YAML text of the given objects. */
export function manifests(...objects: Obj[]): string {
  return objects.map((o) => stringify(o)).join('---\n');
}

/** The hardened Deployment with its NetworkPolicy and PDB: no Kubernetes rule fires on it. */
export function hardenedManifests(opts: DeploymentOptions = {}): string {
  return manifests(deployment(opts), NETWORK_POLICY, POD_DISRUPTION_BUDGET);
}
