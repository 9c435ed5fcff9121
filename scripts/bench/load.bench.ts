/**
 * HTTP load on the intake, the registry and the audit queue: whis_data_input, audit_assess and whis_logic run
 * as real processes on a private redis-server; autocannon drives
 *   POST /data           (a unique pair per request)
 *   GET  /orbs/:id       (one orb published into the registry's DATA_DIR before boot)
 *   POST /scan/audit     (queued, no wait; a local git repo with AUDIT_ALLOW_LOCAL=1; audit workers paused
 *                         with MODE=nighttime so the figure is the HTTP + enqueue path, not the audit itself)
 * and prints requests/s, non-2xx and errors, p50/p99 latency, and each service's RSS after its run.
 * Exits non-zero when any request errored or answered non-2xx.
 * Run: node --import tsx scripts/bench/load.bench.ts [seconds=10] [connections=10]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createServer } from 'node:net';
import { ArtifactStore } from '@linkops/registry';
import { smithArtifacts } from '@linkops/forge';
import { SEED } from '../../packages/forge/test/fixtures.js';
import { makeRepo } from '../../test/helpers/fixture-repo.js';
import { DisposableRedisProcess } from '../../test/pipeline/redis-process.js';

interface AutocannonRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  setupRequest?: (req: AutocannonRequest) => AutocannonRequest;
}
interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; max: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  '2xx': number;
}
type Autocannon = (opts: { url: string; connections: number; duration: number; requests: AutocannonRequest[]; headers?: Record<string, string> }) => Promise<AutocannonResult>;

const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;
const ROOT = resolve(new URL('../..', import.meta.url).pathname);
const DURATION = Number(process.argv[2] ?? 10);
const CONNECTIONS = Number(process.argv[3] ?? 10);

async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const p = typeof a === 'object' && a ? a.port : 0;
      s.close(() => res(p));
    });
  });
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
}

async function boot(name: string, env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', join('services', name, 'src/main.ts')], {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/ready`, { signal: AbortSignal.timeout(1000) })).ok) return { url, child };
    } catch {
      /* starting */
    }
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`${name} did not become ready`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const redis = await DisposableRedisProcess.start();
const dataDir = mkdtempSync(join(tmpdir(), 'linkops-load-'));
const repo = makeRepo(undefined, 'load');
const children: ChildProcess[] = [];
let failed = false;
try {
  const orb = smithArtifacts([SEED]).find((a) => a.meta.kind === 'orb')!;
  const store = await ArtifactStore.open({ dir: join(dataDir, 'whis_logic') });
  await store.publish(orb);

  const env = { REDIS_URL: redis.url, DATA_DIR: dataDir, QUEUE_PREFIX: 'load', LOG_LEVEL: 'silent', RATE_LIMIT_MAX: '100000000', AUDIT_ALLOW_LOCAL: '1', MODE: 'all', NODE_ENV: 'development' };
  const [intake, registry, assess] = await Promise.all([
    boot('whis_data_input', env),
    boot('whis_logic', env),
    boot('audit_assess', { ...env, MODE: 'nighttime' }),
  ]);
  children.push(intake.child, registry.child, assess.child);

  let n = 0;
  const runs: Array<{ label: string; url: string; pid: number; req: AutocannonRequest }> = [
    {
      label: 'POST /data',
      url: intake.url,
      pid: intake.child.pid!,
      req: {
        method: 'POST',
        path: '/data',
        headers: { 'content-type': 'application/json' },
        setupRequest: (req) => {
          n++;
          return { ...req, body: JSON.stringify({ task: `Deploy service ${n} with Helm`, answer: `1. Add a chart for service-${n}. 2. Create an Argo CD Application. 3. Sync and check pod ${n} is healthy.`, tags: ['load'] }) };
        },
      },
    },
    { label: `GET /orbs/${orb.meta.id}`, url: registry.url, pid: registry.child.pid!, req: { method: 'GET', path: `/orbs/${orb.meta.id}` } },
    {
      label: 'POST /scan/audit',
      url: assess.url,
      pid: assess.child.pid!,
      req: { method: 'POST', path: '/scan/audit', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ repo_url: repo }) },
    },
  ];

  console.log(`load: ${DURATION} s per route, ${CONNECTIONS} connections, services as processes on a private redis-server`);
  console.log('route                                   req/s   total   2xx      non2xx  errors  p50 ms  p99 ms  max ms  RSS MB');
  for (const r of runs) {
    const res = await autocannon({ url: r.url, connections: CONNECTIONS, duration: DURATION, requests: [r.req] });
    const bad = res.non2xx + res.errors + res.timeouts;
    if (bad > 0) failed = true;
    console.log(
      [
        r.label.padEnd(38),
        res.requests.average.toFixed(0).padStart(6),
        String(res.requests.total).padStart(7),
        String(res['2xx']).padStart(7),
        String(res.non2xx).padStart(9),
        String(res.errors + res.timeouts).padStart(7),
        String(res.latency.p50).padStart(7),
        String(res.latency.p99).padStart(7),
        String(res.latency.max).padStart(7),
        String(rssMb(r.pid)).padStart(7),
      ].join(' '),
    );
  }
} finally {
  for (const c of children) c.kill('SIGTERM');
  await Promise.all(children.map((c) => (c.exitCode !== null ? Promise.resolve() : new Promise((r) => c.once('exit', r)))));
  await redis.stop();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(repo, { recursive: true, force: true });
}
if (failed) {
  console.error('load: some requests failed or answered non-2xx');
  process.exit(1);
}
