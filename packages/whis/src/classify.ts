import type { Classification, Platform } from '@linkops/shared/contracts';
import { DOMAIN_RULES, type DomainId, type DomainRule } from './classify-rules.js';

/** Task text states the intent, so its terms count more than the answer's. */
export const TASK_WEIGHT = 1.5;
/** Bonus for the domain a submitter named (record.domain), when it maps onto one of ours. */
export const DOMAIN_HINT_BONUS = 2;

export const FALLBACK_CLASSIFICATION: Readonly<Classification> = {
  domain: 'general',
  platform: 'runbook',
  topic: 'general',
  confidence: 0,
  evidence: [],
};

interface CompiledTerm {
  domain: DomainId;
  term: string;
  weight: number;
  literal: string;
  pattern: RegExp;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** Word-bounded, case-insensitive, optional plural "s" when the term ends in a letter. */
export function termPattern(term: string): RegExp {
  const lower = term.toLowerCase();
  const body = escapeRegExp(lower) + (/[a-z]$/.test(lower) ? 's?' : '');
  const start = /^[a-z0-9]/.test(lower) ? '(?<![a-z0-9])' : '';
  const end = /[a-z0-9]$/.test(lower) ? '(?![a-z0-9])' : '';
  return new RegExp(`${start}${body}${end}`, 'g');
}

function compile(rules: readonly DomainRule[]): CompiledTerm[] {
  return rules.flatMap((rule) =>
    rule.terms.map(([term, weight]) => ({ domain: rule.domain, term, weight, literal: term.toLowerCase(), pattern: termPattern(term) })),
  );
}

const COMPILED_TERMS = compile(DOMAIN_RULES);

/** Every term pattern, for the ReDoS test. */
export const CLASSIFIER_PATTERNS: readonly RegExp[] = COMPILED_TERMS.map((t) => t.pattern);

interface TermHit {
  domain: DomainId;
  term: string;
  weight: number;
  start: number;
  end: number;
}

/** Term hits in text, with hits inside a longer hit dropped ("helm chart" hides "chart"). */
function findHits(text: string, terms: readonly CompiledTerm[]): TermHit[] {
  const lower = text.toLowerCase();
  const hits: TermHit[] = [];
  for (const t of terms) {
    // Substring pre-check: most of ~500 terms are absent, and includes() is far cheaper than a regex scan.
    if (!lower.includes(t.literal)) continue;
    t.pattern.lastIndex = 0;
    for (const m of lower.matchAll(t.pattern)) {
      if (m.index !== undefined) hits.push({ domain: t.domain, term: t.term, weight: t.weight, start: m.index, end: m.index + m[0].length });
    }
  }
  return hits.filter(
    (h) => !hits.some((o) => o.start <= h.start && o.end >= h.end && o.end - o.start > h.end - h.start),
  );
}

export interface DomainScore {
  domain: DomainId;
  score: number;
  /** term -> contribution */
  evidence: Map<string, number>;
}

/** Per-domain scores: each term counts once per field (task terms x TASK_WEIGHT), best field wins. */
export function scoreDomains(task: string, answer: string, domainHint?: string): DomainScore[] {
  const scores = new Map<DomainId, DomainScore>(
    DOMAIN_RULES.map((r) => [r.domain, { domain: r.domain, score: 0, evidence: new Map<string, number>() }]),
  );
  for (const [text, factor] of [
    [task, TASK_WEIGHT],
    [answer, 1],
  ] as const) {
    for (const hit of findHits(text, COMPILED_TERMS)) {
      const entry = scores.get(hit.domain);
      if (!entry) continue;
      const contribution = hit.weight * factor;
      if ((entry.evidence.get(hit.term) ?? 0) < contribution) entry.evidence.set(hit.term, contribution);
    }
  }
  for (const entry of scores.values()) entry.score = [...entry.evidence.values()].reduce((a, b) => a + b, 0);
  const hinted = resolveDomainHint(domainHint);
  if (hinted) {
    const entry = scores.get(hinted);
    if (entry) entry.score += DOMAIN_HINT_BONUS;
  }
  return [...scores.values()].sort((a, b) => b.score - a.score);
}

/** Maps a submitter's free-text domain ("ArgoCD", "k8s", "ci/github-actions") onto a DomainId. */
export function resolveDomainHint(hint: string | undefined): DomainId | undefined {
  if (!hint) return undefined;
  const h = hint.trim().toLowerCase();
  return DOMAIN_RULES.find((r) => r.domain === h || r.aliases.includes(h))?.domain;
}

function choosePlatform(rule: DomainRule, scores: readonly DomainScore[], evidence: ReadonlySet<string>): Platform {
  for (const hint of rule.platformHints) {
    if (hint.whenTerms?.some((t) => evidence.has(t))) return hint.platform;
    if (hint.whenDomain) {
      const other = scores.find((s) => s.domain === hint.whenDomain);
      if (other && other.score >= (hint.minScore ?? 0)) return hint.platform;
    }
  }
  return rule.platform;
}

/**
 * Transparent weighted keyword classifier. Confidence combines how much evidence
 * the winner has (saturating) with its margin over the runner-up:
 *   confidence = (1 - e^(-top/4)) * (0.5 + 0.5 * (top - second) / top)
 */
export function classify(task: string, answer: string, opts: { domainHint?: string } = {}): Classification {
  const scores = scoreDomains(task, answer, opts.domainHint);
  const top = scores[0];
  if (!top || top.score <= 0) return { ...FALLBACK_CLASSIFICATION, evidence: [] };
  const rule = DOMAIN_RULES.find((r) => r.domain === top.domain);
  if (!rule) return { ...FALLBACK_CLASSIFICATION, evidence: [] };
  const second = scores[1]?.score ?? 0;
  const strength = 1 - Math.exp(-top.score / 4);
  const margin = (top.score - second) / top.score;
  const confidence = Math.round(strength * (0.5 + 0.5 * margin) * 100) / 100;
  const evidence = [...top.evidence.entries()].sort((a, b) => b[1] - a[1]).map(([term]) => term);
  return {
    domain: rule.domain,
    platform: choosePlatform(rule, scores, new Set(evidence)),
    topic: rule.topic,
    confidence: Math.min(1, Math.max(0, confidence)),
    evidence,
  };
}
