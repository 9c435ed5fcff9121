import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createJsKernel, createKernel, SEGMENT, TEXT_OFFSET } from '../src/keyword-kernel.js';
import { KeywordIndex } from '../src/keywords.js';
import { SECRET_RULES } from '../src/rules/index.js';
import { engineFor, scanText } from '../src/scan.js';

const RULE_KEYWORDS = [...new Set(SECRET_RULES.flatMap((r) => r.keywords))];

/** What find() must return: every case-insensitive (ASCII folding only) occurrence of every keyword. */
function naive(keywords: readonly string[], text: string): string[] {
  const folded = text.replace(/[A-Z]/g, (c) => c.toLowerCase());
  const out: string[] = [];
  keywords.forEach((kw, id) => {
    for (let i = folded.indexOf(kw); i !== -1; i = folded.indexOf(kw, i + 1)) out.push(`${i}:${id}`);
  });
  return out.sort();
}

function found(index: KeywordIndex, text: string): string[] {
  const starts: number[] = [];
  const ids: number[] = [];
  index.find(text, starts, ids);
  return starts.map((s, k) => `${s}:${ids[k]}`).sort();
}

const ruleIndex = new KeywordIndex(RULE_KEYWORDS);

/** Text built from keyword fragments in random case, separators and non-ASCII look-alikes. */
const textArb = fc
  .array(
    fc.oneof(
      fc.constantFrom(...RULE_KEYWORDS).map((k) => k.slice(0, Math.max(1, k.length - 1))),
      fc.constantFrom(...RULE_KEYWORDS),
      fc.constantFrom(...RULE_KEYWORDS).chain((k) =>
        fc.array(fc.boolean(), { minLength: k.length, maxLength: k.length }).map((up) => [...k].map((c, i) => (up[i] ? c.toUpperCase() : c)).join('')),
      ),
      fc.constantFrom('\n', ' ', '=', '"', ':', '_', '-', 'Ł', 'Á', '\u212a', 'İ', '€', '😀', 'x'),
      fc.string({ maxLength: 6 }),
    ),
    { maxLength: 40 },
  )
  .map((parts) => parts.join(''));

describe('KeywordIndex', () => {
  it('runs the WebAssembly kernel here (a silent fallback would cost 2x)', () => {
    expect(ruleIndex.kernelKind).toBe('wasm');
  });

  it('finds exactly the ASCII-case-insensitive occurrences of every rule keyword', () => {
    fc.assert(fc.property(textArb, (text) => {
      expect(found(ruleIndex, text)).toEqual(naive(RULE_KEYWORDS, text));
    }), { numRuns: 3000 });
  });

  it('finds keywords at the start and end of the text, and two-char keywords anywhere', () => {
    const index = new KeywordIndex(['q~', 'sg.', 'token', 'begin rsa private key']);
    const text = 'Q~x token sg.\nBEGIN RSA PRIVATE KEY q~';
    expect(found(index, text)).toEqual(naive(index.keywords, text));
    expect(found(index, 'q~')).toEqual(['0:0']);
    expect(found(index, 'tokeN')).toEqual(['0:2']);
  });

  it('does not let non-ASCII characters alias onto keywords', () => {
    // U+0141 and U+00C1 have 0x41 ("A") as their low byte; U+212A (Kelvin) lowercases to "k" in Unicode.
    const index = new KeywordIndex(['akia', 'key-']);
    expect(found(index, '\u0141KIA \u00c1KIA \u212aey- a\u212aia')).toEqual([]);
    expect(found(index, 'xAKIAx key-')).toEqual(['1:0', '7:1']);
  });

  it('finds keywords that straddle the kernel segment boundary', () => {
    const index = new KeywordIndex(['hooks.slack.com', 'q~', 'token']);
    for (let offset = -20; offset <= 3; offset++) {
      const text = 'a'.repeat(SEGMENT + offset) + 'HOOKS.slack.com q~ token ' + 'b'.repeat(SEGMENT) + 'token';
      expect(found(index, text), `offset ${offset}`).toEqual(naive(index.keywords, text));
    }
  });

  it('handles texts where every position is a candidate', () => {
    const index = new KeywordIndex(['aaaa', 'aa']);
    const text = 'a'.repeat(SEGMENT * 2 + 5);
    const starts: number[] = [];
    index.find(text, starts, []);
    expect(starts.length).toBe(text.length - 1 + text.length - 3);
  });

  it('rejects keywords it cannot match', () => {
    expect(() => new KeywordIndex(['a'])).toThrow(/too short/);
    expect(() => new KeywordIndex(['Token'])).toThrow(/lowercase printable ASCII/);
    expect(() => new KeywordIndex(['t\u00f6ken'])).toThrow(/lowercase printable ASCII/);
    expect(() => new KeywordIndex(['to\nken'])).toThrow(/lowercase printable ASCII/);
  });
});

describe('candidate kernel', () => {
  // Both kernels get the rule index's tables.
  const wasm = createKernel();
  const js = createJsKernel();
  const tables = (ruleIndex as unknown as { kernel: { memory: Uint8Array } }).kernel.memory.subarray(0, TEXT_OFFSET);
  wasm.memory.set(tables);
  js.memory.set(tables);

  function compare(text: string): void {
    const n = Math.min(text.length, SEGMENT);
    Buffer.from(wasm.memory.buffer, TEXT_OFFSET, n).write(text, 0, n, 'latin1');
    Buffer.from(js.memory.buffer, TEXT_OFFSET, n).write(text, 0, n, 'latin1');
    const a = wasm.scan(n);
    const b = js.scan(n);
    expect(a).toBe(b);
    expect([...wasm.out.subarray(0, a)]).toEqual([...js.out.subarray(0, b)]);
  }

  it('the WebAssembly loop and its JavaScript twin report the same candidates', () => {
    fc.assert(fc.property(textArb, (text) => compare(text)), { numRuns: 2000 });
    compare('');
  });

  it('agree on real source files', () => {
    const dir = new URL('../src/', import.meta.url).pathname;
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) compare(readFileSync(join(dir, file), 'utf8'));
  });
});

describe('without WebAssembly', () => {
  it('falls back to the JavaScript kernel with the same findings (node --jitless has no WebAssembly)', () => {
    const sample = new URL('./engine.test.ts', import.meta.url).pathname;
    const text = readFileSync(sample, 'utf8');
    const script = [
      `import { readFileSync } from 'node:fs';`,
      `import { engineFor, scanText } from ${JSON.stringify(new URL('../src/scan.ts', import.meta.url).pathname)};`,
      `const found = scanText(readFileSync(${JSON.stringify(sample)}, 'utf8'), 'engine.test.ts');`,
      `console.log(JSON.stringify({ kernel: engineFor().keywordKernel, ids: found.map((f) => f.fingerprint) }));`,
    ].join('\n');
    const out = execFileSync(process.execPath, ['--jitless', '--no-warnings', '--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const result = JSON.parse(out.trim().split('\n').pop()!) as { kernel: string; ids: string[] };
    expect(result.kernel).toBe('js');
    expect(engineFor().keywordKernel).toBe('wasm');
    const here = scanText(text, 'engine.test.ts').map((f) => f.fingerprint);
    expect(here.length).toBeGreaterThan(3);
    expect(result.ids).toEqual(here);
  });
});
