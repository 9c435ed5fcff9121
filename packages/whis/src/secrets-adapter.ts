/**
 * The one place @linkops/secrets is called from. It is imported dynamically so this
 * package loads (and its tests run) whether or not `redact` has landed there yet;
 * `secretsEngine` says which one is live. Once @linkops/secrets exports `redact`
 * for good, this can become a static import.
 */
import { applyRule, placeholderFor, type RedactionResult } from './pii.js';

export type SecretsRedact = (text: string) => RedactionResult;

function isRedactionResult(value: unknown): value is RedactionResult {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { text?: unknown; redactions?: unknown };
  return (
    typeof v.text === 'string' &&
    Array.isArray(v.redactions) &&
    v.redactions.every(
      (r: unknown) =>
        typeof r === 'object' && r !== null && typeof (r as { type?: unknown }).type === 'string' && typeof (r as { placeholder?: unknown }).placeholder === 'string',
    )
  );
}

async function loadSecretsRedact(): Promise<SecretsRedact | null> {
  // A variable specifier keeps TypeScript from requiring the module to exist at compile time.
  const specifier = '@linkops/secrets';
  try {
    const mod: unknown = await import(specifier);
    const redact = (mod as { redact?: unknown }).redact;
    if (typeof redact !== 'function') return null;
    return (text: string) => {
      const result: unknown = (redact as (t: string) => unknown)(text);
      if (!isRedactionResult(result)) {
        // Fail closed: a contract mismatch must not let text through unredacted.
        throw new Error('@linkops/secrets redact() returned an unexpected shape');
      }
      // Keep only type/placeholder: whatever else the engine returns may carry the value.
      return { text: result.text, redactions: result.redactions.map((r) => ({ type: r.type, placeholder: r.placeholder })) };
    };
  } catch {
    return null;
  }
}

const secretsRedact = await loadSecretsRedact();

/** '@linkops/secrets' when that package's redact() is in use, 'baseline' otherwise. */
export const secretsEngine: '@linkops/secrets' | 'baseline' = secretsRedact ? '@linkops/secrets' : 'baseline';

interface BaselineSecretRule {
  type: string;
  pattern: RegExp;
  /** Capture group holding the secret when only part of the match is secret (key = value). */
  group?: number;
  positives: readonly string[];
  negatives: readonly string[];
}

/**
 * A small set of unmistakable credential shapes, applied after @linkops/secrets as
 * belt and braces (and alone while that package is missing). Training data that
 * leaks a live key is the one failure this stage cannot afford.
 */
export const BASELINE_SECRET_RULES: readonly BaselineSecretRule[] = [
  { type: 'aws-access-key', pattern: /\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA)[A-Z0-9]{16}\b/, positives: ['AKIAQX7ZD4K2M9PLN3TB'], negatives: ['AKIA-docs', 'akiaqx7zd4k2m9pln3tb'] },
  { type: 'github-token', pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{30,255}|github_pat_[A-Za-z0-9_]{40,255})\b/, positives: ['ghp_R7mK2xQ9vL4tN8pW3zY6bC1dF5gH0jS2aE4u', 'github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJ'], negatives: ['ghp_short', 'the ghp_ prefix'] },
  { type: 'gitlab-token', pattern: /\bglpat-[A-Za-z0-9_-]{20,64}\b/, positives: ['glpat-xY3kL9mN2pQ7rS4tV8wZ'], negatives: ['glpat-abc'] },
  { type: 'slack-token', pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,250}\b/, positives: ['xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx'], negatives: ['xoxb-'] },
  { type: 'google-api-key', pattern: /\bAIza[0-9A-Za-z_-]{35}\b/, positives: ['AIzaSyD3kL9mN2pQ7rS4tV8wZ1aB5cE6fG0hJ2k'], negatives: ['AIza-short'] },
  { type: 'stripe-key', pattern: /\b[sr]k_(?:live|test)_[0-9A-Za-z]{16,99}\b/, positives: ['sk_live_4eC39HqLyjWDarjtT1zdp7dc'], negatives: ['sk_live_'] },
  { type: 'jwt', pattern: /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,2000}\.eyJ[A-Za-z0-9_-]{8,4000}\.[A-Za-z0-9_-]{8,2000}/, positives: ['eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U'], negatives: ['eyJhbGciOiJIUzI1NiJ9'] },
  {
    type: 'password-assignment',
    // key = value / key: value where the value is a literal, not a ${{ secrets.X }} / $VAR / <placeholder> reference
    pattern: /(?:password|passwd|pwd|secret|api[_-]?key|access[_-]?token|auth[_-]?token|client[_-]?secret)["']?\s{0,3}[:=]\s{0,3}["']?(?![$<{[*])([^\s"'`,;]{8,200})/i,
    group: 1,
    positives: ['DB_PASSWORD=S3cr3t!Passw0rd', 'api_key: "f3b1c2d4e5f60718293a"'],
    negatives: ['password: ${{ secrets.DB_PASSWORD }}', 'PASSWORD=$DB_PASSWORD', 'api_key: <your-key>', 'password: short'],
  },
];

function baselineSpans(rule: BaselineSecretRule, text: string): Array<{ start: number; end: number }> {
  // 'd' gives match indices so a capture group alone can be redacted.
  const global = new RegExp(rule.pattern.source, `${rule.pattern.flags.replace(/[gd]/g, '')}dg`);
  const spans: Array<{ start: number; end: number }> = [];
  for (const m of text.matchAll(global)) {
    if (m.index === undefined) continue;
    const groupIndices = rule.group !== undefined ? m.indices?.[rule.group] : undefined;
    if (groupIndices) spans.push({ start: groupIndices[0], end: groupIndices[1] });
    else spans.push({ start: m.index, end: m.index + m[0].length });
  }
  return spans;
}

export function redactBaselineSecrets(text: string): RedactionResult {
  let current = text;
  const redactions: RedactionResult['redactions'] = [];
  for (const rule of BASELINE_SECRET_RULES) {
    const result = applyRule({ type: rule.type, find: (t) => baselineSpans(rule, t) }, current);
    current = result.text;
    redactions.push(...result.redactions);
  }
  return { text: current, redactions };
}

/** Secrets redaction: @linkops/secrets when available, then the baseline rules. */
export function redactSecrets(text: string): RedactionResult {
  const primary = secretsRedact ? secretsRedact(text) : { text, redactions: [] };
  const baseline = redactBaselineSecrets(primary.text);
  return { text: baseline.text, redactions: [...primary.redactions, ...baseline.redactions] };
}

export { placeholderFor };
