import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditReportSchema, RISK_WEIGHT, startService, type AuditReport, type RunningService } from '@linkops/shared';
import { service } from '../../services/audit_assess/src/service.js';
import { FIXTURE_FILES, PLANTED_SECRETS, git, makeRepo } from '../helpers/fixture-repo.js';
import { clearPrefix, testRedisUrl, uniquePrefix, waitFor } from '../helpers/redis.js';

/** A second repository: compose, Node + Go, a k8s folder and a Helm chart dir, no planted problems of note. */
const RICH_FILES: Record<string, string> = {
  'docker-compose.yml': `services:
  web:
    build: ./web
    ports: ["8080:8080"]
    environment:
      API_URL: http://api:8081
    depends_on: [api]
  api:
    build: ./api
    ports: ["8081:8081"]
    environment:
      REDIS_URL: redis://cache:6379
    depends_on: [cache]
  cache:
    image: redis:7.2-alpine
`,
  'web/package.json': '{"name":"web","version":"2.0.0","main":"server.js","dependencies":{"fastify":"4.26.2"}}\n',
  'web/package-lock.json': '{"name":"web","lockfileVersion":3,"requires":true,"packages":{"":{"name":"web","dependencies":{"fastify":"4.26.2"}},"node_modules/fastify":{"version":"4.26.2"}}}\n',
  'web/server.js': `const fastify = require('fastify')();
fastify.get('/healthz', async () => ({ ok: true }));
fastify.get('/', async () => fetch(process.env.API_URL + '/items').then((r) => r.json()));
fastify.listen({ port: 8080, host: '0.0.0.0' });
`,
  'web/Dockerfile': 'FROM node:20.11-alpine\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\nUSER node\nEXPOSE 8080\nHEALTHCHECK CMD wget -qO- localhost:8080/healthz\nCMD ["node", "server.js"]\n',
  'api/go.mod': 'module example.com/api\n\ngo 1.22\n\nrequire (\n\tgithub.com/gin-gonic/gin v1.9.1\n\tgithub.com/redis/go-redis/v9 v9.5.1\n)\n',
  'api/go.sum': 'github.com/gin-gonic/gin v1.9.1 h1:4idEAncQnU5cB7BeOkPtxjfCSye0AAm1R0RVIqJ+Jmg=\n',
  'api/main.go': `package main

import (
	"os"

	"github.com/gin-gonic/gin"
	"github.com/redis/go-redis/v9"
)

func main() {
	rdb := redis.NewClient(&redis.Options{Addr: os.Getenv("REDIS_ADDR")})
	_ = rdb
	r := gin.Default()
	r.GET("/healthz", func(c *gin.Context) { c.String(200, "ok") })
	r.Run(":8081")
}
`,
  'api/Dockerfile': 'FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN go build -o /api .\nFROM gcr.io/distroless/static:nonroot\nCOPY --from=build /api /api\nUSER 65532\nEXPOSE 8081\nENTRYPOINT ["/api"]\n',
  'k8s/web-deployment.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: ghcr.io/example/web:2.0.0
          ports: [{containerPort: 8080}]
          readinessProbe: {httpGet: {path: /healthz, port: 8080}}
          resources:
            limits: {cpu: 500m, memory: 256Mi}
`,
  'k8s/web-service.yaml': `apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
`,
  'charts/api/Chart.yaml': 'apiVersion: v2\nname: api\nversion: 0.1.0\nappVersion: "1.0.0"\n',
  'charts/api/values.yaml': 'image:\n  repository: ghcr.io/example/api\n  tag: "1.0.0"\nresources:\n  limits: {cpu: 500m, memory: 128Mi}\n',
  'charts/api/templates/deployment.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}-api
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
        - name: api
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
          resources: {{- toYaml .Values.resources | nindent 12 }}
          livenessProbe: {httpGet: {path: /healthz, port: 8081}}
`,
};

/** A token committed once and deleted in the next commit (synthetic). */
const HISTORY_SECRET = 'ghp_Hn4Tq8Wz2Lx6Rc0Vb5Mj9Kp3Fs7Dy1Ga4Ue8';

