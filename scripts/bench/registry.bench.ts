/**
 * whis_logic serving speed next to a bare Fastify route in the same process.
 *
 *   node --import tsx scripts/bench/registry.bench.ts      (BENCH_SECONDS=3 for a quick run)
 *
 * Starts a private redis-server, whis_logic in-process (rate limit out of the way, silent logs),
 * publishes a few artifacts through whis.publish, then runs autocannon (20 connections, 10 s each)
 * against: a bare Fastify JSON route, GET /orbs/:id, GET /orbs/:id with If-None-Match (304) and
 * GET /search. Prints requests/s, p99 latency and the ratio to the bare route.
 */
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startService, type Artifact, type SanitizedRecord } from '@linkops/shared';
import { smithArtifacts } from '@linkops/forge';
import { service } from '../../services/whis_logic/src/service.js';
import { DisposableRedisProcess } from '../../test/pipeline/redis-process.js';

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p99: number; average: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodeStats?: Record<string, { count: number }>;
}
type Autocannon = (opts: { url: string; connections: number; duration: number; headers?: Record<string, string> }) => Promise<AutocannonResult>;
// autocannon ships no type declarations; this is the slice used here.
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

/** The same Fastify the service kit runs on (a dependency of @linkops/shared, not of the root). */
interface BareFastify {
  get(path: string, handler: () => Promise<unknown>): void;
  listen(opts: { host: string; port: number }): Promise<string>;
  close(): Promise<void>;
}
const Fastify = createRequire(new URL('../../packages/shared/package.json', import.meta.url))('fastify') as (opts: { logger: boolean }) => BareFastify;

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = 20;

function record(id: string, task: string, platform: string, topic: string, steps: string[]): SanitizedRecord {
  return {
    id,
    task,
    answer: steps.join('. '),
    tags: [],
    source: 'human',
    classification: { domain: topic, platform, topic, confidence: 0.9, evidence: [] },
    steps: steps.map((text, i) => ({ order: i + 1, text })),
    quality: { score: 0.9, reasons: [] },
    redactions: [],
    content_hash: `hash-${id}`,
  };
}

const RECORDS = [
  record('b1', 'Harden GitHub Actions security scanning', 'github-actions', 'security', ['Add a workflow that runs on pull_request', 'Checkout the code', 'Run a secret scan and a dependency audit', 'Upload SARIF to code scanning']),
  record('b2', 'Deploy the API with Helm', 'helm', 'deploy', ['Create a Helm chart for the service', 'helm upgrade the release']),
  record('b3', 'Containerise the app', 'docker', 'image', ['Build the docker image', 'Scan the container image with trivy', 'Push the image to the registry']),
  record('b4', 'Convert repo to GitOps', 'argocd', 'gitops', ['Add a helm chart', 'Create an Argo CD application', 'Update the CI pipeline']),
  record('b5', 'Provision infra', 'terraform', 'infra', ['terraform init', 'Apply the terraform plan']),
];

async function main() {
  const redis = await DisposableRedisProcess.start();
  const dataDir = mkdtempSync(join(tmpdir(), 'linkops-bench-registry-'));
  const svc = await startService(service, {
    port: 0,
    env: { REDIS_URL: redis.url, QUEUE_PREFIX: 'bench', DATA_DIR: dataDir, LOG_LEVEL: 'silent', RATE_LIMIT_MAX: '100000000' },
  });
  const bare = Fastify({ logger: false });
  bare.get('/bare', async () => ({ status: 'ok', service: 'bare' }));
  const bareUrl = await bare.listen({ host: '127.0.0.1', port: 0 });

  try {
    const artifacts = RECORDS.flatMap((r) => smithArtifacts([r]) as Artifact[]);
    for (const artifact of artifacts) await svc.ctx.queues.enqueue('whisPublish', { artifact, record_ids: [] }, 'bench');
    const deadline = Date.now() + 30_000;
    for (const a of artifacts) {
      const kind = a.meta.kind === 'orb' ? 'orbs' : 'runes';
      while ((await fetch(`${svc.url}/${kind}/${a.meta.id}/versions/${a.meta.version}`)).status !== 200) {
        if (Date.now() > deadline) throw new Error(`${a.meta.id} was not published within 30 s`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    const id = 'orb.gha.security';
    const etag = (await fetch(`${svc.url}/orbs/${id}`)).headers.get('etag');
    if (!etag) throw new Error('no ETag on GET /orbs/:id');
    const bytes = (await (await fetch(`${svc.url}/orbs/${id}`)).text()).length;

    console.log(`whis_logic registry: ${artifacts.length} artifacts, ${CONNECTIONS} connections, ${SECONDS} s per case, node ${process.version}`);
    const cases: Array<{ name: string; url: string; headers?: Record<string, string>; expect: number }> = [
      { name: 'bare Fastify JSON route', url: `${bareUrl}/bare`, expect: 200 },
      { name: `GET /orbs/:id (${bytes} B JSON)`, url: `${svc.url}/orbs/${id}`, expect: 200 },
      { name: 'GET /orbs/:id If-None-Match (304)', url: `${svc.url}/orbs/${id}`, headers: { 'if-none-match': etag }, expect: 304 },
      { name: 'GET /search?q=helm chart deploy', url: `${svc.url}/search?q=helm%20chart%20deploy`, expect: 200 },
    ];
    let bareRps = 0;
    for (const c of cases) {
      const r = await autocannon({ url: c.url, connections: CONNECTIONS, duration: SECONDS, ...(c.headers ? { headers: c.headers } : {}) });
      const expected = r.statusCodeStats?.[String(c.expect)]?.count ?? 0;
      if (expected === 0 || r.errors > 0) throw new Error(`${c.name}: ${expected} answers with ${c.expect}, ${r.errors} errors`);
      if (!bareRps) bareRps = r.requests.average;
      const ratio = r.requests.average / bareRps;
      console.log(
        `${c.name.padEnd(40)} ${r.requests.average.toFixed(0).padStart(7)} req/s   p99 ${String(r.latency.p99).padStart(4)} ms   ${(ratio * 100).toFixed(0).padStart(3)}% of bare`,
      );
    }
  } finally {
    await svc.stop();
    await bare.close();
    await redis.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
