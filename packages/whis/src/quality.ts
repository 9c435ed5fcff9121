import { ACTION_VERBS, splitSteps, startsWithActionVerb } from './steps.js';
import { canonicalForHash } from './ids.js';
import { scoreDomains } from './classify.js';
import type { Redaction } from './pii.js';

/** Records scoring below this are rejected by sanitizeRecord unless the caller picks another threshold. */
export const DEFAULT_QUALITY_THRESHOLD = 0.4;

export interface QualityResult {
  score: number;
  /** Machine-readable code first ("too_short: ..."), so callers can group on it. */
  reasons: string[];
}

export interface QualityInput {
  task: string;
  answer: string;
}

/** Penalties, as data: one place to read (and tune) what costs how much. */
export const QUALITY_PENALTIES = {
  too_short: 0.45,
  task_too_short: 0.2,
  no_action_verb: 0.25,
  no_specifics: 0.2,
  mostly_redacted: 0.5,
  answer_repeats_task: 0.5,
  gibberish: 0.5,
  /** Neither an action nor a named thing: each alone is a weak answer, both together carry no knowledge. */
  not_actionable: 0.2,
} as const;

const PLACEHOLDER = /\[REDACTED:[\w-]{1,40}\]/g;

// Specifics: a command, a file name or path, a flag, inline/fenced code, or a named tool.
const SPECIFIC_SIGNALS: readonly RegExp[] = [
  /`[^`\n]{2,200}`/,
  /(?<=\w)\.(?:ya?ml|json|tf|tfvars|py|sh|js|ts|go|toml|ini|conf|cfg|env|lock|md|txt|tpl|hcl|sql)\b/i,
  /(?:^|\s)--?[a-z][\w-]{1,40}/,
  /(?:^|\s)[\w.-]{0,40}\/[\w./-]{1,200}/,
  /\b(?:kubectl|helm|docker|podman|git|terraform|tofu|argocd|flux|aws|gcloud|az|npm|pnpm|yarn|pip|makefile|curl|kustomize|trivy|cosign|vault|ansible|jq|yq|mlflow|dvc|prometheus|grafana|loki|jenkins|gh|github actions|ci|k8s|kubernetes|argo cd|s3|iam|vpc|dockerfile|chart|workflow|pipeline|manifest|namespace|cluster|pod|deployment|ingress|secret|registry|image|module|bucket|alert|dashboard|model)\b/i,
];

/** Any DevOps vocabulary of weight >= 2 from the classifier rules counts as a specific. */
function namesDevOpsTerm(text: string): boolean {
  return scoreDomains('', text).some((d) => [...d.evidence.values()].some((w) => w >= 2));
}

function words(text: string): string[] {
  return text.toLowerCase().match(/[a-z]+/g) ?? [];
}

/**
 * Gibberish: most alphabetic words are unpronounceable (no vowel, or 5+ consonants in a
 * row) or the text is one character repeated. Tool names like "kubectl" stay well under.
 */
export function looksLikeGibberish(text: string): boolean {
  const ws = words(text).filter((w) => w.length >= 3);
  const letters = text.replace(/[^a-z]/gi, '');
  if (letters.length >= 12 && new Set(letters.toLowerCase()).size <= 3) return true;
  if (ws.length < 3) return false;
  const odd = ws.filter((w) => !/[aeiouy]/.test(w) || /[^aeiouy]{5,}/.test(w)).length;
  return odd / ws.length > 0.4;
}

// An action verb counts mid-sentence only after words that introduce an instruction
// ("you should rotate", "and then restart"), so nouns like "the cache" do not.
const INSTRUCTION_LEAD = new Set(['to', 'then', 'and', 'we', 'you', 'should', 'must', 'just', 'please', 'first', 'next', 'finally', 'also', 'i']);

/** An answer states an action when a step opens with a verb, it has code, or a verb follows an instruction word. */
function hasAction(answer: string): boolean {
  const steps = splitSteps(answer);
  if (steps.some((s) => s.code !== undefined || startsWithActionVerb(s.text))) return true;
  if (answer.split(/[,;:.!?()\n]/).some((clause) => startsWithActionVerb(clause))) return true;
  const ws = words(answer);
  return ws.some((w, i) => i > 0 && ACTION_VERBS.has(w) && INSTRUCTION_LEAD.has(ws[i - 1] ?? ''));
}

/**
 * A 0-1 quality score: starts at 1 and pays the penalty of each problem found.
 * `redactions` are the ones made on task and answer (their placeholders are in the text).
 */
export function qualityScore(record: QualityInput, redactions: readonly Redaction[] = []): QualityResult {
  const reasons: string[] = [];
  let score = 1;
  const penalize = (code: keyof typeof QUALITY_PENALTIES, detail: string): void => {
    score -= QUALITY_PENALTIES[code];
    reasons.push(`${code}: ${detail}`);
  };
  const answer = record.answer.trim();
  const answerWithoutPlaceholders = answer.replace(PLACEHOLDER, ' ');
  const answerWords = words(answerWithoutPlaceholders);

  if (answerWords.length < 3 || answerWithoutPlaceholders.replace(/\s/g, '').length < 15) {
    penalize('too_short', `answer has ${answerWords.length} word(s)`);
  }
  if (words(record.task).length < 2) penalize('task_too_short', 'task has fewer than 2 words');
  const action = hasAction(answerWithoutPlaceholders);
  if (!action) penalize('no_action_verb', 'answer names no action (add, run, set, ...)');
  const specifics = SPECIFIC_SIGNALS.some((re) => re.test(answerWithoutPlaceholders)) || namesDevOpsTerm(answerWithoutPlaceholders);
  if (!specifics) penalize('no_specifics', 'no tool, command, file or code named');
  if (!action && !specifics) penalize('not_actionable', 'nothing to do and nothing named');
  const placeholderChars = (answer.match(PLACEHOLDER) ?? []).join('').length;
  if (redactions.length > 0 && answer.length > 0 && placeholderChars / answer.replace(/\s/g, '').length > 0.5) {
    penalize('mostly_redacted', `${Math.round((placeholderChars / answer.length) * 100)}% of the answer is redacted`);
  }
  if (canonicalForHash(record.task) === canonicalForHash(answer)) penalize('answer_repeats_task', 'answer is the task restated');
  if (looksLikeGibberish(`${record.task} ${answerWithoutPlaceholders}`)) penalize('gibberish', 'mostly unpronounceable or repeated characters');

  return { score: Math.max(0, Math.round(score * 100) / 100), reasons };
}

/** Every regex used here, for the ReDoS test. */
export const QUALITY_PATTERNS: readonly RegExp[] = [PLACEHOLDER, ...SPECIFIC_SIGNALS];
