import { PlatformSchema, type Platform } from '@linkops/shared/contracts';
import { slug } from '../util.js';

/** Classifier platform names (free text upstream) folded onto the orb PlatformSchema. */
const PLATFORM_ALIASES: Record<string, Platform> = {
  'github-actions': 'gha',
  github_actions: 'gha',
  github: 'gha',
  actions: 'gha',
  'gh-actions': 'gha',
  workflow: 'gha',
  ci: 'gha',
  'argo-cd': 'argocd',
  argo: 'argocd',
  gitops: 'argocd',
  kubernetes: 'k8s',
  kubectl: 'k8s',
  kustomization: 'kustomize',
  container: 'docker',
  containers: 'docker',
  dockerfile: 'docker',
  tf: 'terraform',
  generic: 'runbook',
  general: 'runbook',
  shell: 'runbook',
};

export function toPlatform(name: string): Platform {
  const key = name.trim().toLowerCase();
  const direct = PlatformSchema.safeParse(key);
  if (direct.success) return direct.data;
  return PLATFORM_ALIASES[key] ?? 'runbook';
}

export function toTopic(name: string): string {
  return slug(name, 'general');
}
