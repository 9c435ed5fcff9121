import path from 'node:path';
import { RISK_WEIGHT, type ComplianceCheck, type Finding, type ServiceInfo } from '@linkops/shared/contracts';
import { baseImagePinScore, finalStageNonRoot, parseDockerfile } from './dockerfile.js';
import {
  buildRepoIndex,
  containersOf,
  isIgnoredPath,
  parseYamlDocuments,
  WORKLOAD_KINDS,
  type ReadFileFn,
  type RepoIndex,
} from './repo-index.js';

export interface ComplianceInput {
  services: readonly ServiceInfo[];
  paths: readonly string[];
  readFile: ReadFileFn;
  findings: readonly Finding[];
  index?: RepoIndex;
}

export interface ComplianceResult {
  score: number;
  checks: ComplianceCheck[];
}

type Risk = keyof typeof RISK_WEIGHT;

interface Outcome {
  score: number | null;
  reason: string;
  evidence?: string[];
}

interface CheckDefinition {
  id: string;
  title: string;
  risk: Risk;
  remediation: string;
  fixed_by: string[];
}

/** The checks of the GitOps compliance score, in report order (see docs in the brief / README). */
export const COMPLIANCE_CHECKS: readonly CheckDefinition[] = [
  { id: 'containerized', title: 'Services are containerized', risk: 'high', remediation: 'Add a Dockerfile for every service.', fixed_by: ['dockerfile-new'] },
  { id: 'container-non-root', title: 'Containers run as non-root', risk: 'high', remediation: 'End the final stage with USER set to an unprivileged user (e.g. USER 10001).', fixed_by: ['dockerfile-patch'] },
  { id: 'container-pinned-base', title: 'Base images are pinned', risk: 'medium', remediation: 'Use an explicit version tag or a digest in every FROM line; never latest.', fixed_by: ['dockerfile-patch'] },
  { id: 'kubernetes-manifests', title: 'Services have Kubernetes manifests or Helm charts', risk: 'high', remediation: 'Add a Helm chart (or manifests) deploying each service.', fixed_by: ['helm-chart'] },
  { id: 'environment-overlays', title: 'Environment overlays exist', risk: 'medium', remediation: 'Add kustomize overlays/<env>/ or Helm values-<env>.yaml for at least two environments.', fixed_by: ['gitops-layout'] },
  { id: 'gitops-controller', title: 'A GitOps controller is configured', risk: 'high', remediation: 'Add Argo CD Applications (or Flux Kustomizations/HelmReleases) for the services.', fixed_by: ['argocd'] },
  { id: 'ci-present', title: 'Continuous integration is configured', risk: 'medium', remediation: 'Add a CI pipeline (e.g. .github/workflows/ci.yml).', fixed_by: ['ci-workflow'] },
  { id: 'ci-builds-images', title: 'CI builds container images', risk: 'medium', remediation: 'Build and push images in CI (docker/build-push-action, buildx, kaniko or buildah).', fixed_by: ['ci-workflow'] },
  { id: 'dependencies-pinned', title: 'Dependencies are pinned', risk: 'medium', remediation: 'Commit lockfiles beside every manifest and pin workflow actions to full commit SHAs.', fixed_by: ['ci-workflow'] },
  { id: 'dependency-update-tool', title: 'Dependency updates are automated', risk: 'low', remediation: 'Add .github/dependabot.yml or a Renovate configuration.', fixed_by: ['dependabot'] },
  { id: 'no-secrets', title: 'No secrets in the repository', risk: 'critical', remediation: 'Remove committed secrets, rotate them, and load them from a secret store at runtime.', fixed_by: [] },
  { id: 'no-vulnerable-dependencies', title: 'No known-vulnerable dependencies', risk: 'high', remediation: 'Upgrade the affected packages to fixed versions.', fixed_by: [] },
  { id: 'workflow-token-permissions', title: 'Workflow tokens are least-privilege', risk: 'high', remediation: 'Declare a top-level `permissions:` block (e.g. contents: read) in every workflow.', fixed_by: ['workflow-permissions'] },
  { id: 'health-checks', title: 'Services have health checks', risk: 'medium', remediation: 'Add liveness/readiness probes (or a Dockerfile HEALTHCHECK) for every service.', fixed_by: ['helm-chart'] },
  { id: 'resource-limits', title: 'Workloads set resource limits', risk: 'medium', remediation: 'Set resources.limits (cpu, memory) on every container.', fixed_by: ['helm-chart'] },
  { id: 'security-policy', title: 'A security policy is published', risk: 'low', remediation: 'Add SECURITY.md describing how to report vulnerabilities.', fixed_by: ['security-policy'] },
  { id: 'codeowners', title: 'Code owners are defined', risk: 'low', remediation: 'Add a CODEOWNERS file.', fixed_by: [] },
];

