/**
 * generateMigration: audit report + options + the scanned commit's files -> new/modified files, one patch
 * and a plan. Pure and deterministic: same input, byte-identical output (sorted paths, no clocks).
 */
import YAML from 'yaml';
import type { AuditReport, Finding, MigrateOptions, ServiceInfo } from '@linkops/shared/contracts';
import { MigrateOptionsSchema } from '@linkops/shared/contracts';
import type { z } from 'zod';
import { yamlText } from './chart.js';
import { BUILD_WORKFLOW_PATH, buildWorkflow, dependabotConfig, dependabotEntries, hardenWorkflow, securityPolicy } from './ci.js';
import { DOCKERFILE_FIX_KINDS, patchDockerfile } from './dockerfile.js';
import { dockerignore, newDockerfile, type ReadFile } from './dockerfile-new.js';
import { isSecretEnv } from './env.js';
import { appDir, appLayoutFiles, argocdObjects, deployReadme } from './gitops.js';
import type { AppModel, EnvVarModel, ExternalEndpoint, GenerationContext } from './model.js';
import { dnsLabel, joinPath } from './model.js';
import { buildPatch } from './patch.js';
import type { MigrationPlan, MigrationResult, OutputKind, PlannedOutput, PlannedService } from './plan.js';

export type MigrateOptionsInput = z.input<typeof MigrateOptionsSchema>;

const DEFAULT_PORTS: Record<string, number> = {
  postgres: 5432,
  postgresql: 5432,
  mysql: 3306,
  mariadb: 3306,
  redis: 6379,
  mongo: 27017,
  mongodb: 27017,
  kafka: 9092,
  rabbitmq: 5672,
  elasticsearch: 9200,
  memcached: 11211,
  nats: 4222,
};

interface ComposeService {
  environment?: Record<string, unknown> | string[];
  env_file?: string | string[] | { path: string }[];
  volumes?: (string | { type?: string; source?: string; target?: string })[];
  depends_on?: string[] | Record<string, unknown>;
  privileged?: boolean;
  image?: string;
}

function readCompose(paths: string[], read: ReadFile, warnings: string[]): Map<string, ComposeService> {
  const services = new Map<string, ComposeService>();
  for (const p of [...new Set(paths)].sort()) {
    const text = read(p);
    if (text === null) continue;
    try {
      const doc = YAML.parse(text) as { services?: Record<string, ComposeService> } | null;
      for (const [name, svc] of Object.entries(doc?.services ?? {})) if (svc && !services.has(name)) services.set(name, svc);
    } catch {
      warnings.push(`${p} did not parse as YAML; compose settings were not carried over`);
    }
  }
  return services;
}

function composeEnv(svc: ComposeService | undefined): Map<string, string | null> {
  const env = new Map<string, string | null>();
  const raw = svc?.environment;
  if (Array.isArray(raw)) {
    for (const item of raw) {
      const s = String(item);
      const eq = s.indexOf('=');
      env.set(eq < 0 ? s : s.slice(0, eq), eq < 0 ? null : s.slice(eq + 1));
    }
  } else if (raw && typeof raw === 'object') {
    for (const [k, v] of Object.entries(raw)) env.set(k, v === null || v === undefined ? null : String(v));
  }
  return env;
}

