import { execFile } from 'node:child_process';
import { join } from 'node:path';
import type { Finding, ScanContext, ScannedFile, Scanner, ScannerOutput } from '@linkops/shared/contracts';
import { checkDockerfile } from './dockerfile/check.js';
import { checkCompose } from './compose/rules.js';
import { checkWorkflow } from './workflow/rules.js';
import { checkSast } from './sast/check.js';
import { languageOf } from './sast/engine.js';
import { checkKubernetes, runKubernetesRules } from './kubernetes/check.js';
import {
  buildManifestSet, isHelmValuesPath, looksLikeKubernetes, parseManifestFile, type K8sObject,
} from './kubernetes/model.js';
import { KUBERNETES_RULES } from './kubernetes/rules.js';
import { parseYamlDocuments } from './yaml.js';
import { asArray, asRecord, isRecord } from './yaml.js';
import { dedupeFindings, sortFindings } from './rule.js';

/** Goes into the report-cache key: bump when rules or matching change. */
export const MISCONFIG_VERSION = '1.0.0';

export interface MisconfigScannerOptions {
  /** kubectl binary used for `kubectl kustomize`; null disables kustomize builds (files are scanned as they are). */
  kubectl?: string | null;
  /** Per-build timeout for kubectl kustomize. */
  kustomizeTimeoutMs?: number;
}

const basename = (p: string) => p.slice(p.lastIndexOf('/') + 1);
const dirname = (p: string) => (p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '');
const isYaml = (p: string) => p.endsWith('.yaml') || p.endsWith('.yml');
const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];
const VENDORED = ['node_modules/', 'vendor/', 'dist/', 'build/', '.git/', 'third_party/', '__pycache__/'];
const isVendored = (p: string) => VENDORED.some((v) => p.startsWith(v) || p.includes(`/${v}`));

export function isDockerfilePath(path: string): boolean {
  const b = basename(path);
  const lower = b.toLowerCase();
  return b === 'Dockerfile' || b.startsWith('Dockerfile.') || lower.endsWith('.dockerfile') || lower === 'containerfile';
}

export function isComposePath(path: string): boolean {
  const b = basename(path).toLowerCase();
  return isYaml(b) && (b.startsWith('docker-compose') || b.startsWith('compose'));
}

export function isWorkflowPath(path: string): boolean {
  return path.startsWith('.github/workflows/') && !path.slice('.github/workflows/'.length).includes('/') && isYaml(path);
}

export function isSastPath(path: string): boolean {
  return languageOf(path) !== null && !isVendored(path) && !path.endsWith('.min.js') && !path.endsWith('.d.ts');
}

const NOT_MANIFESTS = new Set(['chart.yaml', 'chart.yml', 'pnpm-lock.yaml', 'pnpm-workspace.yaml', '.gitlab-ci.yml', 'mkdocs.yml', '.pre-commit-config.yaml', 'codecov.yml', '.golangci.yml', 'dependabot.yml', 'kustomization.yaml', 'kustomization.yml', 'action.yml', 'action.yaml']);

export function isKubernetesCandidatePath(path: string): boolean {
  return isYaml(path) && !path.startsWith('.github/') && !isComposePath(path) && !NOT_MANIFESTS.has(basename(path).toLowerCase()) && !isVendored(path);
}

/** Nearest ancestor directory (of a file) that holds one of `names`, per the walk's path list. */
function ancestorWith(paths: ReadonlySet<string>, file: string, names: string[]): string | null {
  let dir = dirname(file);
  for (;;) {
    if (names.some((n) => paths.has(dir ? `${dir}/${n}` : n))) return dir;
    if (!dir) return null;
    dir = dirname(dir);
  }
}

function simpleScanner(name: string, wants: (p: string) => boolean, check: (content: string, path: string) => Finding[]): Scanner {
  return { name, version: MISCONFIG_VERSION, wants, analyze: (file: ScannedFile) => check(file.content, file.path) };
}

function normalizeRel(base: string, rel: string): string {
  const parts = (base ? `${base}/${rel}` : rel).split('/');
  const out: string[] = [];
  for (const p of parts) {
    if (p === '' || p === '.') continue;
    if (p === '..') out.pop();
    else out.push(p);
  }
  return out.join('/');
}

