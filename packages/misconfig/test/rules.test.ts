import { describe, expect, it } from 'vitest';
import { FindingSchema } from '@linkops/shared/contracts';
import { CATEGORIES, evaluateRule, RULES, ruleCounts } from '../src/index.js';
import { toFinding } from '../src/rule.js';

describe('rule records', () => {
  it('every rule has a unique id, metadata and vectors on both sides', () => {
    const ids = new Set<string>();
    for (const rule of RULES) {
      expect(ids.has(rule.id), `duplicate id ${rule.id}`).toBe(false);
      ids.add(rule.id);
      expect(rule.title.length, rule.id).toBeGreaterThan(5);
      expect(rule.description.length, rule.id).toBeGreaterThan(10);
      expect(rule.remediation.length, rule.id).toBeGreaterThan(5);
      expect(rule.positives.length, `${rule.id} has no positive vector`).toBeGreaterThan(0);
      expect(rule.negatives.length, `${rule.id} has no negative vector`).toBeGreaterThan(0);
      expect(CATEGORIES).toContain(rule.category);
    }
  });

  it('every rule fires on each positive vector and stays silent on each negative one', () => {
    const disagreements: string[] = [];
    for (const rule of RULES) {
      rule.positives.forEach((v, i) => { if (evaluateRule(rule, v).length === 0) disagreements.push(`${rule.id}: positive #${i} not matched`); });
      rule.negatives.forEach((v, i) => { const hits = evaluateRule(rule, v); if (hits.length) disagreements.push(`${rule.id}: negative #${i} matched at line ${hits[0]!.line}`); });
    }
    expect(disagreements).toEqual([]);
  });

  it('hits point at real lines of the vector and become valid findings', () => {
    for (const rule of RULES) {
      const v = rule.positives[0]!;
      const content = typeof v === 'string' ? v : v.content;
      const lines = content.split('\n').length;
      for (const hit of evaluateRule(rule, v)) {
        expect(hit.line, rule.id).toBeGreaterThanOrEqual(1);
        expect(hit.line, rule.id).toBeLessThanOrEqual(lines);
        const finding = toFinding(rule, 'x', hit);
        expect(() => FindingSchema.parse(finding), rule.id).not.toThrow();
        expect(finding.fingerprint).toMatch(/^[0-9a-f]{64}$/);
      }
    }
  });

  it('meets the per-category minimums', () => {
    const c = ruleCounts();
    expect(c.dockerfile).toBeGreaterThanOrEqual(20);
    expect(c.kubernetes).toBeGreaterThanOrEqual(25);
    expect(c.compose).toBeGreaterThanOrEqual(8);
    expect(c['github-actions']).toBeGreaterThanOrEqual(8);
    expect(c.sast).toBeGreaterThanOrEqual(40);
    expect(Object.values(c).reduce((a, b) => a + b, 0)).toBe(RULES.length);
  });
});
