import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fc from 'fast-check';

export const ROOT = resolve(new URL('../..', import.meta.url).pathname);

// CI runs a fixed seed so a red run is reproducible and never a coin toss; hunt wider with
// `FUZZ_SEED=$RANDOM FUZZ_SCALE=20 npx vitest run test/fuzz` and turn what it finds into a fix plus a vector.
fc.configureGlobal({ seed: Number(process.env.FUZZ_SEED ?? 20261125) });

/** Per-call hang guard: a single parse taking longer than this is a bug (not a speed claim). */
export const CALL_BOUND_MS = 2000;

/** Runs fn, fails the property when it throws or takes longer than the bound; returns its result. */
export async function guarded<T>(label: string, fn: () => T | Promise<T>, boundMs = CALL_BOUND_MS): Promise<T> {
  const started = performance.now();
  const out = await fn();
  const ms = performance.now() - started;
  if (ms > boundMs) throw new Error(`${label} took ${ms.toFixed(0)} ms (bound ${boundMs} ms)`);
  return out;
}

/** Reads a real fixture and keeps its first `maxBytes` (cut at a line end) so mutations stay cheap. */
export function fixture(rel: string, maxBytes = 24_000): string {
  const text = readFileSync(join(ROOT, rel), 'utf8');
  if (text.length <= maxBytes) return text;
  // JSON keeps its structure: large maps and arrays are thinned instead of cut mid-token.
  try {
    const json: unknown = JSON.parse(text);
    return JSON.stringify(thin(json, 12), null, 2);
  } catch {
    /* not JSON: cut at a line end */
  }
  // TOML lockfiles: cut before a table header so the prefix is still a valid document.
  const table = text.lastIndexOf('\n[', maxBytes);
  const cut = /\.(lock|toml)$/.test(rel) && table > 0 ? table : text.lastIndexOf('\n', maxBytes);
  return text.slice(0, cut > 0 ? cut + 1 : maxBytes);
}

function thin(v: unknown, keep: number): unknown {
  if (Array.isArray(v)) return v.slice(0, keep).map((x) => thin(x, keep));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).slice(0, keep).map(([k, x]) => [k, thin(x, keep)]));
  return v;
}

const nasty = fc.constantFrom(
  '\u0000', '\uFEFF', '\u202E', '\uD800', '\r\n', '\r', '\t', '"', "'", '`', '\\', '{', '}', '[', ']', ':', '- ', '#', '&a', '*a', '!!binary',
  '<<: *a', '---', '...', '|', '>', '${{', '}}', '@', '==', '>=', '~=', '^', '=', ',', ';', '<', '>', '<!--', ']]>', '<![CDATA[',
  'null', 'true', '1e999', '-0', '0x1F', 'NaN', '__proto__', 'constructor', 'toString', '%', '\u00a0', '\u2028', '😀', 'a'.repeat(300),
);

/** Random strings biased toward characters parsers care about. */
export const nastyString = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.array(fc.oneof(nasty, fc.string({ maxLength: 8 })), { maxLength: 40 }).map((parts) => parts.join('')),
);

/** Random JSON values (objects, arrays, odd keys) serialised as text. */
export const jsonish = fc
  .jsonValue({ maxDepth: 5 })
  .chain((v) => fc.constantFrom(JSON.stringify(v), JSON.stringify(v, null, 2)));

const yamlScalar = fc.oneof(fc.string({ maxLength: 20 }), nasty, fc.integer().map(String), fc.constantFrom('~', 'yes', 'on', '0o17', '2001-01-01'));
const yamlLine = fc
  .tuple(fc.nat({ max: 8 }), fc.constantFrom('', '- ', '? '), yamlScalar, fc.constantFrom(': ', ':', ' ', ''), yamlScalar)
  .map(([indent, lead, k, sep, v]) => `${' '.repeat(indent)}${lead}${k}${sep}${v}`);
/** YAML-shaped text: indentation, keys, sequences, anchors, odd scalars. */
export const yamlish = fc.array(yamlLine, { maxLength: 40 }).map((lines) => lines.join('\n'));

/** Structured YAML documents with keys a given parser looks for, so fuzzing reaches past the first type check. */
export function structuredYaml(keys: readonly string[]): fc.Arbitrary<string> {
  const key = fc.oneof(fc.constantFrom(...keys), fc.string({ maxLength: 10 }));
  const value: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
    v: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.oneof(fc.string({ maxLength: 30 }), fc.integer(), fc.boolean(), fc.constant(null), fc.double()),
      fc.array(tie('v'), { maxLength: 4 }),
      fc.dictionary(key, tie('v'), { maxKeys: 5 }),
    ),
  })).v;
  return fc.dictionary(key, value, { maxKeys: 8 }).map((o) => toYaml(o));
}

function toYaml(v: unknown, indent = 0): string {
  const pad = ' '.repeat(indent);
  if (Array.isArray(v)) return v.length ? v.map((x) => `${pad}-\n${toYaml(x, indent + 2)}`).join('\n') : `${pad}[]`;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>);
    return entries.length ? entries.map(([k, x]) => `${pad}${JSON.stringify(k)}:\n${toYaml(x, indent + 2)}`).join('\n') : `${pad}{}`;
  }
  return `${pad}${JSON.stringify(v) ?? 'null'}`;
}

/** A mutation of a real document: cut, duplicate, splice in junk, truncate. */
export function mutated(base: string): fc.Arbitrary<string> {
  const n = base.length;
  const pos = fc.nat({ max: Math.max(0, n) });
  const op = fc.oneof(
    fc.tuple(pos, pos).map(([a, b]) => (s: string) => s.slice(0, Math.min(a, b)) + s.slice(Math.max(a, b))),
    fc.tuple(pos, pos, pos).map(([a, b, at]) => (s: string) => s.slice(0, at) + s.slice(Math.min(a, b), Math.min(Math.max(a, b), Math.min(a, b) + 2000)) + s.slice(at)),
    fc.tuple(pos, nastyString).map(([at, junk]) => (s: string) => s.slice(0, at) + junk + s.slice(at)),
    fc.tuple(pos, nasty).map(([at, c]) => (s: string) => s.slice(0, at) + c + s.slice(at + 1)),
    pos.map((at) => (s: string) => s.slice(0, at)),
  );
  return fc.array(op, { minLength: 1, maxLength: 4 }).map((ops) => ops.reduce((s, f) => f(s), base));
}

/** Messages that mean a parser crashed on its input rather than rejecting it deliberately. */
export const CRASH_SIGNS = /TypeError|RangeError|ReferenceError|Cannot read prop|is not a function|is not iterable|Maximum call stack|undefined is not|null is not|Cannot convert/;

/** numRuns scaled by FUZZ_SCALE (default 1) for a longer hunt: `FUZZ_SCALE=20 npx vitest run test/fuzz`. */
export function runs(n: number): number {
  const scale = Number(process.env.FUZZ_SCALE ?? 1);
  return Math.max(1, Math.round(n * (Number.isFinite(scale) && scale > 0 ? scale : 1)));
}

/** Test timeout that grows with FUZZ_SCALE (the default 30 s is for scale 1). */
export function fuzzTimeout(baseMs = 60_000): number {
  return Math.round(baseMs * runs(1));
}
