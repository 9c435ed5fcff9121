import type { Severity } from '@linkops/shared/contracts';

/** Per-rule exceptions, gitleaks-style: any hit here drops the candidate. */
export interface RuleAllowlist {
  /** Globs (picomatch) on the repository-relative path. */
  paths?: string[];
  /** Tested against the captured secret. */
  regexes?: RegExp[];
  /** Lowercase substrings; a secret containing one is not reported. */
  stopwords?: string[];
}

/**
 * One detection rule. Rules are data: the engine compiles them, the vector test replays
 * `positives` (must match and capture) and `negatives` (must not match) for every rule.
 */
export interface SecretRule {
  id: string;
  description: string;
  severity: Severity;
  /**
   * The secret is the named group `secret` when present, else capture group 1.
   * Flags allowed: i, m, s, u. The engine adds g/d itself.
   */
  regex: RegExp;
  /**
   * Lowercase literals; a line is only tested with this rule when one of them occurs in it.
   * May be empty only for rules with `fileRequires` (then every line of such files is tested).
   */
  keywords: string[];
  /** Minimum Shannon entropy (bits/char) of the captured secret. */
  entropy?: number;
  allowlist?: RuleAllowlist;
  /** Equivalent ids of other tools (gitleaks:..., secretlint:...) and CWE ids. */
  references: string[];
  positives: string[];
  negatives: string[];
  /** The regex may span lines (private keys); matched against the file text from the keyword's line. */
  multiline?: boolean;
  /** The rule applies only to files whose whole text matches this (e.g. Kubernetes `kind: Secret`). */
  fileRequires?: RegExp;
  /** A literal that `fileRequires` needs (cheap `includes` check before the regex). */
  fileRequiresLiteral?: string;
  /** Path the vector test uses for this rule's positives/negatives (default `sample.env`). */
  samplePath?: string;
  /** Generic rules yield to provider rules that overlap them; they also get stricter placeholder checks. */
  generic?: boolean;
  remediation?: string;
}
