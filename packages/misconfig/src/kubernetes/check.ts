import type { Finding } from '@linkops/shared/contracts';
import { dedupeFindings, sortFindings, toFinding } from '../rule.js';
import { buildManifestSet, parseManifestFile, type HelmValues, type K8sManifestSet, type K8sObject } from './model.js';
import { KUBERNETES_RULES } from './rules.js';

export interface ManifestFile {
  path: string;
  content: string;
}

/** Optional context for checkKubernetes: every manifest of the repository, enabling cross-file rules. */
export interface KubernetesContext {
  manifests: ManifestFile[];
}

export interface KubernetesSetResult {
  findings: Finding[];
  warnings: string[];
}

/** Runs the rules over a manifest set; cross-file rules only when the set is complete. */
export function runKubernetesRules(set: K8sManifestSet, defaultPath: string): Finding[] {
  const findings = KUBERNETES_RULES
    .filter((rule) => set.complete || !rule.crossFile)
    .flatMap((rule) => rule.check(set).map((hit) => toFinding(rule, defaultPath, hit)));
  return sortFindings(dedupeFindings(findings));
}

function parseAll(files: ManifestFile[]): { objects: K8sObject[]; helmValues: HelmValues[]; warnings: string[] } {
  const objects: K8sObject[] = [];
  const helmValues: HelmValues[] = [];
  const warnings: string[] = [];
  for (const f of files) {
    const parsed = parseManifestFile(f.path, f.content);
    objects.push(...parsed.objects);
    helmValues.push(...parsed.helmValues);
    for (const e of parsed.errors) warnings.push(`${f.path}: YAML ${e}`);
  }
  return { objects, helmValues, warnings };
}

/**
 * Checks one manifest file (multi-document YAML). Without `context`, only single-file rules run;
 * with `context.manifests` (all manifests of the repo) the cross-file rules (NetworkPolicy, PDB)
 * run too. Returns the findings located in `path`.
 */
export function checkKubernetes(content: string, path: string, context?: KubernetesContext): Finding[] {
  const others = (context?.manifests ?? []).filter((m) => m.path !== path);
  const { objects, helmValues } = parseAll([{ path, content }, ...others]);
  const set = buildManifestSet(objects, helmValues, context !== undefined);
  return runKubernetesRules(set, path).filter((f) => f.location.path === path);
}

/** Checks a whole set of manifests at once (cross-file rules included); findings for every file. */
export function checkKubernetesSet(files: ManifestFile[]): KubernetesSetResult {
  const { objects, helmValues, warnings } = parseAll(files);
  return { findings: runKubernetesRules(buildManifestSet(objects, helmValues, true), files[0]?.path ?? ''), warnings };
}
