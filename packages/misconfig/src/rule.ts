import { createHash } from 'node:crypto';
import type { Finding, FixHint, Severity } from '@linkops/shared/contracts';

/** The five scanner categories; each is also the `scanner` name on its findings. */
export type Category = 'dockerfile' | 'kubernetes' | 'compose' | 'github-actions' | 'sast';

/** One place a rule fired. Lines are 1-based and inclusive. */
export interface RuleHit {
  line: number;
  endLine?: number;
  /** Already redacted by the rule when it may contain a secret. */
  evidence?: string;
  /** Overrides the rule's message when the hit needs specifics (e.g. the image name). */
  message?: string;
  /** Overrides or completes the rule's fix hint for this hit. */
  fix?: FixHint;
  /** Stable part of the fingerprint (defaults to evidence); keeps fingerprints steady when lines move. */
  key?: string;
  /** File of the hit when the rule sees several files at once (Kubernetes cross-file rules). */
  path?: string;
}

/** A test vector: a whole document (string) or a document with the path it should be checked as. */
export type RuleVector = string | { path: string; content: string };

/** Fields every rule record carries, whatever its category. */
export interface RuleMeta {
  id: string;
  category: Category;
  title: string;
  severity: Severity;
  description: string;
  remediation: string;
  /** CWE ids and the equivalent ids of well-known tools ('hadolint:DL3007', 'trivy:DS-0001', ...). */
  references: string[];
  /** Machine-readable fix where the change is mechanical. */
  fix?: FixHint;
  /** Documents that must trigger the rule. */
  positives: RuleVector[];
  /** Documents that must not trigger it. */
  negatives: RuleVector[];
}

/** A rule over a parsed document of type D. */
export interface Rule<D> extends RuleMeta {
  check(doc: D): RuleHit[];
}

/** Secrets are never returned in full: first 4 characters and an ellipsis. */
export function redact(value: string): string {
  return value.length <= 4 ? '…' : `${value.slice(0, 4)}…`;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Collapses whitespace so reformatting does not change a fingerprint. */
function normalize(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Turns a rule hit into a contract Finding. */
export function toFinding(rule: RuleMeta, defaultPath: string, hit: RuleHit): Finding {
  const path = hit.path ?? defaultPath;
  const evidence = hit.evidence ?? '';
  const key = hit.key ?? evidence;
  const fix = hit.fix ?? rule.fix;
  const finding: Finding = {
    rule_id: rule.id,
    scanner: rule.category,
    severity: rule.severity,
    title: rule.title,
    message: hit.message ?? rule.description,
    location: { path, start_line: hit.line, end_line: Math.max(hit.line, hit.endLine ?? hit.line) },
    evidence: evidence.length > 300 ? `${evidence.slice(0, 300)}…` : evidence,
    remediation: rule.remediation,
    references: [...rule.references],
    fingerprint: sha256(`${rule.id}\u0000${path}\u0000${normalize(key) || String(hit.line)}`),
  };
  if (fix) finding.fix = fix;
  return finding;
}

/** Stable order for output: by line, then rule id. */
export function sortFindings(findings: Finding[]): Finding[] {
  return findings.sort((a, b) =>
    a.location.path.localeCompare(b.location.path) ||
    a.location.start_line - b.location.start_line ||
    a.rule_id.localeCompare(b.rule_id));
}

/** Drops findings with the same fingerprint and line (e.g. one file reached through two kustomize overlays). */
export function dedupeFindings(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const k = `${f.fingerprint}:${f.location.start_line}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
