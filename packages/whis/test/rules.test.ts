import { describe, expect, it } from 'vitest';
import { check } from 'recheck';
import { PII_RULES, redactPII } from '../src/pii.js';
import { BASELINE_SECRET_RULES, redactBaselineSecrets } from '../src/secrets-adapter.js';
import { DOMAIN_RULES } from '../src/classify-rules.js';
import { classify, CLASSIFIER_PATTERNS } from '../src/classify.js';
import { CODE_LANGUAGE_PATTERNS } from '../src/code-language.js';
import { NORMALIZE_PATTERNS } from '../src/normalize.js';
import { STEP_PATTERNS } from '../src/steps.js';
import { QUALITY_PATTERNS } from '../src/quality.js';

describe('rules carry vectors that agree with them', () => {
  it('every PII rule redacts its positives and none of its negatives', () => {
    const disagreements: string[] = [];
    for (const rule of PII_RULES) {
      if (rule.positives.length === 0 || rule.negatives.length === 0) disagreements.push(`${rule.type}: missing vectors`);
      for (const p of rule.positives) {
        if (!redactPII(p).redactions.some((r) => r.type === rule.type)) disagreements.push(`${rule.type} misses ${p}`);
      }
      for (const n of rule.negatives) {
        if (redactPII(n).redactions.some((r) => r.type === rule.type)) disagreements.push(`${rule.type} flags ${n}`);
      }
    }
    expect(disagreements).toEqual([]);
  });

  it('every baseline secret rule redacts its positives and none of its negatives', () => {
    const disagreements: string[] = [];
    for (const rule of BASELINE_SECRET_RULES) {
      if (rule.positives.length === 0 || rule.negatives.length === 0) disagreements.push(`${rule.type}: missing vectors`);
      for (const p of rule.positives) {
        if (!redactBaselineSecrets(p).redactions.some((r) => r.type === rule.type)) disagreements.push(`${rule.type} misses ${p}`);
      }
      for (const n of rule.negatives) {
        if (redactBaselineSecrets(n).redactions.length > 0) disagreements.push(`${rule.type} flags ${n}`);
      }
    }
    expect(disagreements).toEqual([]);
  });

  it('every domain rule classifies its positives as itself and its negatives as something else', () => {
    const disagreements: string[] = [];
    for (const rule of DOMAIN_RULES) {
      if (rule.positives.length === 0 || rule.negatives.length === 0) disagreements.push(`${rule.domain}: missing vectors`);
      for (const p of rule.positives) {
        const got = classify(p, '').domain;
        if (got !== rule.domain) disagreements.push(`${rule.domain} positive -> ${got}: ${p}`);
      }
      for (const n of rule.negatives) {
        if (classify(n, '').domain === rule.domain) disagreements.push(`${rule.domain} negative matched: ${n}`);
      }
    }
    expect(disagreements).toEqual([]);
  });
});

describe('ReDoS', () => {
  const patterns: RegExp[] = [
    ...PII_RULES.flatMap((r) => r.patterns),
    ...BASELINE_SECRET_RULES.map((r) => r.pattern),
    ...CODE_LANGUAGE_PATTERNS,
    ...NORMALIZE_PATTERNS,
    ...STEP_PATTERNS,
    ...QUALITY_PATTERNS,
  ];

  it('no hand-written regex is vulnerable', async () => {
    const problems: string[] = [];
    for (const re of patterns) {
      const result = await check(re.source, re.flags.replace('g', ''));
      // 'unknown' = recheck's time budget ran out without finding an attack (accepted, see README note).
      if (result.status !== 'safe' && result.status !== 'unknown') problems.push(`${re.source} (${result.status})`);
    }
    expect(problems).toEqual([]);
  }, 120_000);

  it('classifier term patterns (generated, word-bounded literals) are safe', async () => {
    // Checked as one alternation: the same shape as each single term, ~500x cheaper.
    const combined = CLASSIFIER_PATTERNS.map((p) => `(?:${p.source})`).join('|');
    expect((await check(combined, '')).status).toBe('safe');
  }, 120_000);
});
