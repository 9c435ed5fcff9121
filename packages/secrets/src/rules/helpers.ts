import type { SecretRule } from '../types.js';

/** Alphabets for sample secrets. */
export const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export const UPPER_NUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
export const LOWER_NUM = 'abcdefghijklmnopqrstuvwxyz0123456789';
export const HEX = '0123456789abcdef';
export const B64 = ALNUM + '+/';
export const B64URL = ALNUM + '_-';
export const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * Deterministic random-looking sample value (FNV-1a seeded xorshift), so vectors are realistic
 * high-entropy strings yet identical on every run. Never a real credential.
 */
export function sample(seed: string, length: number, alphabet: string = ALNUM): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 0x01000193) >>> 0;
  let out = '';
  for (let i = 0; i < length; i++) {
    h ^= h << 13; h >>>= 0;
    h ^= h >>> 17;
    h ^= h << 5; h >>>= 0;
    out += alphabet[h % alphabet.length];
  }
  return out;
}

export function uuid(seed: string): string {
  const h = sample(seed, 32, HEX);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function camel(name: string): string {
  return name.toLowerCase().replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

/**
 * The same assignment in the syntaxes secrets are committed in: .env, YAML, JSON, JS/TS, Python, shell.
 * `name` is an UPPER_SNAKE variable name (it carries the rule's context keyword when the rule needs one).
 */
export function inSyntaxes(name: string, value: string): string[] {
  return [
    `${name}=${value}`,
    `${name.toLowerCase()}: "${value}"`,
    `  "${camel(name)}": "${value}",`,
    `const ${camel(name)} = '${value}';`,
    `${name} = "${value}"  # set in prod`,
    `export ${name}="${value}"`,
  ];
}

/** Placeholders every rule must ignore, rendered in the same syntaxes. */
export function placeholderNegatives(name: string, prefix = ''): string[] {
  return [
    `${name}=\${${name}}`,
    `${name.toLowerCase()}: "{{ .Values.${camel(name)} }}"`,
    `${name}=<your-${name.toLowerCase().replace(/_/g, '-')}>`,
    `${name}=${prefix}xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx`,
    `const ${camel(name)} = process.env.${name};`,
  ];
}

/**
 * Gitleaks-style "semi-generic" regex: an identifier containing one of `ids`, an assignment operator, then
 * the secret. Bounded quantifiers only, so it stays linear (checked by the ReDoS test).
 */
export function assigned(ids: string, secret: string, flags = 'i'): RegExp {
  return new RegExp(
    `(?:${ids})[\\w.-]{0,25}[ \\t'"\\x60]{0,3}(?:=|:=|:|=>|,|\\?=)[ \\t'"\\x60=]{0,5}(${secret})(?![\\w+/=-])`,
    flags,
  );
}

/** A token whose prefix is distinctive enough to need no context. */
export function prefixed(body: string, flags = ''): RegExp {
  return new RegExp(`(?<![\\w-])(${body})(?![\\w-])`, flags);
}

export const CWE = 'CWE-798';

/** `process.env.X`, `config.x`: a lookup, not a literal. */
const CODE_REFERENCE = /^(?:process\.env|os\.environ|env|config|settings|secrets|vars)\./i;

type RuleInput = Omit<SecretRule, 'references'> & { references?: string[]; gitleaks?: string; secretlint?: string };

/** Fills in references (CWE-798 plus other tools' equivalent ids). */
export function rule(input: RuleInput): SecretRule {
  const { gitleaks, secretlint, references = [], ...rest } = input;
  const refs = [...references];
  if (gitleaks) refs.push(`gitleaks:${gitleaks}`);
  if (secretlint) refs.push(`secretlint:${secretlint}`);
  if (!refs.includes(CWE)) refs.push(CWE);
  return { ...rest, references: refs };
}

/**
 * Shorthand for the common case: a token with a distinctive prefix. Positives are the sample in every
 * syntax; negatives are placeholders plus the given look-alikes.
 */
export function prefixRule(opts: {
  id: string;
  description: string;
  severity?: SecretRule['severity'];
  body: string;
  keywords: string[];
  sample: string;
  name: string;
  entropy?: number;
  lookalikes?: string[];
  gitleaks?: string;
  secretlint?: string;
  flags?: string;
  references?: string[];
}): SecretRule {
  return rule({
    id: opts.id,
    description: opts.description,
    severity: opts.severity ?? 'high',
    regex: prefixed(opts.body, opts.flags ?? ''),
    keywords: opts.keywords,
    entropy: opts.entropy ?? 3,
    references: opts.references ?? [],
    gitleaks: opts.gitleaks,
    secretlint: opts.secretlint,
    positives: inSyntaxes(opts.name, opts.sample),
    negatives: [...placeholderNegatives(opts.name, opts.keywords[0] ?? ''), ...(opts.lookalikes ?? [])],
  });
}

/** Shorthand for a secret recognised by the variable it is assigned to (`HEROKU_API_KEY=<uuid>`). */
export function contextRule(opts: {
  id: string;
  description: string;
  severity?: SecretRule['severity'];
  ids: string;
  secret: string;
  keywords: string[];
  sample: string;
  name: string;
  entropy?: number;
  lookalikes?: string[];
  gitleaks?: string;
  secretlint?: string;
  references?: string[];
}): SecretRule {
  return rule({
    id: opts.id,
    description: opts.description,
    severity: opts.severity ?? 'high',
    regex: assigned(opts.ids, opts.secret),
    keywords: opts.keywords,
    entropy: opts.entropy ?? 3,
    allowlist: { regexes: [CODE_REFERENCE] },
    references: opts.references ?? [],
    gitleaks: opts.gitleaks,
    secretlint: opts.secretlint,
    positives: inSyntaxes(opts.name, opts.sample),
    negatives: [...placeholderNegatives(opts.name), ...(opts.lookalikes ?? [])],
  });
}