interface Kustomization {
  dir: string;
  file: string;
  /** Directories (repo-relative) this kustomization pulls in as resources/bases/components. */
  children: string[];
  /** Patch files (repo-relative): partial objects, never scanned alone. */
  patches: string[];
}

async function readKustomization(ctx: ScanContext, dir: string, paths: ReadonlySet<string>): Promise<Kustomization | null> {
  const name = KUSTOMIZATION_FILES.find((n) => paths.has(dir ? `${dir}/${n}` : n));
  if (!name) return null;
  const file = dir ? `${dir}/${name}` : name;
  const text = await ctx.readFile(file);
  const value = text ? parseYamlDocuments(text).docs[0]?.value : undefined;
  const k = asRecord(value);
  const refs = [...asArray(k.resources), ...asArray(k.bases), ...asArray(k.components)].filter((r): r is string => typeof r === 'string' && !r.includes('://'));
  const patchFiles = [
    ...asArray(k.patchesStrategicMerge).filter((p): p is string => typeof p === 'string' && !p.includes('\n')),
    ...[...asArray(k.patches), ...asArray(k.patchesJson6902)].map((p) => (isRecord(p) && typeof p.path === 'string' ? p.path : null)).filter((p): p is string => p !== null),
  ];
  return {
    dir,
    file,
    children: refs.map((r) => normalizeRel(dir, r)).filter((r) => !isYaml(r)),
    patches: patchFiles.map((p) => normalizeRel(dir, p)),
  };
}

function runKustomize(kubectl: string, dir: string, timeout: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(kubectl, ['kustomize', dir], { timeout, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, KUBECONFIG: '/dev/null' } }, (err, stdout, stderr) => {
      if (err) reject(new Error((stderr || err.message).split('\n')[0]));
      else resolve(stdout);
    });
  });
}

/**
 * The Kubernetes scanner: single-file rules in analyze(); in finish(), kustomize builds and the
 * cross-file rules (NetworkPolicy/PDB) over every manifest seen.
 */
class KubernetesScanner implements Scanner {
  readonly name = 'kubernetes';
  readonly version = MISCONFIG_VERSION;
  private readonly plain = new Map<string, string>();
  private readonly deferred = new Map<string, string>();
  private readonly helmTemplates = new Map<string, number>();
  private pathSet: ReadonlySet<string> | null = null;

  constructor(private readonly opts: Required<MisconfigScannerOptions>) {}

  wants(path: string): boolean {
    return isKubernetesCandidatePath(path);
  }

  private paths(ctx: ScanContext): ReadonlySet<string> {
    this.pathSet ??= new Set(ctx.paths);
    return this.pathSet;
  }

  analyze(file: ScannedFile, ctx: ScanContext): Finding[] {
    const paths = this.paths(ctx);
    const chart = ancestorWith(paths, file.path, ['Chart.yaml']);
    if (chart !== null) {
      const rel = chart ? file.path.slice(chart.length + 1) : file.path;
      if (rel.startsWith('templates/') || rel.startsWith('charts/')) {
        this.helmTemplates.set(chart, (this.helmTemplates.get(chart) ?? 0) + 1);
        return [];
      }
      return isHelmValuesPath(file.path) ? checkKubernetes(file.content, file.path) : [];
    }
    if (!looksLikeKubernetes(file.content)) return [];
    if (this.opts.kubectl && ancestorWith(paths, file.path, KUSTOMIZATION_FILES) !== null) {
      this.deferred.set(file.path, file.content);
      return [];
    }
    this.plain.set(file.path, file.content);
    return checkKubernetes(file.content, file.path);
  }

