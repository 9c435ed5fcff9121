import { describe, expect, it } from 'vitest';
import { check } from 'recheck';
import { ALL_PATTERNS, SAST_RULES, patternRegexes } from '../src/index.js';

/** Every regex the package uses on scanned content must be free of catastrophic backtracking. */
const allRegexes: Array<{ name: string; regex: RegExp }> = [
  ...ALL_PATTERNS,
  ...SAST_RULES.flatMap((r) => patternRegexes(r.pattern).map((regex, i) => ({ name: `${r.id}#${i}`, regex }))),
];
// Several rules share regexes (request-input sources); check each distinct one once.
const regexes = [...new Map(allRegexes.map((x) => [`${x.regex.source}/${x.regex.flags}`, x])).values()];

describe('ReDoS', () => {
  it('has regexes to check', () => {
    expect(regexes.length).toBeGreaterThan(80);
    expect(allRegexes.length).toBeGreaterThanOrEqual(regexes.length);
  });

  it('recheck reports no vulnerable regex', async () => {
    const vulnerable: string[] = [];
    const unknown: string[] = [];
    for (const { name, regex } of regexes) {
      // On this shared 2-core machine recheck can need seconds per regex; 10 s each, 'unknown' past that.
      const result = await check(regex.source, regex.flags.replace(/[gy]/g, ''), { timeout: 10_000 });
      if (result.status === 'vulnerable') vulnerable.push(`${name}: /${regex.source}/`);
      // 'unknown' means recheck hit its own timeout; acceptable but reported.
      if (result.status === 'unknown') unknown.push(name);
    }
    if (unknown.length) console.warn(`recheck timed out (status unknown) on: ${unknown.join(', ')}`);
    expect(vulnerable).toEqual([]);
  }, 900_000);
});
