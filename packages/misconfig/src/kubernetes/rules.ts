import type { Rule, RuleHit } from '../rule.js';
import { redact } from '../rule.js';
import { isSecretName, PATTERNS } from '../patterns.js';
import { asArray, asRecord, getIn, isRecord, type YamlPath } from '../yaml.js';
import {
  parseImage, sameNamespace, selectorMatches,
  type K8sContainer, type K8sManifestSet, type K8sObject, type K8sWorkload,
} from './model.js';
import { deployment, hardenedManifests, manifests, NETWORK_POLICY, POD_DISRUPTION_BUDGET } from './vectors.js';

export interface KubernetesRule extends Rule<K8sManifestSet> {
  /** Needs every manifest of the repository (NetworkPolicy/PDB lookups); runs only on complete sets. */
  crossFile?: boolean;
}

const at = (o: K8sObject, path: YamlPath, evidence: string, extra: Partial<RuleHit> = {}): RuleHit => ({
  path: o.path,
  line: o.lineAt(path),
  evidence,
  key: `${o.kind}/${o.namespace ?? ''}/${o.name} ${evidence}`,
  ...extra,
});

const describe = (w: K8sWorkload, c?: K8sContainer) => `${w.object.kind}/${w.object.name}${c ? ` container ${c.name}` : ''}`;

/** Runs `test` on every container of every workload; `test` returns the path to report or null. */
function perContainer(
  set: K8sManifestSet,
  test: (w: K8sWorkload, c: K8sContainer) => { path: YamlPath; evidence?: string; message?: string } | null,
  opts: { skipInit?: boolean; skipBatch?: boolean } = {},
): RuleHit[] {
  const hits: RuleHit[] = [];
  for (const w of set.workloads) {
    if (opts.skipBatch && w.batch) continue;
    for (const c of w.containers) {
      if (opts.skipInit && c.init) continue;
      const r = test(w, c);
      if (r) {
        const extra: Partial<RuleHit> = r.message ? { message: r.message } : {};
        hits.push(at(w.object, r.path, r.evidence ?? describe(w, c), extra));
      }
    }
  }
  return hits;
}

function perWorkload(set: K8sManifestSet, test: (w: K8sWorkload) => { path: YamlPath; evidence?: string } | null): RuleHit[] {
  return set.workloads.flatMap((w) => {
    const r = test(w);
    return r ? [at(w.object, r.path, r.evidence ?? describe(w))] : [];
  });
}

const sc = (c: K8sContainer) => asRecord(c.spec.securityContext);
const podSc = (w: K8sWorkload) => asRecord(w.podSpec.securityContext);
const scPath = (c: K8sContainer, ...rest: string[]): YamlPath => [...c.path, 'securityContext', ...rest];

/** Kubernetes merges container securityContext over the pod's for these fields. */
function effective(w: K8sWorkload, c: K8sContainer, field: string): unknown {
  const own = sc(c)[field];
  return own !== undefined ? own : podSc(w)[field];
}

function capabilities(c: K8sContainer, list: 'add' | 'drop'): string[] {
  return asArray(asRecord(sc(c).capabilities)[list]).map((x) => String(x).toUpperCase().replace(/^CAP_/, ''));
}

const DANGEROUS_CAPS = new Set(['ALL', 'SYS_ADMIN', 'NET_ADMIN', 'SYS_PTRACE', 'SYS_MODULE', 'DAC_READ_SEARCH', 'SYS_RAWIO', 'BPF', 'PERFMON', 'SYS_BOOT']);
const HARMLESS_CAPS = new Set(['NET_BIND_SERVICE']);

function resourceMissing(kind: 'requests' | 'limits', resource: 'cpu' | 'memory') {
  return (set: K8sManifestSet) => perContainer(set, (_w, c) => {
    const value = getIn(c.spec, ['resources', kind, resource]);
    return value === undefined || value === null || value === '' ? { path: [...c.path, 'name'], message: `${describe(_w, c)} has no ${resource} ${kind === 'requests' ? 'request' : 'limit'}.` } : null;
  });
}

function probeMissing(probe: 'livenessProbe' | 'readinessProbe') {
  return (set: K8sManifestSet) => perContainer(set, (w, c) => (isRecord(c.spec[probe]) ? null : { path: [...c.path, 'name'], message: `${describe(w, c)} has no ${probe}.` }), { skipInit: true, skipBatch: true });
}

/** Deep-equality good enough for probe objects (plain JSON values). */
function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Does any object of `kind` in the set select this workload's pods in its namespace? */
function selectedBy(set: K8sManifestSet, w: K8sWorkload, kind: string, selectorPath: YamlPath): boolean {
  return set.objects.some((o) => o.kind === kind && sameNamespace(o.namespace, w.object.namespace) && selectorMatches(getIn(o.obj, selectorPath), w.labels));
}

const HOST_NAMESPACES: Array<['hostNetwork' | 'hostPID' | 'hostIPC', string, string[]]> = [
  ['hostNetwork', 'Pod uses the host network (hostNetwork)', ['polaris:hostNetworkSet', 'trivy:KSV-0009', 'checkov:CKV_K8S_19']],
  ['hostPID', 'Pod shares the host PID namespace (hostPID)', ['polaris:hostPIDSet', 'trivy:KSV-0010', 'checkov:CKV_K8S_17']],
  ['hostIPC', 'Pod shares the host IPC namespace (hostIPC)', ['polaris:hostIPCSet', 'trivy:KSV-0008', 'checkov:CKV_K8S_18']],
];

