import { describe, expect, it } from 'vitest';
import { estimateJaccard, lshBandKeys, minhashSignature, NearDuplicateIndex, shingles } from '../src/index.js';

const base =
  'To move the staging environment to GitOps, create a deploy repository with a Helm chart per service, add an Argo CD Application for staging with automated sync and self heal, and change the CI pipeline so it only builds the image and bumps the tag in the deploy repository.';
const nearCopy = base.replace('automated sync and self heal', 'automated sync plus self heal').replace('To move', 'To migrate');
const unrelated =
  'Our Prometheus server runs out of memory because a user id label on the request counter created millions of series; drop the label with metric relabel configs and add recording rules for the heavy dashboard queries.';

function jaccard(a: Set<string>, b: Set<string>): number {
  const inter = [...a].filter((x) => b.has(x)).length;
  return inter / (a.size + b.size - inter);
}

describe('MinHash / LSH', () => {
  it('signatures are deterministic, 128 slots by default, and insensitive to case and punctuation', () => {
    const sig = minhashSignature(base);
    expect(sig).toHaveLength(128);
    expect(minhashSignature(base)).toEqual(sig);
    expect(minhashSignature(base.toUpperCase().replace(/,/g, ' ;'))).toEqual(sig);
    expect(minhashSignature(base, { numHashes: 64 })).toHaveLength(64);
  });

  it('estimateJaccard tracks the true Jaccard similarity of the shingle sets', () => {
    const truth = jaccard(shingles(base), shingles(nearCopy));
    const estimate = estimateJaccard(minhashSignature(base), minhashSignature(nearCopy));
    expect(Math.abs(estimate - truth)).toBeLessThan(0.15);
    expect(estimateJaccard(minhashSignature(base), minhashSignature(unrelated))).toBeLessThan(0.1);
  });

  it('band keys: 32 per signature, shared by near-duplicates, not by unrelated texts', () => {
    const a = lshBandKeys(minhashSignature(base));
    const b = lshBandKeys(minhashSignature(nearCopy));
    const c = lshBandKeys(minhashSignature(unrelated));
    expect(a).toHaveLength(32);
    expect(new Set(a).size).toBe(32);
    expect(a.some((k) => b.includes(k))).toBe(true);
    expect(a.some((k) => c.includes(k))).toBe(false);
    expect(() => lshBandKeys(minhashSignature(base), { bands: 30 })).toThrow(RangeError);
  });

  it('NearDuplicateIndex finds the near-duplicate with high similarity and rejects unrelated text', () => {
    const index = new NearDuplicateIndex();
    index.add('rec-1', base);
    index.add('rec-2', unrelated);
    const near = index.findNear(nearCopy, 0.6);
    expect(near?.id).toBe('rec-1');
    expect(near?.similarity).toBeGreaterThan(0.6);
    expect(index.findNear(base)).toEqual({ id: 'rec-1', similarity: 1 });
    expect(index.findNear('Configure a Terraform S3 backend with DynamoDB state locking for the network stack')).toBeNull();
  });

  it('the threshold is honoured (default 0.8)', () => {
    const index = new NearDuplicateIndex();
    index.add('rec-1', base);
    const similarity = estimateJaccard(minhashSignature(base), minhashSignature(nearCopy));
    expect(similarity).toBeLessThan(0.8);
    expect(index.findNear(nearCopy)).toBeNull();
    expect(index.findNear(nearCopy, similarity)?.id).toBe('rec-1');
  });

  it('tiny and empty texts do not crash', () => {
    expect(minhashSignature('').every((v) => v === 0xffffffff)).toBe(true);
    const index = new NearDuplicateIndex();
    index.add('x', 'helm');
    expect(index.findNear('helm')?.id).toBe('x');
  });
});