function repoSlug(url: string): string {
  const last = url.replace(/[/#?]+$/, '').split(/[/:]/).pop() ?? '';
  return dnsLabel(last.replace(/\.git$/, ''), 30);
}

function branchOf(ref: string | null): string {
  if (!ref || /^[0-9a-f]{7,40}$/i.test(ref) || ref.startsWith('refs/tags/')) return 'main';
  return ref.replace(/^refs\/heads\//, '');
}

function dirOf(path: string): string {
  return path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '.';
}

const COMMON_WORKFLOW_NAMES = ['build.yml', 'ci.yaml', 'ci.yml', 'deploy.yml', 'main.yml', 'release.yml', 'test.yml'];

const CHECK = (id: string) => `check:${id}`;

interface Output {
  kind: OutputKind;
  resolves: string[];
  description: string;
}

export function generateMigration(report: AuditReport, options: MigrateOptionsInput | MigrateOptions, readFile: ReadFile): MigrationResult {
  const opts = MigrateOptionsSchema.parse(options ?? {});
  const repoURL = opts.git_repo_url ?? report.repo_url;
  const ctx: GenerationContext = {
    registry: opts.registry.replace(/\/+$/, ''),
    environments: [...new Set(opts.environments)],
    layout: opts.layout,
    repoURL,
    targetRevision: opts.target_revision,
    project: opts.namespace_prefix || repoSlug(repoURL),
    branch: branchOf(report.ref),
  };
  const imageTag = /^[0-9a-f]{40}$/.test(report.commit) ? report.commit : '0.1.0';
  const todo: string[] = [];
  const warnings: string[] = [];
  const outputs = new Map<string, Output>();
  const files = new Map<string, string>();
  const put = (path: string, content: string, out: Output) => {
    files.set(path, content);
    outputs.set(path, out);
  };

  const reportServices = [...report.services].sort((a, b) => a.name.localeCompare(b.name));
  const byName = new Map(reportServices.map((s) => [s.name, s]));
  const compose = readCompose(reportServices.flatMap((s) => s.assets.compose), readFile, warnings);
  const isSource = (s: ServiceInfo) => s.path !== null && s.runtime !== 'image';

  // Unique DNS names for the services we chart.
  const usedNames = new Set<string>();
  const apps: AppModel[] = [];
  const planned: PlannedService[] = [];
  for (const svc of reportServices) {
    if (!isSource(svc)) {
      const image = svc.image ?? 'unknown image';
      planned.push({
        name: dnsLabel(svc.name),
        report_name: svc.name,
        path: svc.path,
        runtime: svc.runtime,
        status: 'skipped',
        reason: `image-only service (${image}): not charted`,
        image: svc.image,
        ports: [...svc.ports].sort((a, b) => a - b),
        health_path: svc.health_path,
        dockerfile: 'none',
      });
      todo.push(`${svc.name}: image-only service (${image}) is not charted; use a managed database/service or an operator, and point dependants at it via \`external\` values`);
      continue;
    }
    let name = dnsLabel(svc.name);
    for (let i = 2; usedNames.has(name); i++) name = `${dnsLabel(svc.name, 36)}-${i}`;
    usedNames.add(name);
    const cs = compose.get(svc.name);
    const values = composeEnv(cs);
    const ports = [...new Set(svc.ports)].filter((p) => p > 0 && p < 65536).sort((a, b) => a - b);
    const env: EnvVarModel[] = [];
    for (const envName of [...new Set([...svc.env, ...values.keys()])].sort()) {
      const value = values.get(envName) ?? null;
      const secret = isSecretEnv(envName, value);
      if (secret) env.push({ name: envName, value: null, secret: true });
      else if (value !== null) env.push({ name: envName, value, secret: false });
      else if (envName === 'PORT' && ports[0] !== undefined) env.push({ name: envName, value: String(ports[0]), secret: false });
      else todo.push(`${name}: set a value for env ${envName} in deploy values (not found in compose)`);
    }
    const external: ExternalEndpoint[] = [];
    const coveredInfra = new Set<string>();
    for (const dep of [...new Set(svc.depends_on)].sort()) {
      const target = byName.get(dep);
      if (target && !isSource(target)) {
        const kind = (target.image ?? '').split('/').pop()!.split(':')[0]!.toLowerCase();
        coveredInfra.add(kind);
        external.push({ name: dnsLabel(dep), host: '', port: target.ports[0] ?? DEFAULT_PORTS[kind] ?? null });
      }
    }
    for (const infra of [...new Set(svc.infrastructure)].sort()) {
      if (coveredInfra.has(infra.toLowerCase())) continue;
      external.push({ name: dnsLabel(infra), host: '', port: DEFAULT_PORTS[infra.toLowerCase()] ?? null });
    }
    const dockerfile = svc.assets.dockerfile ?? joinPath(svc.path!, 'Dockerfile');
    apps.push({
      name,
      reportName: svc.name,
      path: svc.path!,
      runtime: svc.runtime,
      frameworks: svc.frameworks,
      entrypoint: svc.entrypoint,
      ports,
      healthPath: svc.health_path,
      env,
      external,
      dependsOn: [...new Set(svc.depends_on)].sort(),
      imageRepository: `${ctx.registry}/${name}`,
      imageTag,
      dockerfile,
      context: svc.assets.dockerfile ? joinPath(dirOf(svc.assets.dockerfile)) : joinPath(svc.path!),
      secretName: `${name}-secrets`,
    });

    // Carry over everything compose says that Kubernetes cannot express one-to-one (Kompose drops these).
    if (cs?.env_file) todo.push(`${name}: compose env_file (${JSON.stringify(cs.env_file)}) not carried over; move non-secret values into values-<env>.yaml and secrets into the ${name}-secrets Secret`);
    for (const v of cs?.volumes ?? []) {
      const src = typeof v === 'string' ? v.split(':')[0]! : (v.source ?? '');
      if (/^[./~]/.test(src)) todo.push(`${name}: bind mount ${typeof v === 'string' ? v : JSON.stringify(v)} has no Kubernetes equivalent; bake the files into the image, use a ConfigMap, or a PersistentVolumeClaim`);
      else if (src) todo.push(`${name}: named volume ${src} needs a PersistentVolumeClaim (and a StatefulSet if the data matters)`);
    }
    if (cs?.privileged) todo.push(`${name}: compose runs it privileged; the chart does not (privileged: false, all capabilities dropped) — verify it works without`);
    if (svc.depends_on.length > 0) todo.push(`${name}: depends_on ${[...svc.depends_on].sort().join(', ')} has no ordering in Kubernetes; the app must retry connections (readiness probes gate traffic), or add an initContainer that waits`);
    for (const e of external) todo.push(`${name}: set external.${e.name}.host in values (backing service, port ${e.port ?? 'unknown'})`);
    if (ports.length === 0) todo.push(`${name}: no port detected; no Service, Ingress or probes generated — add ports in values.yaml if it serves traffic`);
    if (ports.length > 0 && !svc.health_path) todo.push(`${name}: no health endpoint detected; probes use a TCP check on port ${ports[0]} — add an HTTP health path`);
    for (const note of svc.notes) todo.push(`${name}: ${note}`);
    const secrets = env.filter((e) => e.secret).map((e) => e.name);
    if (secrets.length > 0) todo.push(`${name}: create Secret ${name}-secrets in each namespace with keys ${secrets.join(', ')} (External Secrets or Sealed Secrets; never commit values)`);
  }

  // Dockerfiles: patch existing ones, write new ones where missing.
  const dockerfileStatus = new Map<string, PlannedService['dockerfile']>();
  const buildable: AppModel[] = [];
  for (const app of apps) {
    const existing = readFile(app.dockerfile);
    const dfFindings = report.findings.filter((f) => f.location.path === app.dockerfile);
    if (existing !== null) {
      const result = patchDockerfile({
        text: existing,
        ports: app.ports,
        healthPath: app.healthPath,
        runtime: app.runtime,
        hasNpmLock: readFile(joinPath(app.context, 'package-lock.json')) !== null || readFile(joinPath(app.context, 'npm-shrinkwrap.json')) !== null,
        packageJson: readFile(joinPath(app.context, 'package.json')),
      });
      for (const n of result.notes) todo.push(`${app.name}: ${n}`);
      buildable.push(app);
      if (result.text !== existing) {
        const kinds = [...new Set(result.fixes.map((f) => f.kind))].sort();
        const resolved = dfFindings.filter((f) => findingResolvedBy(f, kinds)).map((f) => f.fingerprint);
        const checks = kinds.flatMap((k) =>
          k === 'dockerfile.pin-base' ? [CHECK('container-pinned-base')] : k === 'dockerfile.non-root' ? [CHECK('container-non-root')] : k === 'dockerfile.healthcheck' ? [CHECK('health-checks')] : [],
        );
        put(app.dockerfile, result.text, {
          kind: 'dockerfile-patch',
          resolves: [...new Set([...resolved, ...checks])].sort(),
          description: `${app.name}: ${result.fixes.map((f) => f.description).join('; ')}`,
        });
        dockerfileStatus.set(app.name, 'patched');
      } else dockerfileStatus.set(app.name, 'existing');
    } else {
      const generated = newDockerfile(app, readFile);
      if (!generated) {
        todo.push(`${app.name}: runtime ${app.runtime ?? 'unknown'} has no Dockerfile template; write one at ${app.dockerfile} and add the service to ${BUILD_WORKFLOW_PATH}`);
        dockerfileStatus.set(app.name, 'none');
        continue;
      }
      for (const n of generated.notes) todo.push(n);
      put(app.dockerfile, generated.dockerfile, {
        kind: 'dockerfile-new',
        resolves: [CHECK('containerized'), CHECK('container-non-root'), CHECK('container-pinned-base'), CHECK('health-checks')],
        description: `${app.name}: multi-stage ${app.runtime} Dockerfile, non-root, pinned bases`,
      });
      dockerfileStatus.set(app.name, 'new');
      buildable.push(app);
    }
    const ignorePath = joinPath(app.context, '.dockerignore');
    if (readFile(ignorePath) === null && !files.has(ignorePath)) {
      put(ignorePath, dockerignore(app.runtime), { kind: 'dockerignore', resolves: [], description: `${app.name}: keep .env files, VCS data and build output out of the build context` });
    }
  }

  // Charts / overlays and Argo CD.
  for (const app of apps) {
    const dir = appDir(app);
    for (const [path, content] of Object.entries(appLayoutFiles(app, ctx))) {
      const isEnvFile = /\/values-[^/]+\.yaml$|\/overlays\//.test(path);
      put(path, content, {
        kind: isEnvFile ? 'gitops-layout' : 'helm-chart',
        resolves: isEnvFile ? [CHECK('environment-overlays')] : [CHECK('kubernetes-manifests'), CHECK('health-checks'), CHECK('resource-limits')],
        description: isEnvFile ? `${app.name}: per-environment overrides` : `${app.name}: hardened ${ctx.layout === 'helm' ? 'Helm chart' : 'kustomize base'} (${dir})`,
      });
    }
    for (const legacy of reportServices.find((s) => s.name === app.reportName)?.assets.kubernetes ?? []) {
      todo.push(`${app.name}: ${legacy} is superseded by ${dir}; delete it once Argo CD manages the service`);
    }
  }
  if (apps.length > 0) {
    for (const [path, obj] of Object.entries(argocdObjects(apps, ctx))) {
      put(path, '# Generated by LinkOps migrate.\n' + yamlText(obj), { kind: 'argocd', resolves: [CHECK('gitops-controller')], description: `Argo CD ${String(obj['kind'])}` });
    }
    put('deploy/README.md', deployReadme(apps, ctx), { kind: 'docs', resolves: [], description: 'how the GitOps layout is organised and bootstrapped' });
  }

  // CI: build workflow, hardening of existing workflows, dependabot, security policy.
  if (buildable.length > 0) {
    put(BUILD_WORKFLOW_PATH, buildWorkflow(buildable, ctx), {
      kind: 'ci-workflow',
      resolves: [CHECK('ci-present'), CHECK('ci-builds-images'), CHECK('dependencies-pinned')],
      description: 'build and push every image (SHA-pinned actions, least privilege) and bump the first environment tag',
    });
  }
  for (const wf of existingWorkflows(report)) {
    if (wf === BUILD_WORKFLOW_PATH) continue;
    const text = readFile(wf);
    if (text === null) continue;
    const hardened = hardenWorkflow(text);
    if (hardened.text === text) continue;
    const related = report.findings.filter((f) => f.location.path === wf && workflowFindingResolved(f, hardened.addedPermissions, hardened.pinnedActions.length > 0));
    const resolves = [...related.map((f) => f.fingerprint)];
    if (hardened.addedPermissions) resolves.push(CHECK('workflow-token-permissions'));
    if (hardened.pinnedActions.length > 0) resolves.push(CHECK('dependencies-pinned'));
    put(wf, hardened.text, {
      kind: 'workflow-permissions',
      resolves: [...new Set(resolves)].sort(),
      description: [hardened.addedPermissions ? 'top-level permissions: contents: read' : '', hardened.pinnedActions.length ? `pin ${[...new Set(hardened.pinnedActions)].sort().join(', ')} to commit SHAs` : ''].filter(Boolean).join('; '),
    });
  }
  if (readFile('.github/dependabot.yml') === null && readFile('.github/dependabot.yaml') === null) {
    put('.github/dependabot.yml', dependabotConfig(dependabotEntries(apps, readFile)), { kind: 'dependabot', resolves: [CHECK('dependency-update-tool')], description: 'weekly updates for detected ecosystems, Docker bases and GitHub Actions' });
  } else todo.push('.github/dependabot.yml exists: add docker and github-actions ecosystems if missing');
  if (['SECURITY.md', '.github/SECURITY.md', 'docs/SECURITY.md'].every((p) => readFile(p) === null)) {
    put('SECURITY.md', securityPolicy(repoURL), { kind: 'security-policy', resolves: [CHECK('security-policy')], description: 'private vulnerability reporting policy' });
  }
  if (['CODEOWNERS', '.github/CODEOWNERS', 'docs/CODEOWNERS'].every((p) => readFile(p) === null)) {
    todo.push('add .github/CODEOWNERS naming the owning team (deploy/ and .github/ at least); owners cannot be inferred');
  }

  // What the audit found that these outputs do not fix.
  const resolvedFingerprints = new Set([...outputs.values()].flatMap((o) => o.resolves));
  const secretFindings = report.findings.filter((f) => f.scanner === 'secrets');
  if (secretFindings.length > 0) {
    const paths = [...new Set(secretFindings.map((f) => f.location.path))].sort();
    todo.push(`rotate ${secretFindings.length} exposed secret(s) in ${paths.join(', ')} now, then remove them from the repository and its history; .dockerignore files now keep .env out of images`);
  }
  const vulnFindings = report.findings.filter((f) => f.scanner === 'vulns');
  if (vulnFindings.length > 0) todo.push(`upgrade dependencies with ${vulnFindings.length} known vulnerabilities (Dependabot will open the pull requests)`);
  const open = new Map<string, Set<string>>();
  for (const f of report.findings) {
    if (f.scanner === 'secrets' || f.scanner === 'vulns') continue;
    if (f.severity !== 'critical' && f.severity !== 'high') continue;
    if (resolvedFingerprints.has(f.fingerprint)) continue;
    const set = open.get(f.location.path) ?? new Set<string>();
    set.add(f.rule_id);
    open.set(f.location.path, set);
  }
  for (const path of [...open.keys()].sort()) todo.push(`fix by hand: high/critical findings remain in ${path} (${[...open.get(path)!].sort().join(', ')})`);
  for (const w of warnings) todo.push(w);

  const changed = [...files.entries()]
    .map(([path, after]) => ({ path, before: readFile(path), after }))
    .filter((c) => c.before !== c.after)
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const resultFiles: Record<string, string> = {};
  const plannedOutputs: PlannedOutput[] = [];
  for (const c of changed) {
    resultFiles[c.path] = c.after;
    const o = outputs.get(c.path)!;
    plannedOutputs.push({ path: c.path, kind: o.kind, action: c.before === null ? 'create' : 'modify', resolves: o.resolves, description: o.description });
  }
  for (const app of apps) {
    planned.push({
      name: app.name,
      report_name: app.reportName,
      path: app.path,
      runtime: app.runtime,
      status: 'charted',
      image: `${app.imageRepository}:${app.imageTag}`,
      ports: app.ports,
      health_path: app.healthPath,
      dockerfile: dockerfileStatus.get(app.name) ?? 'none',
    });
  }
  planned.sort((a, b) => a.name.localeCompare(b.name));
  const plan: MigrationPlan = {
    layout: ctx.layout,
    environments: ctx.environments,
    project: ctx.project,
    repo_url: repoURL,
    target_revision: ctx.targetRevision,
    services: planned,
    outputs: plannedOutputs,
    todo: [...new Set(todo)],
  };
  return { files: resultFiles, patch: buildPatch(changed), plan };
}

function findingResolvedBy(f: Finding, kinds: string[]): boolean {
  if (f.fix && kinds.includes(f.fix.kind)) return true;
  const ids = [f.rule_id, ...f.references].join(' ');
  return kinds.some((k) => {
    const meta = DOCKERFILE_FIX_KINDS[k];
    if (!meta) return false;
    return meta.hadolint.some((code) => ids.includes(code)) || meta.keywords.test(f.rule_id);
  });
}

function workflowFindingResolved(f: Finding, addedPermissions: boolean, pinned: boolean): boolean {
  const text = `${f.rule_id} ${f.references.join(' ')} ${f.title}`;
  if (addedPermissions && /permission/i.test(text)) return true;
  if (pinned && /\bpin|unpinned|sha\b/i.test(text)) return true;
  return false;
}

/** Workflow files the audit saw: service CI assets, finding locations and check evidence. */
function existingWorkflows(report: AuditReport): string[] {
  const isWorkflow = (p: string) => /^\.github\/workflows\/[^/]+\.ya?ml$/.test(p);
  const paths = new Set<string>();
  for (const s of report.services) for (const p of s.assets.ci) if (isWorkflow(p)) paths.add(p);
  for (const f of report.findings) if (isWorkflow(f.location.path)) paths.add(f.location.path);
  for (const c of report.checks) for (const p of c.evidence) if (isWorkflow(p)) paths.add(p);
  // Common names too, in case the audit had nothing to say about a workflow (readFile filters absent ones).
  for (const n of COMMON_WORKFLOW_NAMES) paths.add(`.github/workflows/${n}`);
  return [...paths].sort();
}
