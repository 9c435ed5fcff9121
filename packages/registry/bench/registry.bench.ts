/** Publish / reload / resolve / search figures for a catalogue of a few hundred artifacts. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ArtifactSearch, ArtifactStore, FeedbackStats, contentDigest } from '../src/index.js';
import type { Artifact } from '@linkops/shared/contracts';

const WORDS = 'deploy helm chart argo gitops security scan secret rotate token pipeline workflow docker image probe limit kustomize overlay terraform state backup restore cache lint test release'.split(' ');
const pick = (i: number, n: number) => Array.from({ length: n }, (_, k) => WORDS[(i * 7 + k * 3) % WORDS.length]!);

function make(i: number, version: string): Artifact {
  const id = `orb.gha.item-${i}`;
  const content = `name: ${id}\njobs:\n  main:\n    steps:\n${pick(i, 4).map((w) => `      - name: ${w} step\n        run: echo ${w}\n`).join('')}`;
  return {
    meta: {
      id, kind: 'orb', version, platform: 'gha', category: 'ci', summary: pick(i, 5).join(' '), description: pick(i + 1, 12).join(' '),
      tags: pick(i, 2), inputs: [], outputs: [], requires: { tools: [], permissions: [] }, provenance: { records: [], urls: [] },
      generator: 'bench', digest: contentDigest(content + version),
    },
    filename: `${id}.v1.yaml`,
    content,
  };
}

const dir = await mkdtemp(join(tmpdir(), 'linkops-registry-bench-'));
try {
  const store = await ArtifactStore.open({ dir });
  const N = Number(process.env.BENCH_N ?? 150);
  let t = performance.now();
  for (let i = 0; i < N; i++) for (const v of ['1.0.0', '1.1.0']) await store.publish(make(i, v));
  const publishMs = performance.now() - t;
  console.log(`publish: ${2 * N} versions in ${publishMs.toFixed(0)} ms (${((publishMs / (2 * N))).toFixed(2)} ms/version, fsync + index rewrite each)`);

  t = performance.now();
  const reader = await ArtifactStore.open({ dir });
  console.log(`reload: ${reader.list({ limit: 500 }).total} artifacts in ${(performance.now() - t).toFixed(0)} ms`);

  t = performance.now();
  for (let i = 0; i < 20_000; i++) reader.resolve('orb', `orb.gha.item-${i % N}`, i % 2 ? '^1' : '~1.0.0');
  console.log(`resolve: ${(((performance.now() - t) * 1000) / 20_000).toFixed(1)} µs/op`);

  const feedback = new FeedbackStats();
  for (let i = 0; i < 50_000; i++) feedback.add({ artifact: `orb.gha.item-${i % N}`, version: '1.1.0', outcome: i % 3 ? 'success' : 'failure', agent: 'a' });
  const search = new ArtifactSearch({ quality: (id) => feedback.quality(id) });
  t = performance.now();
  search.setAll(reader.latestArtifacts());
  console.log(`search index: ${search.size} docs in ${(performance.now() - t).toFixed(0)} ms`);
  t = performance.now();
  const Q = 2000;
  for (let i = 0; i < Q; i++) search.search(`${WORDS[i % WORDS.length]} ${WORDS[(i * 5) % WORDS.length]}`);
  console.log(`search: ${(((performance.now() - t) * 1000) / Q).toFixed(0)} µs/query`);
  t = performance.now();
  for (let i = 0; i < 500; i++) reader.index();
  console.log(`index(): ${(((performance.now() - t) * 1000) / 500).toFixed(0)} µs/document (${N} ids x 2 versions)`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
