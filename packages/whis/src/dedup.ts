import { createHash } from 'node:crypto';

export const DEFAULT_NUM_HASHES = 128;
export const DEFAULT_SHINGLE_WORDS = 3;
export const DEFAULT_BANDS = 32;
export const DEFAULT_NEAR_DUPLICATE_THRESHOLD = 0.8;

export interface MinhashOptions {
  numHashes?: number;
  /** Words per shingle. */
  shingle?: number;
}

/** Lower-cased NFC words, punctuation dropped: what near-duplicate detection compares. */
export function dedupTokens(text: string): string[] {
  return text.normalize('NFC').toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? [];
}

/** Word n-gram shingles; a text shorter than n words is one shingle. */
export function shingles(text: string, size = DEFAULT_SHINGLE_WORDS): Set<string> {
  const tokens = dedupTokens(text);
  const out = new Set<string>();
  if (tokens.length === 0) return out;
  if (tokens.length < size) {
    out.add(tokens.join(' '));
    return out;
  }
  for (let i = 0; i + size <= tokens.length; i++) out.add(tokens.slice(i, i + size).join(' '));
  return out;
}

/** 32-bit FNV-1a over UTF-16 code units. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** murmur3 finalizer: a bijection on 32-bit ints with good avalanche. */
function fmix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

// Fixed seeds (from a fixed generator) so signatures and band keys are identical
// across processes, replicas and restarts: the service keeps band keys in Redis.
const SEEDS: number[] = (() => {
  const seeds: number[] = [];
  let state = 0x9e3779b9;
  for (let i = 0; i < 1024; i++) {
    state = fmix32(state + 0x6d2b79f5);
    seeds.push(state);
  }
  return seeds;
})();

export const EMPTY_SLOT = 0xffffffff;

/**
 * MinHash signature: for each of numHashes permutations (h_i(x) = fmix32(x ^ seed_i)),
 * the minimum over the text's shingles. Plain numbers so it serializes as JSON.
 */
export function minhashSignature(text: string, opts: MinhashOptions = {}): number[] {
  const numHashes = opts.numHashes ?? DEFAULT_NUM_HASHES;
  if (!Number.isInteger(numHashes) || numHashes < 1 || numHashes > SEEDS.length) {
    throw new RangeError(`numHashes must be an integer in 1..${SEEDS.length}`);
  }
  const signature = new Array<number>(numHashes).fill(EMPTY_SLOT);
  for (const shingle of shingles(text, opts.shingle ?? DEFAULT_SHINGLE_WORDS)) {
    const base = fnv1a(shingle);
    for (let i = 0; i < numHashes; i++) {
      const v = fmix32(base ^ (SEEDS[i] ?? 0));
      if (v < (signature[i] ?? EMPTY_SLOT)) signature[i] = v;
    }
  }
  return signature;
}

/** Share of equal slots: an unbiased estimate of the Jaccard similarity of the shingle sets. */
export function estimateJaccard(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length || a.length === 0) throw new RangeError('signatures must be non-empty and of equal length');
  let equal = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) equal++;
  return equal / a.length;
}

/**
 * LSH band keys: the signature cut into `bands` bands of rows each; two texts become
 * candidates when any band key is equal. With 128 hashes / 32 bands (4 rows), pairs at
 * Jaccard 0.8 collide with probability ~1, pairs at 0.3 with ~0.23 (then filtered by
 * estimateJaccard). Keys are "mh<bands>x<rows>:<band>:<hash>" so a parameter change
 * never matches keys stored under the old one.
 */
export function lshBandKeys(signature: readonly number[], opts: { bands?: number } = {}): string[] {
  const bands = opts.bands ?? DEFAULT_BANDS;
  if (!Number.isInteger(bands) || bands < 1 || signature.length % bands !== 0) {
    throw new RangeError(`bands (${bands}) must divide the signature length (${signature.length})`);
  }
  const rows = signature.length / bands;
  const keys: string[] = [];
  for (let b = 0; b < bands; b++) {
    const slice = signature.slice(b * rows, (b + 1) * rows);
    const digest = createHash('sha1').update(slice.join(',')).digest('hex').slice(0, 16);
    keys.push(`mh${bands}x${rows}:${b}:${digest}`);
  }
  return keys;
}

export interface NearDuplicateMatch {
  id: string;
  similarity: number;
}

/**
 * In-memory near-duplicate index over the same primitives the service uses with Redis:
 * band key -> ids for candidates, stored signatures for the similarity check.
 */
export class NearDuplicateIndex {
  private readonly buckets = new Map<string, Set<string>>();
  private readonly signatures = new Map<string, number[]>();

  constructor(
    private readonly opts: { numHashes?: number; shingle?: number; bands?: number; threshold?: number } = {},
  ) {}

  get size(): number {
    return this.signatures.size;
  }

  add(id: string, text: string): void {
    const signature = minhashSignature(text, this.opts);
    this.signatures.set(id, signature);
    for (const key of lshBandKeys(signature, this.opts)) {
      let bucket = this.buckets.get(key);
      if (!bucket) {
        bucket = new Set();
        this.buckets.set(key, bucket);
      }
      bucket.add(id);
    }
  }

  /** The most similar indexed text at or above the threshold, or null. */
  findNear(text: string, threshold: number = this.opts.threshold ?? DEFAULT_NEAR_DUPLICATE_THRESHOLD): NearDuplicateMatch | null {
    const signature = minhashSignature(text, this.opts);
    const candidates = new Set<string>();
    for (const key of lshBandKeys(signature, this.opts)) {
      for (const id of this.buckets.get(key) ?? []) candidates.add(id);
    }
    let best: NearDuplicateMatch | null = null;
    for (const id of candidates) {
      const other = this.signatures.get(id);
      if (!other) continue;
      const similarity = estimateJaccard(signature, other);
      if (similarity >= threshold && (best === null || similarity > best.similarity)) best = { id, similarity };
    }
    return best;
  }
}
