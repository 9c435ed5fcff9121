import type { ActionStep } from '@linkops/shared/contracts';
import { SNIPPETS, type StepSnippet } from './snippets.js';

/** Word splitter shared by texts and terms; a single character class, so linear time. */
export const WORD_SPLIT = /[^a-z0-9_]+/;

/** Spelling variants folded onto one token before matching. */
const ALIASES: Record<string, string> = {
  argo: 'argocd',
  'argo-cd': 'argocd',
  k8s: 'kubernetes',
  kube: 'kubernetes',
  gh: 'github',
  gha: 'github',
  nodej: 'node',
  npmjs: 'npm',
  pr: 'pull_request',
  prs: 'pull_request',
  pullrequest: 'pull_request',
  'pull-request': 'pull_request',
};

/** Light stemming: plural "s" off words longer than 3 characters (charts -> chart, scans -> scan). */
function stem(word: string): string {
  return word.length > 3 && word.endsWith('s') && !word.endsWith('ss') ? word.slice(0, -1) : word;
}

export function tokenize(text: string): string[] {
  return text
    .toLowerCase()
    .split(WORD_SPLIT)
    .filter(Boolean)
    .map((w) => ALIASES[w] ?? w)
    .map(stem);
}

function termPosition(tokens: string[], term: string): number {
  const options = term.split('|').map((t) => stem(ALIASES[t] ?? t));
  let best = -1;
  for (const option of options) {
    const at = tokens.indexOf(option);
    if (at >= 0 && (best < 0 || at < best)) best = at;
  }
  return best;
}

/** Where in the text a snippet matches (first token index of the earliest full alternative), or -1. */
export function matchPosition(snippet: StepSnippet, text: string): number {
  const tokens = tokenize(text);
  if (snippet.veto) {
    const vetoed = snippet.veto.terms.some((t) => termPosition(tokens, t) >= 0);
    const rescued = snippet.veto.unless.some((t) => termPosition(tokens, t) >= 0);
    if (vetoed && !rescued) return -1;
  }
  let best = -1;
  for (const alternative of snippet.match) {
    const positions = alternative.map((term) => termPosition(tokens, term));
    if (positions.some((p) => p < 0)) continue;
    const at = Math.min(...positions);
    if (best < 0 || at < best) best = at;
  }
  return best;
}

export function snippetMatches(snippet: StepSnippet, text: string): boolean {
  return matchPosition(snippet, text) >= 0;
}

/** One planned operation: a snippet matched by a source step, or the source step kept as a manual step. */
export type PlannedStep =
  | { kind: 'snippet'; snippet: StepSnippet; source: ActionStep }
  | { kind: 'manual'; source: ActionStep };

/**
 * Match every action step against the library. A step may hold several operations ("Add helm chart,
 * ArgoCD app, update CI pipeline"), so all matching snippets are kept, in the order they appear in the
 * text. Snippets that are subsumed (helm-lint inside helm-chart) are dropped; the same snippet is never
 * planned twice.
 */
export function planSteps(steps: ActionStep[], library: StepSnippet[] = SNIPPETS): PlannedStep[] {
  const plan: PlannedStep[] = [];
  const used = new Set<string>();
  const ordered = [...steps].sort((a, b) => a.order - b.order);
  for (const step of ordered) {
    const text = step.code ? `${step.text}\n${step.code}` : step.text;
    const hits = library
      .map((snippet) => ({ snippet, at: matchPosition(snippet, step.text) >= 0 ? matchPosition(snippet, step.text) : matchPosition(snippet, text) }))
      .filter((h) => h.at >= 0)
      .filter((h) => !SUBSUMED_BY[h.snippet.id]?.some((other) => library.some((s) => s.id === other && snippetMatches(s, step.text))))
      .sort((a, b) => a.at - b.at);
    const fresh = hits.filter((h) => !used.has(h.snippet.id));
    if (hits.length === 0) {
      plan.push({ kind: 'manual', source: step });
      continue;
    }
    for (const h of fresh) {
      used.add(h.snippet.id);
      plan.push({ kind: 'snippet', snippet: h.snippet, source: step });
    }
  }
  return plan;
}

/** snippet id -> ids that already include it when both match the same text. */
const SUBSUMED_BY: Record<string, string[]> = {
  'helm-lint': ['helm-chart'],
  'docker-build': ['docker-push'],
  'trigger-push': ['docker-push'],
  'run-tests': ['ci-pipeline'],
  'terraform-plan': ['terraform-apply'],
};

/**
 * Split a free-text answer into steps when the sanitizer produced none: numbered lines, bullets, or
 * comma/"then"-separated clauses of a one-liner.
 */
export function stepsFromAnswer(answer: string): ActionStep[] {
  const lines = answer
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const parts =
    lines.length > 1
      ? lines
      : (lines[0] ?? '')
          .split(/,|;| then | and then /)
          .map((p) => p.trim())
          .filter(Boolean);
  return parts.map((text, i) => ({ order: i + 1, text: stripListMarker(text) }));
}

function stripListMarker(text: string): string {
  let i = 0;
  while (i < text.length && /[0-9.)*\-\s]/.test(text[i] ?? '')) i++;
  return text.slice(i).trim() || text;
}
