import { check } from 'recheck';
import { describe, expect, it } from 'vitest';
import { CREDENTIAL_URL_PATTERN, isSecretEnv, SECRET_NAME_RULES } from '../src/env.js';
import { SEMVER } from '../src/helm-lint.js';
import { USES_LINE } from '../src/ci.js';
import { ACTION_PINS, BASE_IMAGE_PINS } from '../src/pins.js';

describe('secret env-name rules (data with vectors)', () => {
  it('every rule has vectors and they agree with its pattern', () => {
    const bad: string[] = [];
    for (const rule of SECRET_NAME_RULES) {
      if (rule.positives.length === 0 || rule.negatives.length === 0) bad.push(`${rule.id}: no vectors`);
      for (const p of rule.positives) if (!rule.pattern.test(p)) bad.push(`${rule.id} misses ${p}`);
      for (const n of rule.negatives) if (rule.pattern.test(n)) bad.push(`${rule.id} matches ${n}`);
    }
    expect(bad).toEqual([]);
  });

  it('credential-bearing URLs are secrets whatever the name', () => {
    expect(isSecretEnv('UPSTREAM', 'postgres://app:pw@db:5432/app')).toBe(true);
    expect(isSecretEnv('UPSTREAM', 'http://api:3000/v1')).toBe(false);
    expect(isSecretEnv('LOG_LEVEL', 'debug')).toBe(false);
  });

  it('every regex passes the ReDoS check', async () => {
    const regexes: RegExp[] = [...SECRET_NAME_RULES.map((r) => r.pattern), CREDENTIAL_URL_PATTERN, SEMVER, USES_LINE];
    const results = await Promise.all(regexes.map(async (r) => ({ source: r.source, status: (await check(r.source, r.flags, { timeout: 10_000 })).status })));
    // 'unknown' means the checker ran out of time, not that the pattern is vulnerable.
    expect(results.filter((r) => r.status === 'vulnerable')).toEqual([]);
  }, 120_000);
});

describe('curated pins', () => {
  it('actions are pinned to full 40-hex SHAs with a version tag', () => {
    for (const p of ACTION_PINS) {
      expect(p.sha).toMatch(/^[0-9a-f]{40}$/);
      expect(p.tag).toMatch(/^v\d+\.\d+\.\d+$/);
    }
  });
  it('base image pins are explicit tags, never latest', () => {
    for (const p of BASE_IMAGE_PINS) expect(p.tag).not.toMatch(/^(latest|)$/);
  });
});
