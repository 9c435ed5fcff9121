import { engineFor } from './scan.js';
import type { SecretRule } from './types.js';

export interface Redaction {
  /** The rule id, e.g. `aws-access-key-id`. */
  type: string;
  placeholder: string;
}

export interface RedactOptions {
  rules?: readonly SecretRule[];
}

/**
 * Replaces every detected secret in free text with `[REDACTED:<rule-id>]`. Inline allow comments do not
 * apply: redaction protects what leaves the system, so it errs on the side of removing.
 */
export function redact(text: string, options: RedactOptions = {}): { text: string; redactions: Redaction[] } {
  const matches = engineFor(options.rules).scan(text, 'redact.txt', { ignoreInlineAllow: true });
  if (matches.length === 0) return { text, redactions: [] };
  let out = '';
  let cursor = 0;
  const redactions: Redaction[] = [];
  for (const m of matches) {
    if (m.secretStart < cursor) continue;
    const placeholder = `[REDACTED:${m.rule.id}]`;
    out += text.slice(cursor, m.secretStart) + placeholder;
    cursor = m.secretEnd;
    redactions.push({ type: m.rule.id, placeholder });
  }
  out += text.slice(cursor);
  return { text: out, redactions };
}
