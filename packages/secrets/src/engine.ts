import { createHash } from 'node:crypto';
import picomatch from 'picomatch';
import type { Finding } from '@linkops/shared/contracts';
import { shannonEntropy } from './entropy.js';
import { KeywordIndex } from './keywords.js';
import { isCodePath, isPlaceholder, looksLikeReference } from './placeholders.js';
import type { SecretRule } from './types.js';

/** Lines longer than this (minified code, data blobs) are only regex-tested in windows around keyword hits. */
const LONG_LINE = 4096;
const WINDOW_BEFORE = 320;
const WINDOW_AFTER = 768;
const INLINE_ALLOW = /(?:linkops|gitleaks):allow|secretlint-disable-line|pragma: allowlist secret|nosec(?:ret)?\b/;
const EVIDENCE_CONTEXT = 100;
/** How far evidence looks for the line's ends; far more than EVIDENCE_CONTEXT, as redactions shorten text. */
const EVIDENCE_WINDOW = 1000;

const DEFAULT_REMEDIATION =
  'Revoke or rotate this credential at its provider now, then remove it from the code (and from git history if it was ' +
  'pushed) and load it at runtime from a secret manager or the environment.';

interface CompiledRule {
  rule: SecretRule;
  priority: number;
  regex: RegExp;
  pathAllowed: ((path: string) => boolean) | null;
  named: boolean;
}

/** Packs (rule priority, text offset) pairs: offsets stay below 2^31, priorities below 2^21. */
const PAIR_SHIFT = 2 ** 31;

/** Per-call state of SecretEngine.scan(), passed along instead of captured by closures. */
interface ScanContext {
  text: string;
  path: string;
  out: RawMatch[];
  lines: LineIndex;
  /** Per multiline rule, its last search result (see runMultiline). */
  multiline: Map<number, { from: number; next: RegExpExecArray | null }> | null;
}

/** A secret the engine accepted, before it becomes a Finding. Offsets are into the scanned text. */
export interface RawMatch {
  rule: SecretRule;
  priority: number;
  secret: string;
  secretStart: number;
  secretEnd: number;
  matchStart: number;
  matchEnd: number;
  /** 1-based line of the match start and end. */
  startLine: number;
  endLine: number;
  entropy: number;
}

export interface EngineScanOptions {
  /** Keep matches on lines carrying `linkops:allow` / `gitleaks:allow` (redaction must not honour them). */
  ignoreInlineAllow?: boolean;
}

export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/** `first 4 chars…`; shorter secrets reveal at most half of themselves. */
export function redactSecret(secret: string): string {
  const shown = secret.length >= 8 ? 4 : Math.floor(secret.length / 2);
  return `${secret.slice(0, shown)}…`;
}

/** Stable across scans and machines; derived from a hash of the secret, never the secret itself. */
export function fingerprintOf(ruleId: string, path: string, secret: string): string {
  return sha256(`${ruleId}\u0000${path}\u0000${sha256(secret)}`);
}

/**
 * Compiled rule set. One pass of the keyword index over the file finds candidate lines; only those lines
 * (or windows of very long lines) meet the rule regexes of the keywords they contain.
 */
export class SecretEngine {
  readonly rules: readonly CompiledRule[];
  private readonly keywordIndex: KeywordIndex;
  /** Keyword id -> priorities of the rules that list it. */
  private readonly rulesOfKeyword: number[][];
  /** Rules that apply to whole files, each with the keyword id of its required literal (-1: none). */
  private readonly fileRules: Array<{ rule: CompiledRule; gate: number }>;
  /** Keyword hits of the current scan, reused between calls (scans are synchronous). */
  private readonly hitStarts: number[] = [];
  private readonly hitIds: number[] = [];
  private readonly lineHits: number[] = [];

  constructor(rules: readonly SecretRule[]) {
    this.rules = rules.map((rule, priority) => {
      const flags = rule.regex.flags.replace(/[gyd]/g, '');
      return {
        rule,
        priority,
        regex: new RegExp(rule.regex.source, `${flags}gd`),
        pathAllowed: rule.allowlist?.paths?.length ? picomatch(rule.allowlist.paths, { dot: true }) : null,
        named: rule.regex.source.includes('(?<secret>'),
      };
    });
    const keywords = new Map<string, number[]>();
    for (const c of this.rules) {
      for (const k of new Set(c.rule.keywords.map((kw) => kw.toLowerCase()))) {
        const list = keywords.get(k);
        if (list) list.push(c.priority);
        else keywords.set(k, [c.priority]);
      }
    }
    // A file rule's literal joins the keyword pass (case-folded), so files without it cost no extra search.
    for (const c of this.rules) {
      const literal = c.rule.fileRequiresLiteral?.toLowerCase();
      if (literal && !keywords.has(literal)) keywords.set(literal, []);
    }
    const keywordList = [...keywords.keys()];
    this.keywordIndex = new KeywordIndex(keywordList);
    this.rulesOfKeyword = [...keywords.values()];
    this.fileRules = this.rules
      .filter((c) => c.rule.fileRequires)
      .map((c) => ({ rule: c, gate: c.rule.fileRequiresLiteral ? keywordList.indexOf(c.rule.fileRequiresLiteral.toLowerCase()) : -1 }));
  }