const JSON_HEADERS = { 'content-type': 'application/json' };

/** 1-based line of the first line of a fixture file containing `needle`. */
function lineOf(path: string, needle: string): number {
  const idx = FIXTURE_FILES[path]!.split('\n').findIndex((l) => l.includes(needle));
  if (idx < 0) throw new Error(`${needle} not in ${path}`);
  return idx + 1;
}

/** The score as the checks define it: weighted mean of the applicable checks, 0-100. */
function scoreFromChecks(report: AuditReport): number {
  const applicable = report.checks.filter((c) => c.score !== null);
  const w = applicable.reduce((a, c) => a + RISK_WEIGHT[c.risk], 0);
  return Math.round((applicable.reduce((a, c) => a + RISK_WEIGHT[c.risk] * c.score!, 0) / w) * 10);
}

interface Started {
  svc: RunningService;
  prefix: string;
  dataDir: string;
  close(): Promise<void>;
}

async function startAudit(extra: Record<string, string> = {}): Promise<Started> {
  const prefix = uniquePrefix('aa');
  const dataDir = mkdtempSync(join(tmpdir(), 'linkops-aa-data-'));
  const svc = await startService(service, {
    port: 0,
    env: { REDIS_URL: testRedisUrl(), QUEUE_PREFIX: prefix, DATA_DIR: dataDir, LOG_LEVEL: 'silent', AUDIT_ALLOW_LOCAL: '1', RATE_LIMIT_MAX: '100000', ...extra },
  });
  return {
    svc: svc as unknown as RunningService,
    prefix,
    dataDir,
    async close() {
      await svc.stop();
      await clearPrefix(prefix);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function post(svc: RunningService, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const r = await fetch(`${svc.url}/scan/audit`, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify(body) });
  return { status: r.status, json: (await r.json()) as Record<string, unknown> };
}

async function auditAndWait(svc: RunningService, body: Record<string, unknown>): Promise<AuditReport> {
  const { status, json } = await post(svc, { wait: 90, ...body });
  expect(status, JSON.stringify(json)).toBe(200);
  return AuditReportSchema.parse(json);
}

describe('audit_assess (real service, real Redis, worker in-process)', () => {
  let s: Started;
  let fixture: string;
  let rich: string;
  let fixtureReport: AuditReport;
  beforeAll(async () => {
    s = await startAudit();
    fixture = makeRepo();
    rich = makeRepo(RICH_FILES, 'rich');
  });
  afterAll(async () => {
    await s?.close();
    for (const d of [fixture, rich]) if (d) rmSync(d, { recursive: true, force: true });
  });

  it('`wait` answers 200 with the fixture report: structure, score with evidence, findings at the right lines', async () => {
    fixtureReport = await auditAndWait(s.svc, { repo_url: fixture });
    const r = fixtureReport;
    expect(r.scan_id).toMatch(/^scan_[a-z0-9]+$/);
    expect(r.commit).toBe(git(fixture, 'rev-parse', 'HEAD').trim());
    expect(r.inventory.files).toBe(Object.keys(FIXTURE_FILES).length);

    // Structure: two built services and the image-only database, with ports, frameworks and edges.
    const byName = new Map(r.services.map((x) => [x.name, x]));
    expect([...byName.keys()].sort()).toEqual(['api', 'db', 'worker']);
    expect(byName.get('api')).toMatchObject({ path: 'services/api', runtime: 'node', frameworks: ['express'], ports: [3000], infrastructure: ['postgres'], depends_on: ['db', 'worker'], health_path: '/health' });
    expect(byName.get('api')!.env).toContain('DATABASE_URL');
    expect(byName.get('api')!.assets).toMatchObject({ dockerfile: 'services/api/Dockerfile', compose: ['docker-compose.yml'], kubernetes: ['k8s/api.yaml'] });
    expect(byName.get('worker')).toMatchObject({ path: 'services/worker', runtime: 'python', frameworks: ['flask'], ports: [5000] });
    expect(byName.get('db')).toMatchObject({ path: null, runtime: 'image', image: 'postgres', ports: [5432], infrastructure: ['postgres'] });
    expect(r.edges.map((e) => `${e.from}->${e.to}`).sort()).toEqual(['api->db', 'api->worker']);

    // Score: the weighted mean of the checks, each with its evidence.
    expect(r.score).toBe(scoreFromChecks(r));
    expect(r.score).toBeLessThan(40);
    const check = (id: string) => r.checks.find((c) => c.id === id)!;
    expect(r.checks).toHaveLength(17);
    expect(check('containerized')).toMatchObject({ score: 10 });
    expect(check('containerized').evidence.sort()).toEqual(['services/api/Dockerfile', 'services/worker/Dockerfile']);
    expect(check('container-non-root').score).toBe(0);
    expect(check('container-pinned-base').score).toBe(5);
    expect(check('container-pinned-base').evidence.join(' ')).toContain('services/api/Dockerfile:1');
    expect(check('kubernetes-manifests')).toMatchObject({ score: 5, evidence: ['k8s/api.yaml'] });
    expect(check('no-secrets').score).toBe(0);
    expect(check('no-secrets').evidence).toEqual(expect.arrayContaining(['docker-compose.yml:6', ...[1, 2, 3, 4, 5].map((n) => `services/api/.env:${n}`)]));
    expect(check('ci-present')).toMatchObject({ score: 10, evidence: ['.github/workflows/ci.yml'] });
    expect(check('no-vulnerable-dependencies').score).toBe(0);
    for (const c of r.checks) expect(c.remediation.length, c.id).toBeGreaterThan(0);

    // Findings at the lines where the fixture planted them.
    const at = (rule: string) => r.findings.filter((f) => f.rule_id === rule).map((f) => `${f.location.path}:${f.location.start_line}`);
    const env = 'services/api/.env';
    expect(at('aws-access-key-id')).toEqual([`${env}:${lineOf(env, 'AWS_ACCESS_KEY_ID')}`]);
    expect(at('aws-secret-access-key')).toEqual([`${env}:${lineOf(env, 'AWS_SECRET_ACCESS_KEY')}`]);
    expect(at('github-pat')).toEqual([`${env}:${lineOf(env, 'GITHUB_TOKEN')}`]);
    expect(at('stripe-secret-key')).toEqual([`${env}:${lineOf(env, 'STRIPE_KEY')}`]);
    expect(at('slack-webhook-url')).toEqual([`${env}:${lineOf(env, 'SLACK_WEBHOOK')}`]);
    expect(at('postgres-connection-string')).toEqual([`docker-compose.yml:${lineOf('docker-compose.yml', 'DATABASE_URL')}`]);
    expect(at('compose.privileged')).toEqual([`docker-compose.yml:${lineOf('docker-compose.yml', 'privileged')}`]);
    expect(at('k8s.privileged')).toEqual([`k8s/api.yaml:${lineOf('k8s/api.yaml', 'privileged: true')}`]);
    expect(at('k8s.host-network')).toEqual([`k8s/api.yaml:${lineOf('k8s/api.yaml', 'hostNetwork')}`]);
    expect(at('dockerfile.last-user-root')).toEqual([`services/worker/Dockerfile:${lineOf('services/worker/Dockerfile', 'USER root')}`]);
    expect(at('dockerfile.base-image-latest')).toEqual(['services/api/Dockerfile:1']);
    expect(at('sast.py.yaml-load')).toEqual([`services/worker/app.py:${lineOf('services/worker/app.py', 'yaml.load')}`]);
    expect(at('sast.py.subprocess-shell')).toEqual([`services/worker/app.py:${lineOf('services/worker/app.py', 'shell=True')}`]);
    expect(at('sast.js.child-process-injection')).toEqual([`services/api/index.js:${lineOf('services/api/index.js', "exec('ls '")}`]);
    expect(at('gha.untrusted-checkout')).toEqual([`.github/workflows/ci.yml:${lineOf('.github/workflows/ci.yml', 'head.sha')}`]);
    expect(at('gha.curl-pipe-shell')).toEqual([`.github/workflows/ci.yml:${lineOf('.github/workflows/ci.yml', 'curl -sL')}`]);
    const vulnerable = r.findings.filter((f) => f.scanner === 'vulns').map((f) => f.evidence);
    expect(vulnerable).toEqual(expect.arrayContaining(['minimist@1.2.0', 'lodash@4.17.15', 'flask@0.12.2', 'pyyaml@5.3']));
    expect(r.summary.total).toBe(r.findings.length);
    expect(r.summary.by_scanner.secrets).toBe(6);
  });

  it('no planted secret appears in the JSON, SARIF, Markdown, HTML or SBOM outputs', async () => {
    const id = fixtureReport.scan_id;
    const outputs: Record<string, string> = {};
    for (const format of ['json', 'sarif', 'markdown', 'html']) {
      const r = await fetch(`${s.svc.url}/scan/${id}/report?format=${format}`);
      expect(r.status, format).toBe(200);
      outputs[format] = await r.text();
    }
    const sbom = await fetch(`${s.svc.url}/scan/${id}/sbom`);
    expect(sbom.status).toBe(200);
    outputs.sbom = await sbom.text();
    const status = await fetch(`${s.svc.url}/scan/${id}`);
    outputs.status = await status.text();
    for (const [name, text] of Object.entries(outputs)) {
      for (const secret of PLANTED_SECRETS) expect(text.includes(secret), `${name} leaks ${secret.slice(0, 4)}…`).toBe(false);
    }
    // And the formats are what they claim to be.
    const sarif = JSON.parse(outputs.sarif!) as { version: string; runs: Array<{ results: Array<{ ruleId: string; locations: Array<{ physicalLocation: { region: { startLine: number } } }> }> }> };
    expect(sarif.version).toBe('2.1.0');
    const results = sarif.runs.flatMap((run) => run.results);
    expect(results).toHaveLength(fixtureReport.findings.length);
    expect(results.find((x) => x.ruleId.endsWith('aws-access-key-id'))?.locations[0]?.physicalLocation.region.startLine).toBe(1);
    expect(outputs.markdown).toContain(`${fixtureReport.score}`);
    expect(outputs.html).toMatch(/^<!doctype html>/i);
    const bom = JSON.parse(outputs.sbom!) as { bomFormat: string; specVersion: string; components: Array<{ name: string; version: string }> };
    expect(bom).toMatchObject({ bomFormat: 'CycloneDX', specVersion: '1.5' });
    expect(bom.components.map((c) => `${c.name}@${c.version}`)).toEqual(expect.arrayContaining(['express@4.17.1', 'lodash@4.17.15', 'minimist@1.2.0', 'flask@0.12.2', 'requests@2.19.0']));
  });

  it('reports the structure of a multi-service repository (compose, Node + Go, k8s folder, Helm chart)', async () => {
    const r = await auditAndWait(s.svc, { repo_url: rich });
    const byName = new Map(r.services.map((x) => [x.name, x]));
    expect([...byName.keys()].sort()).toEqual(['api', 'cache', 'web']);
    expect(byName.get('web')).toMatchObject({ path: 'web', runtime: 'node', frameworks: ['fastify'], ports: [8080], depends_on: ['api'], health_path: '/healthz', env: ['API_URL'] });
    expect(byName.get('web')!.assets.kubernetes).toEqual(['k8s/web-deployment.yaml', 'k8s/web-service.yaml']);
    expect(byName.get('api')).toMatchObject({ path: 'api', runtime: 'go', frameworks: ['gin'], ports: [8081], infrastructure: ['redis'], depends_on: ['cache'], entrypoint: 'api/main.go' });
    expect(byName.get('api')!.assets.helm).toEqual(['charts/api']);
    expect(byName.get('cache')).toMatchObject({ path: null, runtime: 'image', image: 'redis:7.2-alpine', infrastructure: ['redis'] });
    expect(r.edges.map((e) => `${e.from}->${e.to}`).sort()).toEqual(['api->cache', 'web->api']);
    expect(r.inventory.languages.map((l) => l.language)).toEqual(expect.arrayContaining(['Go', 'JavaScript']));

    const check = (id: string) => r.checks.find((c) => c.id === id)!;
    for (const id of ['containerized', 'container-non-root', 'container-pinned-base', 'kubernetes-manifests', 'health-checks', 'resource-limits', 'dependencies-pinned', 'no-secrets']) {
      expect(check(id).score, `${id}: ${check(id).reason}`).toBe(10);
    }
    expect(check('kubernetes-manifests').evidence).toEqual(expect.arrayContaining(['charts/api', 'k8s/web-deployment.yaml']));
    expect(check('resource-limits').evidence).toEqual(expect.arrayContaining(['charts/api', 'k8s/web-deployment.yaml']));
    expect(check('workflow-token-permissions').score).toBeNull();
    expect(check('gitops-controller').score).toBe(0);
    expect(r.score).toBe(scoreFromChecks(r));
    expect(r.score).toBeGreaterThan(fixtureReport.score + 30);
    expect(r.summary.by_scanner.secrets ?? 0).toBe(0);
  });

  it('without `wait` answers 202, then GET /scan/:id progresses to done', async () => {
    const { status, json } = await post(s.svc, { repo_url: rich, history: true });
    expect(status).toBe(202);
    expect(json).toMatchObject({ status: 'queued', status_url: `/scan/${json.scan_id as string}` });
    const seen: string[] = [];
    const final = await waitFor(async () => {
      const st = (await (await fetch(`${s.svc.url}${json.status_url as string}`)).json()) as { status: string; progress: { phase: string; done: number; total: number }; files_done: number };
      if (seen.at(-1) !== st.status) seen.push(st.status);
      expect(['queued', 'cloning', 'scanning', 'done']).toContain(st.status);
      return st.status === 'done' ? st : undefined;
    }, 60_000, 20);
    expect(seen.at(-1)).toBe('done');
    expect(final.progress.phase).toBe('report');
    expect(final.files_done).toBe(Object.keys(RICH_FILES).length);
    const report = AuditReportSchema.parse(await (await fetch(`${s.svc.url}/scan/${json.scan_id as string}/report`)).json());
    expect(report.scan_id).toBe(json.scan_id);
  });

  it('re-auditing the same commit is served from the cache', async () => {
    const first = await auditAndWait(s.svc, { repo_url: fixture });
    const second = await auditAndWait(s.svc, { repo_url: fixture });
    expect(second.scan_id).not.toBe(first.scan_id);
    const st = (await (await fetch(`${s.svc.url}/scan/${second.scan_id}`)).json()) as { cached?: boolean; commit: string };
    expect(st.cached).toBe(true);
    expect(st.commit).toBe(first.commit);
    expect(second.findings.map((f) => f.fingerprint)).toEqual(first.findings.map((f) => f.fingerprint));
    // A new commit is scanned afresh.
    writeFileSync(join(fixture, 'SECURITY.md'), '# Security\nReport issues to security@example.com\n');
    git(fixture, 'add', '-A');
    git(fixture, 'commit', '-qm', 'security policy');
    const third = await auditAndWait(s.svc, { repo_url: fixture });
    const st3 = (await (await fetch(`${s.svc.url}/scan/${third.scan_id}`)).json()) as { cached?: boolean };
    expect(st3.cached).toBeUndefined();
    expect(third.checks.find((c) => c.id === 'security-policy')!.score).toBe(10);
  });

  it('`migrate: true` enqueues an audit.migrate job for the scan', async () => {
    const r = await auditAndWait(s.svc, { repo_url: rich, migrate: true, migrate_options: { registry: 'registry.example.com/team' } });
    const st = (await (await fetch(`${s.svc.url}/scan/${r.scan_id}`)).json()) as { migration_id?: string };
    expect(st.migration_id).toBe(`mig_${r.scan_id.slice(5)}`);
    const job = await s.svc.ctx.queues.queue('audit.migrate').getJob(st.migration_id!);
    expect(job?.data).toMatchObject({ migration_id: st.migration_id, scan_id: r.scan_id, options: { registry: 'registry.example.com/team' } });
  });

  it('history mode finds a secret that was committed and later removed, with commit and author', async () => {
    const repo = makeRepo({ 'README.md': '# history\n' }, 'history');
    try {
      mkdirSync(join(repo, 'config'));
      writeFileSync(join(repo, 'config/deploy.env'), `REGION=eu-west-1\nGITHUB_TOKEN=${HISTORY_SECRET}\n`);
      git(repo, 'add', '-A');
      git(repo, '-c', 'user.name=Leaky Dev', '-c', 'user.email=leaky@example.com', 'commit', '-qm', 'add deploy config');
      const leakCommit = git(repo, 'rev-parse', 'HEAD').trim();
      git(repo, 'rm', '-q', 'config/deploy.env');
      git(repo, 'commit', '-qm', 'remove secret');

      const current = await auditAndWait(s.svc, { repo_url: repo });
      expect(current.findings.filter((f) => f.scanner === 'secrets')).toEqual([]);

      const history = await auditAndWait(s.svc, { repo_url: repo, history: true });
      const leak = history.findings.find((f) => f.rule_id === 'github-pat');
      expect(leak, JSON.stringify(history.findings.map((f) => f.rule_id))).toBeDefined();
      expect(leak!.location).toMatchObject({ path: 'config/deploy.env', start_line: 2, commit: leakCommit });
      expect(leak!.location.author).toContain('Leaky Dev');
      const md = await (await fetch(`${s.svc.url}/scan/${history.scan_id}/report?format=markdown`)).text();
      expect(JSON.stringify(history).includes(HISTORY_SECRET)).toBe(false);
      expect(md.includes(HISTORY_SECRET)).toBe(false);
      // A history report is not served from the cache to a plain re-audit of the same commit.
      const again = await auditAndWait(s.svc, { repo_url: repo });
      expect(again.findings.some((f) => f.rule_id === 'github-pat')).toBe(false);
    } finally {
      rmSync(repo, { recursive: true, force: true });
    }
  });
});

describe('audit_assess clone size limit', () => {
  let s: Started;
  let fixture: string;
  let tmp: string;
  const savedTmp = process.env.TMPDIR;
  beforeAll(async () => {
    // A private os.tmpdir() for this service, so its linkops-clones dir is ours alone to inspect.
    tmp = mkdtempSync(join(tmpdir(), 'linkops-aa-tmp-'));
    process.env.TMPDIR = tmp;
    try {
      s = await startAudit({ AUDIT_MAX_REPO_BYTES: '4096' });
    } finally {
      if (savedTmp === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = savedTmp;
    }
    fixture = makeRepo();
  });
  afterAll(async () => {
    await s?.close();
    rmSync(fixture, { recursive: true, force: true });
    rmSync(tmp, { recursive: true, force: true });
  });

  it('fails a clone past AUDIT_MAX_REPO_BYTES with that reason and leaves no temp files', async () => {
    const clones = join(tmp, 'linkops-clones');
    expect(readdirSync(clones)).toEqual([]);
    const { status, json } = await post(s.svc, { repo_url: fixture, wait: 60 });
    expect(status).toBe(200);
    expect(json).toMatchObject({ status: 'failed' });
    expect(String(json.reason)).toMatch(/too_large.*size limit/);
    const st = (await (await fetch(`${s.svc.url}/scan/${json.scan_id as string}`)).json()) as { status: string; reason: string };
    expect(st).toMatchObject({ status: 'failed' });
    expect(st.reason).toMatch(/size limit/);
    const report = await fetch(`${s.svc.url}/scan/${json.scan_id as string}/report`);
    expect(report.status).toBe(409);
    expect(((await report.json()) as { error: { code: string } }).error.code).toBe('scan_failed');
    expect(readdirSync(clones)).toEqual([]);
    expect(execFileSync('git', ['-C', fixture, 'status', '--porcelain'], { encoding: 'utf8' })).toBe('');
  });
});
