import { check } from 'recheck';
import { describe, expect, it } from 'vitest';
import { ADDRESS_PATTERNS } from '../src/address.js';
import { EXTRACT_PATTERNS } from '../src/extract.js';

const patterns: RegExp[] = [...ADDRESS_PATTERNS, ...EXTRACT_PATTERNS, /charset=["']?([\w-]+)/];

describe('ReDoS', () => {
  it.each(patterns.map((p) => [p.source, p.flags]))('%s is safe', async (source, flags) => {
    const result = await check(source, flags);
    expect(result.status).toBe('safe');
  });
});
