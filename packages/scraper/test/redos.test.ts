import { check } from 'recheck';
import { describe, expect, it } from 'vitest';
import { ADDRESS_PATTERNS } from '../src/address.js';
import { EXTRACT_PATTERNS } from '../src/extract.js';

const patterns: RegExp[] = [...ADDRESS_PATTERNS, ...EXTRACT_PATTERNS, /charset=["']?([\w-]+)/];

describe('ReDoS', () => {
  it.each(patterns.map((p) => [p.source, p.flags]))('%s is safe', async (source, flags) => {
      const result = await check(source, flags, { timeout: 25_000 });
      expect(result.status).not.toBe('vulnerable');
      if (result.status === 'unknown') {
        // Accepted only when the checker ran out of time on a busy machine, never for other errors.
        expect(result.error.kind).toBe('timeout');
        console.warn(`recheck timed out on /${source}/${flags}; accepted as unknown`);
      }
    },
    40_000,
  );
});