const round1 = (x: number) => Math.round(x * 10) / 10;
const share = (n: number, d: number) => (d === 0 ? 0 : round1((n / d) * 10));
const rec = (v: unknown): Record<string, unknown> | null => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null);

/** Weighted score over applicable checks, 0-100. */
export function aggregateScore(checks: readonly Pick<ComplianceCheck, 'weight' | 'score'>[]): number {
  let sum = 0;
  let weights = 0;
  for (const c of checks) {
    if (c.score === null) continue;
    sum += c.weight * c.score;
    weights += c.weight;
  }
  return weights === 0 ? 0 : Math.round((sum / weights) * 10);
}

const LOCKFILES: Record<string, string[]> = {
  'package.json': ['package-lock.json', 'yarn.lock', 'pnpm-lock.yaml', 'npm-shrinkwrap.json', 'bun.lockb', 'bun.lock'],
  'pyproject.toml': ['poetry.lock', 'uv.lock', 'pdm.lock', 'Pipfile.lock', 'requirements.lock'],
  Pipfile: ['Pipfile.lock'],
  'go.mod': ['go.sum'],
  'Cargo.toml': ['Cargo.lock'],
  'composer.json': ['composer.lock'],
  Gemfile: ['Gemfile.lock'],
  'pom.xml': [],
  'build.gradle': ['gradle.lockfile'],
  'build.gradle.kts': ['gradle.lockfile'],
};

/**
 * Computes the GitOps compliance checks and the weighted score. Deterministic: the same tree and
 * findings always give the same result (evidence lists are sorted).
 */
