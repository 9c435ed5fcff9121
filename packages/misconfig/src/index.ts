/**
 * @linkops/misconfig — misconfiguration and SAST checks as data (the checks hadolint, Polaris,
 * kube-score, Trivy misconfig, zizmor and Semgrep run). Pure checkers per file type, plus Scanner
 * adapters for the scan registry.
 */
export { checkDockerfile } from './dockerfile/check.js';
export { parseDockerfile, stageChain } from './dockerfile/parse.js';
export type { ParsedDockerfile, DockerStage, DockerInstruction } from './dockerfile/parse.js';
export { DOCKERFILE_RULES } from './dockerfile/rules.js';
export type { DockerfileRule } from './dockerfile/rules.js';

export { checkKubernetes, checkKubernetesSet } from './kubernetes/check.js';
export type { KubernetesContext, ManifestFile, KubernetesSetResult } from './kubernetes/check.js';
export { KUBERNETES_RULES } from './kubernetes/rules.js';
export type { KubernetesRule } from './kubernetes/rules.js';
export { looksLikeKubernetes } from './kubernetes/model.js';

export { checkCompose, COMPOSE_RULES } from './compose/rules.js';
export type { ComposeRule } from './compose/rules.js';
export { checkWorkflow, WORKFLOW_RULES } from './workflow/rules.js';
export type { WorkflowRule } from './workflow/rules.js';
export { checkSast } from './sast/check.js';
export { SAST_RULES } from './sast/rules.js';
export { languageOf, patternRegexes } from './sast/engine.js';
export type { SastRule, SastPattern, CompositePattern, Language } from './sast/engine.js';

export { RULES, CATEGORIES, ruleCounts, evaluateRule } from './registry.js';
export { ALL_PATTERNS } from './patterns.js';
export type { Category, RuleMeta, Rule, RuleHit, RuleVector } from './rule.js';
export { redact } from './rule.js';

export {
  createMisconfigScanners, MISCONFIG_VERSION,
  isDockerfilePath, isComposePath, isWorkflowPath, isSastPath, isKubernetesCandidatePath,
} from './scanners.js';
export type { MisconfigScannerOptions } from './scanners.js';