  /** Which implementation runs the keyword byte loop: 'wasm', or 'js' where WebAssembly is unavailable. */
  get keywordKernel(): 'wasm' | 'js' {
    return this.keywordIndex.kernelKind;
  }

  /** Every accepted secret in `text`, overlap-resolved (provider rules beat generic ones), in text order. */
  scan(text: string, path: string, options: EngineScanOptions = {}): RawMatch[] {
    const starts = this.hitStarts;
    const ids = this.hitIds;
    starts.length = 0;
    ids.length = 0;
    this.keywordIndex.find(text, starts, ids);
    const ctx: ScanContext = { text, path, out: [], lines: new LineIndex(text), multiline: null };
    if (starts.length > 0) this.runKeywordLines(ctx, starts, ids);
    for (const { rule: c, gate } of this.fileRules) {
      // The keyword pass saw the literal case-folded; most files never get this far.
      if (gate !== -1 && !ids.includes(gate)) continue;
      if (c.rule.fileRequiresLiteral && !text.includes(c.rule.fileRequiresLiteral)) continue;
      if (!c.rule.fileRequires!.test(text)) continue;
      let start = 0;
      while (start <= text.length) {
        const nl = text.indexOf('\n', start);
        const end = nl === -1 ? text.length : nl;
        this.runRule(ctx, c, start, end, start, end);
        if (nl === -1) break;
        start = nl + 1;
      }
    }
    return ctx.out.length === 0 ? [] : this.resolve(ctx.out, text, ctx.lines, options);
  }

  /** Keyword hits grouped by line; each line runs the rules of its keywords once, in priority order. */
  private runKeywordLines(ctx: ScanContext, starts: readonly number[], ids: readonly number[]): void {
    const text = ctx.text;
    // (priority, position) pairs of the current line, packed into one number so a numeric sort groups them.
    const pairs = this.lineHits;
    pairs.length = 0;
    let lineStart = -1;
    let lineEnd = -1;
    for (let h = 0; h <= starts.length; h++) {
      const pos = h < starts.length ? starts[h]! : Number.MAX_SAFE_INTEGER;
      if (pos >= lineEnd) {
        if (pairs.length > 0) this.runLine(ctx, pairs, lineStart, lineEnd);
        pairs.length = 0;
        if (h === starts.length) break;
        lineStart = text.lastIndexOf('\n', pos) + 1;
        const nl = text.indexOf('\n', pos);
        lineEnd = nl === -1 ? text.length : nl;
      }
      for (const p of this.rulesOfKeyword[ids[h]!]!) pairs.push(p * PAIR_SHIFT + pos);
    }
  }

  private runLine(ctx: ScanContext, pairs: number[], lineStart: number, lineEnd: number): void {
    if (pairs.length > 1) pairs.sort((a, b) => a - b);
    const longLine = lineEnd - lineStart > LONG_LINE;
    let k = 0;
    while (k < pairs.length) {
      const p = Math.floor(pairs[k]! / PAIR_SHIFT);
      let stop = k + 1;
      while (stop < pairs.length && Math.floor(pairs[stop]! / PAIR_SHIFT) === p) stop++;
      const c = this.rules[p]!;
      if (c.rule.fileRequires) {
        // handled on every line of matching files
      } else if (!longLine || c.rule.multiline) {
        this.runRule(ctx, c, lineStart, lineEnd, lineStart, lineEnd);
      } else {
        // A long line (minified code): only windows around this rule's keyword hits, merged when they overlap.
        let winStart = -1;
        let winEnd = -1;
        for (let j = k; j < stop; j++) {
          const pos = pairs[j]! - p * PAIR_SHIFT;
          const s = Math.max(lineStart, pos - WINDOW_BEFORE);
          const e = Math.min(lineEnd, pos + WINDOW_AFTER);
          if (s <= winEnd) winEnd = e;
          else {
            if (winEnd > winStart) this.runRule(ctx, c, winStart, winEnd, lineStart, lineEnd);
            winStart = s;
            winEnd = e;
          }
        }
        if (winEnd > winStart) this.runRule(ctx, c, winStart, winEnd, lineStart, lineEnd);
      }
      k = stop;
    }
  }

