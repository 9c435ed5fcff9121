import { createHash } from 'node:crypto';
import picomatch from 'picomatch';
import type { Finding } from '@linkops/shared/contracts';
import { shannonEntropy } from './entropy.js';
import { isPlaceholder, looksLikeReference } from './placeholders.js';
import type { SecretRule } from './types.js';

/** Lines longer than this (minified code, data blobs) are only regex-tested in windows around keyword hits. */
const LONG_LINE = 4096;
const WINDOW_BEFORE = 320;
const WINDOW_AFTER = 768;
const INLINE_ALLOW = /(?:linkops|gitleaks):allow|secretlint-disable-line|pragma: allowlist secret|nosec(?:ret)?\b/;
const EVIDENCE_CONTEXT = 100;

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

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
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
 * Compiled rule set. One pass of a combined keyword regex over the file finds candidate lines; only those
 * lines (or windows of very long lines) meet the rule regexes of the keywords they contain.
 */
export class SecretEngine {
  readonly rules: readonly CompiledRule[];
  private readonly keywordRegex: RegExp | null;
  /**
   * Keyword prefilter tables: a regex alternation of ~600 literals runs at ~12 MB/s in V8, while this bigram
   * lookup over the lowercased text (first char bitmap -> bigram bitmap -> candidate list) runs at memory speed.
   */
  private readonly firstChar = new Uint8Array(65536);
  private readonly bigramSeen = new Uint8Array(65536);
  /**
   * Third-character filter: bit set for (bigram hash, third char) pairs that start a keyword; bigrams that
   * are whole keywords (e.g. "q~") are marked in bigramComplete and skip it.
   */
  private readonly trigramSeen = new Uint8Array(1 << 20);
  private readonly bigramComplete = new Uint8Array(65536);
  private readonly byBigram = new Map<number, string[]>();
  /** Lowercase matched keyword -> priorities of rules that have it or one of its prefixes as a keyword. */
  private readonly keywordRules = new Map<string, number[]>();
  private readonly fileRules: CompiledRule[];

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
    const keywords = new Map<string, Set<number>>();
    for (const c of this.rules) {
      for (const k of c.rule.keywords) {
        const kw = k.toLowerCase();
        if (!keywords.has(kw)) keywords.set(kw, new Set());
        keywords.get(kw)!.add(c.priority);
      }
    }
    const all = [...keywords.keys()].sort((a, b) => b.length - a.length);
    // Longest first: at any position the alternation reports the longest keyword; shorter keywords that
    // are prefixes of it are folded into its rule list, and the scan resumes one char later so keywords
    // starting inside a hit are still seen.
    for (const kw of all) {
      const set = new Set<number>();
      for (const [other, rulesOf] of keywords) if (kw.startsWith(other)) for (const p of rulesOf) set.add(p);
      this.keywordRules.set(kw, [...set].sort((a, b) => a - b));
    }
    this.keywordRegex = all.length ? new RegExp(all.map(escapeRegex).join('|'), 'gi') : null;
    for (const kw of all) {
      if (kw.length < 2) throw new Error(`keyword too short: ${kw}`);
      const a = kw.charCodeAt(0);
      const b = kw.charCodeAt(1);
      this.firstChar[a] = 1;
      this.bigramSeen[(a * 31 + b) & 0xffff] = 1;
      if (kw.length === 2) this.bigramComplete[(a * 31 + b) & 0xffff] = 1;
      else this.trigramSeen[(a * 961 + b * 31 + kw.charCodeAt(2)) & 0xfffff] = 1;
      const key = a * 65536 + b;
      const list = this.byBigram.get(key);
      if (list) list.push(kw);
      else this.byBigram.set(key, [kw]);
    }
    this.fileRules = this.rules.filter((c) => c.rule.fileRequires);
  }

  /** Every accepted secret in `text`, overlap-resolved (provider rules beat generic ones), in text order. */
  scan(text: string, path: string, options: EngineScanOptions = {}): RawMatch[] {
    const candidates: RawMatch[] = [];
    const lineStarts = new LineIndex(text);
    const multilineCache = new Map<number, { from: number; next: RegExpExecArray | null }>();

    const runRule = (c: CompiledRule, from: number, to: number, lineStart: number, lineEnd: number) => {
      if (c.rule.multiline) {
        this.runMultiline(c, text, lineStart, lineEnd, multilineCache, path, candidates, lineStarts);
        return;
      }
      const slice = text.slice(from, to);
      c.regex.lastIndex = 0;
      let m: RegExpExecArray | null;
      while ((m = c.regex.exec(slice)) !== null) {
        if (m[0].length === 0) c.regex.lastIndex++;
        this.accept(c, m, from, path, candidates, lineStarts);
      }
    };

    if (this.keywordRegex) {
      let lineStart = -1;
      let lineEnd = -1;
      let hits = new Map<number, number[]>();
      const flush = () => {
        if (hits.size === 0) return;
        const order = [...hits.keys()].sort((a, b) => a - b);
        for (const p of order) {
          const c = this.rules[p]!;
          if (c.rule.fileRequires) continue; // handled on every line below
          if (lineEnd - lineStart <= LONG_LINE || c.rule.multiline) {
            runRule(c, lineStart, lineEnd, lineStart, lineEnd);
          } else {
            let winStart = -1;
            let winEnd = -1;
            for (const pos of hits.get(p)!) {
              const s = Math.max(lineStart, pos - WINDOW_BEFORE);
              const e = Math.min(lineEnd, pos + WINDOW_AFTER);
              if (s <= winEnd) winEnd = e;
              else {
                if (winEnd > winStart) runRule(c, winStart, winEnd, lineStart, lineEnd);
                winStart = s;
                winEnd = e;
              }
            }
            if (winEnd > winStart) runRule(c, winStart, winEnd, lineStart, lineEnd);
          }
        }
        hits = new Map();
      };
      const onHit = (pos: number, keyword: string) => {
        if (pos >= lineEnd) {
          flush();
          lineStart = text.lastIndexOf('\n', pos) + 1;
          const nl = text.indexOf('\n', pos);
          lineEnd = nl === -1 ? text.length : nl;
        }
        const rulesHere = this.keywordRules.get(keyword.toLowerCase());
        if (!rulesHere) return;
        for (const p of rulesHere) {
          const list = hits.get(p);
          if (list) list.push(pos);
          else hits.set(p, [pos]);
        }
      };
      const lower = text.toLowerCase();
      if (lower.length === text.length) {
        const positions: number[] = [];
        const keywords: string[] = [];
        findKeywords(lower, this.firstChar, this.bigramSeen, this.bigramComplete, this.trigramSeen, this.byBigram, positions, keywords);
        for (let i = 0; i < positions.length; i++) onHit(positions[i]!, keywords[i]!);
      } else {
        // Lowercasing changed the length (e.g. U+0130), so offsets would drift: fall back to the `i` regex.
        const kwRegex = this.keywordRegex;
        kwRegex.lastIndex = 0;
        let m: RegExpExecArray | null;
        while ((m = kwRegex.exec(text)) !== null) {
          kwRegex.lastIndex = m.index + 1;
          onHit(m.index, m[0]);
        }
      }
      flush();
    }

    for (const c of this.fileRules) {
      // Cheap literal check before the anchored regex: almost no file is a Secret manifest or docker config.
      if (c.rule.fileRequiresLiteral && !text.includes(c.rule.fileRequiresLiteral)) continue;
      if (!c.rule.fileRequires!.test(text)) continue;
      let start = 0;
      while (start <= text.length) {
        const nl = text.indexOf('\n', start);
        const end = nl === -1 ? text.length : nl;
        runRule(c, start, end, start, end);
        if (nl === -1) break;
        start = nl + 1;
      }
    }

    return this.resolve(candidates, text, options);
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
    if (rule.generic && looksLikeReference(secret)) return;
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

  private resolve(candidates: RawMatch[], text: string, options: EngineScanOptions): RawMatch[] {
    candidates.sort((a, b) => a.priority - b.priority || a.secretStart - b.secretStart);
    const accepted: RawMatch[] = [];
    for (const cand of candidates) {
      const overlaps = accepted.some((a) => cand.secretStart < a.secretEnd && a.secretStart < cand.secretEnd);
      if (overlaps) continue;
      accepted.push(cand);
    }
    accepted.sort((a, b) => a.secretStart - b.secretStart);
    if (options.ignoreInlineAllow) return accepted;
    return accepted.filter((a) => {
      const from = text.lastIndexOf('\n', a.matchStart - 1) + 1;
      const nl = text.indexOf('\n', a.matchStart);
      return !INLINE_ALLOW.test(text.slice(from, nl === -1 ? text.length : nl));
    });
  }
}

