/**
 * Throughput of the pure Whis stages on the labelled fixtures:
 *   node --import tsx packages/whis/bench/sanitize.bench.ts
 */
import { performance } from 'node:perf_hooks';
import { SubmissionSchema } from '@linkops/shared/contracts';
import { classify, minhashSignature, lshBandKeys, NearDuplicateIndex, normalizeSubmission, redactAll, sanitizeRecord } from '../src/index.js';
import { loadLabelledPairs } from '../scripts/accuracy.js';

const pairs = loadLabelledPairs();
const records = pairs.map((p, i) => normalizeSubmission(SubmissionSchema.parse({ task: p.task, answer: `${p.answer} Contact ops${i}@example.com.` }), new Date()));

function bench(name: string, iterations: number, fn: (i: number) => void): void {
  for (let i = 0; i < Math.min(50, iterations); i++) fn(i); // warm-up
  const start = performance.now();
  for (let i = 0; i < iterations; i++) fn(i);
  const ms = performance.now() - start;
  console.log(`${name.padEnd(28)} ${(iterations / (ms / 1000)).toFixed(0).padStart(8)} ops/s  ${((ms * 1000) / iterations).toFixed(1).padStart(8)} µs/op`);
}

const n = records.length;
bench('sanitizeRecord', 2000, (i) => sanitizeRecord(records[i % n]!));
bench('redactAll (answer)', 2000, (i) => redactAll(records[i % n]!.answer));
bench('classify', 5000, (i) => classify(records[i % n]!.task, records[i % n]!.answer));
bench('minhash + 32 band keys', 5000, (i) => lshBandKeys(minhashSignature(`${records[i % n]!.task} ${records[i % n]!.answer}`)));
const index = new NearDuplicateIndex();
for (let i = 0; i < 10_000; i++) index.add(`r${i}`, `${records[i % n]!.task} ${records[i % n]!.answer} variant ${i} build ${i * 7}`);
bench('findNear (10k indexed)', 2000, (i) => index.findNear(records[i % n]!.answer));