const hostNamespaceRules: KubernetesRule[] = HOST_NAMESPACES.map(([field, title, refs]) => ({
  id: `k8s.${field.replace(/^host/, 'host-').toLowerCase()}`,
  category: 'kubernetes' as const,
  title,
  severity: 'high' as const,
  description: `${title}: the pod sees the node's ${field.slice(4)} namespace, breaking container isolation.`,
  remediation: `Remove \`${field}: true\` from the pod spec.`,
  references: ['CWE-250', ...refs],
  fix: { kind: 'k8s.remove-field', field: `spec.template.spec.${field}` },
  check: (set: K8sManifestSet) => perWorkload(set, (w) => (w.podSpec[field] === true ? { path: [...w.podPath, field], evidence: `${field}: true` } : null)),
  positives: [manifests(deployment({ pod: { [field]: true } }))],
  negatives: [hardenedManifests(), manifests(deployment({ pod: { [field]: false } }))],
}));

const resourceRules: KubernetesRule[] = ([
  ['requests', 'cpu', 'CPU request missing', ['polaris:cpuRequestsMissing', 'trivy:KSV-0015', 'checkov:CKV_K8S_10'], 'low'],
  ['limits', 'cpu', 'CPU limit missing', ['polaris:cpuLimitsMissing', 'trivy:KSV-0011', 'checkov:CKV_K8S_11'], 'low'],
  ['requests', 'memory', 'Memory request missing', ['polaris:memoryRequestsMissing', 'trivy:KSV-0016', 'checkov:CKV_K8S_12'], 'low'],
  ['limits', 'memory', 'Memory limit missing', ['polaris:memoryLimitsMissing', 'trivy:KSV-0018', 'checkov:CKV_K8S_13'], 'medium'],
] as const).map(([kind, resource, title, refs, severity]) => ({
  id: `k8s.${resource}-${kind}-missing`,
  category: 'kubernetes' as const,
  title,
  severity,
  description: `A container has no ${resource} ${kind === 'requests' ? 'request' : 'limit'}: ${kind === 'requests' ? 'the scheduler cannot place it reliably' : 'one pod can starve its neighbours (resource exhaustion)'}.`,
  remediation: `Set resources.${kind}.${resource} on every container.`,
  references: ['CWE-770', 'kube-score:container-resources', ...refs],
  fix: { kind: 'k8s.resources' },
  check: resourceMissing(kind, resource),
  positives: [manifests(deployment({ container: { resources: { [kind === 'requests' ? 'limits' : 'requests']: { cpu: '1', memory: '1Gi' } } } }))],
  negatives: [hardenedManifests()],
}));

