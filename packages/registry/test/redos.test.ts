import { check } from 'recheck';
import { describe, expect, it } from 'vitest';
import { SEARCH_PATTERNS } from '../src/search.js';
import { ID_PATTERNS } from '../src/ids.js';

const patterns: RegExp[] = [...Object.values(ID_PATTERNS), ...SEARCH_PATTERNS];

describe('ReDoS', () => {
  it.each(patterns.map((p) => [p.source, p.flags]))('%s is safe', async (source, flags) => {
    const result = await check(source, flags);
    expect(result.status).not.toBe('vulnerable');
    // 'unknown' only when the checker times out; none of these is complex enough for that.
    expect(result.status).toBe('safe');
  });
});
