import type { Severity } from '@linkops/shared/contracts';
import type { Rule, RuleHit } from '../rule.js';

export type Language = 'javascript' | 'python' | 'go' | 'java';

/**
 * A Semgrep-like pattern made of line-level regexes (kept simple so each passes a ReDoS check):
 * - patterns: all must match on the same line, each after the previous match (so `A … B` without `.*`);
 * - not: none of these may match on that line;
 * - inside: must match somewhere in the file (e.g. the file imports child_process);
 * - notInside: must not match anywhere in the file.
 */
export interface CompositePattern {
  patterns: RegExp[];
  not?: RegExp[];
  inside?: RegExp;
  notInside?: RegExp;
}

export type SastPattern = RegExp | CompositePattern;

export interface SourceFile {
  path: string;
  language: Language;
  content: string;
  lines: string[];
}

export interface SastRule extends Rule<SourceFile> {
  languages: Language[];
  cwe: string;
  pattern: SastPattern;
  /** Path filters: include = the path must match one (when given); exclude = must match none. */
  paths?: { include?: RegExp[]; exclude?: RegExp[] };
}

/** What a rule author writes; engine fields (category, check, references) are derived. */
export interface SastRuleSpec {
  id: string;
  languages: Language[];
  title: string;
  message: string;
  severity: Severity;
  cwe: string;
  owasp?: string;
  pattern: SastPattern;
  paths?: { include?: RegExp[]; exclude?: RegExp[] };
  fix: string;
  /** Path the vectors are checked as (defaults to a sample file of the first language). */
  samplePath?: string;
  positives: string[];
  negatives: string[];
}

const EXTENSIONS: Record<string, Language> = {
  js: 'javascript', jsx: 'javascript', mjs: 'javascript', cjs: 'javascript',
  ts: 'javascript', tsx: 'javascript', mts: 'javascript', cts: 'javascript',
  py: 'python', go: 'go', java: 'java',
};

export const SAMPLE_PATH: Record<Language, string> = { javascript: 'src/sample.js', python: 'app/sample.py', go: 'cmd/sample.go', java: 'src/main/java/Sample.java' };

export function languageOf(path: string): Language | null {
  const dot = path.lastIndexOf('.');
  return dot < 0 ? null : EXTENSIONS[path.slice(dot + 1).toLowerCase()] ?? null;
}

/** Lines longer than this are minified/generated code: skipped (and it bounds regex work per line). */
export const MAX_LINE_LENGTH = 2000;

function isComment(line: string, language: Language): boolean {
  const t = line.trimStart();
  if (language === 'python') return t.startsWith('#');
  return t.startsWith('//') || t.startsWith('/*') || t.startsWith('* ') || t === '*';
}

/** Global copies (for lastIndex-driven search) compiled once per regex; the rule's own RegExp stays untouched. */
const globalCopies = new WeakMap<RegExp, RegExp>();
function globalCopy(re: RegExp): RegExp {
  let copy = globalCopies.get(re);
  if (!copy) {
    copy = new RegExp(re.source, re.flags.replace(/[gy]/g, '') + 'g');
    globalCopies.set(re, copy);
  }
  return copy;
}

function matchesInOrder(line: string, patterns: RegExp[]): boolean {
  let from = 0;
  for (const p of patterns) {
    const re = globalCopy(p);
    re.lastIndex = from;
    const m = re.exec(line);
    if (!m) return false;
    from = m.index + Math.max(m[0].length, 1);
  }
  return true;
}

function matchesAnywhere(text: string, re: RegExp): boolean {
  const g = globalCopy(re);
  g.lastIndex = 0;
  return g.test(text);
}

export function evaluatePattern(pattern: SastPattern, file: SourceFile): RuleHit[] {
  const composite: CompositePattern = pattern instanceof RegExp ? { patterns: [pattern] } : pattern;
  if (composite.inside && !matchesAnywhere(file.content, composite.inside)) return [];
  if (composite.notInside && matchesAnywhere(file.content, composite.notInside)) return [];
  // Cheap pre-filter: the first pattern must occur somewhere in the file at all (not valid for
  // patterns with line anchors, which mean something else on the whole file).
  const first = composite.patterns[0]!;
  if (!first.source.includes('^') && !first.source.includes('$') && !matchesAnywhere(file.content, first)) return [];
  const hits: RuleHit[] = [];
  file.lines.forEach((raw, i) => {
    if (raw.length > MAX_LINE_LENGTH || isComment(raw, file.language)) return;
    const line = raw.trimEnd();
    if (!matchesInOrder(line, composite.patterns)) return;
    if (composite.not?.some((n) => matchesAnywhere(line, n))) return;
    hits.push({ line: i + 1, evidence: line.trim() });
  });
  return hits;
}

function pathAllowed(rule: { paths?: SastRule['paths'] }, path: string): boolean {
  if (rule.paths?.include && !rule.paths.include.some((r) => r.test(path))) return false;
  if (rule.paths?.exclude?.some((r) => r.test(path))) return false;
  return true;
}

/** Turns an author's spec into a rule record with its check function. */
export function defineSastRule(spec: SastRuleSpec): SastRule {
  const samplePath = spec.samplePath ?? SAMPLE_PATH[spec.languages[0]!];
  return {
    id: spec.id,
    category: 'sast',
    title: spec.title,
    severity: spec.severity,
    description: spec.message,
    remediation: spec.fix,
    references: [spec.cwe, ...(spec.owasp ? [spec.owasp] : [])],
    languages: spec.languages,
    cwe: spec.cwe,
    pattern: spec.pattern,
    ...(spec.paths ? { paths: spec.paths } : {}),
    positives: spec.positives.map((content) => ({ path: samplePath, content })),
    negatives: spec.negatives.map((content) => ({ path: samplePath, content })),
    check(file: SourceFile): RuleHit[] {
      if (!spec.languages.includes(file.language) || !pathAllowed(spec, file.path)) return [];
      return evaluatePattern(spec.pattern, file);
    },
  };
}

export function toSourceFile(content: string, path: string): SourceFile | null {
  const language = languageOf(path);
  return language ? { path, language, content, lines: content.split(/\r?\n/) } : null;
}

/** Every regex of a SAST pattern, for the ReDoS test. */
export function patternRegexes(pattern: SastPattern): RegExp[] {
  if (pattern instanceof RegExp) return [pattern];
  return [...pattern.patterns, ...(pattern.not ?? []), ...(pattern.inside ? [pattern.inside] : []), ...(pattern.notInside ? [pattern.notInside] : [])];
}