  private runRule(ctx: ScanContext, c: CompiledRule, from: number, to: number, lineStart: number, lineEnd: number): void {
    if (c.rule.multiline) {
      this.runMultiline(c, ctx.text, lineStart, lineEnd, (ctx.multiline ??= new Map()), ctx.path, ctx.out, ctx.lines);
      return;
    }
    const slice = ctx.text.slice(from, to);
    c.regex.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = c.regex.exec(slice)) !== null) {
      if (m[0].length === 0) c.regex.lastIndex++;
      this.accept(c, m, from, ctx.path, ctx.out, ctx.lines);
    }
  }

  private runMultiline(
    c: CompiledRule,
    text: string,
    lineStart: number,
    lineEnd: number,
    cache: Map<number, { from: number; next: RegExpExecArray | null }>,
    path: string,
    out: RawMatch[],
    lines: LineIndex,
  ): void {
    // The search result from an earlier line stays valid until we pass its match, so every multiline rule
    // walks the text at most once per file however many candidate lines it has.
    let entry = cache.get(c.priority);
    let from = lineStart;
    for (;;) {
      let m: RegExpExecArray | null;
      if (entry && entry.from <= from && (entry.next === null || entry.next.index >= from)) m = entry.next;
      else {
        c.regex.lastIndex = from;
        m = c.regex.exec(text);
        entry = { from, next: m };
        cache.set(c.priority, entry);
      }
      if (!m || m.index >= lineEnd) return;
      this.accept(c, m, 0, path, out, lines);
      from = m.index + Math.max(1, m[0].length);
    }
  }

  private accept(c: CompiledRule, m: RegExpExecArray, base: number, path: string, out: RawMatch[], lines: LineIndex): void {
    const indices = m.indices;
    if (!indices) return;
    // Named rules may offer the secret in `secret` or (another alternative) `secret2`.
    const group = c.named ? (m.groups?.['secret'] !== undefined ? 'secret' : 'secret2') : '';
    const span = c.named ? indices.groups?.[group] : indices[1];
    const secret = c.named ? m.groups?.[group] : m[1];
    if (!span || secret === undefined || secret.length === 0) return;
    const rule = c.rule;
    const entropy = shannonEntropy(secret);
    if (rule.entropy !== undefined && entropy < rule.entropy) return;
    if (isPlaceholder(secret)) return;
    if (rule.generic && (looksLikeReference(secret) || (group === 'secret2' && isCodePath(path)))) return;
    const al = rule.allowlist;
    if (al) {
      if (al.regexes?.some((r) => r.test(secret))) return;
      if (al.stopwords?.length) {
        const lower = secret.toLowerCase();
        if (al.stopwords.some((w) => lower.includes(w))) return;
      }
      if (c.pathAllowed?.(path)) return;
    }
    const matchStart = base + m.index;
    const matchEnd = matchStart + m[0].length;
    out.push({
      rule,
      priority: c.priority,
      secret,
      secretStart: base + span[0],
      secretEnd: base + span[1],
      matchStart,
      matchEnd,
      startLine: lines.lineOf(matchStart),
      endLine: lines.lineOf(Math.max(matchStart, matchEnd - 1)),
      entropy,
    });
  }

  /**
   * Drops candidates that overlap one of higher priority (or an earlier one of the same rule), then those on
   * lines with an inline allow comment. Linear in the candidates per rule: a minified line holding thousands of
   * token-shaped strings must not cost thousands squared.
   */
  private resolve(candidates: RawMatch[], text: string, lines: LineIndex, options: EngineScanOptions): RawMatch[] {
    candidates.sort((a, b) => a.priority - b.priority || a.secretStart - b.secretStart);
    // Accepted so far, sorted by start and non-overlapping (so their ends are sorted too).
    let accepted: RawMatch[] = [];
    for (let g = 0; g < candidates.length; ) {
      let end = g;
      while (end < candidates.length && candidates[end]!.priority === candidates[g]!.priority) end++;
      const added: RawMatch[] = [];
      let j = 0;
      for (let k = g; k < end; k++) {
        const c = candidates[k]!;
        while (j < accepted.length && accepted[j]!.secretEnd <= c.secretStart) j++;
        if (j < accepted.length && accepted[j]!.secretStart < c.secretEnd) continue;
        const last = added[added.length - 1];
        if (last && last.secretEnd > c.secretStart) continue;
        added.push(c);
      }
      accepted = mergeByStart(accepted, added);
      g = end;
    }
    if (options.ignoreInlineAllow) return accepted;
    const allowedLine = new Map<number, boolean>();
    return accepted.filter((a) => {
      const [from, to] = lines.boundsOf(a.matchStart);
      let allowed = allowedLine.get(from);
      if (allowed === undefined) allowedLine.set(from, (allowed = INLINE_ALLOW.test(text.slice(from, to))));
      return !allowed;
    });
  }
}

