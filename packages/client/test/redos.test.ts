import { check } from 'recheck';
import { describe, expect, it } from 'vitest';
import { CLIENT_PATTERNS } from '../src/client.js';

describe('ReDoS', () => {
  it.each(CLIENT_PATTERNS.map((p) => [p.source, p.flags]))('%s is safe', async (source, flags) => {
    expect((await check(source, flags)).status).toBe('safe');
  });
});