export const KUBERNETES_RULES: KubernetesRule[] = [
  {
    id: 'k8s.privileged',
    category: 'kubernetes',
    title: 'Privileged container',
    severity: 'critical',
    description: 'The container runs privileged: it has every capability and full access to the host devices, equivalent to root on the node.',
    remediation: 'Remove `privileged: true`; grant only the specific capabilities the workload needs.',
    references: ['CWE-250', 'polaris:runAsPrivileged', 'kube-score:container-security-context-privileged', 'trivy:KSV-0017', 'checkov:CKV_K8S_16'],
    fix: { kind: 'k8s.security-context', set: { privileged: false } },
    check: (set) => perContainer(set, (w, c) => (sc(c).privileged === true ? { path: scPath(c, 'privileged'), evidence: `${describe(w, c)}: privileged: true` } : null)),
    positives: [manifests(deployment({ container: { securityContext: { privileged: true, allowPrivilegeEscalation: false } } }))],
    negatives: [hardenedManifests()],
  },
  {
    id: 'k8s.allow-privilege-escalation',
    category: 'kubernetes',
    title: 'Privilege escalation allowed',
    severity: 'medium',
    description: 'allowPrivilegeEscalation is not false: a process can gain more privileges than its parent (setuid binaries).',
    remediation: 'Set securityContext.allowPrivilegeEscalation: false on every container.',
    references: ['CWE-269', 'polaris:privilegeEscalationAllowed', 'trivy:KSV-0001', 'checkov:CKV_K8S_20'],
    fix: { kind: 'k8s.security-context', set: { allowPrivilegeEscalation: false } },
    check: (set) => perContainer(set, (w, c) => {
      const v = sc(c).allowPrivilegeEscalation;
      if (v === false) return null;
      return v === true
        ? { path: scPath(c, 'allowPrivilegeEscalation'), evidence: `${describe(w, c)}: allowPrivilegeEscalation: true` }
        : { path: [...c.path, 'name'], message: `${describe(w, c)} does not set allowPrivilegeEscalation: false (privilege escalation allowed).` };
    }),
    positives: [manifests(deployment({ container: { securityContext: { allowPrivilegeEscalation: true } } })), manifests(deployment({ container: { securityContext: { runAsNonRoot: true } } }))],
    negatives: [hardenedManifests()],
  },
  {
    id: 'k8s.run-as-root',
    category: 'kubernetes',
    title: 'Container may run as root (runAsNonRoot not set)',
    severity: 'medium',
    description: 'Neither the pod nor the container sets runAsNonRoot: true or a non-zero runAsUser, so the image’s default user (often root) is used.',
    remediation: 'Set securityContext.runAsNonRoot: true and runAsUser: 10001 (pod or container level).',
    references: ['CWE-250', 'polaris:runAsRootAllowed', 'kube-score:container-security-context-user-group-id', 'trivy:KSV-0012', 'checkov:CKV_K8S_23'],
    fix: { kind: 'k8s.security-context', set: { runAsNonRoot: true, runAsUser: 10001 } },
    check: (set) => perContainer(set, (w, c) => {
      const nonRoot = effective(w, c, 'runAsNonRoot') === true;
      const uid = effective(w, c, 'runAsUser');
      return nonRoot || (typeof uid === 'number' && uid > 0) ? null : { path: [...c.path, 'name'] };
    }),
    positives: [manifests(deployment({ container: { securityContext: { allowPrivilegeEscalation: false } }, pod: { securityContext: {} } }))],
    negatives: [hardenedManifests(), manifests(deployment({ container: { securityContext: {} }, pod: { securityContext: { runAsUser: 1000 } } }))],
  },
  {
    id: 'k8s.run-as-uid-0',
    category: 'kubernetes',
    title: 'Container runs as UID 0',
    severity: 'high',
    description: 'runAsUser: 0 explicitly runs the container as root.',
    remediation: 'Use a non-zero UID (e.g. 10001) and runAsNonRoot: true.',
    references: ['CWE-250', 'trivy:KSV-0105', 'kube-score:container-security-context-user-group-id'],
    fix: { kind: 'k8s.security-context', set: { runAsNonRoot: true, runAsUser: 10001 } },
    check: (set) => perContainer(set, (w, c) => {
      if (sc(c).runAsUser === 0) return { path: scPath(c, 'runAsUser'), evidence: `${describe(w, c)}: runAsUser: 0` };
      if (sc(c).runAsUser === undefined && podSc(w).runAsUser === 0) return { path: [...w.podPath, 'securityContext', 'runAsUser'], evidence: `${describe(w)}: runAsUser: 0` };
      return null;
    }),
    positives: [manifests(deployment({ container: { securityContext: { runAsUser: 0 } } })), manifests(deployment({ pod: { securityContext: { runAsUser: 0 } }, container: { securityContext: { runAsNonRoot: false } } }))],
    negatives: [hardenedManifests()],
  },
  {
    id: 'k8s.readonly-root-filesystem',
    category: 'kubernetes',
    title: 'Root filesystem is writable',
    severity: 'low',
    description: 'readOnlyRootFilesystem is not true: an attacker can modify binaries and drop tools in the container.',
    remediation: 'Set securityContext.readOnlyRootFilesystem: true and mount emptyDir volumes where the app writes.',
    references: ['CWE-732', 'polaris:notReadOnlyRootFilesystem', 'kube-score:container-security-context-readonlyrootfilesystem', 'trivy:KSV-0014', 'checkov:CKV_K8S_22'],
    fix: { kind: 'k8s.security-context', set: { readOnlyRootFilesystem: true } },
    check: (set) => perContainer(set, (_w, c) => (sc(c).readOnlyRootFilesystem === true ? null : { path: [...c.path, 'name'] })),
    positives: [manifests(deployment({ container: { securityContext: { runAsNonRoot: true, allowPrivilegeEscalation: false } } }))],
    negatives: [hardenedManifests()],
  },
  {
    id: 'k8s.capabilities-added',
    category: 'kubernetes',
    title: 'Linux capabilities added',
    severity: 'medium',
    description: 'The container adds Linux capabilities beyond the default set.',
    remediation: 'Remove capabilities.add, or keep only NET_BIND_SERVICE when binding ports below 1024.',
    references: ['CWE-250', 'polaris:insecureCapabilities', 'trivy:KSV-0022', 'checkov:CKV_K8S_25'],
    check: (set) => perContainer(set, (w, c) => {
      const extra = capabilities(c, 'add').filter((x) => !HARMLESS_CAPS.has(x) && !DANGEROUS_CAPS.has(x));
      return extra.length ? { path: scPath(c, 'capabilities', 'add'), evidence: `${describe(w, c)}: add ${extra.join(', ')}` } : null;
    }),
    positives: [manifests(deployment({ container: { securityContext: { capabilities: { drop: ['ALL'], add: ['CHOWN'] } } } }))],
    negatives: [hardenedManifests(), manifests(deployment({ container: { securityContext: { capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } } } }))],
  },
  {
    id: 'k8s.dangerous-capabilities',
    category: 'kubernetes',
    title: 'Dangerous Linux capabilities added',
    severity: 'high',
    description: 'The container adds a capability that allows container escape or host tampering (SYS_ADMIN, NET_ADMIN, SYS_PTRACE, ALL, …).',
    remediation: 'Remove the capability; if truly needed, isolate the workload on dedicated nodes.',
    references: ['CWE-250', 'polaris:dangerousCapabilities', 'trivy:KSV-0005', 'checkov:CKV_K8S_39'],
    check: (set) => perContainer(set, (w, c) => {
      const bad = capabilities(c, 'add').filter((x) => DANGEROUS_CAPS.has(x));
      return bad.length ? { path: scPath(c, 'capabilities', 'add'), evidence: `${describe(w, c)}: add ${bad.join(', ')}` } : null;
    }),
    positives: [manifests(deployment({ container: { securityContext: { capabilities: { add: ['SYS_ADMIN'] } } } }))],
    negatives: [hardenedManifests()],
  },
  {
    id: 'k8s.capabilities-not-dropped',
    category: 'kubernetes',
    title: 'Capabilities not dropped',
    severity: 'low',
    description: 'The container keeps the default capability set (including NET_RAW) instead of dropping ALL.',
    remediation: 'Set securityContext.capabilities.drop: ["ALL"] and add back only what is required.',
    references: ['CWE-250', 'trivy:KSV-0003', 'checkov:CKV_K8S_37', 'checkov:CKV_K8S_28'],
    fix: { kind: 'k8s.security-context', set: { capabilities: { drop: ['ALL'] } } },
    check: (set) => perContainer(set, (_w, c) => (capabilities(c, 'drop').includes('ALL') ? null : { path: [...c.path, 'name'] })),
    positives: [manifests(deployment({ container: { securityContext: { runAsNonRoot: true } } }))],
    negatives: [hardenedManifests()],
  },
  ...hostNamespaceRules,
  {
    id: 'k8s.host-path-volume',
    category: 'kubernetes',
    title: 'hostPath volume',
    severity: 'medium',
    description: 'A hostPath volume mounts a directory of the node into the pod, exposing host files and enabling escapes.',
    remediation: 'Use emptyDir, ConfigMap/Secret or a PersistentVolumeClaim instead of hostPath.',
    references: ['CWE-668', 'trivy:KSV-0023', 'polaris:hostPathSet'],
    check: (set) => set.workloads.flatMap((w) => asArray(w.podSpec.volumes).flatMap((v, i) => {
      const hostPath = asRecord(asRecord(v).hostPath).path;
      return typeof hostPath === 'string' && !hostPath.endsWith('docker.sock') && !hostPath.endsWith('containerd.sock')
        ? [at(w.object, [...w.podPath, 'volumes', i, 'hostPath'], `${describe(w)}: hostPath ${hostPath}`)] : [];
    })),
    positives: [manifests(deployment({ pod: { volumes: [{ name: 'logs', hostPath: { path: '/var/log' } }] } }))],
    negatives: [hardenedManifests(), manifests(deployment({ pod: { volumes: [{ name: 'tmp', emptyDir: {} }] } }))],
  },
  {
    id: 'k8s.container-runtime-socket',
    category: 'kubernetes',
    title: 'Container runtime socket mounted',
    severity: 'critical',
    description: 'The Docker/containerd socket is mounted into the pod: whoever controls the pod controls the node.',
    remediation: 'Do not mount the runtime socket; use a rootless builder (Kaniko, BuildKit rootless) or the Kubernetes API.',
    references: ['CWE-250', 'trivy:KSV-0006', 'checkov:CKV_K8S_27'],
    check: (set) => set.workloads.flatMap((w) => asArray(w.podSpec.volumes).flatMap((v, i) => {
      const hostPath = asRecord(asRecord(v).hostPath).path;
      return typeof hostPath === 'string' && (hostPath.endsWith('docker.sock') || hostPath.endsWith('containerd.sock'))
        ? [at(w.object, [...w.podPath, 'volumes', i, 'hostPath'], `${describe(w)}: hostPath ${hostPath}`)] : [];
    })),
    positives: [manifests(deployment({ pod: { volumes: [{ name: 'sock', hostPath: { path: '/var/run/docker.sock' } }] } }))],
    negatives: [hardenedManifests()],
  },
  {
    id: 'k8s.host-port',
    category: 'kubernetes',
    title: 'hostPort used',
    severity: 'medium',
    description: 'A container binds a port on the node (hostPort), bypassing Services and NetworkPolicies and limiting scheduling.',
    remediation: 'Remove hostPort and expose the port through a Service.',
    references: ['CWE-668', 'polaris:hostPortSet', 'trivy:KSV-0024', 'checkov:CKV_K8S_26'],
    check: (set) => perContainer(set, (w, c) => {
      const i = asArray(c.spec.ports).findIndex((p) => asRecord(p).hostPort !== undefined);
      return i >= 0 ? { path: [...c.path, 'ports', i, 'hostPort'], evidence: `${describe(w, c)}: hostPort ${String(asRecord(asArray(c.spec.ports)[i]).hostPort)}` } : null;
    }),
    positives: [manifests(deployment({ container: { ports: [{ containerPort: 8080, hostPort: 8080 }] } }))],
    negatives: [hardenedManifests()],
  },
  ...resourceRules,
  {
    id: 'k8s.liveness-probe-missing',
    category: 'kubernetes',
    title: 'Liveness probe missing',
    severity: 'low',
    description: 'Without a livenessProbe a deadlocked container is never restarted.',
    remediation: 'Add a livenessProbe (HTTP /livez or a cheap exec check) distinct from the readiness probe.',
    references: ['polaris:livenessProbeMissing', 'kube-score:pod-probes', 'checkov:CKV_K8S_8'],
    fix: { kind: 'k8s.probes' },
    check: probeMissing('livenessProbe'),
    positives: [manifests(deployment({ container: { livenessProbe: undefined } }))],
    negatives: [hardenedManifests(), manifests({ ...deployment({ kind: 'Job', apiVersion: 'batch/v1', container: { livenessProbe: undefined } }) })],
  },
  {
    id: 'k8s.readiness-probe-missing',
    category: 'kubernetes',
    title: 'Readiness probe missing',
    severity: 'medium',
    description: 'Without a readinessProbe traffic is sent to pods before they can serve, and rollouts cannot detect broken versions.',
    remediation: 'Add a readinessProbe (HTTP /readyz) that checks the app can serve requests.',
    references: ['polaris:readinessProbeMissing', 'kube-score:pod-probes', 'checkov:CKV_K8S_9'],
    fix: { kind: 'k8s.probes' },
    check: probeMissing('readinessProbe'),
    positives: [manifests(deployment({ container: { readinessProbe: undefined } }))],
    negatives: [hardenedManifests()],
  },
  {
    id: 'k8s.identical-probes',
    category: 'kubernetes',
    title: 'Liveness and readiness probes are identical',
    severity: 'low',
    description: 'Identical probes mean an overloaded pod is killed instead of just taken out of rotation, which cascades under load.',
    remediation: 'Make the liveness probe cheaper/more tolerant than the readiness probe (different endpoint or thresholds).',
    references: ['kube-score:pod-probes-identical'],
    check: (set) => perContainer(set, (w, c) =>
      isRecord(c.spec.livenessProbe) && sameJson(c.spec.livenessProbe, c.spec.readinessProbe) ? { path: [...c.path, 'livenessProbe'], evidence: `${describe(w, c)}: identical probes` } : null, { skipInit: true }),
    positives: [manifests(deployment({ container: { readinessProbe: { httpGet: { path: '/livez', port: 8080 }, periodSeconds: 10 } } }))],
    negatives: [hardenedManifests()],
  },
  {
    id: 'k8s.image-tag',
    category: 'kubernetes',
    title: 'Image without tag or with latest',
    severity: 'medium',
    description: 'The container image uses `latest` or no tag (image tag not specified): deployments are not reproducible and rollbacks do not work.',
    remediation: 'Use an immutable version tag, ideally with a digest (image:1.4.2@sha256:…).',
    references: ['CWE-1357', 'polaris:tagNotSpecified', 'kube-score:container-image-tag', 'trivy:KSV-0013', 'checkov:CKV_K8S_14'],
    fix: { kind: 'k8s.pin-image' },
    check: (set) => perContainer(set, (w, c) => {
      const image = typeof c.spec.image === 'string' ? c.spec.image : '';
      const { tag, digest } = parseImage(image);
      return image && !digest && (tag === null || tag === 'latest') ? { path: [...c.path, 'image'], evidence: `${describe(w, c)}: image ${image}` } : null;
    }),
    positives: [manifests(deployment({ container: { image: 'example/api:latest' } })), manifests(deployment({ container: { image: 'nginx' } }))],
    negatives: [hardenedManifests(), manifests(deployment({ container: { image: 'example/api:1.2.3', imagePullPolicy: 'Always' } }))],
  },
  {
    id: 'k8s.image-pull-policy',
    category: 'kubernetes',
    title: 'Mutable image without imagePullPolicy: Always',
    severity: 'low',
    description: 'The image is not pinned by digest and imagePullPolicy is not Always, so nodes may run different cached builds of the same tag.',
    remediation: 'Pin the image by digest, or set imagePullPolicy: Always.',
    references: ['polaris:pullPolicyNotAlways', 'kube-score:container-image-pull-policy', 'checkov:CKV_K8S_15'],
    check: (set) => perContainer(set, (w, c) => {
      const image = typeof c.spec.image === 'string' ? c.spec.image : '';
      return image && !parseImage(image).digest && c.spec.imagePullPolicy !== 'Always' ? { path: [...c.path, c.spec.imagePullPolicy ? 'imagePullPolicy' : 'image'], evidence: `${describe(w, c)}: image ${image}` } : null;
    }),
    positives: [manifests(deployment({ container: { image: 'example/api:1.2.3' } }))],
    negatives: [hardenedManifests(), manifests(deployment({ container: { image: 'example/api:1.2.3', imagePullPolicy: 'Always' } }))],
  },
  {
    id: 'k8s.service-account-token-automount',
    category: 'kubernetes',
    title: 'Service account token mounted automatically',
    severity: 'low',
    description: 'The pod gets an API token it probably does not need; a compromised container can use it against the API server.',
    remediation: 'Set automountServiceAccountToken: false in the pod spec (or on the ServiceAccount) unless the app calls the API.',
    references: ['CWE-200', 'polaris:automountServiceAccountToken', 'trivy:KSV-0036', 'checkov:CKV_K8S_38'],
    fix: { kind: 'k8s.pod-field', set: { automountServiceAccountToken: false } },
    check: (set) => perWorkload(set, (w) => (w.podSpec.automountServiceAccountToken === false ? null : { path: [...w.podPath, 'automountServiceAccountToken'] })),
    positives: [manifests(deployment({ pod: { automountServiceAccountToken: undefined } }))],
    negatives: [hardenedManifests()],
  },
  {
    id: 'k8s.single-replica',
    category: 'kubernetes',
    title: 'Single replica',
    severity: 'low',
    description: 'The Deployment/StatefulSet runs one replica: any node drain, eviction or crash is an outage.',
    remediation: 'Run at least 2 replicas (with a PodDisruptionBudget and anti-affinity), or an HPA with minReplicas >= 2.',
    references: ['polaris:deploymentMissingReplicas', 'kube-score:deployment-replicas'],
    check: (set) => perWorkload(set, (w) => {
      if (w.replicas === null || w.replicas > 1 || w.object.kind === 'ReplicaSet') return null;
      const hpa = set.objects.some((o) => o.kind === 'HorizontalPodAutoscaler' && asRecord(getIn(o.obj, ['spec', 'scaleTargetRef'])).name === w.object.name);
      return hpa || w.replicas === 0 ? null : { path: ['spec', 'replicas'], evidence: `${describe(w)}: replicas ${w.replicas}` };
    }),
    positives: [manifests(deployment({ replicas: 1 }))],
    negatives: [hardenedManifests()],
  },
  {
    id: 'k8s.seccomp-profile-missing',
    category: 'kubernetes',
    title: 'No seccomp profile',
    severity: 'medium',
    description: 'Neither the pod nor the container sets seccompProfile RuntimeDefault/Localhost, so all syscalls are allowed.',
    remediation: 'Set securityContext.seccompProfile.type: RuntimeDefault on the pod.',
    references: ['CWE-693', 'trivy:KSV-0030', 'checkov:CKV_K8S_31', 'kube-score:container-seccomp-profile'],
    fix: { kind: 'k8s.pod-security-context', set: { seccompProfile: { type: 'RuntimeDefault' } } },
    check: (set) => perContainer(set, (w, c) => {
      const type = asRecord(effective(w, c, 'seccompProfile')).type;
      return type === 'RuntimeDefault' || type === 'Localhost' ? null : { path: [...c.path, 'name'] };
    }),
    positives: [manifests(deployment({ pod: { securityContext: { runAsNonRoot: true } } })), manifests(deployment({ pod: { securityContext: { seccompProfile: { type: 'Unconfined' } } } }))],
    negatives: [hardenedManifests(), manifests(deployment({ pod: { securityContext: {} }, container: { securityContext: { seccompProfile: { type: 'RuntimeDefault' }, runAsNonRoot: true } } }))],
  },
  {
    id: 'k8s.secret-env-literal',
    category: 'kubernetes',
    title: 'Secret as a literal env value',
    severity: 'high',
    description: 'A credential-like environment variable has a literal value in the manifest, so the secret lives in git.',
    remediation: 'Store it in a Secret (sealed/external secrets in git) and reference it with valueFrom.secretKeyRef.',
    references: ['CWE-798', 'polaris:sensitiveContainerEnvVar'],
    check: (set) => set.workloads.flatMap((w) => w.containers.flatMap((c) => asArray(c.spec.env).flatMap((e, i) => {
      const env = asRecord(e);
      const name = String(env.name ?? '');
      const value = env.value;
      if (typeof value !== 'string' || value.length < 4 || value.startsWith('$')) return [];
      const secretish = isSecretName(name) || PATTERNS.urlWithCredentials.test(value);
      return secretish ? [at(w.object, [...c.path, 'env', i, 'value'], `${name}=${redact(value)}`)] : [];
    }))),
    positives: [manifests(deployment({ container: { env: [{ name: 'DB_PASSWORD', value: 'hunter2hunter2' }] } })), manifests(deployment({ container: { env: [{ name: 'DATABASE_URL', value: 'postgres://app:pw123456@db/app' }] } }))],
    negatives: [hardenedManifests(), manifests(deployment({ container: { env: [{ name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } }, { name: 'LOG_LEVEL', value: 'info' }] } }))],
  },
  {
    id: 'k8s.default-namespace',
    category: 'kubernetes',
    title: 'Object in the default namespace',
    severity: 'low',
    description: 'The object is explicitly placed in the `default` namespace, which mixes workloads and weakens RBAC/NetworkPolicy boundaries.',
    remediation: 'Use a dedicated namespace per application or team.',
    references: ['trivy:KSV-0110', 'checkov:CKV_K8S_21'],
    check: (set) => set.objects.filter((o) => o.namespace === 'default').map((o) => at(o, ['metadata', 'namespace'], `${o.kind}/${o.name}: namespace default`)),
    positives: [manifests(deployment({ namespace: 'default' }))],
    negatives: [hardenedManifests()],
  },
  {
    id: 'k8s.secret-in-git',
    category: 'kubernetes',
    title: 'Secret object with data committed',
    severity: 'high',
    description: 'A Secret manifest carries data/stringData: base64 is not encryption, so the credentials are in git.',
    remediation: 'Use Sealed Secrets, SOPS or External Secrets Operator; rotate the committed values.',
    references: ['CWE-312', 'CWE-798'],
    check: (set) => set.objects.filter((o) => o.kind === 'Secret').flatMap((o) => {
      const keys = [...Object.keys(asRecord(o.obj.data)), ...Object.keys(asRecord(o.obj.stringData))];
      const field = isRecord(o.obj.data) && Object.keys(o.obj.data).length ? 'data' : 'stringData';
      return keys.length ? [at(o, [field], `Secret/${o.name}: keys ${keys.join(', ')}`)] : [];
    }),
    positives: ['apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ntype: Opaque\ndata:\n  password: aHVudGVyMg==\n'],
    negatives: ['apiVersion: v1\nkind: Secret\nmetadata:\n  name: tls\ntype: Opaque\n', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: b\n'],
  },
  {
    id: 'k8s.deprecated-api-version',
    category: 'kubernetes',
    title: 'Deprecated or removed apiVersion',
    severity: 'medium',
    description: 'The manifest uses an API version that is deprecated or removed in current Kubernetes releases; applying it will fail.',
    remediation: 'Migrate to the stable API (apps/v1, networking.k8s.io/v1, policy/v1, batch/v1, autoscaling/v2, rbac.authorization.k8s.io/v1).',
    references: ['CWE-477'],
    check: (set) => set.objects.filter((o) => PATTERNS.deprecatedApi.test(o.apiVersion)).map((o) => at(o, ['apiVersion'], `${o.kind}/${o.name}: apiVersion ${o.apiVersion}`)),
    positives: [manifests(deployment({ apiVersion: 'extensions/v1beta1' })), 'apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata: {name: p}\nspec: {minAvailable: 1}\n'],
    negatives: [hardenedManifests()],
  },
  {
    id: 'k8s.service-exposed',
    category: 'kubernetes',
    title: 'Service exposed with NodePort or LoadBalancer',
    severity: 'medium',
    description: 'The Service opens a port on every node (NodePort) or an external load balancer, bypassing the ingress layer.',
    remediation: 'Use ClusterIP behind an Ingress/Gateway; if a LoadBalancer is required, set loadBalancerSourceRanges.',
    references: ['CWE-668', 'kube-score:service-type'],
    check: (set) => set.objects.filter((o) => o.kind === 'Service').flatMap((o) => {
      const type = getIn(o.obj, ['spec', 'type']);
      if (type === 'NodePort') return [at(o, ['spec', 'type'], `Service/${o.name}: type NodePort`)];
      if (type === 'LoadBalancer' && asArray(getIn(o.obj, ['spec', 'loadBalancerSourceRanges'])).length === 0) return [at(o, ['spec', 'type'], `Service/${o.name}: type LoadBalancer`)];
      return [];
    }),
    positives: ['apiVersion: v1\nkind: Service\nmetadata: {name: api}\nspec:\n  type: NodePort\n  ports: [{port: 80}]\n'],
    negatives: ['apiVersion: v1\nkind: Service\nmetadata: {name: api}\nspec:\n  ports: [{port: 80}]\n', 'apiVersion: v1\nkind: Service\nmetadata: {name: api}\nspec:\n  type: LoadBalancer\n  loadBalancerSourceRanges: [10.0.0.0/8]\n'],
  },
  {
    id: 'k8s.rbac-wildcard',
    category: 'kubernetes',
    title: 'RBAC rule with wildcards',
    severity: 'high',
    description: 'A Role/ClusterRole grants `*` verbs, resources or API groups: it silently grows to cover future resources, Secrets included.',
    remediation: 'List the exact apiGroups, resources and verbs the subject needs.',
    references: ['CWE-269', 'trivy:KSV-0044', 'trivy:KSV-0046', 'checkov:CKV_K8S_49'],
    check: (set) => set.objects.filter((o) => o.kind === 'Role' || o.kind === 'ClusterRole').flatMap((o) => asArray(o.obj.rules).flatMap((r, i) => {
      const rule = asRecord(r);
      const wild = (['verbs', 'resources', 'apiGroups'] as const).filter((k) => asArray(rule[k]).includes('*'));
      return wild.length && (wild.includes('verbs') || wild.includes('resources')) ? [at(o, ['rules', i], `${o.kind}/${o.name}: * in ${wild.join(', ')}`)] : [];
    })),
    positives: ['apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: all}\nrules:\n- apiGroups: ["*"]\n  resources: ["*"]\n  verbs: ["*"]\n'],
    negatives: ['apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r}\nrules:\n- apiGroups: [""]\n  resources: ["configmaps"]\n  verbs: ["get", "list"]\n'],
  },
  {
    id: 'k8s.cluster-admin-binding',
    category: 'kubernetes',
    title: 'Binding to cluster-admin',
    severity: 'high',
    description: 'A RoleBinding/ClusterRoleBinding grants the cluster-admin role: full control of the cluster.',
    remediation: 'Bind a narrowly scoped Role instead of cluster-admin.',
    references: ['CWE-269', 'polaris:clusterrolebindingClusterAdmin', 'polaris:rolebindingClusterAdminClusterRole', 'trivy:KSV-0111'],
    check: (set) => set.objects
      .filter((o) => (o.kind === 'ClusterRoleBinding' || o.kind === 'RoleBinding') && asRecord(o.obj.roleRef).name === 'cluster-admin')
      .map((o) => at(o, ['roleRef', 'name'], `${o.kind}/${o.name}: roleRef cluster-admin`)),
    positives: ['apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: ci}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}\nsubjects: [{kind: ServiceAccount, name: ci, namespace: ci}]\n'],
    negatives: ['apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: ci}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: deployer}\nsubjects: [{kind: ServiceAccount, name: ci}]\n'],
  },
  {
    id: 'k8s.missing-network-policy',
    category: 'kubernetes',
    title: 'No NetworkPolicy selects the pods',
    severity: 'medium',
    description: 'No NetworkPolicy in the repository selects this workload’s pods, so any pod in the cluster can reach them.',
    remediation: 'Add a NetworkPolicy whose podSelector matches the workload (default-deny plus explicit allows).',
    references: ['CWE-923', 'kube-score:pod-networkpolicy', 'polaris:missingNetworkPolicy'],
    fix: { kind: 'k8s.network-policy' },
    crossFile: true,
    check: (set) => perWorkload(set, (w) => (selectedBy(set, w, 'NetworkPolicy', ['spec', 'podSelector']) ? null : { path: ['metadata', 'name'] })),
    positives: [manifests(deployment(), POD_DISRUPTION_BUDGET), manifests(deployment(), { ...NETWORK_POLICY, spec: { podSelector: { matchLabels: { app: 'web' } } } })],
    negatives: [hardenedManifests(), manifests(deployment(), { ...NETWORK_POLICY, spec: { podSelector: {} } }, POD_DISRUPTION_BUDGET)],
  },
  {
    id: 'k8s.missing-pod-disruption-budget',
    category: 'kubernetes',
    title: 'No PodDisruptionBudget for a multi-replica workload',
    severity: 'low',
    description: 'A Deployment/StatefulSet with several replicas has no PodDisruptionBudget, so a node drain may evict all replicas at once.',
    remediation: 'Add a PodDisruptionBudget (policy/v1) with minAvailable or maxUnavailable selecting the pods.',
    references: ['kube-score:deployment-has-poddisruptionbudget', 'kube-score:statefulset-has-poddisruptionbudget', 'polaris:missingPodDisruptionBudget'],
    fix: { kind: 'k8s.pod-disruption-budget' },
    crossFile: true,
    check: (set) => perWorkload(set, (w) =>
      w.replicas !== null && w.replicas > 1 && !selectedBy(set, w, 'PodDisruptionBudget', ['spec', 'selector']) ? { path: ['spec', 'replicas'] } : null),
    positives: [manifests(deployment({ replicas: 3 }), NETWORK_POLICY)],
    negatives: [hardenedManifests(), manifests(deployment({ replicas: 1 }), NETWORK_POLICY)],
  },
  {
    id: 'k8s.helm-values-image-tag',
    category: 'kubernetes',
    title: 'Helm values use the latest image tag',
    severity: 'medium',
    description: 'values.yaml sets an image tag of `latest` (or an image string without tag), so every release may deploy a different build.',
    remediation: 'Set image.tag to an immutable version (or leave it empty so the chart uses appVersion) and prefer digests.',
    references: ['CWE-1357', 'kube-score:container-image-tag', 'polaris:tagNotSpecified'],
    check: (set) => set.helmValues.flatMap(({ path, doc }) => {
      const hits: RuleHit[] = [];
      const walk = (v: unknown, p: YamlPath, depth: number) => {
        if (depth > 20) return;
        if (isRecord(v)) {
          for (const [k, child] of Object.entries(v)) {
            if (k === 'image' && typeof child === 'string' && child.includes('/')) {
              const { tag, digest } = parseImage(child);
              if (!digest && (tag === null || tag === 'latest')) hits.push({ path, line: doc.lineAt([...p, k]), evidence: `${k}: ${child}` });
            } else if (k === 'image' && isRecord(child) && typeof child.repository === 'string' && (child.tag === 'latest' || child.tag === 'stable')) {
              hits.push({ path, line: doc.lineAt([...p, k, 'tag']), evidence: `image: ${child.repository}:${String(child.tag)}` });
            } else {
              walk(child, [...p, k], depth + 1);
            }
          }
        } else if (Array.isArray(v)) {
          v.forEach((child, i) => walk(child, [...p, i], depth + 1));
        }
      };
      walk(doc.value, [], 0);
      return hits;
    }),
    positives: [{ path: 'chart/values.yaml', content: 'image:\n  repository: example/api\n  tag: latest\n' }, { path: 'chart/values.yaml', content: 'sidecar:\n  image: docker.io/envoyproxy/envoy\n' }],
    negatives: [{ path: 'chart/values.yaml', content: 'image:\n  repository: example/api\n  tag: ""\n' }, { path: 'chart/values.yaml', content: 'image:\n  repository: example/api\n  tag: 1.4.2\n' }],
  },
];