function mergeByStart(a: RawMatch[], b: RawMatch[]): RawMatch[] {
  if (b.length === 0) return a;
  if (a.length === 0) return b;
  const out: RawMatch[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i]!.secretStart <= b[j]!.secretStart)) out.push(a[i++]!);
    else out.push(b[j++]!);
  }
  return out;
}

/** Line numbers by binary search over newline offsets, built lazily on the first lookup. */
class LineIndex {
  private starts: number[] | null = null;
  constructor(private readonly text: string) {}
  private lineStarts(): number[] {
    if (!this.starts) {
      const starts = [0];
      let i = this.text.indexOf('\n');
      while (i !== -1) {
        starts.push(i + 1);
        i = this.text.indexOf('\n', i + 1);
      }
      this.starts = starts;
    }
    return this.starts;
  }
  lineOf(offset: number): number {
    const s = this.lineStarts();
    let lo = 0;
    let hi = s.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (s[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }
  /** [start, end) of the line holding `offset`, without its newline. */
  boundsOf(offset: number): [number, number] {
    const line = this.lineOf(offset);
    const s = this.lineStarts();
    return [s[line - 1]!, line < s.length ? s[line]! - 1 : this.text.length];
  }
}

/**
 * The evidence line: from the start of the match's line to the end of the secret's last line, every accepted
 * secret in it replaced by its redaction, newlines flattened, and long context trimmed.
 */
export function renderEvidence(text: string, match: RawMatch, all: readonly RawMatch[]): string {
  // Looked for within EVIDENCE_WINDOW only: on a minified multi-megabyte line, scanning to the line's ends for
  // every finding would be quadratic, and all but ~100 chars each side are trimmed anyway.
  const lo = Math.max(0, match.matchStart - EVIDENCE_WINDOW);
  const lineStart = text.slice(lo, match.matchStart).lastIndexOf('\n');
  const from = lineStart === -1 ? lo : lo + lineStart + 1;
  const hi = Math.min(text.length, match.secretEnd + EVIDENCE_WINDOW);
  const lineEnd = text.slice(match.secretEnd, hi).indexOf('\n');
  const to = lineEnd === -1 ? hi : match.secretEnd + lineEnd;
  // `all` is sorted by start and non-overlapping (scan's result), so ends are sorted too.
  let first = 0;
  let last = all.length;
  while (first < last) {
    const mid = (first + last) >> 1;
    if (all[mid]!.secretEnd <= from) first = mid + 1;
    else last = mid;
  }
  const inRange: RawMatch[] = [];
  for (let k = first; k < all.length && all[k]!.secretStart < to; k++) inRange.push(all[k]!);
  let before = '';
  let after = '';
  let cursor = from;
  let seenFocus = false;
  for (const a of inRange) {
    const start = Math.max(a.secretStart, cursor);
    const piece = text.slice(cursor, start) + (a.secretEnd > start ? redactSecret(a.secret) : '');
    if (a === match) {
      before += text.slice(cursor, start);
      seenFocus = true;
    } else if (seenFocus) after += piece;
    else before += piece;
    cursor = Math.max(cursor, a.secretEnd);
  }
  after += text.slice(cursor, to);
  const flat = (s: string) => s.replace(/\r?\n/g, ' ');
  let head = flat(before).trimStart();
  let tail = flat(after).trimEnd();
  if (head.length > EVIDENCE_CONTEXT) head = `…${head.slice(-EVIDENCE_CONTEXT)}`;
  if (tail.length > EVIDENCE_CONTEXT) tail = `${tail.slice(0, EVIDENCE_CONTEXT)}…`;
  return `${head}${redactSecret(match.secret)}${tail}`;
}

export function toFinding(text: string, path: string, match: RawMatch, all: readonly RawMatch[]): Finding {
  const rule = match.rule;
  return {
    rule_id: rule.id,
    scanner: 'secrets',
    severity: rule.severity,
    title: rule.description,
    message: `${rule.description} in ${path} at line ${match.startLine}: ${redactSecret(match.secret)} (${match.secret.length} chars).`,
    location: { path, start_line: match.startLine, end_line: match.endLine },
    evidence: renderEvidence(text, match, all),
    remediation: rule.remediation ?? DEFAULT_REMEDIATION,
    references: [...rule.references],
    fingerprint: fingerprintOf(rule.id, path, match.secret),
    metadata: { entropy: Math.round(match.entropy * 100) / 100, secret_length: match.secret.length },
  };
}