/**
 * The hot loop, kept small and monomorphic so V8 optimizes it: every position whose bigram starts a keyword is
 * checked against that bigram's keywords, longest first; only the longest hit per position is reported (its rule
 * list already includes the rules of its prefixes).
 */
function findKeywords(
  lower: string,
  firstChar: Uint8Array,
  bigramSeen: Uint8Array,
  bigramComplete: Uint8Array,
  trigramSeen: Uint8Array,
  byBigram: Map<number, string[]>,
  positions: number[],
  keywords: string[],
): void {
  // One byte per UTF-16 unit (latin1), so offsets match `lower`; keywords are ASCII, so a non-Latin-1 char
  // folding onto an ASCII byte can only add a candidate that startsWith() below then rejects.
  const bytes = Buffer.from(lower, 'latin1');
  const n = bytes.length - 1;
  for (let i = 0; i < n; i++) {
    const a = bytes[i]!;
    if (firstChar[a] === 0) continue;
    const b = bytes[i + 1]!;
    const bh = (a * 31 + b) & 0xffff;
    if (bigramSeen[bh] === 0) continue;
    if (bigramComplete[bh] === 0 && trigramSeen[(a * 961 + b * 31 + (i + 2 <= n ? bytes[i + 2]! : 0)) & 0xfffff] === 0) continue;
    const candidates = byBigram.get(lower.charCodeAt(i) * 65536 + lower.charCodeAt(i + 1));
    if (candidates === undefined) continue;
    for (let k = 0; k < candidates.length; k++) {
      const kw = candidates[k]!;
      if (lower.startsWith(kw, i)) {
        positions.push(i);
        keywords.push(kw);
        break;
      }
    }
  }
}

/** Line numbers by binary search over newline offsets, built lazily on the first lookup. */
class LineIndex {
  private starts: number[] | null = null;
  constructor(private readonly text: string) {}
  lineOf(offset: number): number {
    if (!this.starts) {
      const starts = [0];
      let i = this.text.indexOf('\n');
      while (i !== -1) {
        starts.push(i + 1);
        i = this.text.indexOf('\n', i + 1);
      }
      this.starts = starts;
    }
    const s = this.starts;
    let lo = 0;
    let hi = s.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (s[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }
}

/**
 * The evidence line: from the start of the match's line to the end of the secret's last line, every accepted
 * secret in it replaced by its redaction, newlines flattened, and long context trimmed.
 */
export function renderEvidence(text: string, match: RawMatch, all: readonly RawMatch[]): string {
  const from = text.lastIndexOf('\n', match.matchStart - 1) + 1;
  const nl = text.indexOf('\n', match.secretEnd);
  const to = nl === -1 ? text.length : nl;
  const inRange = all.filter((a) => a.secretStart < to && a.secretEnd > from).sort((a, b) => a.secretStart - b.secretStart);
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