export async function computeCompliance(input: ComplianceInput): Promise<ComplianceResult> {
  const { services, paths, readFile, findings } = input;
  const index = input.index ?? (await buildRepoIndex(paths, readFile));
  const read = async (p: string) => (await readFile(p).catch(() => null)) ?? '';
  const pathSet = new Set(paths);
  const outcomes = new Map<string, Outcome>();
  const sourceServices = services.filter((s) => s.path !== null && s.runtime !== 'image');

  // 1 containerized
  {
    const withDf = sourceServices.filter((s) => s.assets.dockerfile);
    outcomes.set('containerized', sourceServices.length === 0
      ? { score: null, reason: 'no source services found' }
      : { score: share(withDf.length, sourceServices.length), reason: `${withDf.length}/${sourceServices.length} services have a Dockerfile`, evidence: withDf.map((s) => s.assets.dockerfile!) });
  }

  // 2 + 3 Dockerfiles
  {
    const nonRoot: string[] = [];
    const unpinned: string[] = [];
    let pinSum = 0;
    let pinCount = 0;
    for (const file of index.dockerfiles) {
      const df = parseDockerfile(await read(file));
      if (finalStageNonRoot(df)) nonRoot.push(file);
      const aliases = new Set(df.stages.map((s) => s.alias?.toLowerCase()).filter((a): a is string => !!a));
      for (const stage of df.stages) {
        const score = baseImagePinScore(stage.image, aliases);
        if (score === null) continue;
        pinSum += score;
        pinCount++;
        if (score < 1) unpinned.push(`${file}:${stage.line} ${stage.image}`);
      }
    }
    const n = index.dockerfiles.length;
    outcomes.set('container-non-root', n === 0
      ? { score: null, reason: 'no Dockerfiles' }
      : { score: share(nonRoot.length, n), reason: `${nonRoot.length}/${n} Dockerfiles end with a non-root USER`, evidence: nonRoot });
    outcomes.set('container-pinned-base', pinCount === 0
      ? { score: null, reason: 'no base images' }
      : { score: share(pinSum, pinCount), reason: `${pinSum}/${pinCount} base images pinned to a tag or digest`, evidence: unpinned.length ? unpinned : index.dockerfiles });
  }

  // 4 kubernetes-manifests
  {
    const deployable = services.filter((s) => s.runtime !== 'image');
    const covered = deployable.filter((s) => s.assets.kubernetes.length > 0 || s.assets.helm.length > 0);
    outcomes.set('kubernetes-manifests', deployable.length === 0
      ? { score: index.kubeFiles.length + index.charts.length > 0 ? 10 : 0, reason: 'no services detected', evidence: [...index.kubeFiles, ...index.charts.map((c) => c.dir)] }
      : { score: share(covered.length, deployable.length), reason: `${covered.length}/${deployable.length} services have manifests or a chart`, evidence: uniq(covered.flatMap((s) => [...s.assets.kubernetes, ...s.assets.helm])) });
  }

  // 5 environment-overlays
  {
    const envs = new Map<string, string>();
    for (const p of paths) {
      if (isIgnoredPath(p)) continue;
      const overlay = /(?:^|\/)overlays\/([A-Za-z0-9_-]+)\/(?:kustomization\.ya?ml|Kustomization)$/.exec(p);
      if (overlay) envs.set(overlay[1]!, path.posix.dirname(p));
      const values = /(?:^|\/)values[-.]([A-Za-z0-9_-]+)\.ya?ml$/.exec(p);
      if (values) envs.set(values[1]!, p);
    }
    const n = envs.size;
    outcomes.set('environment-overlays', {
      score: n >= 2 ? 10 : n === 1 ? 5 : 0,
      reason: n === 0 ? 'no per-environment overlays or values files' : `${n} environment(s): ${[...envs.keys()].sort().join(', ')}`,
      evidence: [...envs.values()].sort(),
    });
  }

  // 6 gitops-controller
  outcomes.set('gitops-controller', index.gitopsObjects.length > 0
    ? { score: 10, reason: `${index.gitopsObjects.length} Argo CD / Flux object(s)`, evidence: uniq(index.gitopsObjects.map((o) => `${o.file} (${o.kind})`)) }
    : { score: 0, reason: 'no Argo CD or Flux objects' });

  // 7 + 8 CI
  {
    const ci = index.ciFiles;
    outcomes.set('ci-present', ci.length > 0 ? { score: 10, reason: `${ci.length} CI file(s)`, evidence: ci } : { score: 0, reason: 'no CI configuration' });
    const builders: string[] = [];
    for (const file of ci) {
      if (/docker\s+(?:buildx\s+)?build\b|docker\/build-push-action|\bkaniko\b|\bbuildah\b|docker\s+buildx\s+bake/.test(await read(file))) builders.push(file);
    }
    outcomes.set('ci-builds-images', builders.length > 0 ? { score: 10, reason: 'CI builds container images', evidence: builders } : { score: 0, reason: ci.length ? 'CI does not build images' : 'no CI configuration' });
  }

  // 9 dependencies-pinned
  {
    let pinned = 0;
    let total = 0;
    const evidence: string[] = [];
    for (const p of paths) {
      if (isIgnoredPath(p)) continue;
      const base = path.posix.basename(p);
      const dir = path.posix.dirname(p);
      const sibling = (f: string) => pathSet.has(dir === '.' ? f : `${dir}/${f}`);
      let ok: boolean | null = null;
      if (base === 'requirements.txt') {
        const lines = (await read(p)).split(/\r?\n/).map((l) => l.split('#')[0]!.trim()).filter((l) => l && !l.startsWith('-'));
        ok = lines.length > 0 && lines.every((l) => /==/.test(l) || /@\s*[a-z+]+:\/\/.*@[0-9a-f]{40}/.test(l));
      } else if (base in LOCKFILES) {
        const locks = LOCKFILES[base]!;
        if (base === 'pom.xml') continue;
        ok = locks.some(sibling) || (dir !== '.' && locks.some((l) => pathSet.has(l)));
      } else continue;
      total++;
      if (ok) {
        pinned++;
        evidence.push(p);
      }
    }
    let usesTotal = 0;
    let usesPinned = 0;
    for (const file of index.ciFiles.filter((f) => f.startsWith('.github/workflows/'))) {
      for (const m of (await read(file)).matchAll(/^\s*-?\s*uses:\s*["']?([^\s"'#]+)/gm)) {
        const ref = m[1]!;
        if (ref.startsWith('./') || ref.startsWith('docker://')) continue;
        usesTotal++;
        if (/@[0-9a-f]{40}$/.test(ref)) usesPinned++;
      }
    }
    if (usesTotal > 0) {
      total += usesTotal;
      pinned += usesPinned;
      if (usesPinned > 0) evidence.push(`${usesPinned}/${usesTotal} workflow actions pinned to SHAs`);
    }
    outcomes.set('dependencies-pinned', total === 0
      ? { score: null, reason: 'no dependency manifests or workflow actions' }
      : { score: share(pinned, total), reason: `${pinned}/${total} manifests and actions pinned`, evidence });
  }

  // 10 dependency-update-tool
  {
    const tools = ['.github/dependabot.yml', '.github/dependabot.yaml', 'renovate.json', 'renovate.json5', '.renovaterc', '.renovaterc.json', '.github/renovate.json', '.github/renovate.json5'].filter((p) => pathSet.has(p));
    outcomes.set('dependency-update-tool', tools.length ? { score: 10, reason: 'dependency update bot configured', evidence: tools } : { score: 0, reason: 'no Dependabot or Renovate configuration' });
  }

  // 11 no-secrets
  {
    const secrets = findings.filter((f) => f.scanner === 'secrets');
    outcomes.set('no-secrets', secrets.length === 0
      ? { score: 10, reason: 'no secrets found' }
      : { score: 0, reason: `${secrets.length} secret finding(s)`, evidence: uniq(secrets.map((f) => `${f.location.path}:${f.location.start_line}`)) });
  }

  // 12 no-vulnerable-dependencies
  {
    const hasManifests = paths.some((p) => !isIgnoredPath(p) && (path.posix.basename(p) in LOCKFILES || path.posix.basename(p) === 'requirements.txt' || /\.csproj$/.test(p)));
    const vulns = findings.filter((f) => f.scanner === 'vulns');
    const critical = vulns.filter((f) => f.severity === 'critical').length;
    const high = vulns.filter((f) => f.severity === 'high').length;
    outcomes.set('no-vulnerable-dependencies', !hasManifests
      ? { score: null, reason: 'no dependency manifests' }
      : { score: Math.max(0, 10 - 5 * critical - 2 * high), reason: `${critical} critical, ${high} high, ${vulns.length} total vulnerable-dependency finding(s)`, evidence: uniq(vulns.map((f) => f.location.path)) });
  }

  // 13 workflow-token-permissions
  {
    const workflows = index.ciFiles.filter((f) => f.startsWith('.github/workflows/'));
    const good: string[] = [];
    for (const file of workflows) {
      const doc = parseYamlDocuments(await read(file))[0];
      const perms = doc?.permissions;
      if (perms !== undefined && perms !== null && perms !== 'write-all') good.push(file);
    }
    outcomes.set('workflow-token-permissions', workflows.length === 0
      ? { score: null, reason: 'no GitHub workflows' }
      : { score: share(good.length, workflows.length), reason: `${good.length}/${workflows.length} workflows declare least-privilege permissions`, evidence: good });
  }

  // 14 health-checks
  {
    const healthy: string[] = [];
    const deployable = services.filter((s) => s.runtime !== 'image' || s.assets.kubernetes.length > 0);
    const composeHealth = new Set<string>();
    for (const file of index.composeFiles) {
      const svcs = rec(parseYamlDocuments(await read(file))[0]?.services);
      for (const [name, def] of Object.entries(svcs ?? {})) if (rec(def)?.healthcheck) composeHealth.add(name);
    }
    const probed = new Set<string>();
    for (const obj of index.kubeObjects) {
      if (!WORKLOAD_KINDS.has(obj.kind)) continue;
      if (containersOf(obj).some((c) => c.livenessProbe || c.readinessProbe || c.startupProbe)) probed.add(obj.file);
    }
    const chartProbes = new Set<string>();
    for (const chart of index.charts) {
      for (const t of index.chartTemplates.filter((p) => p.startsWith(`${chart.dir}/`))) {
        if (/livenessProbe|readinessProbe/.test(await read(t))) chartProbes.add(chart.dir);
      }
    }
    for (const s of deployable) {
      let has = composeHealth.has(s.name) || s.assets.kubernetes.some((f) => probed.has(f)) || s.assets.helm.some((h) => chartProbes.has(h));
      if (!has && s.assets.dockerfile) has = parseDockerfile(await read(s.assets.dockerfile)).healthcheck;
      if (has) healthy.push(s.name);
    }
    outcomes.set('health-checks', deployable.length === 0
      ? { score: null, reason: 'no services' }
      : { score: share(healthy.length, deployable.length), reason: `${healthy.length}/${deployable.length} services have a health check`, evidence: healthy });
  }

  // 15 resource-limits
  {
    let total = 0;
    let limited = 0;
    const evidence: string[] = [];
    for (const obj of index.kubeObjects) {
      if (!WORKLOAD_KINDS.has(obj.kind)) continue;
      total++;
      const containers = containersOf(obj);
      if (containers.length > 0 && containers.every((c) => rec(rec(c.resources)?.limits))) {
        limited++;
        evidence.push(obj.file);
      }
    }
    for (const chart of index.charts) {
      const templates = index.chartTemplates.filter((p) => p.startsWith(`${chart.dir}/`));
      const workloads: string[] = [];
      for (const t of templates) {
        const text = await read(t);
        if (/^kind:\s*(Deployment|StatefulSet|DaemonSet|Job|CronJob)\b/m.test(text)) workloads.push(text);
      }
      if (workloads.length === 0) continue;
      const values = await read(chart.dir === '.' ? 'values.yaml' : `${chart.dir}/values.yaml`);
      const valuesLimits = /^\s*limits:\s*$/m.test(values) || /limits:\s*\{/.test(values);
      for (const text of workloads) {
        total++;
        const ok = /^\s*limits:/m.test(text) || (/\.Values\.[A-Za-z0-9_.]*resources/.test(text) && valuesLimits);
        if (ok) {
          limited++;
          evidence.push(chart.dir);
        }
      }
    }
    outcomes.set('resource-limits', total === 0
      ? { score: null, reason: 'no Kubernetes workloads' }
      : { score: share(limited, total), reason: `${limited}/${total} workloads set resource limits`, evidence: uniq(evidence) });
  }

  // 16 + 17 policy files
  const locate = (name: string) => [name, `.github/${name}`, `docs/${name}`].filter((p) => pathSet.has(p));
  {
    const found = [...locate('SECURITY.md'), ...locate('security.md')];
    outcomes.set('security-policy', found.length ? { score: 10, reason: 'security policy present', evidence: found } : { score: 0, reason: 'no SECURITY.md' });
    const owners = locate('CODEOWNERS');
    outcomes.set('codeowners', owners.length ? { score: 10, reason: 'CODEOWNERS present', evidence: owners } : { score: 0, reason: 'no CODEOWNERS file' });
  }

  const checks: ComplianceCheck[] = COMPLIANCE_CHECKS.map((def) => {
    const o = outcomes.get(def.id)!;
    return {
      id: def.id,
      title: def.title,
      risk: def.risk,
      weight: RISK_WEIGHT[def.risk],
      score: o.score === null ? null : Math.min(10, Math.max(0, round1(o.score))),
      reason: o.reason,
      evidence: [...(o.evidence ?? [])].sort(),
      remediation: def.remediation,
      fixed_by: def.fixed_by,
    };
  });
  return { score: aggregateScore(checks), checks };
}

function uniq(xs: string[]): string[] {
  return [...new Set(xs)].sort();
}
