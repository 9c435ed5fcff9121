import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FindingSchema, SanitizedRecordSchema, type TrainingRecord } from '@linkops/shared';
import { redact, scanText } from '@linkops/secrets';
import { normalizeText, sanitizeRecord, splitSteps } from '@linkops/whis';
import { FIXTURE_FILES, PLANTED_SECRETS } from '../helpers/fixture-repo.js';
import { guarded, mutated, nastyString, runs, fuzzTimeout } from './arbitraries.js';

/** Text with secrets, code fences, HTML and list markers mixed in, so the engines do real work. */
const richText = fc
  .array(
    fc.oneof(
      nastyString,
      fc.constantFrom(...PLANTED_SECRETS),
      fc.constantFrom(...Object.values(FIXTURE_FILES)),
      fc.constantFrom('```', '```yaml\n', '```python\n', '\n1. ', '\n- ', '\n* ', '<pre><code>', '</code></pre>', '<script>', '<b>', '&amp;', '&#x41;', '; then ', ', and ', '\n\n'),
      fc.constantFrom('password = "', 'token: ', 'Authorization: Bearer ', 'mongodb://u:', '-----BEGIN RSA PRIVATE KEY-----\n', 'AKIA', 'ghp_', 'xoxb-', 'eyJhbGciOi'),
      fc.constantFrom('john.doe@example.com', '+1 415 555 0100', '4111 1111 1111 1111', 'DE89 3704 0044 0532 0130 00', '192.168.1.20', '2001:db8::1'),
    ),
    { maxLength: 25 },
  )
  .map((parts) => parts.join(''));

const SELF_IDENTIFYING = [PLANTED_SECRETS[0]!, PLANTED_SECRETS[2]!, PLANTED_SECRETS[4]!];

const anyText = fc.oneof(nastyString, richText, fc.constantFrom(...Object.values(FIXTURE_FILES)).chain((s) => mutated(s)));

describe('fuzz: secrets engine', { timeout: fuzzTimeout() }, () => {
  it('scanText never throws or hangs and its findings match the contract', async () => {
    await fc.assert(
      fc.asyncProperty(anyText, fc.constantFrom('src/app.js', '.env', 'config/settings.yaml', 'README.md', 'a/b/c.py'), async (text, path) => {
        const findings = await guarded('scanText', () => scanText(text, path));
        for (const f of findings) {
          const r = FindingSchema.safeParse(f);
          if (!r.success) throw new Error(`scanText finding breaks the contract: ${r.error.issues[0]?.message} at ${r.error.issues[0]?.path.join('.')}`);
          expect(f.location.start_line).toBeGreaterThanOrEqual(1);
        }
      }),
      { numRuns: runs(200) },
    );
  });

  it('redact never throws or hangs, and what it returns has no detectable secret left', async () => {
    await fc.assert(
      fc.asyncProperty(anyText, async (text) => {
        const once = await guarded('redact', () => redact(text));
        expect(typeof once.text).toBe('string');
        for (const r of once.redactions) expect(once.text).toContain(r.placeholder);
        const twice = redact(once.text);
        if (twice.redactions.length > 0) {
          throw new Error(`redacted text still holds ${twice.redactions.map((r) => r.type).join(', ')}\ninput: ${JSON.stringify(text.slice(0, 400))}`);
        }
      }),
      { numRuns: runs(200) },
    );
  });
});

describe('fuzz: whis sanitizing', { timeout: fuzzTimeout() }, () => {
  it('normalizeText never throws or hangs and is idempotent', async () => {
    await fc.assert(
      fc.asyncProperty(anyText, async (text) => {
        const once = await guarded('normalizeText', () => normalizeText(text));
        expect(typeof once).toBe('string');
        expect(normalizeText(once)).toBe(once);
      }),
      { numRuns: runs(200) },
    );
  });

  it('splitSteps never throws or hangs and numbers its steps 1..n', async () => {
    await fc.assert(
      fc.asyncProperty(anyText, async (text) => {
        const steps = await guarded('splitSteps', () => splitSteps(text));
        steps.forEach((s, i) => {
          expect(s.order).toBe(i + 1);
          expect(typeof s.text).toBe('string');
        });
      }),
      { numRuns: runs(200) },
    );
  });

  it('sanitizeRecord never throws or hangs, returns a valid SanitizedRecord and leaks no planted secret', async () => {
    const record = fc.record({
      task: anyText,
      answer: anyText,
      tags: fc.array(fc.oneof(nastyString, fc.constantFrom(...PLANTED_SECRETS)), { maxLength: 5 }),
      domain: fc.option(fc.oneof(nastyString, fc.constantFrom('kubernetes', 'ci-cd', 'security', 'Kubernetes ', '__proto__')), { nil: undefined }),
      source: fc.constantFrom('human', 'webscraper', 'agent'),
      source_url: fc.option(fc.oneof(fc.webUrl(), fc.constantFrom(`https://x.example/?token=${PLANTED_SECRETS[2]}`)), { nil: undefined }),
      confidence: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
    });
    await fc.assert(
      fc.asyncProperty(record, async (r) => {
        const rec: TrainingRecord = {
          id: 'rec_fuzz', content_hash: 'h', received_at: new Date(0).toISOString(), task: r.task, answer: r.answer, tags: r.tags, source: r.source as TrainingRecord['source'],
          ...(r.domain !== undefined ? { domain: r.domain } : {}),
          ...(r.source_url !== undefined ? { source_url: r.source_url } : {}),
          ...(r.confidence !== undefined ? { confidence: r.confidence } : {}),
        };
        const out = await guarded('sanitizeRecord', () => sanitizeRecord(rec));
        expect(['accepted', 'rejected']).toContain(out.status);
        const parsed = SanitizedRecordSchema.safeParse(out.sanitized);
        if (!parsed.success) throw new Error(`sanitized record breaks the contract: ${parsed.error.issues[0]?.message} at ${parsed.error.issues[0]?.path.join('.')}`);
        // Self-identifying tokens (AWS key id, GitHub token, Stripe key) standing on their own in the normalized
        // input must be gone; context-dependent ones (a bare 40-char string) are the secrets package's call.
        const pairs: Array<[string, string]> = [
          [rec.task, out.sanitized.task],
          [rec.answer, out.sanitized.answer],
          ...rec.tags.map((t, i): [string, string] => [t, JSON.stringify(out.sanitized.tags[i] ?? '')]),
          [rec.source_url ?? '', JSON.stringify(out.sanitized.source_url ?? '')],
        ];
        for (const s of SELF_IDENTIFYING) {
          const standalone = new RegExp(`(?<![A-Za-z0-9_])${s}(?![A-Za-z0-9_])`);
          for (const [input, output] of pairs) {
            if (standalone.test(normalizeText(input)) && standalone.test(output)) {
              throw new Error(`planted secret ${s.slice(0, 6)}… survived sanitizing\ninput: ${JSON.stringify(rec).slice(0, 500)}`);
            }
          }
        }
      }),
      { numRuns: runs(150) },
    );
  });
});