  async finish(ctx: ScanContext): Promise<ScannerOutput> {
    const warnings: string[] = [];
    for (const [chart, n] of this.helmTemplates) warnings.push(`Helm chart ${chart || '.'}: ${n} template file(s) skipped (render with helm template to check them); values files were checked for image tags.`);

    const objects: K8sObject[] = [];
    const ownPaths = new Set<string>();
    for (const [path, content] of this.plain) {
      const parsed = parseManifestFile(path, content);
      objects.push(...parsed.objects);
      for (const e of parsed.errors) warnings.push(`${path}: YAML ${e}`);
    }

    const { built, covered, patches } = await this.buildKustomizations(ctx, warnings);
    objects.push(...built);
    // Files in kustomize dirs that no build covered (or builds failed): scan them as they are.
    for (const [path, content] of this.deferred) {
      if (covered.has(path) || patches.has(path)) continue;
      const parsed = parseManifestFile(path, content);
      objects.push(...parsed.objects);
      ownPaths.add(path);
    }
    for (const o of built) ownPaths.add(o.path);

    const crossFile = new Set(KUBERNETES_RULES.filter((r) => r.crossFile).map((r) => r.id));
    const all = runKubernetesRules(buildManifestSet(objects, [], true), '');
    // Single-file findings of plain files were already returned by analyze().
    const findings = all.filter((f) => crossFile.has(f.rule_id) || (ownPaths.has(f.location.path) && !this.plain.has(f.location.path)));
    return { findings: sortFindings(dedupeFindings(findings)), warnings };
  }

  private async buildKustomizations(ctx: ScanContext, warnings: string[]): Promise<{ built: K8sObject[]; covered: Set<string>; patches: Set<string> }> {
    const built: K8sObject[] = [];
    const covered = new Set<string>();
    const patches = new Set<string>();
    if (!this.opts.kubectl || this.deferred.size === 0) return { built, covered, patches };
    const paths = this.paths(ctx);
    const dirs = [...new Set(ctx.paths.filter((p) => KUSTOMIZATION_FILES.includes(basename(p))).map(dirname))];
    const ks = (await Promise.all(dirs.map((d) => readKustomization(ctx, d, paths)))).filter((k): k is Kustomization => k !== null);
    for (const k of ks) for (const p of k.patches) patches.add(p);
    const referenced = new Set(ks.flatMap((k) => k.children));
    const roots = ks.filter((k) => !referenced.has(k.dir)).slice(0, 25);

    // Source objects of the deferred files, to map built objects back to file and line.
    const sources = [...this.deferred].flatMap(([path, content]) => (patches.has(path) ? [] : parseManifestFile(path, content).objects));
    for (const root of roots) {
      let output: string;
      try {
        output = await runKustomize(this.opts.kubectl, join(ctx.root, root.dir), this.opts.kustomizeTimeoutMs);
      } catch (e) {
        warnings.push(`kubectl kustomize ${root.dir || '.'} failed (${(e as Error).message}); its files were scanned as they are.`);
        continue;
      }
      const under = (p: string) => root.dir === '' || p.startsWith(`${root.dir}/`) || [...referenced].some((d) => p.startsWith(`${d}/`));
      for (const o of parseManifestFile(root.file, output).objects) {
        const candidates = sources.filter((s) => s.kind === o.kind && under(s.path) && (s.name === o.name || (s.name !== '' && o.name.includes(s.name))));
        const source = candidates.sort((a, b) => Number(b.name === o.name) - Number(a.name === o.name) || b.name.length - a.name.length)[0];
        if (source) covered.add(source.path);
        built.push({ ...o, path: source ? source.path : root.file, lineAt: source ? source.lineAt : () => 1 });
      }
    }
    return { built, covered, patches };
  }
}

/** One scanner per category: 'dockerfile', 'kubernetes', 'compose', 'github-actions', 'sast'. */
export function createMisconfigScanners(options: MisconfigScannerOptions = {}): Scanner[] {
  const opts: Required<MisconfigScannerOptions> = { kubectl: options.kubectl === undefined ? 'kubectl' : options.kubectl, kustomizeTimeoutMs: options.kustomizeTimeoutMs ?? 60_000 };
  return [
    simpleScanner('dockerfile', isDockerfilePath, checkDockerfile),
    new KubernetesScanner(opts),
    simpleScanner('compose', isComposePath, checkCompose),
    simpleScanner('github-actions', isWorkflowPath, checkWorkflow),
    simpleScanner('sast', isSastPath, checkSast),
  ];
}
