import type { Category, RuleHit, RuleMeta, RuleVector } from './rule.js';
import { DOCKERFILE_RULES } from './dockerfile/rules.js';
import { parseDockerfile } from './dockerfile/parse.js';
import { KUBERNETES_RULES } from './kubernetes/rules.js';
import { buildManifestSet, parseManifestFile } from './kubernetes/model.js';
import { COMPOSE_RULES, parseCompose } from './compose/rules.js';
import { WORKFLOW_RULES, parseWorkflow } from './workflow/rules.js';
import { SAST_RULES } from './sast/rules.js';
import { toSourceFile } from './sast/engine.js';

/** Every rule of every category, as data. */
export const RULES: readonly RuleMeta[] = [...DOCKERFILE_RULES, ...KUBERNETES_RULES, ...COMPOSE_RULES, ...WORKFLOW_RULES, ...SAST_RULES];

export const CATEGORIES: readonly Category[] = ['dockerfile', 'kubernetes', 'compose', 'github-actions', 'sast'];

/** Number of rules per category. */
export function ruleCounts(): Record<Category, number> {
  const counts = Object.fromEntries(CATEGORIES.map((c) => [c, 0])) as Record<Category, number>;
  for (const r of RULES) counts[r.category]++;
  return counts;
}

const DEFAULT_VECTOR_PATH: Record<Category, string> = {
  dockerfile: 'Dockerfile',
  kubernetes: 'k8s/manifest.yaml',
  compose: 'docker-compose.yml',
  'github-actions': '.github/workflows/ci.yml',
  sast: 'src/sample.js',
};

/**
 * Runs one rule over one test vector the way the checkers would (Kubernetes vectors are complete
 * manifest sets, so cross-file rules run). Throws for a rule that is not in RULES.
 */
export function evaluateRule(rule: RuleMeta, vector: RuleVector): RuleHit[] {
  const { path, content } = typeof vector === 'string' ? { path: DEFAULT_VECTOR_PATH[rule.category], content: vector } : vector;
  const d = DOCKERFILE_RULES.find((r) => r === rule);
  if (d) return d.check(parseDockerfile(content));
  const k = KUBERNETES_RULES.find((r) => r === rule);
  if (k) {
    const parsed = parseManifestFile(path, content);
    return k.check(buildManifestSet(parsed.objects, parsed.helmValues, true));
  }
  const c = COMPOSE_RULES.find((r) => r === rule);
  if (c) { const doc = parseCompose(content); return doc ? c.check(doc) : []; }
  const w = WORKFLOW_RULES.find((r) => r === rule);
  if (w) { const doc = parseWorkflow(content); return doc ? w.check(doc) : []; }
  const s = SAST_RULES.find((r) => r === rule);
  if (s) { const file = toSourceFile(content, path); return file ? s.check(file) : []; }
  throw new Error(`unknown rule ${rule.id}`);
}
